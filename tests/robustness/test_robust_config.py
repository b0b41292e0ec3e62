"""Hostile configs and baselines: duplicate keys and numbers too long to read in the
ameide-guard config (ameide-guard.toml, .ameide-guard.toml, pyproject.toml's
[tool.ameide-guard]) or a baseline are a one-line config error with exit 2. (Hostile manifests
and lockfiles, which are AG900 findings while the scan goes on, are the reader contract:
test_reader_contract.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from robust_support import HUGE, run_cli, write_tree

DUPLICATE = '[zones]\nproto = ["a/"]\nproto = ["b/"]\n'


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ameide-guard.toml", DUPLICATE),
        (".ameide-guard.toml", DUPLICATE),
        ("pyproject.toml", '[tool.ameide-guard]\nexclude = []\nexclude = ["x/"]\n'),
        ("pyproject.toml", "[tool.ameide-guard.zones]\n[tool.ameide-guard.zones]\n"),
    ],
)
def test_duplicate_keys_in_the_config_are_a_one_line_error(
    tmp_path: Path, name: str, content: str
) -> None:
    write_tree(tmp_path, {"ameide-guard.toml": content} if name == "ameide-guard.toml" else {})
    if name != "ameide-guard.toml":
        (tmp_path / "ameide-guard.toml").unlink()
        (tmp_path / name).write_text(content)
    run = run_cli(tmp_path, "--no-cache")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("ameide-guard: error: ") and name in run.stderr
    assert "invalid TOML" in run.stderr


@pytest.mark.parametrize("where", ["config", "baseline"])
def test_numbers_too_long_in_config_or_baseline_are_one_line_errors(
    tmp_path: Path, where: str
) -> None:
    root = write_tree(tmp_path / "repo", {})
    args: tuple[str, ...] = ()
    if where == "config":
        (root / "ameide-guard.toml").write_text(f"exclude = []\nx = {HUGE}\n")
    else:
        baseline = tmp_path / "baseline.json"
        baseline.write_text('{"version": 1, "findings": [' + HUGE + "]}")
        args = ("--baseline", str(baseline))
    run = run_cli(root, "--no-cache", *args, timeout=60)
    assert run.code == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "4,300 digits" in run.stderr
