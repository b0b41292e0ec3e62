"""What uv and poetry read from a pyproject.toml when they judge their lockfile.

Built on the shared reader (`ameide_guard.manifests.pyproject.parse_pyproject`, one parse per file
per scan, which already rejects malformed dependency lists): `lockfile_view` keeps what
`uv lock --check` and `poetry check --lock` compare, with requirements normalised as uv
normalises them (PEP 503 names, sorted extras, specifiers without spaces in version order, markers
with single quotes, `python_version` rewritten to `python_full_version`, conjunctions in a fixed
order) and poetry's content hashes computed up front. The few shapes the shared reader does not
check (uv workspace globs, a value poetry cannot hash) raise `ManifestError` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.lockfiles import poetry
from ameide_guard.lockfiles.uv import UvRequirement, normalise_specifier
from ameide_guard.manifests.pyproject import PyDependency, Pyproject
from ameide_guard.manifests.requirements import Requirement, normalise_name, parse_requirement
from ameide_guard.model import FILE_SPAN, Span

PROJECT = "project.dependencies"
OPTIONAL = "project.optional-dependencies."
GROUPS = "dependency-groups."
UV_DEV = "tool.uv.dev-dependencies"
NOT_DEPENDENCIES = ("tool.uv.override-dependencies", "tool.uv.constraint-dependencies")
UV_MANIFEST = {
    "constraints": "constraint-dependencies",
    "overrides": "override-dependencies",
    "build-constraints": "build-constraint-dependencies",
}
"""uv.lock `[manifest]` list → the `[tool.uv]` key of the workspace root it records."""

_PYTHON_VERSION = re.compile(r"^python_version\s*(>=|<=|==|!=|<|>)\s*'(\d+)\.(\d+)'$")


def _python_full_version(clause: str) -> str:
    """uv writes `python_version OP 'X.Y'` as the equivalent `python_full_version` clause
    (`> '3.9'` is `>= '3.10'`, `== '3.9'` is `== '3.9.*'`); other clauses are kept."""
    found = _PYTHON_VERSION.match(clause)
    if found is None:
        return clause
    op, major, minor = found.group(1), found.group(2), int(found.group(3))
    version = {
        ">": f">= '{major}.{minor + 1}'",
        "<=": f"< '{major}.{minor + 1}'",
        "==": f"== '{major}.{minor}.*'",
        "!=": f"!= '{major}.{minor}.*'",
    }.get(op, f"{op} '{major}.{minor}'")
    return f"python_full_version {version}"


def _spaced(unquoted: str) -> str:
    """Marker text outside quotes with one space around each comparison operator."""
    return re.sub(r"\s+", " ", re.sub(r"\s*(===|==|!=|<=|>=|~=|<|>)\s*", r" \1 ", unquoted))


def normalise_marker(marker: str) -> str:
    """A marker as uv.lock writes it, for the shapes whose canonical form is certain: quotes,
    whitespace (one space around operators), `python_version` clauses, and the clauses of a
    plain `and` chain in sorted order (uv orders them by variable; both sides are sorted the same
    way here). Markers with `or` or parentheses keep their clause order."""
    parts = re.split(r"('[^']*')", marker.replace('"', "'"))
    text = "".join(p if p.startswith("'") else _spaced(p) for p in parts).strip()
    if "(" in text or " or " in text:
        return text
    clauses = [_python_full_version(c.strip()) for c in text.split(" and ") if c.strip()]
    return " and ".join(sorted(clauses))


def uv_requirement(req: Requirement, extra_marker: str = "") -> UvRequirement:
    """A requirement as uv.lock's `[package.metadata]` writes it."""
    marker = normalise_marker(req.marker or "")
    if extra_marker:
        marker = f"{marker} and {extra_marker}" if marker else extra_marker
    spec = normalise_specifier(req.specifier)
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
    """Names `[tool.uv.sources]` takes from somewhere other than an index (a workspace member,
    a path, git, a URL): uv locks those requirements with their source and no version
    specifier (only an index source keeps it)."""
    version: str
    """The static `[project] version` ('' when absent or dynamic)."""
    uv_manifest: dict[str, tuple[UvRequirement, ...]]
    """`[tool.uv]` constraint / override / build-constraint dependencies, keyed by the uv.lock
    `[manifest]` list that records them (see UV_MANIFEST); uv reads them at the root only."""
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
        group: str
        if dep.section.startswith(GROUPS):
            group = normalise_name(dep.section[len(GROUPS) :])
        elif dep.section == UV_DEV:
            group = "dev"
        else:
            continue
        groups.setdefault(group, []).append(uv_requirement(dep.requirement))
    return {g: tuple(r) for g, r in groups.items()}


def _build_constraints(uv_tool: dict[str, Any], path: str) -> list[Requirement]:
    """`[tool.uv] build-constraint-dependencies`, which the shared reader does not read."""
    where = "tool.uv.build-constraint-dependencies"
    value = uv_tool.get("build-constraint-dependencies")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{path}: `{where}` must be a list of requirement strings")
    found = [parse_requirement(item) for item in value]
    for item, req in zip(value, found, strict=True):
        if req is None:
            raise ManifestError(f"{path}: `{where}` has an invalid PEP 508 requirement: {item!r}")
    return [r for r in found if r is not None]


def _uv_manifest(
    uv_tool: dict[str, Any], deps: tuple[PyDependency, ...], path: str
) -> dict[str, tuple[UvRequirement, ...]]:
    out: dict[str, tuple[UvRequirement, ...]] = {}
    for listed, key in UV_MANIFEST.items():
        if listed == "build-constraints":
            reqs = _build_constraints(uv_tool, path)
        else:
            reqs = [d.requirement for d in deps if d.section == f"tool.uv.{key}" and d.requirement]
        out[listed] = tuple(uv_requirement(r) for r in reqs)
    return out


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


def _static_version(project: dict[str, Any]) -> str:
    dynamic = project.get("dynamic")
    if isinstance(dynamic, list) and "version" in dynamic:
        return ""
    version = project.get("version")
    return version if isinstance(version, str) else ""


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
        uv_sources=frozenset(normalise_name(s.name) for s in doc.sources if s.kind != "index"),
        version=_static_version(project),
        uv_manifest=_uv_manifest(uv_tool, doc.dependencies, path),
        uv_workspace=_workspace(uv_tool, path),
        is_poetry="poetry" in tool,
        poetry_names=frozenset(normalise_name(d.name) for d in deps),
        has_dependencies=bool(deps),
        first_span=deps[0].span if deps else FILE_SPAN,
        content_hashes=hashes,
    )
