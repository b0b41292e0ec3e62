"""What AG401 (missing lockfile) and AG402 (stale lockfile) decide, per ecosystem: statically,
but as the package manager decides it (see each reader in `ameide_guard.lockfiles` for what the
tool compares). The rules themselves are in `checks/lockfiles.py`, which imports this package only
when they run, so that loading the rule registry stays cheap.

Each ecosystem contributes `Drift`s (one dependency added, removed or changed, or a workspace
member added or removed) and `Missing`s; the two rules turn them into findings, so the messages
and their keys are written once. Every lockfile finding is `related` to its manifests and every
manifest finding to the lockfile, so a pre-commit run that stages either keeps it.

One module per ecosystem: `node` (workspaces and the lockfile present, dispatching to `npm`,
`pnpm` and `yarn`), `go` (go.sum and go.work.sum) and `python` (uv.lock and poetry.lock); `base`
holds what they all report.
"""

from __future__ import annotations

from ameide_guard.checks.lockfiles.verdicts.base import Drift, Missing
from ameide_guard.checks.lockfiles.verdicts.go import go_results
from ameide_guard.checks.lockfiles.verdicts.node import node_results
from ameide_guard.checks.lockfiles.verdicts.python import python_results
from ameide_guard.scan.repo import RepoView

__all__ = ["Drift", "Missing", "verdicts"]


def verdicts(repo: RepoView) -> tuple[Drift | Missing, ...]:
    """Every ecosystem's verdicts (call it through `RepoView.derived`: both rules use them)."""
    return (*node_results(repo), *go_results(repo), *python_results(repo))
