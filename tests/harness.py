"""Shared test helpers: scan a fixture monorepo in-process and render findings as the stable
one-line form the `expected.txt` files hold (`path:line:col: RULE level`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ameide_guard.config import load_config
from ameide_guard.engine import ScanOptions, ScanResult, scan

FIXTURES = Path(__file__).parent / "fixtures"


def scan_dir(root: Path, **options: object) -> ScanResult:
    """Scan `root` with its own config, no cache and one job unless told otherwise."""
    config = load_config(root)
    opts = {"use_cache": False, "jobs": 1, **options}
    return scan(config, ScanOptions(root=root, **opts))  # type: ignore[arg-type]


def finding_lines(result: ScanResult) -> list[str]:
    return [
        f"{f.path}:{f.span.line}:{f.span.column}: {f.rule} {f.level.label}" for f in result.findings
    ]


def expected_lines(root: Path) -> list[str]:
    text = (root / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def fixture_dirs() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/expected.txt"))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m ameide_guard ARGS` in a subprocess (exit code, stdout and stderr as a user
    sees them), never raising on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "ameide_guard", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
