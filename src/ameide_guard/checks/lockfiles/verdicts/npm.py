"""npm: package-lock.json / npm-shrinkwrap.json against the workspace's manifests."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.checks.lockfiles.verdicts.base import Drift, compare
from ameide_guard.checks.lockfiles.verdicts.node_workspace import (
    NODE_SECTIONS,
    NodeWorkspace,
    node_docs,
)
from ameide_guard.lockfiles import npm
from ameide_guard.lockfiles.workspace import glob_match, join
from ameide_guard.scan.repo import RepoView


def npm_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, npm.parse_npm_lock)
    docs = node_docs(repo, ws)
    if lock is None or len(docs) != len(ws.members):
        return
    if not lock.projects:  # lockfileVersion 1: names only
        root = docs.get(".")
        if root is not None:
            declared = {n: r for s in NODE_SECTIONS for n, r in root.specs(s).items()}
            for name in sorted(declared.keys() - lock.names_only):
                yield Drift(
                    "npm", lock_path, ws.members["."], name, "added", f"(`{declared[name]}`)"
                )
        return
    for member, doc in sorted(docs.items()):
        manifest = ws.members[member]
        entry = lock.projects.get(member)
        if entry is None:
            yield Drift("npm", lock_path, manifest, doc.name or member, "member-added")
            continue
        for section in npm.SECTIONS:
            for name, how, mine, theirs in compare(
                doc.specs(section), entry.sections[section], section
            ):
                yield Drift("npm", lock_path, manifest, name, how, mine, theirs, entry.line)
    globs = docs["."].workspaces if "." in docs else ()
    for member in sorted(lock.projects.keys() - docs.keys()):
        if glob_match(member, globs):  # other keys are `file:` dependencies, not members
            line = lock.projects[member].line
            yield Drift(
                "npm", lock_path, join(ws.root, member), member, "member-removed", line=line
            )
