"""Node workspaces as npm, pnpm and yarn group them: each package.json belongs to the nearest
directory whose pnpm-workspace.yaml or package.json `workspaces` claims it (else to itself)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ameide_guard.lockfiles import pnpm
from ameide_guard.lockfiles.workspace import dir_of, nearest_owner
from ameide_guard.manifests.package_json import PackageJson, parse_package_json
from ameide_guard.scan.repo import RepoView

NODE_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


@dataclass
class NodeWorkspace:
    root: str
    members: dict[str, str] = field(default_factory=dict)
    """Member directory relative to the root (`.` for the root) → package.json path."""


def node_workspaces(repo: RepoView) -> list[NodeWorkspace]:
    claims: dict[str, tuple[str, ...]] = {}
    for path in repo.named("pnpm-workspace.yaml"):
        found = repo.document(path, pnpm.parse_pnpm_workspace)
        claims[dir_of(path)] = found.packages if found is not None else ()
    manifests = list(repo.named("package.json"))
    for path in manifests:
        doc = repo.document(path, parse_package_json)
        if doc is not None and doc.workspaces:
            claims[dir_of(path)] = claims.get(dir_of(path), ()) + doc.workspaces
    groups: dict[str, NodeWorkspace] = {}
    for path in manifests:
        owner = nearest_owner(dir_of(path), claims)
        groups.setdefault(owner.root, NodeWorkspace(owner.root)).members[owner.member] = path
    return [groups[k] for k in sorted(groups)]


def node_docs(repo: RepoView, ws: NodeWorkspace) -> dict[str, PackageJson]:
    docs = {m: repo.document(p, parse_package_json) for m, p in ws.members.items()}
    return {m: d for m, d in docs.items() if d is not None}
