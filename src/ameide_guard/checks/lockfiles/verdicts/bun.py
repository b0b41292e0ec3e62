"""bun: bun.lock against the workspace's manifests, entry by entry, as `bun install` compares
them (it rewrites a `workspaces` entry whose package.json moved on); bun.lockb is not read."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.checks.lockfiles.verdicts.base import Drift, compare
from ameide_guard.checks.lockfiles.verdicts.node_workspace import NodeWorkspace, node_docs
from ameide_guard.lockfiles import bun
from ameide_guard.lockfiles.workspace import join
from ameide_guard.manifests.package_json import PackageJson
from ameide_guard.scan.repo import RepoView


def optional_peers(doc: PackageJson) -> tuple[str, ...]:
    """The peers `peerDependenciesMeta` marks optional, as bun records them (`optionalPeers`):
    only names that are peer dependencies count."""
    meta = doc.data.get("peerDependenciesMeta")
    peers = doc.specs("peerDependencies")
    if not isinstance(meta, dict):
        return ()
    return tuple(
        sorted(
            n for n, m in meta.items() if n in peers and isinstance(m, dict) and m.get("optional")
        )
    )


def _fields(
    doc: PackageJson, member: str, entry: bun.BunWorkspace
) -> Iterator[tuple[str, str, str]]:
    """(field, declared, locked) for the package's own `name` and (members only: bun records no
    root version) `version`, where package.json and the lockfile entry disagree."""
    version = doc.data.get("version")
    pairs = [("name", doc.name, entry.name)]
    if member != ".":
        pairs.append(("version", version if isinstance(version, str) else None, entry.version))
    for field, mine, theirs in pairs:
        if mine != theirs:
            yield field, f"`{mine}`" if mine else f"no {field}", f"`{theirs}`" if theirs else "none"


def bun_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, bun.parse_bun_lock)
    docs = node_docs(repo, ws)
    if lock is None or len(docs) != len(ws.members):
        return
    for member, doc in sorted(docs.items()):
        manifest = ws.members[member]
        entry = lock.workspaces.get(member)
        if entry is None:
            name = doc.name or member
            yield Drift("bun", lock_path, manifest, name, "member-added", line=lock.line)
            continue
        for field, mine, theirs in _fields(doc, member, entry):
            yield Drift("bun", lock_path, manifest, field, "changed", mine, theirs, entry.line)
        for section in bun.SECTIONS:
            for name, how, mine, theirs in compare(
                doc.specs(section), entry.sections[section], section
            ):
                yield Drift("bun", lock_path, manifest, name, how, mine, theirs, entry.line)
        declared, recorded = optional_peers(doc), entry.optional_peers
        if declared != recorded:
            yield Drift(
                "bun",
                lock_path,
                manifest,
                "peerDependenciesMeta",
                "changed",
                f"optional peers {_names(declared)}",
                _names(recorded),
                entry.line,
            )
    for member in sorted(lock.workspaces.keys() - docs.keys()):
        line = lock.workspaces[member].line
        yield Drift("bun", lock_path, join(ws.root, member), member, "member-removed", line=line)


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"
