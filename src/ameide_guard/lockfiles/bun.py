"""bun.lock, bun's text lockfile (bun 1.2 and later; `lockfileVersion` 0, 1 and 2).

The file is JSON as bun's own parser reads it: trailing commas (bun writes one after every
entry) and `//` / `/* */` comments are allowed. What `bun install` compares with the manifests
is the `workspaces` object: one entry per workspace directory (`""` for the root) holding the
`name`, the `version` (members only) and each dependency section exactly as that package.json
declared it, plus `optionalPeers` (the peers `peerDependenciesMeta` marks optional). bun rewrites
those entries whenever a package.json moved on. The resolved `packages` map is read for its keys
and resolutions only.

bun.lockb, the binary lockfile of bun before 1.2, is bun's in-memory structure written out; it has
no published format and is not read (see docs/lockfiles.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import load_json, reader

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")

_STRING = r'"(?:[^"\\\n]|\\.)*"'
_COMMENTS = re.compile(_STRING + r"|//[^\n]*|/\*(?:.*?\*/|.*)", re.S)
_TRAILING_COMMAS = re.compile(_STRING + r"|,(?=\s*[}\]])")
"""Two passes, each linear: comments first (an unterminated `/*` runs to the end, once), then
the commas that close an object or array."""


@dataclass(frozen=True)
class BunWorkspace:
    """One `workspaces` entry: what bun recorded of that workspace's package.json."""

    name: str | None
    version: str | None
    sections: dict[str, dict[str, str]]
    """Section → name → spec as written in package.json (absent sections are empty)."""
    optional_peers: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class BunLock:
    version: int
    workspaces: dict[str, BunWorkspace]
    """Keyed by directory relative to the lockfile: `.` for the root, `packages/a` for members."""
    packages: dict[str, str]
    """`packages` key (`name`, or `parent/name` for a nested copy) → its resolution
    (`is-number@7.0.0`, `a@workspace:packages/a`)."""
    line: int = 1
    """Line of the `workspaces` key (where a missing workspace entry would go)."""


def _blank(match: re.Match[str]) -> str:
    """A comment or trailing comma turned into spaces (newlines kept): positions stay put, so
    json's error line and column are the file's."""
    token = match.group()
    if token.startswith('"'):
        return token
    return re.sub(r"[^\n]", " ", token)


def strip_jsonc(text: str) -> str:
    """The JSON text bun reads, with its extensions (comments, trailing commas) blanked out."""
    return _TRAILING_COMMAS.sub(_blank, _COMMENTS.sub(_blank, text))


def _line_of(text: str, key: str, start: int) -> int:
    at = text.find(f'"{key}"', start)
    return 1 if at < 0 else text.count("\n", 0, at) + 1


def _strings(value: object, where: str, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ManifestError(f"{path}: `{where}` is not an object of version strings")
    return {str(k): v for k, v in value.items()}


def _workspace(entry: object, key: str, path: str, line: int) -> BunWorkspace:
    where = f"workspaces[{key!r}]"
    if not isinstance(entry, dict):
        raise ManifestError(f"{path}: `{where}` is not an object")
    name, version = entry.get("name"), entry.get("version")
    for field, value in (("name", name), ("version", version)):
        if value is not None and not isinstance(value, str):
            raise ManifestError(f"{path}: `{where}.{field}` is not a string")
    peers = entry.get("optionalPeers") or []
    if not isinstance(peers, list) or not all(isinstance(p, str) for p in peers):
        raise ManifestError(f"{path}: `{where}.optionalPeers` is not a list of names")
    sections = {s: _strings(entry.get(s), f"{where}.{s}", path) for s in SECTIONS}
    return BunWorkspace(
        name if isinstance(name, str) else None,
        version if isinstance(version, str) else None,
        sections,
        tuple(sorted(peers)),
        line,
    )


def _resolution(entry: object, key: str, path: str) -> str:
    if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
        raise ManifestError(f"{path}: `packages[{key!r}]` is not a [`name@version`, …] entry")
    return entry[0]


@reader
def parse_bun_lock(text: str, path: str) -> BunLock:
    data = load_json(
        strip_jsonc(text),
        f"invalid JSON in {path}: {{reason}} (fix it, or run `bun install` to write it anew)",
    )
    if not isinstance(data, dict):
        raise ManifestError(f"{path} is not a JSON object")
    version = data.get("lockfileVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ManifestError(f"{path}: `lockfileVersion` is missing or not a number")
    workspaces = data.get("workspaces")
    if not isinstance(workspaces, dict):
        raise ManifestError(f"{path}: `workspaces` is missing or not an object")
    start = text.find('"workspaces"')
    members = {
        (key or "."): _workspace(entry, key, path, _line_of(text, key, start))
        for key, entry in workspaces.items()
    }
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise ManifestError(f"{path}: `packages` is not an object")
    resolved = {str(k): _resolution(v, str(k), path) for k, v in packages.items()}
    return BunLock(version, members, resolved, text.count("\n", 0, max(start, 0)) + 1)
