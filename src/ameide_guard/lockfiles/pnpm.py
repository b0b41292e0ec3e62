"""pnpm-lock.yaml (lockfile v6 `6.0`/`6.1` written by pnpm 8, and v9 `9.0` by pnpm 9 and 10).

`pnpm install --frozen-lockfile` refuses a lockfile when an importer no longer satisfies its
package.json (pnpm's `satisfiesPackageManifest`, mirrored in checks/lockfiles/verdicts/
pnpm_importer.py: specifiers, the section each name is recorded under, `dependenciesMeta`,
`publishDirectory`), when the `overrides` block differs
from the manifest's, when a `settings:` value differs from the configuration (`.npmrc`, and from
pnpm 10 on `pnpm-workspace.yaml`; ERR_PNPM_LOCKFILE_CONFIG_MISMATCH), and, from pnpm 10 on, when
a `catalogs:` entry's specifier differs from the catalog in `pnpm-workspace.yaml`. Only the
top-level `lockfileVersion`, `settings`, `catalogs`, `overrides` and `importers` blocks (or, for a
v6 single-project lockfile, the root's importer fields) are parsed, so a 20 MB lockfile costs
what its importers cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.formats.yaml import load_yaml, top_level_blocks
from ameide_guard.model import Span

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
WANTED = (
    "lockfileVersion",
    "settings",
    "catalogs",
    "overrides",
    "importers",
    *SECTIONS,
    "specifiers",
    "dependenciesMeta",
    "publishDirectory",
)


@dataclass(frozen=True)
class PnpmSetting:
    """A configuration value pnpm records under the lockfile's `settings:` and compares, as its
    `getOutdatedLockfileSetting` does (pnpm 8.15.9, 9.15.9 and 10.34.9 read)."""

    name: str
    """Key in the lockfile and in pnpm-workspace.yaml (pnpm 10)."""
    npmrc: str
    default: bool | int
    rule: str
    """`recorded`: compared only when the lockfile records a value; `default`: a lockfile without
    one stands for the default; `truthy`: compared as booleans, absent meaning false."""
    since: int
    """The first pnpm major that compares it."""


SETTINGS = (
    PnpmSetting("autoInstallPeers", "auto-install-peers", True, "recorded", 8),
    PnpmSetting("excludeLinksFromLockfile", "exclude-links-from-lockfile", False, "recorded", 8),
    PnpmSetting("peersSuffixMaxLength", "peers-suffix-max-length", 1000, "default", 9),
    PnpmSetting("dedupePeers", "dedupe-peers", False, "truthy", 10),
    PnpmSetting("injectWorkspacePackages", "inject-workspace-packages", False, "truthy", 10),
)


@dataclass(frozen=True)
class PnpmImporter:
    """One workspace project's entry, as pnpm holds it in memory once read (its
    `revertProjectSnapshot`): one `specifiers` map for every section, and per section the
    locked reference of each name (a version, `link:…`, `file:…`)."""

    specifiers: dict[str, str]
    sections: dict[str, dict[str, str]]
    """Section → name → locked reference."""
    line: int
    dependencies_meta: Any = None
    """`dependenciesMeta` as written (None when absent)."""
    publish_directory: Any = None
    """`publishDirectory` as written (None when absent)."""

    def section_of(self, name: str) -> str | None:
        """The section the lockfile records `name` under (the first of SECTIONS that has it)."""
        return next((s for s in SECTIONS if name in self.sections[s]), None)


@dataclass(frozen=True)
class PnpmLock:
    version: str
    importers: dict[str, PnpmImporter]
    """Keyed by the project directory relative to the lockfile (`.` for the root)."""
    overrides: dict[str, str] | None
    settings: dict[str, Any]
    """The `settings:` block as written (`autoInstallPeers`, `excludeLinksFromLockfile`, ...)."""
    catalogs: dict[str, dict[str, str]]
    """`catalogs:` (lockfile v9, pnpm >= 9.5): catalog → alias → the specifier it was locked for;
    only entries some importer uses are recorded."""
    lines: dict[str, int]
    """Line of each top-level block read (`settings`, `catalogs`, `importers`, ...)."""


def _importer(data: Any, where: str, line: int) -> PnpmImporter:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError(f"pnpm-lock.yaml: importer `{where}` is not a mapping")
    legacy = data.get("specifiers") or {}
    if not isinstance(legacy, dict):
        legacy = {}
    specifiers: dict[str, str] = {}
    sections: dict[str, dict[str, str]] = {}
    for section in SECTIONS:
        block = data.get(section) or {}
        if not isinstance(block, dict):
            raise ManifestError(f"pnpm-lock.yaml: `{where}.{section}` is not a mapping")
        sections[section] = {}
        for key, entry in block.items():
            name = str(key)
            # lockfile v5 keeps the version here and the range under `specifiers`
            if isinstance(entry, dict):
                spec, ref = entry.get("specifier"), entry.get("version")
            else:
                spec, ref = legacy.get(name), entry
            spec = "" if spec is None else str(spec)
            if specifiers.get(name, spec) != spec:
                raise ManifestError(
                    f"pnpm-lock.yaml: importer `{where}` lists `{name}` more than once with "
                    f"conflicting specifiers (`{specifiers[name]}`, `{spec}`); pnpm refuses "
                    "such a lockfile: regenerate it with `pnpm install`"
                )
            specifiers[name] = spec
            sections[section][name] = "" if ref is None else str(ref)
    meta, directory = data.get("dependenciesMeta"), data.get("publishDirectory")
    return PnpmImporter(specifiers, sections, line, meta, directory)


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
        section_lines = [key_lines[s] for s in SECTIONS if s in key_lines]
        importers["."] = _importer(data, ".", min(section_lines, default=1))
    return PnpmLock(
        version,
        importers,
        None if overrides is None else {str(k): str(v) for k, v in overrides.items()},
        _mapping(data.get("settings"), "settings", path, key_lines.get("settings", 1)),
        _lock_catalogs(data.get("catalogs"), path, key_lines.get("catalogs", 1)),
        key_lines,
    )


def _mapping(value: Any, where: str, path: str, line: int = 1) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: `{where}` is not a mapping", Span(line, 1, line, 1))
    return {str(k): v for k, v in value.items()}


def _lock_catalogs(raw: Any, path: str, line: int) -> dict[str, dict[str, str]]:
    """`catalogs:` of the lockfile; `line` (the block's) locates errors."""
    out: dict[str, dict[str, str]] = {}
    for name, entries in _mapping(raw, "catalogs", path, line).items():
        out[name] = {}
        for alias, entry in _mapping(entries, f"catalogs.{name}", path, line).items():
            spec = entry.get("specifier") if isinstance(entry, dict) else None
            if spec is None:
                raise ManifestError(
                    f"{path}: `catalogs.{name}.{alias}` has no `specifier`; regenerate the "
                    "lockfile with `pnpm install`",
                    Span(line, 1, line, 1),
                )
            out[name][alias] = str(spec)
    return out


# ---------------------------------------------------------------- what pnpm reads besides


@dataclass(frozen=True)
class PnpmWorkspaceFile:
    """pnpm-workspace.yaml: member globs, catalogs (pnpm >= 9.5) and, read by pnpm 10 only,
    settings such as `autoInstallPeers`."""

    packages: tuple[str, ...]
    catalogs: dict[str, dict[str, str]]
    """`catalog:` is the catalog named `default`; `catalogs:` holds the named ones."""
    settings: dict[str, Any]
    """The SETTINGS keys it sets, as written."""


def _catalog(raw: Any, where: str, path: str) -> dict[str, str]:
    entries = _mapping(raw, where, path)
    for alias, spec in entries.items():
        if not isinstance(spec, str):
            raise ManifestError(f"{path}: `{where}.{alias}` must be a version range string")
    return entries


def parse_pnpm_workspace(text: str, path: str) -> PnpmWorkspaceFile:
    data = load_yaml(text, path) or {}
    if not isinstance(data, dict):
        return PnpmWorkspaceFile((), {}, {})
    packages = data.get("packages")
    catalogs = {
        str(name): _catalog(entries, f"catalogs.{name}", path)
        for name, entries in _mapping(data.get("catalogs"), "catalogs", path).items()
    }
    if data.get("catalog") is not None:
        if "default" in catalogs:
            raise ManifestError(
                f"{path}: the default catalog is defined twice (`catalog:` and "
                "`catalogs.default:`); pnpm refuses this, keep one"
            )
        catalogs["default"] = _catalog(data["catalog"], "catalog", path)
    return PnpmWorkspaceFile(
        tuple(str(p) for p in packages) if isinstance(packages, list) else (),
        catalogs,
        {s.name: data[s.name] for s in SETTINGS if s.name in data},
    )


_NPMRC_LINE = re.compile(r"^\s*([^=\s;#][^=]*?)\s*=\s*(.*?)\s*$")


def _npmrc_value(raw: str) -> str:
    """An ini value as npm's `ini` reads it: quotes removed, else ` ;`/` #` comments cut."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return re.split(r"\s[;#]", raw, maxsplit=1)[0].strip()


def parse_npmrc(text: str, path: str) -> dict[str, bool | int | None]:
    """The SETTINGS an .npmrc sets, typed (booleans, integers); None for a value that refers to
    an environment variable (`${VAR}`), which a static check cannot know. Keys are kebab-case, as
    pnpm reads them (it ignores `autoInstallPeers=` here)."""
    by_key = {s.npmrc: s for s in SETTINGS}
    out: dict[str, bool | int | None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        found = _NPMRC_LINE.match(line)
        if found is None or found.group(1) not in by_key:
            continue
        setting, value = by_key[found.group(1)], _npmrc_value(found.group(2))
        if "${" in value:
            out[setting.name] = None
        elif isinstance(setting.default, bool) and value in ("true", "false"):
            out[setting.name] = value == "true"
        elif not isinstance(setting.default, bool) and value.isdigit():
            out[setting.name] = int(value)
        else:
            kind = "true or false" if isinstance(setting.default, bool) else "a whole number"
            raise ManifestError(
                f"{path}: `{setting.npmrc}` must be {kind}, not {value!r}",
                Span(number, 1, number, len(line) + 1),
            )
    return out


def _same(a: Any, b: Any) -> bool:
    """JavaScript `===` on YAML scalars: `true` is not `1`."""
    return type(a) is type(b) and a == b


def outdated_settings(
    recorded: dict[str, Any], configured: dict[str, Any], major: int
) -> list[tuple[PnpmSetting, Any, Any]]:
    """(setting, configured value, recorded value or None) for each setting pnpm `major` would
    refuse the lockfile for; `configured` maps setting names to values: a missing name means
    pnpm's default, None a value only the environment knows (not compared)."""
    out: list[tuple[PnpmSetting, Any, Any]] = []
    for setting in SETTINGS:
        if setting.since > major or (
            setting.name in configured and configured[setting.name] is None
        ):
            continue
        mine = configured.get(setting.name, setting.default)
        theirs = recorded.get(setting.name)
        if setting.rule == "truthy":
            stale = bool(theirs) != bool(mine)
        elif theirs is None:
            stale = setting.rule == "default" and not _same(mine, setting.default)
        else:
            stale = not _same(theirs, mine)
        if stale:
            out.append((setting, mine, theirs))
    return out


def outdated_catalogs(
    configured: dict[str, dict[str, str]], recorded: dict[str, dict[str, str]]
) -> list[tuple[str, str, str | None, str]]:
    """(catalog, alias, configured specifier or None, recorded specifier) for each lockfile
    catalog entry the configuration no longer gives (pnpm's `allCatalogsAreUpToDate`: entries
    only in the configuration are not compared, no importer uses them)."""
    return [
        (name, alias, configured.get(name, {}).get(alias), spec)
        for name, entries in sorted(recorded.items())
        for alias, spec in sorted(entries.items())
        if configured.get(name, {}).get(alias) != spec
    ]
