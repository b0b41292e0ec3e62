"""`--format text`: findings grouped by file as `path:line:col: AG101 message`, a code frame
when writing to a terminal, and a summary line."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TYPE_CHECKING

from ameide_guard.model import Finding, Level

if TYPE_CHECKING:
    from ameide_guard.scan.options import ScanResult

_COLORS = {Level.ERROR: "\x1b[31m", Level.WARNING: "\x1b[33m", Level.NOTE: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _frame(result: ScanResult, finding: Finding) -> list[str]:
    try:
        with open(result.root / finding.path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if number == finding.span.line:
                    text = line.rstrip("\n").expandtabs(4)
                    if len(text) > 200:
                        return []
                    caret = " " * (finding.span.column - 1) + "^"
                    return [
                        f"  {_DIM}{number:>5} |{_RESET} {text}",
                        f"        {_DIM}|{_RESET} {caret}",
                    ]
    except (OSError, ValueError):
        return []
    return []


def summary(result: ScanResult) -> str:
    counts = Counter(f.level for f in result.findings)
    stats = result.stats
    parts = [
        f"{counts[lvl]} {lvl.label}{'s' if counts[lvl] != 1 else ''}"
        for lvl in (Level.ERROR, Level.WARNING, Level.NOTE)
    ]
    line = (
        f"Found {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} "
        f"({', '.join(parts)}) in {stats.files} files; {stats.parsed} parsed, {stats.cached} "
        f"from cache, {stats.skipped} skipped, {stats.failed} failed, in {stats.seconds:.2f}s."
    )
    if result.baseline_fixed:
        fixed = result.baseline_fixed
        line += f" {fixed} baseline entr{'ies' if fixed != 1 else 'y'} fixed."
    return line


def render(result: ScanResult, *, color: bool = False) -> str:
    lines: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.path):
        if color:
            lines.append(f"{_BOLD}{path}{_RESET}")
        for f in group:
            rule = f"{_COLORS[f.level]}{f.rule}{_RESET}" if color else f.rule
            lines.append(
                f"{f.path}:{f.span.line}:{f.span.column}: {rule} [{f.level.label}] {f.message}"
            )
            if color:
                lines.extend(_frame(result, f))
        if color:
            lines.append("")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
