"""AG402 stale-lockfile: a lockfile out of sync with its manifest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ameide_guard.checks.lockfiles.common import _LockfileRule, results
from ameide_guard.model import Finding, Level, Span
from ameide_guard.rule import RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView


class StaleLockfile(_LockfileRule):
    meta = RuleMeta(
        id="AG402",
        slug="stale-lockfile",
        name="StaleLockfile",
        short="A lockfile no longer matches its manifest "
        "(pnpm, npm, yarn, bun, go.sum, uv, poetry).",
        default_level=Level.ERROR,
        tags=("supply-chain", "lockfiles"),
    )

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        # lazy: the verdicts load when the rule runs
        from ameide_guard.checks.lockfiles.verdicts import Drift

        for item in results(repo):
            if isinstance(item, Drift):
                found = ctx.finding(
                    item.lockfile,
                    Span(item.line, 1, item.line, 1),
                    item.message(),
                    key=f"{item.manifest}:{item.how}:{item.subject}",
                )
                yield replace(found, related=(item.manifest,))
