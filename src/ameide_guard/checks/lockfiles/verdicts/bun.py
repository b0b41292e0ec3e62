"""bun: bun.lock against the workspace's manifests, entry by entry, as `bun install` compares
them (it rewrites a `workspaces` entry whose package.json moved on); bun.lockb is not read."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.checks.lockfiles.verdicts.base import Drift, compare
from ameide_guard.checks.lockfiles.verdicts.node_workspace import NodeWorkspace, node_docs
from ameide_guard.lockfiles import bun
from ameide_guard.lockfiles.workspace import join
from ameide_guard.manifests.package_json import PackageJson, split_name_range
from ameide_guard.scan.repo import RepoView


def optional_peers(doc: PackageJson) -> tuple[str, ...]:
    """The names `peerDependenciesMeta` marks optional, as bun records them (`optionalPeers`)."""
    meta = doc.data.get("peerDependenciesMeta")
    if not isinstance(meta, dict):
        return ()
    return tuple(sorted(n for n, m in meta.items() if isinstance(m, dict) and m.get("optional")))


def bun_sections(doc: PackageJson) -> dict[str, dict[str, str]]:
    """The sections as bun records them: an optional peer that peerDependencies does not list
    is a peer dependency on `*` (checked against bun 1.4.5)."""
    sections = {s: doc.specs(s) for s in bun.SECTIONS}
    peers = sections["peerDependencies"]
    sections["peerDependencies"] = {**{n: "*" for n in optional_peers(doc)}, **peers}
    return sections


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
        declared_sections = bun_sections(doc)
        for section in bun.SECTIONS:
            for name, how, mine, theirs in compare(
                declared_sections[section], entry.sections[section], section
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
    if "." in docs:
        yield from _root_drifts(lock, docs["."], ws.members["."], lock_path)
    for member in sorted(lock.workspaces.keys() - docs.keys()):
        line = lock.workspaces[member].line
        yield Drift("bun", lock_path, join(ws.root, member), member, "member-removed", line=line)


def _root_drifts(lock: bun.BunLock, root: PackageJson, manifest: str, path: str) -> Iterator[Drift]:
    """What bun records of the root package.json alone: its overrides (`overrides`, else
    `resolutions`) and `trustedDependencies`."""
    lines = lock.lines or {}
    specs = {n: r for s in bun.SECTIONS for n, r in root.specs(s).items()}
    declared = bun.manifest_overrides(root.data, specs)
    line = lines.get("overrides", lines.get("packages", 1))
    for name, how, mine, theirs in compare(declared, lock.overrides or {}, "overrides"):
        yield Drift("bun", path, manifest, f"overrides: {name}", how, mine, theirs, line)
    # bun writes only the trusted names its lockfile holds a package for (checked against 1.4.5)
    trusted = root.data.get("trustedDependencies")
    locked = {split_name_range(resolution)[0] for resolution in lock.packages.values()}
    listed = trusted if isinstance(trusted, list) else []
    names = tuple(sorted({t for t in listed if isinstance(t, str) and t in locked}))
    if names != lock.trusted:
        line = lines.get("trustedDependencies", lines.get("packages", 1))
        yield Drift(
            "bun",
            path,
            manifest,
            "trustedDependencies",
            "changed",
            _names(names),
            _names(lock.trusted),
            line,
        )


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"
