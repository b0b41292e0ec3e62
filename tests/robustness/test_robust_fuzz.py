"""A short run of every atheris fuzz target under fuzz/ (a few seconds each): any crash input
fails the test with the target's report. Skipped, saying so, where atheris cannot be installed
(`pip install atheris`; .ci/install-tools.sh does it)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tools import missing_tool

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
TARGETS = sorted(FUZZ.glob("fuzz_*.py"))
SECONDS = 3

pytestmark = pytest.mark.slow


def test_every_parser_family_has_a_target() -> None:
    names = {p.stem for p in TARGETS}
    assert {"fuzz_typescript", "fuzz_go", "fuzz_python", "fuzz_gomod", "fuzz_package_json"} <= names
    assert {"fuzz_yaml_lockfiles", "fuzz_toml", "fuzz_config", "fuzz_buf"} <= names


@pytest.mark.parametrize("target", TARGETS, ids=lambda p: p.stem)
def test_fuzz_target_short_run(target: Path, tmp_path: Path) -> None:
    if importlib.util.find_spec("atheris") is None:
        missing_tool("atheris not installed (pip install atheris)")
    done = subprocess.run(
        [
            sys.executable,
            str(target),
            f"-max_total_time={SECONDS}",
            "-rss_limit_mb=2048",
            "-timeout=20",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=tmp_path,
        env={**os.environ, "AMEIDE_GUARD_FUZZ_CORPUS": str(tmp_path / "corpus")},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=SECONDS * 10 + 60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Done" in done.stderr and " runs in " in done.stderr, done.stderr[-2000:]
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))
