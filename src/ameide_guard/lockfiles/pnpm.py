"""pnpm-lock.yaml (lockfile v6 `6.0`/`6.1` written by pnpm 8, and v9 `9.0` by pnpm 9 and 10).

`pnpm install --frozen-lockfile` refuses a lockfile when an importer's recorded `specifier`s
differ from its package.json ranges in any dependency section, or when the `overrides` block
differs from the manifest's; only the top-level `lockfileVersion`, `overrides` and `importers`
blocks (or, for a v6 single-project lockfile, the root dependency sections) are parsed, so a
20 MB lockfile costs what its importers cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ameide_guard.lockfiles._yaml import load_yaml, top_level_blocks
from ameide_guard.repo import ManifestError

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
WANTED = ("lockfileVersion", "settings", "overrides", "importers", *SECTIONS, "specifiers")


@dataclass(frozen=True)
class PnpmImporter:
    """What one workspace project's entry records: section → name → specifier."""

    sections: dict[str, dict[str, str]]
    line: int


@dataclass(frozen=True)
class PnpmLock:
    version: str
    importers: dict[str, PnpmImporter]
    """Keyed by the project directory relative to the lockfile (`.` for the root)."""
    overrides: dict[str, str] | None
    auto_install_peers: bool
    """`settings.autoInstallPeers` (v6.1+/v9; pnpm 8+ default true): pnpm then counts a
    package.json peer dependency that no other section lists as a dependency."""


def _specifiers(block: Any, where: str, legacy: dict[str, str]) -> dict[str, str]:
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise ManifestError(f"pnpm-lock.yaml: `{where}` is not a mapping")
    out: dict[str, str] = {}
    for name, entry in block.items():
        # lockfile v5 keeps a version here and the range under `specifiers`
        spec = entry.get("specifier") if isinstance(entry, dict) else legacy.get(str(name))
        out[str(name)] = "" if spec is None else str(spec)
    return out


def _importer(data: Any, where: str, line: int) -> PnpmImporter:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError(f"pnpm-lock.yaml: importer `{where}` is not a mapping")
    legacy = data.get("specifiers") or {}
    sections = {
        s: _specifiers(data.get(s), f"{where}.{s}", legacy if isinstance(legacy, dict) else {})
        for s in SECTIONS
    }
    return PnpmImporter(sections, line)


def _importer_lines(text: str, start: int) -> dict[str, int]:
    """Line of each `  key:` directly under `importers:` (for precise findings), cheaply."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()[start:], start=start + 1):
        if line and not line[0].isspace() and not line.startswith("#"):
            break
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            lines[line.strip()[:-1].strip("'\"")] = number
    return lines


def parse_pnpm_lock(text: str, path: str) -> PnpmLock:
    head, key_lines = top_level_blocks(text, WANTED)
    data = load_yaml(head, path) or {}
    if not isinstance(data, dict) or "lockfileVersion" not in data:
        raise ManifestError(f"{path} has no `lockfileVersion`; it is not a pnpm lockfile")
    version = str(data["lockfileVersion"])
    overrides = data.get("overrides")
    if overrides is not None and not isinstance(overrides, dict):
        raise ManifestError(f"{path}: `overrides` is not a mapping")
    importers: dict[str, PnpmImporter] = {}
    raw = data.get("importers")
    if raw is not None:
        if not isinstance(raw, dict):
            raise ManifestError(f"{path}: `importers` is not a mapping")
        lines = _importer_lines(head, key_lines.get("importers", 1))
        for where, entry in raw.items():
            importers[str(where)] = _importer(entry, str(where), lines.get(str(where), 1))
    else:
        lines = [key_lines[s] for s in SECTIONS if s in key_lines]
        importers["."] = _importer(data, ".", min(lines, default=1))
    settings = data.get("settings")
    auto_peers = settings.get("autoInstallPeers", True) if isinstance(settings, dict) else True
    return PnpmLock(
        version,
        importers,
        None if overrides is None else {str(k): str(v) for k, v in overrides.items()},
        bool(auto_peers),
    )
