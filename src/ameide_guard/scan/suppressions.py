"""Inline suppressions: `// ameide-guard: ignore[AG101] reason` (or `#`, `/* */`, `--`).

A comment alone on its line covers the next line; a trailing comment covers its own line. A
finding is covered when the covered line falls between the start of its statement and its last
line, so one comment above a multi-line import works. A reason is required; a suppression without
one, naming an unknown rule, or covering nothing is reported as AG901.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ameide_guard.model import Finding, Span, Suppression

MARKER = "ameide-guard:"
_COMMENT = re.compile(
    r"(?P<lead>#|//|/\*|--|;)\s*ameide-guard:\s*ignore\[(?P<ids>[^\]\n]*)\](?P<reason>[^\n]*)"
)


def scan_suppressions(text: str) -> tuple[Suppression, ...]:
    """Every suppression comment in `text`; cheap when the marker is absent."""
    if MARKER not in text:
        return ()
    found: list[Suppression] = []
    line_no = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        hit = _COMMENT.search(line)
        if hit is None:
            continue
        standalone = not line[: hit.start()].strip()
        ids = tuple(x.strip() for x in hit.group("ids").split(",") if x.strip())
        reason = hit.group("reason").strip()
        for closer in ("*/", "-->"):
            if reason.endswith(closer):
                reason = reason[: -len(closer)].strip()
        reason = reason.lstrip(":-— ").strip()
        found.append(
            Suppression(
                line=line_no,
                column=hit.start() + 1,
                target_line=line_no + 1 if standalone else line_no,
                ids=ids,
                reason=reason,
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class SuppressionProblem:
    path: str
    span: Span
    message: str
    key: str


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: dict[str, tuple[Suppression, ...]],
    resolve: callable,  # type: ignore[valid-type]
    active_rules: frozenset[str],
) -> tuple[list[Finding], list[SuppressionProblem]]:
    """Drop covered findings; return the kept ones and the AG901 problems.

    `resolve` maps an id or slug to a rule id (None if unknown). A suppression that names only
    rules not run in this scan (`--select`) is not reported as unused."""
    kept: list[Finding] = []
    used: set[tuple[str, int, str]] = set()
    by_file: dict[str, list[tuple[Suppression, tuple[str | None, ...]]]] = {
        path: [(s, tuple(resolve(i) for i in s.ids)) for s in items]
        for path, items in suppressions.items()
    }
    for finding in findings:
        covered = False
        if finding.rule != "AG901":
            for supp, ids in by_file.get(finding.path, ()):
                if not supp.reason:
                    continue
                start = min(finding.context_line or finding.span.line, finding.span.line)
                if start <= supp.target_line <= finding.span.end_line and finding.rule in ids:
                    covered = True
                    used.add((finding.path, supp.line, finding.rule))
        if not covered:
            kept.append(finding)
    problems: list[SuppressionProblem] = []
    for path, items in sorted(by_file.items()):
        for supp, ids in items:
            span = Span(supp.line, supp.column, supp.line, supp.column + len(MARKER))
            if not supp.ids:
                problems.append(
                    SuppressionProblem(
                        path,
                        span,
                        "suppression names no rule: write "
                        "`ameide-guard: ignore[AG101] why this is acceptable`",
                        "empty",
                    )
                )
                continue
            unknown = [raw for raw, rid in zip(supp.ids, ids, strict=True) if rid is None]
            if unknown:
                problems.append(
                    SuppressionProblem(
                        path,
                        span,
                        f"suppression names unknown rule "
                        f"`{unknown[0]}`; run `ameide-guard rules` for the ids",
                        f"unknown:{unknown[0]}",
                    )
                )
                continue
            if not supp.reason:
                problems.append(
                    SuppressionProblem(
                        path,
                        span,
                        "suppression without a reason: add why after "
                        f"the bracket, e.g. `ignore[{supp.ids[0]}] migration "
                        "tracked in ISSUE-123`",
                        "no-reason",
                    )
                )
                continue
            for raw, rid in zip(supp.ids, ids, strict=True):
                if rid in active_rules and (path, supp.line, rid) not in used:
                    problems.append(
                        SuppressionProblem(
                            path,
                            span,
                            f"suppression of {raw} matches no "
                            f"finding on line {supp.target_line}; remove it",
                            f"unused:{rid}",
                        )
                    )
    return kept, problems
