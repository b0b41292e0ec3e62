"""Post-processing filters on the findings of a scan: AG900 from file problems, per-file
ignores, and a PATHS run's limit to the files it was given."""

from __future__ import annotations

from ameide_guard.model import Finding
from ameide_guard.rule import RuleContext
from ameide_guard.scan.repo import RepoView
from ameide_guard.settings import Config


def problem_findings(repo: RepoView, ctx: RuleContext | None) -> list[Finding]:
    if ctx is None:
        return []
    seen: set[tuple[str, int, str]] = set()
    out = []
    for problem in repo.problems:
        key = (problem.path, problem.span.line, problem.reason)
        if key in seen:
            continue
        seen.add(key)
        out.append(ctx.finding(problem.path, problem.span, problem.reason, key=problem.reason))
    return out


def per_file_ignored(config: Config, findings: list[Finding]) -> list[Finding]:
    if not config.per_file_ignores:
        return findings
    # lazy: pathspec (10 ms) only where per-file ignores are configured
    import pathspec

    specs = [
        (pathspec.GitIgnoreSpec.from_lines([pattern]), set(ids))
        for pattern, ids in config.per_file_ignores.items()
    ]
    return [
        f
        for f in findings
        if not any(f.rule in ids and spec.match_file(f.path) for spec, ids in specs)
    ]


def limit_to_paths(findings: list[Finding], paths: tuple[str, ...]) -> list[Finding]:
    wanted = set(paths)
    return [f for f in findings if f.path in wanted or wanted.intersection(f.related)]
