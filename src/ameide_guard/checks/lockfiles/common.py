"""What AG401 and AG402 share: the lockfile verdicts of the scan, worked out once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ameide_guard.lockfiles import INPUTS
from ameide_guard.model import Zone
from ameide_guard.rule import Rule
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:
    from ameide_guard.checks.lockfiles.verdicts import Drift, Missing


def results(repo: RepoView) -> tuple[Drift | Missing, ...]:
    """Every ecosystem's verdicts, worked out once per scan and shared by both rules."""
    # lazy: the verdicts and every lockfile reader load when AG401/AG402 run
    from ameide_guard.checks.lockfiles.verdicts import verdicts

    return repo.derived(verdicts)


def is_input(path: str) -> bool:
    return path[path.rfind("/") + 1 :] in INPUTS


class _LockfileRule(Rule):
    """AG401 and AG402 read the same inputs: manifests and lockfiles."""

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_input(path)
