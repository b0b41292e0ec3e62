"""Python: uv.lock (workspace members, requires-python, each member's requirements and groups,
the root's `[tool.uv]` manifest lists) and poetry.lock (its content hash) against pyproject.toml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from packaging.version import InvalidVersion, Version

from ameide_guard.checks.lockfiles.verdicts.base import Drift, Missing, compare
from ameide_guard.errors import ManifestError
from ameide_guard.lockfiles import poetry, uv
from ameide_guard.lockfiles.python_manifest import (
    UV_MANIFEST,
    PyProject,
    lockfile_view,
    normalise_marker,
)
from ameide_guard.lockfiles.workspace import dir_of, join, nearest_owner
from ameide_guard.manifests.pyproject import parse_pyproject
from ameide_guard.manifests.requirements import normalise_name
from ameide_guard.scan.repo import RepoView


def _req_key(req: uv.UvRequirement) -> tuple[str, tuple[str, ...], str]:
    return (normalise_name(req.name), req.extras, normalise_marker(req.marker))


def _req_map(
    reqs: Iterable[uv.UvRequirement], sourced: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Requirement label → specifier. For names `sourced` from a workspace member, path, git
    or URL (`PyProject.uv_sources`) uv locks the source and no specifier, so neither is
    compared: only the name, extras and marker. uv compares requirements as sets, so the same
    label twice is one entry with both ranges."""
    found: dict[str, set[str]] = {}
    for req in reqs:
        name, extras, marker = _req_key(req)
        if name in sourced:
            req = uv.UvRequirement(req.name, req.extras, "", req.marker)
        label = (
            name + (f"[{','.join(extras)}]" if extras else "") + (f"; {marker}" if marker else "")
        )
        found.setdefault(label, set()).add(
            (req.specifier or "") + (f" @ {req.url}" if req.url and not req.specifier else "")
        )
    return {label: " | ".join(sorted(specs)) for label, specs in found.items()}


def same_version(declared: str, locked: str) -> bool:
    """Whether a member's `[project] version` is the one uv locked (compared as PEP 440
    versions, `1.0` and `1.0.0` being one); a dynamic or missing version on either side is
    not compared."""
    if not declared or not locked:
        return True
    try:
        return Version(declared) == Version(locked)
    except InvalidVersion:
        return declared == locked


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
    floors = [m for v in values if (m := re.fullmatch(r">=(\d+(?:\.\d+)*)", v)) is not None]
    if len(floors) != len(values):
        return None
    best = max(floors, key=lambda m: tuple(int(x) for x in m.group(1).split(".")))
    return best.group(0)


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
        if not same_version(project.version, entry.version):
            mine, theirs = f"`{project.version}`", f"`{entry.version}`"
            yield Drift(
                "uv", lock_path, project.path, "version", "changed", mine, theirs, entry.line
            )
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
