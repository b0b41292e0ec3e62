"""AG401 missing-lockfile: a manifest with dependencies whose lockfile (own or workspace) is
absent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ameide_guard.checks.lockfiles.common import _LockfileRule, results
from ameide_guard.lockfiles import FIX
from ameide_guard.model import Finding, Level
from ameide_guard.rule import RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView


class MissingLockfile(_LockfileRule):
    meta = RuleMeta(
        id="AG401",
        slug="missing-lockfile",
        name="MissingLockfile",
        short="A manifest with dependencies has no lockfile (its own or its workspace's).",
        default_level=Level.ERROR,
        tags=("supply-chain", "lockfiles"),
    )

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        # lazy: the verdicts load when the rule runs
        from ameide_guard.checks.lockfiles.verdicts import Missing

        for item in results(repo):
            if isinstance(item, Missing):
                found = ctx.finding(
                    item.manifest,
                    item.span,
                    f"{item.manifest} declares dependencies but no lockfile covers it (expected "
                    f"{item.where()}): builds resolve whatever is newest. "
                    f"{FIX[item.tool].capitalize()}.",
                    key=f"missing:{item.tool}",
                )
                yield replace(found, related=item.expected)
