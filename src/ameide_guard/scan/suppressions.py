"""Inline suppressions: `// ameide-guard: ignore[AG101] reason` (or `#`, `/* */`, `--`).

A comment alone on its line covers the next line; a trailing comment covers its own line. A
finding is covered when the covered line falls between the start of its statement and its last
line, so one comment above a multi-line import works. A reason is required; a suppression without
one, naming an unknown rule, or covering nothing is reported as AG901.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ameide_guard.model import Finding, Span, Suppression
from ameide_guard.parsers.suppressions import MARKER


@dataclass(frozen=True)
class SuppressionProblem:
    path: str
    span: Span
    message: str
    key: str


Resolved = list[tuple[Suppression, tuple[str | None, ...]]]
"""A file's suppressions, each with the rule id every name it gives resolves to (None: unknown)."""


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: dict[str, tuple[Suppression, ...]],
    resolve: Callable[[str], str | None],
    active_rules: frozenset[str],
) -> tuple[list[Finding], list[SuppressionProblem]]:
    """Drop covered findings; return the kept ones and the AG901 problems.

    `resolve` maps an id or slug to a rule id (None if unknown). A suppression that names only
    rules not run in this scan (`--select`) is not reported as unused."""
    kept: list[Finding] = []
    used: set[tuple[str, int, str]] = set()
    by_file: dict[str, Resolved] = {
        path: [(s, tuple(resolve(i) for i in s.ids)) for s in items]
        for path, items in suppressions.items()
    }
    for finding in findings:
        covering = _covering(finding, by_file.get(finding.path, ()))
        used.update((finding.path, line, finding.rule) for line in covering)
        if not covering:
            kept.append(finding)
    problems = [
        problem
        for path, items in sorted(by_file.items())
        for supp, ids in items
        for problem in _problems(path, supp, ids, used, active_rules)
    ]
    return kept, problems


def _covering(
    finding: Finding, items: Iterable[tuple[Suppression, tuple[str | None, ...]]]
) -> list[int]:
    """The lines of the suppressions (with a reason) that cover `finding`; AG901 findings are
    never suppressed."""
    if finding.rule == "AG901":
        return []
    start = min(finding.context_line or finding.span.line, finding.span.line)
    return [
        supp.line
        for supp, ids in items
        if supp.reason
        and start <= supp.target_line <= finding.span.end_line
        and finding.rule in ids
    ]


def _problems(
    path: str,
    supp: Suppression,
    ids: tuple[str | None, ...],
    used: set[tuple[str, int, str]],
    active_rules: frozenset[str],
) -> list[SuppressionProblem]:
    """What is wrong with one suppression: no rule, an unknown rule, no reason (each reported
    alone), or else every named rule that ran and matched nothing."""
    span = Span(supp.line, supp.column, supp.line, supp.column + len(MARKER))
    if not supp.ids:
        message = (
            "suppression names no rule: write `ameide-guard: ignore[AG101] why this is acceptable`"
        )
        return [SuppressionProblem(path, span, message, "empty")]
    unknown = [raw for raw, rid in zip(supp.ids, ids, strict=True) if rid is None]
    if unknown:
        message = (
            f"suppression names unknown rule `{unknown[0]}`; run `ameide-guard rules` for the ids"
        )
        return [SuppressionProblem(path, span, message, f"unknown:{unknown[0]}")]
    if not supp.reason:
        message = (
            "suppression without a reason: add why after the bracket, e.g. "
            f"`ignore[{supp.ids[0]}] migration tracked in ISSUE-123`"
        )
        return [SuppressionProblem(path, span, message, "no-reason")]
    return [
        SuppressionProblem(
            path,
            span,
            f"suppression of {raw} matches no finding on line {supp.target_line}; remove it",
            f"unused:{rid}",
        )
        for raw, rid in zip(supp.ids, ids, strict=True)
        if rid in active_rules and (path, supp.line, rid) not in used
    ]
