"""uv.lock (version 1): the workspace members and, per member, the `[package.metadata]`
`requires-dist` and `requires-dev` that `uv lock --check` compares with pyproject.toml.

Only the header and the `[[package]]` blocks of local projects (`source = { editable | virtual
| directory }`) are parsed; registry packages, the bulk of a large lockfile, are skipped unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ameide_guard.lockfiles._toml import load_toml
from ameide_guard.repo import ManifestError

LOCAL_SOURCES = ("{ editable", "{ virtual", "{ directory")
SEPARATOR = "\n[[package]]\n"


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


@dataclass(frozen=True)
class UvLock:
    requires_python: str
    members: tuple[str, ...]
    """`[manifest] members`; empty for a single-project lock."""
    projects: dict[str, UvProject]


def _requirement(raw: Any, path: str) -> UvRequirement:
    if not isinstance(raw, dict) or "name" not in raw:
        raise ManifestError(f"{path}: a requirement in [package.metadata] has no name")
    url = raw.get("url") or raw.get("git") or raw.get("path") or raw.get("editable") or ""
    return UvRequirement(
        name=str(raw["name"]),
        extras=tuple(sorted(str(e) for e in raw.get("extras", ()))),
        specifier=str(raw.get("specifier", "")).replace(" ", ""),
        marker=str(raw.get("marker", "")),
        url=str(url),
    )


def _requirements(raw: Any, path: str) -> tuple[UvRequirement, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ManifestError(f"{path}: requirements in [package.metadata] are not a list")
    return tuple(_requirement(r, path) for r in raw)


def _mapping(value: Any, where: str, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: `{where}` is not a table")
    return value


def parse_uv_lock(text: str, path: str) -> UvLock:
    chunks = text.split(SEPARATOR)
    header = load_toml(chunks[0], path)
    if "version" not in header:
        raise ManifestError(f"{path} has no `version`; it is not a uv lockfile")
    manifest = _mapping(header.get("manifest"), "[manifest]", path)
    members = tuple(str(m) for m in manifest.get("members", ()) or ())
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
            name=name,
            source=next(iter(_mapping(package.get("source"), "source", path)), ""),
            requires_dist=_requirements(metadata.get("requires-dist"), path),
            requires_dev={str(g): _requirements(r, path) for g, r in dev.items()},
            line=start,
        )
    return UvLock(str(header.get("requires-python", "")), members, projects)
