"""`--format json`: the schema DESIGN.md fixes, with POSIX root-relative paths, 1-based spans."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ameide_guard._version import __version__

if TYPE_CHECKING:
    from ameide_guard.scan.options import ScanResult


def render(result: ScanResult, *, color: bool = False) -> str:
    findings = [
        {
            "rule": f.rule,
            "slug": f.slug,
            "level": f.level.label,
            "path": f.path,
            "line": f.span.line,
            "column": f.span.column,
            "end_line": f.span.end_line,
            "end_column": f.span.end_column,
            "message": f.message,
            "fingerprint": f.fingerprint,
        }
        for f in result.findings
    ]
    errors = [
        {"path": f.path, "line": f.span.line, "message": f.message}
        for f in result.findings
        if f.rule == "AG900"
    ]
    stats = result.stats
    payload: dict[str, object] = {
        "version": __version__,
        "findings": findings,
        "errors": errors,
        "stats": {
            "files": stats.files,
            "parsed": stats.parsed,
            "cached": stats.cached,
            "skipped": stats.skipped,
            "failed": stats.failed,
            "excluded": stats.excluded,
            "seconds": stats.seconds,
        },
    }
    if result.baseline_fixed is not None:
        payload["baseline_fixed"] = result.baseline_fixed
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
