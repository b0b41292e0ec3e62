"""Shared test helpers: scan a fixture monorepo in-process and render findings as the stable
one-line form the `expected.txt` files hold (`path:line:col: RULE level message`), so that a moved
finding and a changed message both fail `tests/test_fixtures.py`. Regenerate the files with
`python tests/update_expected.py` (see there)."""

from __future__ import annotations

import difflib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ameide_guard.config.loader import load_config
from ameide_guard.reporters import render
from ameide_guard.scan.engine import ScanOptions, ScanResult, scan

FIXTURES = Path(__file__).parent / "fixtures"


def scan_dir(root: Path, **options: object) -> ScanResult:
    """Scan `root` with its own config, no cache and one job unless told otherwise."""
    config = load_config(root)
    opts = {"use_cache": False, "jobs": 1, **options}
    return scan(config, ScanOptions(root=root, **opts))  # type: ignore[arg-type]


def _strip_sarif(doc: Any) -> Any:
    for run in doc.get("runs", []):
        run.pop("invocations", None)
        run.pop("properties", None)
    return doc


def all_reports(result: ScanResult) -> dict[str, Any]:
    """Every available report of `result`, without what legitimately varies between runs
    (timings and cache counters): JSON without `stats`, text without its summary line, SARIF
    without invocations. Two scans that must agree byte for byte compare these."""
    out: dict[str, Any] = {}
    doc = json.loads(render("json", result))
    doc.pop("stats")
    out["json"] = doc
    text = render("text", result).rstrip("\n").splitlines()
    out["text"] = text[:-1]
    if importlib.util.find_spec("ameide_guard.reporters.sarif") is not None:
        out["sarif"] = _strip_sarif(json.loads(render("sarif", result)))
    return out


# Characters that `str.splitlines()` (and so an editor or `expected_lines`) takes as a line end.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def escape_message(message: str) -> str:
    """`message` on one line: a backslash is doubled and a line-break character written as its
    Python escape (`\\n`, `\\r`, `\\x0b`, `\\u2028`...), so each finding stays one line of
    `expected.txt` and two different messages never render alike."""
    out = message.replace("\\", "\\\\")
    for ch in _LINE_BREAKS:
        out = out.replace(ch, ch.encode("unicode_escape").decode("ascii"))
    return out


def finding_lines(result: ScanResult) -> list[str]:
    """One `path:line:col: RULE level message` line per finding, in the scan's order."""
    return [
        f"{f.path}:{f.span.line}:{f.span.column}: {f.rule} {f.level.label} "
        f"{escape_message(f.message)}"
        for f in result.findings
    ]


def expected_lines(root: Path) -> list[str]:
    """The finding lines of `root/expected.txt`: blank lines and `#` comments left out."""
    text = (root / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def expected_diff(root: Path, actual: list[str]) -> str:
    """Empty when `actual` is exactly the finding lines of `root/expected.txt`; otherwise a
    unified diff from the file (`-`) to `actual` (`+`), for the failure message."""
    expected = expected_lines(root)
    if actual == expected:
        return ""
    return "\n".join(
        difflib.unified_diff(
            expected, actual, f"{root.name}/expected.txt", f"{root.name} (scan)", lineterm=""
        )
    )


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
