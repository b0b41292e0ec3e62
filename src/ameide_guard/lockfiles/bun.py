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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    overrides: dict[str, str] | None = None
    """The top-level `overrides`, keyed as `override_keys` keys them; None when absent."""
    trusted: tuple[str, ...] = ()
    """`trustedDependencies`, sorted."""
    lines: dict[str, int] | None = None
    """Line of each top-level key."""


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


def _override_value(value: object, root_specs: Mapping[str, str]) -> str | None:
    """What bun keeps of one override value: a spec (not `patch:`, which bun does not support),
    or `$name`, the root's own spec for that dependency (npm's reference syntax)."""
    if not isinstance(value, str) or not value or value.startswith("patch:"):
        return None
    return root_specs.get(value[1:]) if value.startswith("$") else value


def override_keys(block: object, root_specs: Mapping[str, str]) -> dict[str, str]:
    """npm-style `overrides` as bun reads them (`OverrideMap.parseFromOverrides`): `name` →
    spec, or `name` → {`.`: its own spec, `child`: spec}, one level deep. Keyed `name` for a
    global override and `parent>child` for a scoped one. bun.lock writes its overrides in this
    same form."""
    out: dict[str, str] = {}
    for key, value in block.items() if isinstance(block, dict) else ():
        if not key:
            continue
        nested = value if isinstance(value, dict) else {}
        found = _override_value(nested.get(".") if nested else value, root_specs)
        if found is not None:
            out[key] = found
        for child, spec in nested.items():
            child_spec = _override_value(spec, root_specs) if child != "." else None
            if child_spec is not None:
                out[f"{key}>{child}"] = child_spec
    return out


def _resolution_parts(key: str) -> tuple[str, str] | None:
    """yarn `parent/child` (scopes kept whole) → (parent, child); None for a plain name."""
    if key.startswith("@"):
        scope_end = key.find("/")
        cut = key.find("/", scope_end + 1) if scope_end >= 0 else -1
    else:
        cut = key.find("/")
    return None if cut < 0 else (key[:cut], key[cut + 1 :])


def resolution_keys(block: object, root_specs: Mapping[str, str]) -> dict[str, str]:
    """yarn `resolutions` as bun reads them (`parseFromResolutions`): a leading `**/` dropped,
    `parent/child` a scoped override, anything nested deeper ignored (bun warns)."""
    out: dict[str, str] = {}
    for key, value in block.items() if isinstance(block, dict) else ():
        key = key.removeprefix("**/")
        spec = _override_value(value, root_specs) if key else None
        if spec is None:
            continue
        parts = _resolution_parts(key)
        if parts is None:
            out[key] = spec
        elif not any("/" in p and not p.startswith("@") for p in parts):
            out[f"{parts[0]}>{parts[1]}"] = spec
    return out


def manifest_overrides(data: Mapping[str, Any], root_specs: Mapping[str, str]) -> dict[str, str]:
    """The overrides bun takes from the root package.json: `overrides` when the key is there
    (whatever it holds), else `resolutions`."""
    if "overrides" in data:
        return override_keys(data["overrides"], root_specs)
    return resolution_keys(data.get("resolutions"), root_specs)


def _top_lines(text: str) -> dict[str, int]:
    return {
        m.group(1): text.count("\n", 0, m.start()) + 1
        for m in re.finditer(r'^  "([A-Za-z]+)":', text, re.M)
    }


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
    overrides = data.get("overrides")
    if overrides is not None and not isinstance(overrides, dict):
        raise ManifestError(f"{path}: `overrides` is not an object")
    trusted = data.get("trustedDependencies") or []
    if not isinstance(trusted, list) or not all(isinstance(t, str) for t in trusted):
        raise ManifestError(f"{path}: `trustedDependencies` is not a list of names")
    return BunLock(
        version,
        members,
        resolved,
        text.count("\n", 0, max(start, 0)) + 1,
        None if overrides is None else override_keys(overrides, {}),
        tuple(sorted(trusted)),
        _top_lines(text),
    )
