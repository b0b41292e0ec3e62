"""What uv and poetry read from a pyproject.toml when they judge their lockfile.

Built on the shared reader (`ameide_guard.manifests.pyproject.parse_pyproject`, one parse per file
per scan, which already rejects malformed dependency lists): `lockfile_view` keeps what
`uv lock --check` and `poetry check --lock` compare, with requirements normalised as uv
normalises them (PEP 503 names, sorted extras, specifiers without spaces, markers with single
quotes) and poetry's content hashes computed up front. The few shapes the shared reader does not
check (uv workspace globs, a value poetry cannot hash) raise `ManifestError` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ameide_guard.lockfiles import poetry
from ameide_guard.lockfiles.uv import UvRequirement
from ameide_guard.manifests.pyproject import PyDependency, Pyproject
from ameide_guard.manifests.requirements import Requirement, normalise_name
from ameide_guard.model import FILE_SPAN, Span
from ameide_guard.repo import ManifestError

PROJECT = "project.dependencies"
OPTIONAL = "project.optional-dependencies."
GROUPS = "dependency-groups."
UV_DEV = "tool.uv.dev-dependencies"
NOT_DEPENDENCIES = ("tool.uv.override-dependencies", "tool.uv.constraint-dependencies")


def normalise_marker(marker: str) -> str:
    return re.sub(r"\s+", " ", marker.replace('"', "'")).strip()


def uv_requirement(req: Requirement, extra_marker: str = "") -> UvRequirement:
    """A requirement as uv.lock's `[package.metadata]` writes it."""
    marker = normalise_marker(req.marker or "")
    if extra_marker:
        marker = f"{marker} and {extra_marker}" if marker else extra_marker
    spec = ",".join(p.strip().replace(" ", "") for p in req.specifier.split(",") if p.strip())
    extras = tuple(sorted(normalise_name(e) for e in req.extras))
    return UvRequirement(normalise_name(req.name), extras, spec, marker, req.url or "")


@dataclass(frozen=True)
class PyProject:
    path: str
    name: str
    """Normalised `[project] name` ('' when absent)."""
    requires_python: str
    requires_dist: tuple[UvRequirement, ...]
    """`[project]` dependencies, then optional ones with their `extra == '…'` marker."""
    groups: dict[str, tuple[UvRequirement, ...]]
    """`[dependency-groups]` plus uv's legacy `dev-dependencies` as `dev`."""
    uv_sources: frozenset[str]
    uv_workspace: tuple[str, ...] | None
    """Member globs (`!glob` for exclude) when this is a uv workspace root."""
    is_poetry: bool
    poetry_names: frozenset[str]
    """Every dependency name poetry would lock (to name one missing from poetry.lock)."""
    has_dependencies: bool
    first_span: Span
    """Where the first dependency is declared (AG401 points there)."""
    content_hashes: tuple[str, str]
    """Poetry's content hash with and without `[dependency-groups]` (see `poetry.is_fresh`)."""


def _table(value: Any, where: str, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: `{where}` must be a table")
    return value


def _globs(value: Any, where: str, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{path}: `{where}` must be a list of glob strings")
    return value


def _workspace(uv_tool: dict[str, Any], path: str) -> tuple[str, ...] | None:
    if uv_tool.get("workspace") is None:
        return None
    workspace = _table(uv_tool["workspace"], "tool.uv.workspace", path)
    members = _globs(workspace.get("members"), "tool.uv.workspace.members", path)
    exclude = _globs(workspace.get("exclude"), "tool.uv.workspace.exclude", path)
    return (".", *members, *(f"!{e}" for e in exclude))


def _uv_groups(deps: tuple[PyDependency, ...]) -> dict[str, tuple[UvRequirement, ...]]:
    groups: dict[str, list[UvRequirement]] = {}
    for dep in deps:
        if dep.requirement is None:
            continue
        if dep.section.startswith(GROUPS):
            group = normalise_name(dep.section[len(GROUPS) :])
        elif dep.section == UV_DEV:
            group = "dev"
        else:
            continue
        groups.setdefault(group, []).append(uv_requirement(dep.requirement))
    return {g: tuple(r) for g, r in groups.items()}


def _requires_dist(deps: tuple[PyDependency, ...]) -> tuple[UvRequirement, ...]:
    out: list[UvRequirement] = []
    for dep in deps:
        if dep.requirement is None:
            continue
        if dep.section == PROJECT:
            out.append(uv_requirement(dep.requirement))
        elif dep.section.startswith(OPTIONAL):
            extra = normalise_name(dep.section[len(OPTIONAL) :])
            out.append(uv_requirement(dep.requirement, f"extra == '{extra}'"))
    return tuple(out)


def lockfile_view(doc: Pyproject) -> PyProject:
    data = dict(doc.data)
    path = doc.path
    project = _table(data.get("project"), "project", path)
    tool = _table(data.get("tool"), "tool", path)
    uv_tool = _table(tool.get("uv"), "tool.uv", path)
    try:
        hashes = (
            poetry.content_hash(data),
            poetry.content_hash(data, with_dependency_groups=False),
        )
    except (TypeError, ValueError) as exc:  # a TOML date or the like: poetry cannot hash it
        raise ManifestError(f"{path}: dependency tables poetry cannot hash ({exc})") from None
    deps = tuple(d for d in doc.dependencies if d.section not in NOT_DEPENDENCIES)
    return PyProject(
        path=path,
        name=normalise_name(str(project.get("name", ""))),
        requires_python=str(project.get("requires-python", "")).replace(" ", ""),
        requires_dist=_requires_dist(deps),
        groups=_uv_groups(deps),
        uv_sources=frozenset(normalise_name(s.name) for s in doc.sources),
        uv_workspace=_workspace(uv_tool, path),
        is_poetry="poetry" in tool,
        poetry_names=frozenset(normalise_name(d.name) for d in deps),
        has_dependencies=bool(deps),
        first_span=deps[0].span if deps else FILE_SPAN,
        content_hashes=hashes,
    )
