"""`pip install .` gives a working tool: the wheel carries the rule pages and the default config,
and an installed (non-editable) copy runs `ameide-guard` and `python -m ameide_guard`."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stderr[-2000:]}")
    (found,) = out.glob("ameide_guard-*.whl")
    return found


def test_wheel_ships_rule_pages_default_config_and_entry_point(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ameide_guard/default_config.toml" in names
    for page in sorted((REPO / "rules").glob("AG*.md")):
        assert f"ameide_guard/rule_docs/{page.name}" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry).decode()
    assert "ameide-guard = ameide_guard.cli.entry:main" in text


def test_installed_wheel_runs_both_entry_points(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from the test environment (a .pth path entry, whose own .pth files,
    # such as this checkout's editable install, are not processed); ameide_guard from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    version = subprocess.run(
        [str(env_dir / "bin" / "ameide-guard"), "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert "ameide-guard, version" in version.stdout
    page = subprocess.run(
        [str(python), "-m", "ameide_guard", "explain", "AG101"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert page.stdout.startswith("# AG101 runtime-generated-import")
    origin = subprocess.run(
        [str(python), "-c", "import ameide_guard, sys; print(ameide_guard.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert str(env_dir) in origin.stdout
