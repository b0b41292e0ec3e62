"""uv.lock (version 1): the workspace members, the `[manifest]` constraints / overrides /
build-constraints and, per member, the `[package.metadata]` `requires-dist` and `requires-dev`
that `uv lock --check` compares with pyproject.toml.

Only the header and the `[[package]]` blocks of local projects (`source = { editable | virtual
| directory }`) are parsed; registry packages, the bulk of a large lockfile, are skipped unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.formats.toml import load_toml
from ameide_guard.model import Span

LOCAL_SOURCES = ("{ editable", "{ virtual", "{ directory")
SEPARATOR = "\n[[package]]\n"
MANIFEST_LISTS = ("constraints", "overrides", "build-constraints")
"""`[manifest]` requirement lists uv compares with the root's `[tool.uv]` (as sets). `excludes`
and `dependency-metadata` are not among them: uv 0.13 accepts an added exclude unchanged."""


@dataclass(frozen=True)
class UvRequirement:
    name: str
    extras: tuple[str, ...] = ()
    specifier: str = ""
    marker: str = ""
    url: str = ""

    def render(self) -> str:
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        text = f"{self.name}{extras}{self.specifier}"
        if self.url:
            text += f" @ {self.url}"
        return text + (f"; {self.marker}" if self.marker else "")


@dataclass(frozen=True)
class UvProject:
    name: str
    source: str
    requires_dist: tuple[UvRequirement, ...]
    requires_dev: dict[str, tuple[UvRequirement, ...]]
    line: int
    version: str = ""
    """The member's version as locked ('' when uv locked none: a dynamic version)."""


@dataclass(frozen=True)
class UvLock:
    requires_python: str
    members: tuple[str, ...]
    """`[manifest] members`; empty for a single-project lock."""
    projects: dict[str, UvProject]
    manifest: dict[str, tuple[UvRequirement, ...]]
    """`[manifest]` list (see MANIFEST_LISTS) → its requirements; absent lists are empty."""
    manifest_line: int
    """Line of the `[manifest]` header (1 when there is none)."""


def normalise_specifier(specifier: str) -> str:
    """Version specifiers without spaces, in a fixed order: uv sorts them by version, so
    `<2,>=1.16` and `>=1.16,<2` are the same requirement to it."""
    return ",".join(sorted(p.replace(" ", "") for p in specifier.split(",") if p.strip()))


def _requirement(raw: Any, path: str, where: str, line: int) -> UvRequirement:
    if not isinstance(raw, dict) or "name" not in raw:
        raise ManifestError(f"{path}: a requirement in {where} has no name", _at(line))
    url = raw.get("url") or raw.get("git") or raw.get("path") or raw.get("editable") or ""
    return UvRequirement(
        name=str(raw["name"]),
        extras=tuple(sorted(str(e) for e in raw.get("extras", ()))),
        specifier=normalise_specifier(str(raw.get("specifier", ""))),
        marker=str(raw.get("marker", "")),
        url=str(url),
    )


def _requirements(
    raw: Any, path: str, where: str = "[package.metadata]", line: int = 1
) -> tuple[UvRequirement, ...]:
    """A requirement list; `where` and `line` (its table's) locate errors."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ManifestError(f"{path}: `{where}` is not a list of requirements", _at(line))
    return tuple(_requirement(r, path, where, line) for r in raw)


def _at(line: int) -> Span:
    return Span(line, 1, line, 1)


def _mapping(value: Any, where: str, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: `{where}` is not a table")
    return value


def _line_of(text: str, table: str) -> int:
    """1-based line of the `[table]` header line in `text` (1 when there is none)."""
    found = ("\n" + text).find(f"\n{table}\n")
    return 1 if found < 0 else text.count("\n", 0, found) + 1


def parse_uv_lock(text: str, path: str) -> UvLock:
    chunks = text.split(SEPARATOR)
    header = load_toml(chunks[0], path)
    if "version" not in header:
        raise ManifestError(f"{path} has no `version`; it is not a uv lockfile")
    manifest = _mapping(header.get("manifest"), "[manifest]", path)
    members = tuple(str(m) for m in manifest.get("members", ()) or ())
    manifest_line = _line_of(chunks[0], "[manifest]")
    lists = {
        key: _requirements(manifest.get(key), path, f"[manifest] {key}", manifest_line)
        for key in MANIFEST_LISTS
    }
    projects: dict[str, UvProject] = {}
    line = chunks[0].count("\n") + 1
    for chunk in chunks[1:]:
        start = line + 1
        line += chunk.count("\n") + SEPARATOR.count("\n")
        head = chunk.split("\n[", 1)[0]
        if not any(f"source = {s}" in head for s in LOCAL_SOURCES):
            continue
        block = load_toml("[[package]]\n" + chunk, path, first_line=start).get("package")
        if not isinstance(block, list) or not isinstance(block[0], dict):
            raise ManifestError(f"{path}: unreadable [[package]] at line {start}")
        package = block[0]
        metadata = _mapping(package.get("metadata"), "[package.metadata]", path)
        dev = _mapping(metadata.get("requires-dev"), "[package.metadata.requires-dev]", path)
        name = str(package.get("name", ""))
        projects[name] = UvProject(
            version=str(package.get("version", "")),
            name=name,
            source=next(iter(_mapping(package.get("source"), "source", path)), ""),
            requires_dist=_requirements(
                metadata.get("requires-dist"), path, "[package.metadata] requires-dist", start
            ),
            requires_dev={
                str(g): _requirements(r, path, f"[package.metadata.requires-dev] {g}", start)
                for g, r in dev.items()
            },
            line=start,
        )
    return UvLock(
        str(header.get("requires-python", "")),
        members,
        projects,
        lists,
        manifest_line,
    )
