"""yarn: yarn.lock (yarn 1 and berry) against the manifests; for berry also the workspaces it
records, the root `resolutions` and the entries nothing reaches any more."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from ameide_guard.checks.lockfiles.verdicts.base import Drift, compare
from ameide_guard.checks.lockfiles.verdicts.node_workspace import NodeWorkspace, node_docs
from ameide_guard.errors import ManifestError
from ameide_guard.lockfiles import yarn
from ameide_guard.lockfiles.workspace import join
from ameide_guard.manifests.package_json import PackageJson
from ameide_guard.scan.repo import RepoView


def berry_range(spec: str) -> str:
    """How berry writes a manifest range in its descriptors: the `npm:` protocol made explicit."""
    if re.match(r"^[a-z][a-z+.-]*:", spec) or (
        "/" in spec.split("#", 1)[0] and not spec.startswith("^")
    ):
        return spec
    return f"npm:{spec}"


def yarn_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, yarn.parse_yarn_lock)
    docs = node_docs(repo, ws)
    if lock is None or len(docs) != len(ws.members):
        return
    entries = lock.by_descriptor()
    local_names = {d.name for d in docs.values() if d.name}
    roots: list[str] = []
    for member, doc in sorted(docs.items()):
        manifest = ws.members[member]
        declared = {
            n: r
            for s in ("dependencies", "devDependencies", "optionalDependencies")
            for n, r in doc.specs(s).items()
        }
        if lock.berry:
            workspace = f"{doc.name or 'root-workspace-0b6124'}@workspace:{member}"
            entry = entries.get(workspace)
            if entry is None:
                yield Drift("yarn", lock_path, manifest, doc.name or member, "member-added")
                continue
            roots.append(workspace)
            # berry records a workspace's dependencies (dev and optional ones merged in) with
            # the `npm:` protocol made explicit, and its peer dependencies as declared
            mine = {n: berry_range(r) for n, r in declared.items()}
            peers = doc.specs("peerDependencies")
            sides = (("", mine, entry.dependencies), ("peerDependencies: ", peers, entry.peers))
            for label, wanted, listed in sides:
                recorded = dict(yarn.split_descriptor(d) for d in listed)
                for name, how, a, b in compare(wanted, recorded):
                    yield Drift("yarn", lock_path, manifest, label + name, how, a, b, entry.line)
            continue
        recorded_names = {yarn.split_descriptor(d)[0] for d in entries}
        for name, spec in sorted(declared.items()):
            if name in local_names and not spec.startswith("npm:"):
                continue  # a sibling workspace: yarn 1 links it, the lockfile never lists it
            descriptor = f"{name}@{spec}"
            roots.append(descriptor)
            if descriptor not in entries:
                how = "changed" if name in recorded_names else "added"
                others = sorted(d for d in entries if yarn.split_descriptor(d)[0] == name)
                locked = ", ".join(f"`{yarn.split_descriptor(d)[1]}`" for d in others)
                yield Drift("yarn", lock_path, manifest, name, how, f"`{spec}`", locked)
    if lock.berry:
        for entry in lock.entries:
            gone = entry.workspace()
            if gone is not None and gone not in docs:
                label = yarn.split_descriptor(entry.resolution)[0]
                where = join(ws.root, gone)
                yield Drift("yarn", lock_path, where, label, "member-removed", line=entry.line)
        # yarn 1's --frozen-lockfile ignores entries nothing needs any more (yarnpkg/yarn#5840);
        # berry's --immutable refuses them, since its next install would drop them.
        root_manifest = ws.members.get(".", lock_path)
        resolutions = berry_resolutions(repo, docs.get("."), root_manifest)
        yield from _berry_reachability(lock, entries, roots, resolutions, lock_path, root_manifest)


def berry_resolutions(
    repo: RepoView, root: PackageJson | None, manifest: str
) -> tuple[yarn.Resolution, ...]:
    """The root package.json `resolutions`, in order (berry applies the first that matches).
    Glob patterns and keys berry cannot parse are left out, as berry 4 leaves them out (with a
    YN0057 warning); an unparsable key is also an AG900."""
    found: list[yarn.Resolution] = []
    for entry in root.overrides if root is not None else ():
        if entry.section != "resolutions":
            continue
        try:
            rule = yarn.parse_resolution(entry.key, entry.spec)
        except ManifestError as exc:
            repo.problem(manifest, f"{manifest}: {exc.message}; berry ignores it", entry.span)
            continue
        if rule is not None:
            found.append(rule)
    return tuple(found)


def berry_resolve(
    descriptor: str, parent: yarn.YarnEntry, resolutions: tuple[yarn.Resolution, ...]
) -> tuple[str, yarn.Resolution | None]:
    """The descriptor berry locks for `descriptor` as a dependency of `parent`, with the
    `resolutions` entry that rewrote it (berry's `reduceDependency`: the first pattern whose
    name, optional range and optional parent `name@version` match)."""
    name, spec = yarn.split_descriptor(descriptor)
    parent_name, parent_ref = yarn.split_descriptor(parent.resolution or parent.descriptors[0])
    for rule in resolutions:
        if rule.parent is not None and (
            rule.parent != parent_name
            or (rule.parent_range is not None and berry_range(rule.parent_range) != parent_ref)
        ):
            continue
        if rule.name != name or (rule.range is not None and berry_range(rule.range) != spec):
            continue
        return f"{name}@{berry_range(rule.reference)}", rule
    return descriptor, None


def _berry_reachability(
    lock: yarn.YarnLock,
    entries: dict[str, yarn.YarnEntry],
    roots: list[str],
    resolutions: tuple[yarn.Resolution, ...],
    lock_path: str,
    manifest: str,
) -> Iterator[Drift]:
    """Walk from the workspaces through each entry's dependencies, as berry resolves them after
    `resolutions`: a resolved descriptor without an entry means a resolution changed since the
    lock was written; an entry nothing reaches any more is dropped by berry's next install."""
    # bindDescriptor suffixes path-like references (`file:`, `portal:`) with `::locator=…`
    bound = {d.split("::", 1)[0]: e for d, e in entries.items() if "::" in d}
    patched = builtin_patches(entries)
    seen: set[int] = set()
    changed: dict[str, Drift] = {}
    unlocked: dict[str, str] = {}
    """Name → a descriptor no entry has and no resolution rewrote (explains orphans only)."""
    queue = [entries[r] for r in roots if r in entries]
    while queue:
        entry = queue.pop()
        if id(entry) in seen:
            continue
        seen.add(id(entry))
        for descriptor in (*entry.dependencies, *entry.peers):
            target, rule = berry_resolve(descriptor, entry, resolutions)
            found = entries.get(target) or bound.get(target)
            if found is not None:
                queue.append(found)
                queue.extend(patched.get(target, ()))
            elif descriptor in entry.peers:
                continue  # a peer is provided by the parent: it needs no entry of its own
            elif rule is not None:
                if rule.key not in changed:
                    changed[rule.key] = _resolution_drift(lock, rule, lock_path, manifest)
            else:
                unlocked.setdefault(yarn.split_descriptor(descriptor)[0], descriptor)
    yield from changed.values()
    resolved_names = {rule.name for rule in resolutions if rule.key in changed}
    for entry in lock.entries:
        if id(entry) in seen or any("@workspace:" in d for d in entry.descriptors):
            continue
        name = yarn.split_descriptor(entry.descriptors[0])[0]
        if name in resolved_names:
            continue  # the resolution's own finding says why
        ranges = ", ".join(f"`{yarn.split_descriptor(d)[1]}`" for d in entry.descriptors)
        why = (
            f"while `{unlocked[name]}` has no entry: a `resolutions` entry for `{name}` in "
            f"{manifest} was removed or no longer applies"
            if name in unlocked
            else ""
        )
        yield Drift("yarn", lock_path, manifest, name, "unused", why, ranges, entry.line)


def builtin_patches(entries: dict[str, yarn.YarnEntry]) -> dict[str, list[yarn.YarnEntry]]:
    """Descriptor → the `patch:` entries wrapping it. berry's compat plugin rewrites every
    `typescript`, `fsevents` and `resolve` descriptor into a builtin patch of itself
    (`typescript@patch:typescript@npm%3A^5.3.3#optional!builtin<compat/typescript>`), and a
    `patch:` entry is reached through the descriptor it patches (its source, URL-encoded)."""
    found: dict[str, list[yarn.YarnEntry]] = {}
    for descriptor, entry in entries.items():
        spec = yarn.split_descriptor(descriptor)[1]
        if spec.startswith("patch:"):
            source = unquote(spec.removeprefix("patch:").split("#", 1)[0])
            found.setdefault(source.split("::", 1)[0], []).append(entry)
    return found


def _resolution_drift(
    lock: yarn.YarnLock, rule: yarn.Resolution, lock_path: str, manifest: str
) -> Drift:
    """A resolution whose rewritten descriptor has no entry: what it asks for against what the
    lockfile holds for that package."""
    same_name = [e for e in lock.entries if yarn.split_descriptor(e.descriptors[0])[0] == rule.name]
    locked = ", ".join(f"`{yarn.split_descriptor(d)[1]}`" for e in same_name for d in e.descriptors)
    return Drift(
        "yarn",
        lock_path,
        manifest,
        f"resolutions: {rule.key}",
        "changed",
        f"`{rule.reference}` (berry locks `{rule.name}@{berry_range(rule.reference)}`)",
        locked or "no entry for it",
        same_name[0].line if same_name else 1,
    )
