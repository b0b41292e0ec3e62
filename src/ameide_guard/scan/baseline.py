"""Baselines: record today's findings so that `scan --baseline FILE` reports only new ones.

The file is meant to be committed and reviewed: JSON, one entry per finding with its
line-independent fingerprint plus the rule, path and message a reviewer reads, sorted by path,
rule and fingerprint, so regenerating it after a fix yields a small, readable diff. Line numbers
are left out on purpose: they would churn the file on every unrelated edit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ameide_guard.errors import BaselineError
from ameide_guard.formats.reading import TOO_MANY_DIGITS, too_many_digits
from ameide_guard.model import Finding

FORMAT_VERSION = 1


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    entries = [
        {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "message": f.message}
        for f in findings
    ]
    return sorted(entries, key=lambda e: (e["path"], e["rule"], e["fingerprint"]))


def write_baseline(findings: Iterable[Finding], path: Path) -> int:
    """Write the baseline file; returns the number of entries."""
    entries = baseline_entries(findings)
    payload = {"version": FORMAT_VERSION, "tool": "ameide-guard", "findings": entries}
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(entries)


def read_fingerprints(path: Path) -> set[str]:
    """The fingerprints a baseline file records; BaselineError naming the file and the problem."""
    try:
        payload: Any = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: baseline file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}: baseline file is not valid JSON (line {exc.lineno}: {exc.msg}); "
            "regenerate it with `ameide-guard baseline --output FILE`"
        ) from None
    except ValueError as exc:
        if not too_many_digits(exc):
            raise
        raise BaselineError(f"{path}: the baseline file holds {TOO_MANY_DIGITS}") from None
    entries = payload.get("findings") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        raise BaselineError(
            f"{path}: not an ameide-guard baseline (expected an object with a `findings` list); "
            "regenerate it with `ameide-guard baseline --output FILE`"
        )
    found = set()
    for number, entry in enumerate(entries):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise BaselineError(
                f"{path}: findings[{number}] has no `fingerprint` string; "
                "regenerate the file with `ameide-guard baseline --output FILE`"
            )
        found.add(fingerprint)
    return found


def apply_baseline(findings: list[Finding], path: Path) -> tuple[list[Finding], int]:
    """The findings not recorded in the baseline, and how many recorded ones are gone (fixed)."""
    recorded = read_fingerprints(path)
    current = {f.fingerprint for f in findings}
    kept = [f for f in findings if f.fingerprint not in recorded]
    return kept, len(recorded - current)
