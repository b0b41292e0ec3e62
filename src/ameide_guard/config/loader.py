"""Configuration: discovery, validation and the embedded Ameide default (DESIGN.md, Configuration).

Every key a user writes is checked; an unknown key, a bad pattern or a bad value raises
`ConfigError`, whose message names the file, the key and what is allowed, so the CLI can print one
line and exit 2. Keys the user leaves out take the embedded default, key by key.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ameide_guard.config.project import CONFIG_FILES, tool_table
from ameide_guard.formats.globs import PatternError, validate_module_pattern
from ameide_guard.model import TOO_MANY_DIGITS, Level, too_many_digits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

EMBEDDED = "<embedded Ameide default>"
ECOSYSTEMS = ("go", "npm", "python")
ZONE_KEYS = ("proto", "sdk", "test")
MAX_PATTERNS = 2_000
MAX_DEEP_WILDCARDS = 2
"""Path patterns: at most this many `**` (with the implied leading one), which bounds matching
to O(depth**2) per path."""
MAX_SEGMENT_WILDCARDS = 3
"""Path patterns: at most this many `*` within one path segment (O(len(name)**3) per name)."""


class ConfigError(Exception):
    """A configuration problem, phrased for one line on stderr."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source, self.key, self.problem = source, key, problem
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {problem}" if key else f"{where}{problem}")


@dataclass(frozen=True)
class RuleSetting:
    """A rule's effective level (None: off) and its options, defaults filled in."""

    level: Level | None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    source: str
    exclude: tuple[str, ...]
    zones: Mapping[str, tuple[str, ...]]
    generated: Mapping[str, tuple[str, ...]]
    generated_allow: Mapping[str, tuple[str, ...]]
    proto_package: Mapping[str, tuple[str, ...]]
    sdk_internal: Mapping[str, tuple[str, ...]]
    sdk_packages: Mapping[str, str]
    rules: Mapping[str, RuleSetting]
    per_file_ignores: Mapping[str, tuple[str, ...]]
    digest: str = ""

    def rule(self, rule_id: str) -> RuleSetting:
        return self.rules[rule_id]


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the file ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from None
    except ValueError as exc:
        if not too_many_digits(exc):
            raise
        raise ConfigError(str(path), "", TOO_MANY_DIGITS) from None


def embedded_default() -> dict[str, Any]:
    text = resources.files("ameide_guard").joinpath("default_config.toml").read_text("utf-8")
    return tomllib.loads(text)


def find_config(root: Path, explicit: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The first config DESIGN.md's discovery order finds: (its name, its table)."""
    if explicit is not None:
        data = _load_toml(explicit)
        if explicit.name == "pyproject.toml":
            return str(explicit), tool_table(data)
        return str(explicit), data
    for name in CONFIG_FILES:
        candidate = root / name
        if candidate.is_file():
            return name, _load_toml(candidate)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = tool_table(_load_toml(pyproject))
        if table is not None:
            return "pyproject.toml", table
    return EMBEDDED, {}


class _Reader:
    """Walks a user table, checking keys and types; `source` and dotted keys go into errors."""

    def __init__(self, source: str, prefix: str) -> None:
        self.source, self.prefix = source, prefix

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.source, f"{self.prefix}{key}", problem)

    def table(self, data: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self.fail(key, "must be a table")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            where = f"{key}.{unknown[0]}" if key else unknown[0]
            raise self.fail(where, f"unknown key; allowed: {', '.join(allowed)}")
        return data

    def patterns(self, data: Any, key: str, kind: str) -> tuple[str, ...]:
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            raise self.fail(key, "must be a list of strings")
        if len(data) > MAX_PATTERNS:
            raise self.fail(key, f"at most {MAX_PATTERNS} patterns")
        for item in data:
            try:
                if kind == "path":
                    validate_path_pattern(item)
                else:
                    validate_module_pattern(item)
            except PatternError as exc:
                raise self.fail(key, f"bad pattern {item!r}: {exc}") from None
        return tuple(data)


def validate_path_pattern(pattern: str) -> None:
    """Reject gitignore-style patterns pathspec cannot compile, and absurd ones."""
    import pathspec

    if not pattern.strip():
        raise PatternError("patterns must be non-empty")
    if len(pattern) > 1024:
        raise PatternError("pattern longer than 1024 characters")
    if pattern.count("*") > 16:
        raise PatternError("more than 16 `*` wildcards")
    # pathspec compiles `*` to `[^/]*` and `**` to `.*`-like runs, which backtrack polynomially
    # (n**k) on a hostile path: six `*` in one segment took 7 s on one 120-character file name.
    body = pattern.lstrip("!").rstrip("/")
    segments = body.strip("/").split("/")
    deep = segments.count("**") + (0 if "/" in body else 1)  # no `/`: an implied leading `**/`
    if deep > MAX_DEEP_WILDCARDS:
        raise PatternError(
            f"more than {MAX_DEEP_WILDCARDS} `**` (a pattern without `/` starts with an "
            "implied `**/`); match each directory level with its own pattern instead"
        )
    if max((s.count("*") for s in segments if s != "**"), default=0) > MAX_SEGMENT_WILDCARDS:
        raise PatternError(f"more than {MAX_SEGMENT_WILDCARDS} `*` in one path segment")
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except (re.error, ValueError, TypeError) as exc:
        raise PatternError(str(exc)) from None


def _ecosystem_patterns(
    reader: _Reader, user: dict[str, Any], default: dict[str, Any], key: str, keys: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    reader.table(user, key, keys)
    return {
        eco: reader.patterns(user.get(eco, default.get(eco, [])), f"{key}.{eco}", "module")
        for eco in keys
    }


def _rule_settings(reader: _Reader, user: Any) -> dict[str, RuleSetting]:
    from ameide_guard.rule import resolve_rule_id, rule_metas

    metas = {m.id: m for m in rule_metas()}
    given: dict[str, Any] = {}
    if user is not None and not isinstance(user, dict):
        raise reader.fail("rules", "must be a table of rule ids or slugs")
    for name, value in (user or {}).items():
        rule_id = resolve_rule_id(name)
        if rule_id is None:
            raise reader.fail(f"rules.{name}", "unknown rule; run `ameide-guard rules` for the ids")
        given[rule_id] = value
    settings: dict[str, RuleSetting] = {}
    levels = ("error", "warning", "note", "off")
    for rule_id, meta in metas.items():
        value = given.get(rule_id)
        level: Level | None = meta.default_level
        options = {name: spec.default for name, spec in meta.options.items()}
        key = f"rules.{rule_id}"
        if isinstance(value, str):
            table: dict[str, Any] = {"level": value}
        elif isinstance(value, dict):
            table = value
        elif value is None:
            table = {}
        else:
            raise reader.fail(key, "must be a level (error, warning, note, off) or a table")
        allowed = ("level", *meta.options)
        for opt, opt_value in table.items():
            if opt not in allowed:
                raise reader.fail(f"{key}.{opt}", f"unknown option; allowed: {', '.join(allowed)}")
            if opt == "level":
                if opt_value not in levels:
                    raise reader.fail(f"{key}.level", f"allowed: {', '.join(levels)}")
                level = None if opt_value == "off" else Level.parse(opt_value)
                continue
            spec = meta.options[opt]
            if not spec.check(opt_value):
                raise reader.fail(f"{key}.{opt}", f"allowed: {spec.allowed}")
            options[opt] = tuple(opt_value) if isinstance(opt_value, list) else opt_value
        settings[rule_id] = RuleSetting(level, options)
    return settings


def build_config(source: str, user: dict[str, Any]) -> Config:
    """Validate `user` (a `[tool.ameide-guard]` table) over the embedded default."""
    default = embedded_default()
    prefix = "tool.ameide-guard." if source.endswith("pyproject.toml") else ""
    reader = _Reader(source, prefix)
    top_keys = ("exclude", "zones", "generated", "sdk-packages", "rules", "per-file-ignores")
    reader.table(user, "", top_keys)

    exclude = reader.patterns(user.get("exclude", default["exclude"]), "exclude", "path")
    zones_user = reader.table(user.get("zones"), "zones", ZONE_KEYS)
    zones = {
        z: reader.patterns(zones_user.get(z, default["zones"][z]), f"zones.{z}", "path")
        for z in ZONE_KEYS
    }
    gen_keys = ("go", "npm", "python", "pypi", "allow", "proto-package", "sdk-internal")
    gen_user = reader.table(user.get("generated"), "generated", gen_keys)
    gen_default = default["generated"]
    generated = {
        eco: reader.patterns(gen_user.get(eco, gen_default[eco]), f"generated.{eco}", "module")
        for eco in ("go", "npm", "python", "pypi")
    }
    allow = _ecosystem_patterns(
        reader,
        gen_user.get("allow", gen_default["allow"]),
        {},
        "generated.allow",
        ("go", "npm", "python", "pypi"),
    )
    proto_package = _ecosystem_patterns(
        reader,
        gen_user.get("proto-package", {}),
        gen_default["proto-package"],
        "generated.proto-package",
        ECOSYSTEMS,
    )
    sdk_internal = _ecosystem_patterns(
        reader,
        gen_user.get("sdk-internal", {}),
        gen_default["sdk-internal"],
        "generated.sdk-internal",
        ECOSYSTEMS,
    )
    sdk_user = reader.table(user.get("sdk-packages"), "sdk-packages", ECOSYSTEMS)
    sdk_packages: dict[str, str] = {}
    for eco in ECOSYSTEMS:
        value = sdk_user.get(eco, default["sdk-packages"][eco])
        if not isinstance(value, str) or not value:
            raise reader.fail(f"sdk-packages.{eco}", "must be a non-empty package name")
        sdk_packages[eco] = value

    rules = _rule_settings(reader, user.get("rules"))
    per_file = user.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise reader.fail("per-file-ignores", "must be a table of pattern = [rule ids]")
    per_file_ignores: dict[str, tuple[str, ...]] = {}
    from ameide_guard.rule import resolve_rule_id

    for pattern, ids in per_file.items():
        key = f"per-file-ignores.{pattern!r}"
        try:
            validate_path_pattern(pattern)
        except PatternError as exc:
            raise reader.fail(key, f"bad pattern: {exc}") from None
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise reader.fail(key, "must be a list of rule ids or slugs")
        resolved = []
        for name in ids:
            rule_id = resolve_rule_id(name)
            if rule_id is None:
                raise reader.fail(key, f"unknown rule {name!r}; run `ameide-guard rules`")
            resolved.append(rule_id)
        per_file_ignores[pattern] = tuple(resolved)

    config = Config(
        source=source,
        exclude=exclude,
        zones=zones,
        generated=generated,
        generated_allow=allow,
        proto_package=proto_package,
        sdk_internal=sdk_internal,
        sdk_packages=sdk_packages,
        rules=rules,
        per_file_ignores=per_file_ignores,
    )
    return _with_digest(config)


def _with_digest(config: Config) -> Config:
    """Stamp the config with a digest of its effective content (the cache keys on it)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in sorted(value.items())}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, RuleSetting):
            return [value.level.label if value.level else "off", plain(value.options)]
        return value

    fields = {k: plain(v) for k, v in vars(config).items() if k not in ("source", "digest")}
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]
    return Config(**{**vars(config), "digest": digest})


def load_config(root: Path, explicit: Path | None = None) -> Config:
    source, user = find_config(root, explicit)
    return build_config(source, user)
