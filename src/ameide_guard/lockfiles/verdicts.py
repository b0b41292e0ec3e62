"""What AG401 (missing lockfile) and AG402 (stale lockfile) decide, per ecosystem: statically,
but as the package manager decides it (see each reader in `ameide_guard.lockfiles` for what the
tool compares). The rules themselves are in `checks/lockfiles.py`, which imports this module only
when they run, so that loading the rule registry stays cheap.

Each ecosystem contributes `Drift`s (one dependency added, removed or changed, or a workspace
member added or removed) and `Missing`s; the two rules turn them into findings, so the messages
and their keys are written once. Every lockfile finding is `related` to its manifests and every
manifest finding to the lockfile, so a pre-commit run that stages either keeps it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ameide_guard.lockfiles import FIX, NODE_LOCKS, npm, pnpm, poetry, uv, yarn
from ameide_guard.lockfiles.gosum import GoSum, parse_gosum
from ameide_guard.lockfiles.python_manifest import (
    UV_MANIFEST,
    PyProject,
    lockfile_view,
    normalise_marker,
)
from ameide_guard.lockfiles.workspace import dir_of, glob_match, join, nearest_owner
from ameide_guard.manifests.gomod import GoModFile, GoReplace, GoRequire, parse_gomod
from ameide_guard.manifests.package_json import PackageJson, parse_package_json
from ameide_guard.manifests.pyproject import parse_pyproject
from ameide_guard.manifests.requirements import normalise_name
from ameide_guard.model import FILE_SPAN, Span
from ameide_guard.scan.repo import ManifestError, RepoView

NODE_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


# ---------------------------------------------------------------- what the rules report


@dataclass(frozen=True)
class Drift:
    """One difference between a lockfile and a manifest, as the package manager would see it."""

    tool: str
    lockfile: str
    manifest: str
    subject: str
    """The dependency (or workspace member, or `overrides`) that differs."""
    how: str
    """`added`, `removed`, `changed`, `member-added`, `member-removed`, `unused` (a yarn entry
    nothing reaches), `hash` (poetry's content hash) or `setting` (a pnpm lockfile setting)."""
    declared: str = ""
    locked: str = ""
    line: int = 1

    def message(self) -> str:
        what = {
            "added": f"dependency `{self.subject}`{f' {self.declared}' if self.declared else ''} "
            f"was added to {self.manifest} "
            "but is not in the lockfile",
            "removed": f"dependency `{self.subject}` was removed from {self.manifest} but the "
            f"lockfile still records it{f' ({self.locked})' if self.locked else ''}",
            "changed": f"`{self.subject}` changed in {self.manifest}: it declares "
            f"{self.declared}, the lockfile records {self.locked}",
            "member-added": f"workspace member {self.manifest} (`{self.subject}`) is not in the "
            "lockfile",
            "member-removed": f"the lockfile records workspace member `{self.subject}`, which no "
            "longer exists",
            "unused": f"the entry for `{self.subject}` ({self.locked}) is needed by no "
            f"workspace any more{f' ({self.declared})' if self.declared else ''}",
            "hash": f"its {self.locked} does not match {self.manifest}: {self.declared} changed "
            "since it was locked",
            "setting": f"pnpm setting `{self.subject}` is {self.declared} now, but the lockfile "
            f"was written with {self.locked}",
        }[self.how]
        return f"{self.lockfile} is out of sync: {what}. {FIX[self.tool].capitalize()}."


@dataclass(frozen=True)
class Missing:
    tool: str
    manifest: str
    expected: tuple[str, ...]
    """Where a lockfile would cover the manifest (any one of them)."""
    span: Span = FILE_SPAN
    """The manifest's first dependency: a suppression comment goes on the line above it."""

    def where(self) -> str:
        if len(self.expected) == 1:
            return self.expected[0]
        return ", ".join(self.expected[:-1]) + " or " + self.expected[-1]


def compare(
    declared: dict[str, str], locked: dict[str, str], label: str = ""
) -> Iterator[tuple[str, str, str, str]]:
    """(name, how, declared, locked) for each difference of two name → range maps; `label` (a
    section name) qualifies the ranges in messages."""
    where = f" in {label}" if label else ""
    for name in sorted(declared.keys() | locked.keys()):
        mine, theirs = declared.get(name), locked.get(name)
        if mine == theirs:
            continue
        if theirs is None:
            yield name, "added", f"(`{mine or 'any version'}`{where})", ""
        elif mine is None:
            yield name, "removed", "", f"`{theirs}`{where}"
        else:
            yield name, "changed", f"`{mine}`{where}", f"`{theirs}`"


# ---------------------------------------------------------------- manifests (minimal reads)


def pnpm_overrides(doc: PackageJson) -> dict[str, str]:
    """`pnpm.overrides` as pnpm records it in the lockfile: selector as written → spec."""
    return {e.key: e.spec for e in doc.overrides if e.section == "pnpm.overrides"}


# ---------------------------------------------------------------- node: pnpm, npm, yarn


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


def _node_docs(repo: RepoView, ws: NodeWorkspace) -> dict[str, PackageJson]:
    docs = {m: repo.document(p, parse_package_json) for m, p in ws.members.items()}
    return {m: d for m, d in docs.items() if d is not None}


def pnpm_sections(doc: PackageJson, auto_install_peers: bool) -> dict[str, dict[str, str]]:
    """The sections as pnpm's `satisfiesPackageManifest` sees them: with autoInstallPeers, a peer
    dependency no other section lists counts as a dependency (with its peer range)."""
    sections = {s: doc.specs(s) for s in pnpm.SECTIONS}
    if auto_install_peers:
        listed = {n for s in sections.values() for n in s}
        peers = {n: r for n, r in doc.specs("peerDependencies").items() if n not in listed}
        sections["dependencies"] = {**peers, **sections["dependencies"]}
    return sections


@dataclass(frozen=True)
class PnpmConfig:
    """What pnpm reads besides the manifests when it judges its lockfile."""

    major: int
    """The pnpm major whose rules apply (see `pnpm_major`)."""
    settings: dict[str, tuple[object, str]]
    """Setting name → (value, where it is set); absent settings take pnpm's default."""
    catalogs: dict[str, dict[str, str]]
    workspace_file: str


def pnpm_major(lock_version: str, root: PackageJson | None) -> int:
    """Whose rules apply: pnpm 8 for a v5/v6 lockfile; for v9 (written by pnpm 9 and 10 alike)
    the major of the root package.json `packageManager: pnpm@X`, else 10, the current one."""
    if lock_version.split(".")[0] in ("5", "6"):
        return 8
    declared = root.data.get("packageManager") if root is not None else None
    found = re.match(r"pnpm@(\d+)\.", declared) if isinstance(declared, str) else None
    return int(found.group(1)) if found else 10


def pnpm_config(
    repo: RepoView, ws: NodeWorkspace, lock: pnpm.PnpmLock, root: PackageJson | None
) -> PnpmConfig | None:
    """The workspace root's .npmrc and pnpm-workspace.yaml (pnpm 10 reads settings there too,
    ahead of .npmrc); None when one of them is malformed (AG900 says so)."""
    major = pnpm_major(lock.version, root)
    npmrc_path, yaml_path = join(ws.root, ".npmrc"), join(ws.root, "pnpm-workspace.yaml")
    settings: dict[str, tuple[object, str]] = {}
    if repo.exists(npmrc_path):
        npmrc = repo.document(npmrc_path, pnpm.parse_npmrc)
        if npmrc is None:
            return None
        settings.update({name: (value, npmrc_path) for name, value in npmrc.items()})
    workspace = pnpm.PnpmWorkspaceFile((), {}, {})
    if repo.exists(yaml_path):
        found = repo.document(yaml_path, pnpm.parse_pnpm_workspace)
        if found is None:
            return None
        workspace = found
    if major >= 10:
        settings.update({name: (v, yaml_path) for name, v in workspace.settings.items()})
    return PnpmConfig(major, settings, workspace.catalogs, yaml_path)


def _pnpm_setting_drifts(
    lock: pnpm.PnpmLock, lock_path: str, config: PnpmConfig, npmrc_path: str
) -> Iterator[Drift]:
    """ERR_PNPM_LOCKFILE_CONFIG_MISMATCH: a recorded setting the configuration no longer gives.
    A setting left at its default is attributed to the root .npmrc, where one would set it."""
    values = {name: value for name, (value, _where) in config.settings.items()}
    for setting, mine, theirs in pnpm.outdated_settings(lock.settings, values, config.major):
        where = config.settings.get(setting.name, (None, ""))[1]
        default = f"pnpm's default `{_yaml_scalar(setting.default)}`"
        if not where:
            origin = default
        elif where.endswith(".npmrc"):
            origin = f"set by `{setting.npmrc}` in {where}"
        else:
            origin = f"set in {where}"
        recorded = f"no value ({default})" if theirs is None else f"`{_yaml_scalar(theirs)}`"
        yield Drift(
            "pnpm",
            lock_path,
            where or npmrc_path,
            setting.name,
            "setting",
            f"`{_yaml_scalar(mine)}` ({origin})",
            recorded,
            lock.lines.get("settings", 1),
        )


def _pnpm_catalog_drifts(
    lock: pnpm.PnpmLock, lock_path: str, config: PnpmConfig
) -> Iterator[Drift]:
    """pnpm 10 refuses a lockfile whose locked catalog entries the catalogs no longer give;
    pnpm 9's --frozen-lockfile does not compare them (checked differentially)."""
    if config.major < 10:
        return
    for name, alias, mine, theirs in pnpm.outdated_catalogs(config.catalogs, lock.catalogs):
        how, declared = ("removed", "") if mine is None else ("changed", f"`{mine}`")
        yield Drift(
            "pnpm",
            lock_path,
            config.workspace_file,
            f"catalogs.{name}: {alias}",
            how,
            declared,
            f"`{theirs}`",
            lock.lines.get("catalogs", 1),
        )


def _yaml_scalar(value: object) -> str:
    """A setting value as YAML / .npmrc spell it (`true`, not `True`)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def pnpm_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, pnpm.parse_pnpm_lock)
    docs = _node_docs(repo, ws)
    if lock is None or len(docs) != len(ws.members):
        return
    config = pnpm_config(repo, ws, lock, docs.get("."))
    if config is None:
        return
    yield from _pnpm_setting_drifts(lock, lock_path, config, join(ws.root, ".npmrc"))
    yield from _pnpm_catalog_drifts(lock, lock_path, config)
    auto_peers = lock.auto_install_peers
    if auto_peers is None:
        configured = config.settings.get("autoInstallPeers", (True, ""))[0]
        auto_peers = configured is not False
    for member, doc in sorted(docs.items()):
        manifest = ws.members[member]
        importer = lock.importers.get(member)
        if importer is None:
            if doc.has_dependencies or member != ".":
                yield Drift("pnpm", lock_path, manifest, doc.name or member, "member-added")
            continue
        declared = pnpm_sections(doc, auto_peers)
        for section in pnpm.SECTIONS:
            for name, how, mine, theirs in compare(
                declared[section], importer.sections[section], section
            ):
                yield Drift("pnpm", lock_path, manifest, name, how, mine, theirs, importer.line)
    # An importer left over from a deleted project is not checked: `pnpm install
    # --frozen-lockfile` accepts it (checked differentially) and prunes it on the next install.
    root = docs.get(".")
    if root is not None and pnpm_overrides(root) != (lock.overrides or {}):
        for name, how, mine, theirs in compare(
            pnpm_overrides(root), lock.overrides or {}, "pnpm.overrides"
        ):
            yield Drift("pnpm", lock_path, ws.members["."], f"overrides: {name}", how, mine, theirs)


def npm_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, npm.parse_npm_lock)
    docs = _node_docs(repo, ws)
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


def berry_range(spec: str) -> str:
    """How berry writes a manifest range in its descriptors: the `npm:` protocol made explicit."""
    if re.match(r"^[a-z][a-z+.-]*:", spec) or (
        "/" in spec.split("#", 1)[0] and not spec.startswith("^")
    ):
        return spec
    return f"npm:{spec}"


def yarn_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, yarn.parse_yarn_lock)
    docs = _node_docs(repo, ws)
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
            recorded = dict(yarn.split_descriptor(d) for d in entry.dependencies)
            mine = {n: berry_range(r) for n, r in declared.items()}
            for name, how, a, b in compare(mine, recorded):
                yield Drift("yarn", lock_path, manifest, name, how, a, b, entry.line)
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
            for descriptor in entry.descriptors:
                name, spec = yarn.split_descriptor(descriptor)
                member = spec.removeprefix("workspace:")
                if spec.startswith("workspace:") and member not in docs:
                    where = join(ws.root, member)
                    yield Drift("yarn", lock_path, where, name, "member-removed", line=entry.line)
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
        for descriptor in entry.dependencies:
            target, rule = berry_resolve(descriptor, entry, resolutions)
            found = entries.get(target) or bound.get(target)
            if found is not None:
                queue.append(found)
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


# ---------------------------------------------------------------- Go


@dataclass(frozen=True)
class GoWorkspace:
    path: str
    replaces: tuple[GoReplace, ...]
    modules: frozenset[str]
    """Module paths of the used modules: requiring one needs no checksum in workspace mode."""


def go_workspaces(repo: RepoView) -> dict[str, GoWorkspace]:
    """Module directory → the go.work that uses it."""
    out: dict[str, GoWorkspace] = {}
    for work in repo.named("go.work"):
        doc = repo.document(work, parse_gomod)
        if doc is None:
            continue
        dirs = [posixpath.normpath(join(dir_of(work), use)) for use, _span in doc.uses]
        mods = (repo.document(join("" if d == "." else d, "go.mod"), parse_gomod) for d in dirs)
        modules = frozenset(m.module for m in mods if m is not None and m.module)
        for directory in dirs:
            out[directory] = GoWorkspace(work, doc.replaces, modules)
    return out


def _replacement(replaces: Iterable[GoReplace], req: GoRequire) -> GoReplace | None:
    """The replace that applies to `req`: a versioned one for its exact version wins."""
    matching = [r for r in replaces if r.old == req.path]
    exact = [r for r in matching if r.old_version == req.version]
    return (exact or [r for r in matching if r.old_version is None] or [None])[0]


def summed_version(
    req: GoRequire, mod: GoModFile, ws: GoWorkspace | None
) -> tuple[str, str] | None:
    """The module version whose hashes go needs for `req` after replacements (go.work's first,
    as go applies them), or None when it needs none (a directory replacement, or another module
    of the workspace)."""
    if ws is not None and req.path in ws.modules:
        return None
    for replaces in ((ws.replaces if ws else ()), mod.replaces):
        found = _replacement(replaces, req)
        if found is not None:
            return None if found.new_version is None else (found.new, found.new_version)
    return (req.path, req.version)


def go_results(repo: RepoView) -> Iterator[Drift | Missing]:
    workspaces = go_workspaces(repo)
    for gomod in repo.named("go.mod"):
        directory = dir_of(gomod) or "."
        mod = repo.document(gomod, parse_gomod)
        if mod is None or not mod.requires:
            continue
        ws = workspaces.get(directory)
        needed = [(req, summed_version(req, mod, ws)) for req in mod.requires]
        own = join(dir_of(gomod), "go.sum")
        candidates = [own]
        if ws is not None:
            candidates.append(join(dir_of(ws.path), "go.work.sum"))
            candidates += [
                join("" if d == "." else d, "go.sum") for d, w in workspaces.items() if w == ws
            ]
        present = [p for p in dict.fromkeys(candidates) if repo.exists(p)]
        if not present:
            first = next((req for req, key in needed if key is not None), None)
            if first is not None:
                yield Missing("go", gomod, (own,), first.span)
            continue
        loaded = [repo.document(p, parse_gosum) for p in present]
        if any(s is None for s in loaded):
            continue
        report_at = own if repo.exists(own) else present[0]
        sums = [s for s in loaded if s is not None]
        yield from _go_drifts(gomod, report_at, needed, sums, prunes_graph(mod.go))


def prunes_graph(go: str | None) -> bool:
    """True for `go 1.17` and later (a missing directive means 1.16): such a go.mod lists every
    module that provides a package to the build, `// indirect` ones included, so go needs a module
    hash for each; before 1.17 an indirect requirement may only raise a version."""
    found = re.match(r"(\d+)\.(\d+)", go or "")
    return found is not None and (int(found[1]), int(found[2])) >= (1, 17)


def _go_drifts(
    gomod: str,
    sum_path: str,
    needed: Iterable[tuple[GoRequire, tuple[str, str] | None]],
    sums: list[GoSum],
    pruned: bool,
) -> Iterator[Drift]:
    zips = frozenset().union(*(s.zips for s in sums))
    gomods = frozenset().union(*(s.gomods for s in sums))
    for req, key in needed:
        if key is None:
            continue
        missing = [] if key in gomods else ["`/go.mod` hash"]
        if (pruned or not req.indirect) and key not in zips:
            missing.append("module hash")
        if not missing:
            continue
        module, version = key
        others = sorted({v for s in sums for v in s.versions(module)} - {version})
        how = "changed" if others else "added"
        via = "" if key == (req.path, req.version) else f" (replaced by {module} {version})"
        declared = f"`{req.version}`{via} (no " + " and no ".join(missing) + " in the sums)"
        yield Drift(
            "go", sum_path, gomod, req.path, how, declared, ", ".join(f"`{v}`" for v in others)
        )


# ---------------------------------------------------------------- Python: uv and poetry


def _req_key(req: uv.UvRequirement) -> tuple[str, tuple[str, ...], str]:
    return (normalise_name(req.name), req.extras, normalise_marker(req.marker))


def _req_map(
    reqs: Iterable[uv.UvRequirement], sourced: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Requirement label → specifier. For names with a `[tool.uv.sources]` entry uv writes the
    source (editable path, URL) into the lock instead of the bare name, so it is not compared.
    uv compares requirements as sets, so the same label twice is one entry with both ranges."""
    found: dict[str, set[str]] = {}
    for req in reqs:
        name, extras, marker = _req_key(req)
        if name in sourced:
            req = uv.UvRequirement(req.name, req.extras, req.specifier, req.marker)
        label = (
            name + (f"[{','.join(extras)}]" if extras else "") + (f"; {marker}" if marker else "")
        )
        found.setdefault(label, set()).add(
            (req.specifier or "") + (f" @ {req.url}" if req.url and not req.specifier else "")
        )
    return {label: " | ".join(sorted(specs)) for label, specs in found.items()}


def python_results(repo: RepoView) -> Iterator[Drift | Missing]:
    projects: dict[str, PyProject] = {}
    for path in repo.named("pyproject.toml"):
        doc = repo.document(path, parse_pyproject)
        if doc is None:
            continue
        try:
            projects[path] = lockfile_view(doc)
        except ManifestError as exc:
            repo.problem(path, exc.message, exc.span)
    claims = {dir_of(p): v.uv_workspace for p, v in projects.items() if v.uv_workspace}
    groups: dict[str, dict[str, PyProject]] = {}
    for path, project in projects.items():
        owner = nearest_owner(dir_of(path), claims)
        groups.setdefault(owner.root, {})[owner.member] = project
    for root, members in sorted(groups.items()):
        yield from _python_group(repo, root, members)


def _python_group(
    repo: RepoView, root: str, members: dict[str, PyProject]
) -> Iterator[Drift | Missing]:
    uv_lock, poetry_lock = join(root, "uv.lock"), join(root, "poetry.lock")
    root_project = members.get(".")
    if repo.exists(poetry_lock) and root_project is not None:
        yield from _poetry_drifts(repo, poetry_lock, root_project)
    if repo.exists(uv_lock):
        yield from _uv_drifts(repo, uv_lock, members)
    elif not repo.exists(poetry_lock):
        for _, project in sorted(members.items()):
            if project.has_dependencies:
                kind = "poetry" if project.is_poetry else "uv"
                yield Missing(kind, project.path, (join(root, f"{kind}.lock"),), project.first_span)


def _poetry_drifts(repo: RepoView, lock_path: str, project: PyProject) -> Iterator[Drift]:
    lock = repo.document(lock_path, poetry.parse_poetry_lock)
    if lock is None or poetry.is_fresh(lock, *project.content_hashes):
        return
    unlocked = sorted(project.poetry_names - lock.packages)
    for name in unlocked:
        yield Drift("poetry", lock_path, project.path, name, "added", "", "", lock.line)
    if unlocked:
        return
    yield Drift(
        "poetry",
        lock_path,
        project.path,
        "content-hash",
        "hash",
        "the dependency sections poetry hashes (`[project]` dependencies, optional-dependencies "
        "and requires-python, `[dependency-groups]`, `[tool.poetry]` dependencies, group, source "
        "or extras)",
        f"content-hash `{lock.content_hash[:12]}…`",
        lock.line,
    )


def workspace_requires_python(projects: Iterable[PyProject]) -> str | None:
    """The requires-python uv locks for a workspace: the intersection of the members' bounds.
    Computed only where it is unambiguous (every bound a single `>=X.Y[.Z]`, or one distinct
    value); None otherwise, and the lock's value is then not compared."""
    values = {p.requires_python for p in projects} - {""}
    if len(values) <= 1:
        return next(iter(values), None)
    floors = [re.fullmatch(r">=(\d+(?:\.\d+)*)", v) for v in values]
    if not all(floors):
        return None
    best = max(floors, key=lambda m: tuple(int(x) for x in m.group(1).split(".")))  # type: ignore[union-attr]
    return best.group(0)  # type: ignore[union-attr]


def _uv_drifts(repo: RepoView, lock_path: str, members: dict[str, PyProject]) -> Iterator[Drift]:
    lock = repo.document(lock_path, uv.parse_uv_lock)
    if lock is None:
        return
    by_name = {p.name: p for p in members.values() if p.name}
    sourced = frozenset().union(*(p.uv_sources for p in members.values()))
    if lock.members:
        for name in sorted(by_name.keys() - {normalise_name(m) for m in lock.members}):
            yield Drift("uv", lock_path, by_name[name].path, name, "member-added")
        for name in sorted({normalise_name(m) for m in lock.members} - by_name.keys()):
            yield Drift("uv", lock_path, lock_path, name, "member-removed")
    elif len(by_name) > 1:
        for name in sorted(by_name.keys() - {normalise_name(n) for n in lock.projects}):
            yield Drift("uv", lock_path, by_name[name].path, name, "member-added")
    wanted = workspace_requires_python(members.values())
    if wanted is not None and wanted != lock.requires_python.replace(" ", ""):
        root = members.get(".") or next(iter(members.values()))
        yield Drift(
            "uv",
            lock_path,
            root.path,
            "requires-python",
            "changed",
            f"`{wanted}`",
            f"`{lock.requires_python}`",
        )
    root_project = members.get(".")
    if root_project is not None:
        yield from _uv_manifest_drifts(lock, lock_path, root_project)
    for name, project in sorted(by_name.items()):
        entry = next((e for n, e in lock.projects.items() if normalise_name(n) == name), None)
        if entry is None:
            continue
        for dep, how, mine, theirs in compare(
            _req_map(project.requires_dist, sourced), _req_map(entry.requires_dist, sourced)
        ):
            yield Drift("uv", lock_path, project.path, dep, how, mine, theirs, entry.line)
        declared_groups = project.groups
        for group in sorted(declared_groups.keys() | entry.requires_dev.keys()):
            mine_g = _req_map(declared_groups.get(group, ()), sourced)
            theirs_g = _req_map(entry.requires_dev.get(group, ()), sourced)
            for dep, how, mine, theirs in compare(mine_g, theirs_g, f"group `{group}`"):
                yield Drift("uv", lock_path, project.path, dep, how, mine, theirs, entry.line)


def _uv_manifest_drifts(lock: uv.UvLock, lock_path: str, root: PyProject) -> Iterator[Drift]:
    """The root's `[tool.uv]` constraint / override / build-constraint dependencies against the
    lock's `[manifest]` lists: `uv lock --check` fails on any difference (members' own are
    ignored by uv, so only the workspace root's are compared)."""
    for listed, key in UV_MANIFEST.items():
        for dep, how, mine, theirs in compare(
            _req_map(root.uv_manifest[listed]), _req_map(lock.manifest[listed]), f"[tool.uv] {key}"
        ):
            yield Drift(
                "uv", lock_path, root.path, f"{key}: {dep}", how, mine, theirs, lock.manifest_line
            )


# ---------------------------------------------------------------- all verdicts


def verdicts(repo: RepoView) -> tuple[Drift | Missing, ...]:
    """Every ecosystem's verdicts (call it through `RepoView.derived`: both rules use them)."""
    return (*node_results(repo), *go_results(repo), *python_results(repo))
