"""package.json: the dependency entries of every section, each with the span of its line.

`parse_package_json(text, path) -> PackageJson` (for `RepoView.document`) reads the file strictly
(`jsonpos`, as `JSON.parse` does) and offers:

* `name` (None if absent) and `workspaces` (the array form or `{"packages": [...]}` of yarn 1);
* `sections[section][name] -> NpmEntry(name, spec, span, section)` for `dependencies`,
  `devDependencies`, `peerDependencies` and `optionalDependencies`, in file order, and
  `specs(section) -> {name: spec}` for code that only compares ranges (the lockfile rules);
* `overrides`: npm `overrides` (nested objects flattened; an entry's `parents` says under which
  package it applies, `"."` values become the entry of the parent itself), yarn `resolutions`
  and `pnpm.overrides`, each an `NpmEntry` whose `name` is the package the override targets
  (`**/@buf/x@1` → `@buf/x`) and whose `key` is the selector as written;
* `entries()`: every entry of every section and override, for rules that check them all;
* `data`: the whole document (`jsonpos` objects, i.e. plain dicts) for anything else.

A section that is not an object, or a dependency whose version is not a string, is an error
(`ManifestError` at its line): npm, pnpm and yarn refuse such a manifest too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.formats.jsonpos import JsonObject, parse_json
from ameide_guard.model import Span

DEPENDENCY_SECTIONS = (
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
)
OVERRIDE_SECTIONS = ("overrides", "resolutions", "pnpm.overrides")
MAX_OVERRIDE_DEPTH = 32


@dataclass(frozen=True)
class NpmEntry:
    """One `"name": "spec"` entry.

    For overrides, `name` is the package the entry targets, `key` the selector as written
    (`foo@1>bar`, `**/bar`), and `parents` the npm override objects it is nested in."""

    name: str
    spec: str
    span: Span
    section: str
    key: str = ""
    parents: tuple[str, ...] = ()

    @property
    def alias_target(self) -> str | None:
        """For an `npm:name@range` alias, the aliased package's name."""
        return alias_target(self.spec)


@dataclass(frozen=True)
class PackageJson:
    path: str
    name: str | None
    sections: Mapping[str, Mapping[str, NpmEntry]]
    overrides: tuple[NpmEntry, ...]
    workspaces: tuple[str, ...]
    data: Mapping[str, Any]

    def specs(self, section: str) -> dict[str, str]:
        """`{name: spec}` of one dependency section (empty if absent)."""
        return {name: e.spec for name, e in self.sections.get(section, {}).items()}

    @property
    def has_dependencies(self) -> bool:
        return any(self.sections.values())

    def entries(self) -> Iterator[NpmEntry]:
        """Every dependency and override entry, sections in `DEPENDENCY_SECTIONS` order."""
        for section in DEPENDENCY_SECTIONS:
            yield from self.sections.get(section, {}).values()
        yield from self.overrides


def alias_target(spec: str) -> str | None:
    """`npm:@scope/pkg@^1` → `@scope/pkg`; None for anything but an npm alias."""
    if not spec.startswith("npm:"):
        return None
    return split_name_range(spec[4:])[0] or None


def alias_range(spec: str) -> str:
    """`npm:@scope/pkg@^1` → `^1` (`` when the alias names no range)."""
    return split_name_range(spec[4:])[1] if spec.startswith("npm:") else spec


def split_name_range(text: str) -> tuple[str, str]:
    """`@scope/name@range` / `name@range` → (name, range); a leading `@` is the scope's."""
    at = text.find("@", 1)
    return (text, "") if at < 0 else (text[:at], text[at + 1 :])


def override_target(key: str, section: str) -> str:
    """The package an override selector applies to.

    pnpm `a@1>b@2` targets `b`; yarn `**/a/@s/b` and `a/b` target the last package of the path;
    npm keys are `name` or `name@range`."""
    if section == "pnpm.overrides":
        key = key.rsplit(">", 1)[-1]
    elif section == "resolutions":
        parts = [p for p in key.split("/") if p and p != "**"]
        if len(parts) >= 2 and parts[-2].startswith("@"):
            key = f"{parts[-2]}/{parts[-1]}"
        elif parts:
            key = parts[-1]
    return split_name_range(key.strip())[0]


def _object(doc: JsonObject, key: str, path: str, label: str) -> JsonObject | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, JsonObject):
        raise ManifestError(
            f"{path}: `{label}` must be an object of package names to versions, "
            f"not {type(value).__name__}",
            doc.entry_span(key),
        )
    return value


def _spec(block: JsonObject, key: str, path: str, label: str) -> str:
    value = block[key]
    if not isinstance(value, str):
        raise ManifestError(
            f"{path}: `{label}` entry `{key}` must be a version string, "
            f'not {json_type(value)}; write e.g. "^1.0.0"',
            block.entry_span(key),
        )
    return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "an object" if isinstance(value, dict) else "an array"
    )


def _npm_overrides(
    block: JsonObject, path: str, parents: tuple[str, ...] = ()
) -> Iterator[NpmEntry]:
    """npm overrides: `"pkg": "spec"`, or `"pkg": {".": "spec", "child": ...}` nested."""
    if len(parents) > MAX_OVERRIDE_DEPTH:
        raise ManifestError(f"{path}: `overrides` nested too deep", block.span)
    for key, value in block.items():
        if key == "." and parents:
            continue  # the parent's own version: yielded with the parent
        label = "overrides" + "".join(f".{p}" for p in parents)
        if isinstance(value, JsonObject):
            if "." in value:
                spec = _spec(value, ".", path, f"{label}.{key}")
                yield NpmEntry(
                    override_target(key, "overrides"),
                    spec,
                    value.entry_span("."),
                    "overrides",
                    key,
                    parents,
                )
            yield from _npm_overrides(value, path, (*parents, key))
        else:
            yield NpmEntry(
                override_target(key, "overrides"),
                _spec(block, key, path, label),
                block.entry_span(key),
                "overrides",
                key,
                parents,
            )


def _flat_overrides(block: JsonObject, path: str, section: str) -> Iterator[NpmEntry]:
    for key in block:
        yield NpmEntry(
            override_target(key, section),
            _spec(block, key, path, section),
            block.entry_span(key),
            section,
            key,
        )


def _workspaces(doc: JsonObject, path: str) -> tuple[str, ...]:
    value = doc.get("workspaces")
    if isinstance(value, dict):
        value = value.get("packages")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise ManifestError(
            f'{path}: `workspaces` must be an array of globs or {{"packages": [...]}}',
            doc.entry_span("workspaces"),
        )
    return tuple(value)


def parse_package_json(text: str, path: str) -> PackageJson:
    """Read a package.json (see the module docstring); `ManifestError` for what npm rejects."""
    doc = parse_json(text, path)
    if not isinstance(doc, JsonObject):
        raise ManifestError(f"{path}: a package.json must hold a JSON object", Span(1, 1, 1, 2))
    sections: dict[str, dict[str, NpmEntry]] = {}
    for section in DEPENDENCY_SECTIONS:
        block = _object(doc, section, path, section)
        if block is not None:
            sections[section] = {
                key: NpmEntry(key, _spec(block, key, path, section), block.entry_span(key), section)
                for key in block
            }
    overrides: list[NpmEntry] = []
    npm = _object(doc, "overrides", path, "overrides")
    if npm is not None:
        overrides.extend(_npm_overrides(npm, path))
    yarn = _object(doc, "resolutions", path, "resolutions")
    if yarn is not None:
        overrides.extend(_flat_overrides(yarn, path, "resolutions"))
    pnpm = _object(doc, "pnpm", path, "pnpm")
    pnpm_overrides = _object(pnpm, "overrides", path, "pnpm.overrides") if pnpm else None
    if pnpm_overrides is not None:
        overrides.extend(_flat_overrides(pnpm_overrides, path, "pnpm.overrides"))
    name = doc.get("name")
    return PackageJson(
        path=path,
        name=name if isinstance(name, str) else None,
        sections=sections,
        overrides=tuple(overrides),
        workspaces=_workspaces(doc, path),
        data=doc,
    )
