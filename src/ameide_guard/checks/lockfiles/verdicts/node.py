"""Node verdicts: per workspace, a `Missing` for each manifest with dependencies when no
lockfile is there, else the drifts of each lockfile present (`npm`, `pnpm`, `yarn`)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ameide_guard.checks.lockfiles.verdicts.base import Drift, Missing
from ameide_guard.checks.lockfiles.verdicts.node_workspace import NODE_SECTIONS, node_workspaces
from ameide_guard.checks.lockfiles.verdicts.npm import npm_drifts
from ameide_guard.checks.lockfiles.verdicts.pnpm import pnpm_drifts
from ameide_guard.checks.lockfiles.verdicts.yarn import yarn_drifts
from ameide_guard.lockfiles import NODE_LOCKS
from ameide_guard.lockfiles.workspace import join
from ameide_guard.manifests.package_json import parse_package_json
from ameide_guard.scan.repo import RepoView

NODE_CHECKS = {
    "pnpm-lock.yaml": pnpm_drifts,
    "package-lock.json": npm_drifts,
    "npm-shrinkwrap.json": npm_drifts,
    "yarn.lock": yarn_drifts,
}


def node_results(repo: RepoView) -> Iterator[Drift | Missing]:
    for ws in node_workspaces(repo):
        locks = [join(ws.root, n) for n in NODE_LOCKS if repo.exists(join(ws.root, n))]
        if not locks:
            for manifest in sorted(ws.members.values()):
                doc = repo.document(manifest, parse_package_json)
                if doc is not None and doc.has_dependencies:
                    pnpm_root = repo.exists(join(ws.root, "pnpm-workspace.yaml"))
                    first = next(e for s in NODE_SECTIONS for e in doc.sections.get(s, {}).values())
                    yield Missing(
                        "pnpm" if pnpm_root else "npm",
                        manifest,
                        tuple(join(ws.root, n) for n in NODE_LOCKS if n != "npm-shrinkwrap.json"),
                        first.span,
                    )
            continue
        for lock_path in locks:
            yield from NODE_CHECKS[posixpath.basename(lock_path)](repo, ws, lock_path)
