"""Node verdicts: per workspace, a `Missing` for each manifest with dependencies when no
lockfile is there, else the drifts of each lockfile present (`npm`, `pnpm`, `yarn`, `bun`)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ameide_guard.checks.lockfiles.verdicts.base import Drift, Missing
from ameide_guard.checks.lockfiles.verdicts.bun import bun_drifts
from ameide_guard.checks.lockfiles.verdicts.node_workspace import (
    NODE_SECTIONS,
    NodeWorkspace,
    node_workspaces,
)
from ameide_guard.checks.lockfiles.verdicts.npm import npm_drifts
from ameide_guard.checks.lockfiles.verdicts.pnpm import pnpm_drifts
from ameide_guard.checks.lockfiles.verdicts.yarn import yarn_drifts
from ameide_guard.lockfiles import NODE_LOCKS
from ameide_guard.lockfiles.workspace import join
from ameide_guard.manifests.package_json import parse_package_json
from ameide_guard.scan.repo import RepoView


def _binary_bun_lock(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    """bun.lockb (bun before 1.2) covers its workspace for AG401 but has no published format,
    so AG402 cannot compare it; bun itself reads bun.lock instead when both are present."""
    return iter(())


NODE_CHECKS = {
    "pnpm-lock.yaml": pnpm_drifts,
    "package-lock.json": npm_drifts,
    "npm-shrinkwrap.json": npm_drifts,
    "yarn.lock": yarn_drifts,
    "bun.lock": bun_drifts,
    "bun.lockb": _binary_bun_lock,
}
SUGGESTED = tuple(n for n in NODE_LOCKS if n not in ("npm-shrinkwrap.json", "bun.lockb"))
"""The lockfiles an AG401 message names: npm-shrinkwrap.json and bun.lockb cover a workspace
too, but no one should start one today."""


def missing_tool(repo: RepoView, ws: NodeWorkspace) -> str:
    """Whose install the AG401 fix names: bun when the root's `packageManager` says `bun@…`,
    pnpm in a pnpm workspace, else npm."""
    root = ws.members.get(".")
    doc = repo.document(root, parse_package_json) if root is not None else None
    declared = doc.data.get("packageManager") if doc is not None else None
    if isinstance(declared, str) and declared.startswith("bun@"):
        return "bun"
    return "pnpm" if repo.exists(join(ws.root, "pnpm-workspace.yaml")) else "npm"


def node_results(repo: RepoView) -> Iterator[Drift | Missing]:
    for ws in node_workspaces(repo):
        locks = [join(ws.root, n) for n in NODE_LOCKS if repo.exists(join(ws.root, n))]
        if not locks:
            for manifest in sorted(ws.members.values()):
                doc = repo.document(manifest, parse_package_json)
                if doc is not None and doc.has_dependencies:
                    first = next(e for s in NODE_SECTIONS for e in doc.sections.get(s, {}).values())
                    yield Missing(
                        missing_tool(repo, ws),
                        manifest,
                        tuple(join(ws.root, n) for n in SUGGESTED),
                        first.span,
                    )
            continue
        for lock_path in locks:
            yield from NODE_CHECKS[posixpath.basename(lock_path)](repo, ws, lock_path)
