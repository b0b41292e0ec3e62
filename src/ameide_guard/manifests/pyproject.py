"""pyproject.toml: every dependency, source and package index, each with the line it is on.

`parse_pyproject(text, path) -> Pyproject` (for `RepoView.document`) reads the file with tomllib
(its values are authoritative; a syntax error is a `ManifestError` at tomllib's line) and
`formats.tomlpos.toml_spans` to find where each value is, since tomllib keeps no positions. It
offers:

* `dependencies`: one `PyDependency` per entry of PEP 621 `project.dependencies` and
  `project.optional-dependencies.<extra>`, PEP 735 `dependency-groups.<group>` (`include-group`
  entries are not dependencies and are skipped), `[tool.uv]` `dev-dependencies`,
  `override-dependencies` and `constraint-dependencies`, and `[tool.poetry]` `dependencies`,
  `dev-dependencies` and `group.<group>.dependencies` (poetry's `python` entry is not a package).
  `section` names where it came from (`project.optional-dependencies.grpc`). PEP 508 strings carry
  their parse in `requirement`; poetry tables carry `source` when they do not come from an index
  (`path`, `git`, `url`, `develop = true`);
* `sources`: `[tool.uv.sources]` entries (one per source when a package lists several), each a
  `PySource(name, kind, location, editable)` with kind `path`, `git`, `url`, `workspace` or
  `index`;
* `indexes`: package index URLs from `[[tool.uv.index]]`, `[tool.uv]` / `[tool.uv.pip]`
  `index-url` / `extra-index-url` / `find-links`, and `[[tool.poetry.source]]`;
* `name` (PEP 621 or poetry) and `data`, the whole tomllib document.

A value of the wrong type where a dependency must be (a number in `dependencies`, a table where
poetry expects a constraint or table) or a PEP 508 string that does not parse is a
`ManifestError` at its line: uv, pip and poetry reject such a file too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.formats.toml import load_toml
from ameide_guard.formats.tomlpos import span_of, toml_spans
from ameide_guard.manifests.requirements import Requirement, normalise_name, parse_requirement
from ameide_guard.model import Span

# --------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class PySource:
    """Where a package comes from when not from an index, or which index it must come from."""

    name: str
    """Normalised package name ("" for a poetry table's own source)."""
    kind: str
    """`path`, `git`, `url`, `workspace` or `index`."""
    location: str
    editable: bool
    span: Span
    section: str = "tool.uv.sources"


@dataclass(frozen=True)
class PyDependency:
    name: str
    """Normalised (PEP 503)."""
    section: str
    text: str
    """The PEP 508 string, or poetry's constraint string (its table's `version` for a table)."""
    span: Span
    requirement: Requirement | None = None
    source: PySource | None = None
    """Poetry: the table's `path`/`git`/`url` (editable for `develop = true`)."""


@dataclass(frozen=True)
class PackageIndex:
    url: str
    section: str
    span: Span
    name: str | None = None


@dataclass(frozen=True)
class Pyproject:
    path: str
    name: str | None
    dependencies: tuple[PyDependency, ...]
    sources: tuple[PySource, ...]
    indexes: tuple[PackageIndex, ...]
    data: Mapping[str, Any]

    def section(self, name: str) -> tuple[PyDependency, ...]:
        """The dependencies of one section, e.g. `project.dependencies`."""
        return tuple(d for d in self.dependencies if d.section == name)


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Reader:
    path: str
    data: dict[str, Any]
    spans: dict[tuple[Any, ...], Span]

    def at(self, where: tuple[Any, ...]) -> Span:
        return span_of(self.spans, where)

    def get(self, where: tuple[Any, ...]) -> Any:
        """The value at `where` in the document, or None where the path does not exist."""
        node: Any = self.data
        for part in where:
            if not isinstance(node, dict | list):
                return None
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def fail(self, where: tuple[Any, ...], problem: str) -> ManifestError:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where)[1:]
        return ManifestError(f"{self.path}: `{dotted}` {problem}", self.at(where))

    def table(self, where: tuple[Any, ...]) -> dict[str, Any]:
        value = self.get(where)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, "must be a table")
        return value

    def pep508_list(self, where: tuple[Any, ...]) -> Iterator[PyDependency]:
        value = self.get(where)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.fail(where, "must be an array of requirement strings")
        section = ".".join(str(p) for p in where)
        for n, item in enumerate(value):
            here = (*where, n)
            if isinstance(item, dict) and "include-group" in item:
                continue
            if not isinstance(item, str):
                raise self.fail(here, "must be a PEP 508 requirement string such as `pkg>=1.0`")
            requirement = parse_requirement(item)
            if requirement is None:
                raise self.fail(here, f"is not a valid PEP 508 requirement: {item!r}")
            yield PyDependency(requirement.name, section, item, self.at(here), requirement)

    def poetry_table(self, where: tuple[Any, ...]) -> Iterator[PyDependency]:
        section = ".".join(str(p) for p in where)
        for raw_name, value in self.table(where).items():
            if where[-1] == "dependencies" and raw_name == "python":
                continue
            name = normalise_name(raw_name)
            here = (*where, raw_name)
            items = value if isinstance(value, list) else [value]
            for n, item in enumerate(items):
                at = (*here, n) if isinstance(value, list) else here
                if isinstance(item, str):
                    yield PyDependency(name, section, item, self.at(at))
                elif isinstance(item, dict):
                    source = _poetry_source(name, item, self.at(at), section)
                    version = item.get("version")
                    text = version if isinstance(version, str) else ""
                    yield PyDependency(name, section, text, self.at(at), source=source)
                else:
                    raise self.fail(at, "must be a version constraint string or a table")

    def uv_sources(self) -> Iterator[PySource]:
        where = ("tool", "uv", "sources")
        for raw_name, value in self.table(where).items():
            items = value if isinstance(value, list) else [value]
            for n, item in enumerate(items):
                at = (*where, raw_name, n) if isinstance(value, list) else (*where, raw_name)
                if not isinstance(item, dict):
                    raise self.fail(at, 'must be a table such as `{ index = "pypi" }`')
                kind = next((k for k in _SOURCE_KINDS if k in item), "")
                span = self.at((*at, kind) if (*at, kind) in self.spans else at)
                found = _source_of(normalise_name(raw_name), item, span, "tool.uv.sources")
                if found is None:
                    raise self.fail(at, "names no `path`, `git`, `url`, `workspace` or `index`")
                yield found

    def indexes(self) -> Iterator[PackageIndex]:
        for where, key in (
            (("tool", "uv", "index"), "url"),
            (("tool", "poetry", "source"), "url"),
        ):
            value = self.get(where)
            if value is None:
                continue
            if not isinstance(value, list):
                raise self.fail(where, "must be an array of tables (`[[...]]`)")
            for n, table in enumerate(value):
                if isinstance(table, dict) and isinstance(table.get(key), str):
                    name = table.get("name")
                    yield PackageIndex(
                        table[key],
                        ".".join(where),
                        self.at((*where, n, key)),
                        name if isinstance(name, str) else None,
                    )
        for base in (("tool", "uv"), ("tool", "uv", "pip")):
            for key in ("index-url", "extra-index-url", "find-links"):
                value = self.get((*base, key))
                urls = [value] if isinstance(value, str) else value or []
                if not isinstance(urls, list):
                    continue
                for n, url in enumerate(urls):
                    if isinstance(url, str):
                        at = (*base, key) if isinstance(value, str) else (*base, key, n)
                        yield PackageIndex(url, ".".join((*base, key)), self.at(at))


_SOURCE_KINDS = ("path", "git", "url", "workspace", "index")


def _source_of(name: str, table: Mapping[str, Any], span: Span, section: str) -> PySource | None:
    for kind in _SOURCE_KINDS:
        value = table.get(kind)
        if value is None or value is False:
            continue
        editable = bool(table.get("editable") or table.get("develop"))
        return PySource(
            name, kind, str(value) if value is not True else "", editable, span, section
        )
    return None


def _poetry_source(
    name: str, table: Mapping[str, Any], span: Span, section: str
) -> PySource | None:
    """A poetry dependency table's non-index origin (`source = "x"` names an index)."""
    found = _source_of(name, {k: v for k, v in table.items() if k != "index"}, span, section)
    if found is None and isinstance(table.get("source"), str):
        return PySource(name, "index", table["source"], False, span, section)
    return found


def _dependencies(reader: _Reader) -> Iterator[PyDependency]:
    yield from reader.pep508_list(("project", "dependencies"))
    for extra in reader.table(("project", "optional-dependencies")):
        yield from reader.pep508_list(("project", "optional-dependencies", extra))
    for group in reader.table(("dependency-groups",)):
        yield from reader.pep508_list(("dependency-groups", group))
    for key in ("dev-dependencies", "override-dependencies", "constraint-dependencies"):
        yield from reader.pep508_list(("tool", "uv", key))
    yield from reader.poetry_table(("tool", "poetry", "dependencies"))
    yield from reader.poetry_table(("tool", "poetry", "dev-dependencies"))
    for group in reader.table(("tool", "poetry", "group")):
        yield from reader.poetry_table(("tool", "poetry", "group", group, "dependencies"))


def parse_pyproject(text: str, path: str) -> Pyproject:
    """Read a pyproject.toml (see the module docstring)."""
    data = load_toml(text, path)
    reader = _Reader(path, data, toml_spans(text))
    name = reader.get(("project", "name")) or reader.get(("tool", "poetry", "name"))
    return Pyproject(
        path=path,
        name=name if isinstance(name, str) else None,
        dependencies=tuple(_dependencies(reader)),
        sources=tuple(reader.uv_sources()),
        indexes=tuple(reader.indexes()),
        data=data,
    )
