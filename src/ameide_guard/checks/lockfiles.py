"""Lockfile hygiene: a manifest with dependencies needs a lockfile (AG401), and that lockfile must
record what the manifest declares now (AG402).

The verdicts (`ameide_guard.lockfiles.verdicts`) are worked out once per scan and shared by both
rules, so the messages and their keys are written once. That module, and the lockfile readers
and YAML/TOML parsers behind it, are imported only when the rules run: loading the registry (for
every config, `--version` aside) and a scan answered from the memo never pay for them. Every
lockfile finding is `related` to its manifests and every manifest finding to the lockfile, so a
pre-commit run that stages either keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ameide_guard.lockfiles import FIX, INPUTS
from ameide_guard.model import Finding, Level, Span, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:
    from ameide_guard.lockfiles.verdicts import Drift, Missing


def results(repo: RepoView) -> tuple[Drift | Missing, ...]:
    """Every ecosystem's verdicts, worked out once per scan and shared by both rules."""
    from ameide_guard.lockfiles.verdicts import verdicts

    return repo.derived(verdicts)


def is_input(path: str) -> bool:
    return path[path.rfind("/") + 1 :] in INPUTS


class _LockfileRule(Rule):
    """AG401 and AG402 read the same inputs: manifests and lockfiles."""

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_input(path)


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
        from ameide_guard.lockfiles.verdicts import Missing

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


class StaleLockfile(_LockfileRule):
    meta = RuleMeta(
        id="AG402",
        slug="stale-lockfile",
        name="StaleLockfile",
        short="A lockfile no longer matches its manifest (pnpm, npm, yarn, go.sum, uv, poetry).",
        default_level=Level.ERROR,
        tags=("supply-chain", "lockfiles"),
    )

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        from ameide_guard.lockfiles.verdicts import Drift

        for item in results(repo):
            if isinstance(item, Drift):
                found = ctx.finding(
                    item.lockfile,
                    Span(item.line, 1, item.line, 1),
                    item.message(),
                    key=f"{item.manifest}:{item.how}:{item.subject}",
                )
                yield replace(found, related=(item.manifest,))
