"""Configuration: discovery, validation and the embedded Ameide default (DESIGN.md, Configuration).

Every key a user writes is checked; an unknown key, a bad pattern or a bad value raises
`ConfigError`, whose message names the file, the key and what is allowed, so the CLI can print one
line and exit 2. Keys the user leaves out take the embedded default, key by key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ameide_guard.codes import resolve_rule_id, rule_metas
from ameide_guard.config.project import CONFIG_FILES, tool_table
from ameide_guard.errors import ConfigError, PatternError
from ameide_guard.formats import toml
from ameide_guard.formats.globs import validate_module_pattern, validate_path_pattern
from ameide_guard.formats.reading import TOO_MANY_DIGITS, too_many_digits
from ameide_guard.model import Level
from ameide_guard.settings import ECOSYSTEMS, Config, RuleSetting

EMBEDDED = "<embedded Ameide default>"
ZONE_KEYS = ("proto", "sdk", "test")
MAX_PATTERNS = 2_000


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the file ({exc.strerror or exc})") from None
    try:
        return toml.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8 text (byte {exc.start})") from None
    except toml.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from None
    except ValueError as exc:
        if not too_many_digits(exc):
            raise
        raise ConfigError(str(path), "", TOO_MANY_DIGITS) from None


def embedded_default() -> dict[str, Any]:
    text = resources.files("ameide_guard").joinpath("default_config.toml").read_text("utf-8")
    return toml.loads(text)


def find_config(root: Path, explicit: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The first config DESIGN.md's discovery order finds: (its name, its table)."""
    if explicit is not None:
        data = _load_toml(explicit)
        if explicit.name == "pyproject.toml":
            return str(explicit), tool_table(data) or {}
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


def _ecosystem_patterns(
    reader: _Reader, user: dict[str, Any], default: dict[str, Any], key: str, keys: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    reader.table(user, key, keys)
    return {
        eco: reader.patterns(user.get(eco, default.get(eco, [])), f"{key}.{eco}", "module")
        for eco in keys
    }


def _rule_settings(reader: _Reader, user: Any) -> dict[str, RuleSetting]:
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
    # Validated in the order the keys are documented, so the first error reported is the same
    # whatever else is wrong.
    exclude = reader.patterns(user.get("exclude", default["exclude"]), "exclude", "path")
    zones_user = reader.table(user.get("zones"), "zones", ZONE_KEYS)
    zones = {
        z: reader.patterns(zones_user.get(z, default["zones"][z]), f"zones.{z}", "path")
        for z in ZONE_KEYS
    }
    generated = _generated(reader, user, default["generated"])
    config = Config(
        source=source,
        exclude=exclude,
        zones=zones,
        generated=generated["generated"],
        generated_allow=generated["allow"],
        proto_package=generated["proto-package"],
        sdk_internal=generated["sdk-internal"],
        sdk_packages=_sdk_packages(reader, user, default["sdk-packages"]),
        rules=_rule_settings(reader, user.get("rules")),
        per_file_ignores=_per_file_ignores(reader, user.get("per-file-ignores", {})),
    )
    return _with_digest(config)


def _generated(
    reader: _Reader, user: dict[str, Any], default: dict[str, Any]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """The `[generated]` table: generated-code patterns per ecosystem and the `allow`,
    `proto-package` and `sdk-internal` tables, each keyed by ecosystem."""
    gen_keys = ("go", "npm", "python", "pypi", "allow", "proto-package", "sdk-internal")
    gen_user = reader.table(user.get("generated"), "generated", gen_keys)
    every = ("go", "npm", "python", "pypi")
    return {
        "generated": {
            eco: reader.patterns(gen_user.get(eco, default[eco]), f"generated.{eco}", "module")
            for eco in every
        },
        "allow": _ecosystem_patterns(
            reader, gen_user.get("allow", default["allow"]), {}, "generated.allow", every
        ),
        **{
            key: _ecosystem_patterns(
                reader, gen_user.get(key, {}), default[key], f"generated.{key}", ECOSYSTEMS
            )
            for key in ("proto-package", "sdk-internal")
        },
    }


def _sdk_packages(reader: _Reader, user: dict[str, Any], default: dict[str, Any]) -> dict[str, str]:
    sdk_user = reader.table(user.get("sdk-packages"), "sdk-packages", ECOSYSTEMS)
    sdk_packages: dict[str, str] = {}
    for eco in ECOSYSTEMS:
        value = sdk_user.get(eco, default[eco])
        if not isinstance(value, str) or not value:
            raise reader.fail(f"sdk-packages.{eco}", "must be a non-empty package name")
        sdk_packages[eco] = value
    return sdk_packages


def _per_file_ignores(reader: _Reader, per_file: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(per_file, dict):
        raise reader.fail("per-file-ignores", "must be a table of pattern = [rule ids]")
    per_file_ignores: dict[str, tuple[str, ...]] = {}
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
    return per_file_ignores


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
