"""pyproject.toml: every dependency, source and package index, each with the line it is on.

`parse_pyproject(text, path) -> Pyproject` (for `RepoView.document`) reads the file with tomllib
(its values are authoritative; a syntax error is a `ManifestError` at tomllib's line) and
`toml_spans` (below) to find where each value is, since tomllib keeps no positions. It offers:

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

import bisect
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ameide_guard.manifests.requirements import Requirement, normalise_name, parse_requirement
from ameide_guard.model import Span
from ameide_guard.scan.repo import ManifestError, reader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


# --------------------------------------------------------------------------------------------
# Where each value is: a tokenizer that follows TOML's structure just far enough.

_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_ML_BASIC = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*""""{0,2}')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_LITERAL = re.compile(r"'''[\s\S]*?'''(?!''')'{0,2}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
)
_SCALAR = re.compile(r"[A-Za-z0-9_+\-.:]+")
_SPACE = re.compile(r"[ \t]*")
_FILLER = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
MAX_TOML_DEPTH = 256


class _Locator:
    """Records `path → Span` for every key/value pair, array item and table header.

    Paths are tuples of keys and array indices as tomllib's data is indexed (`("project",
    "dependencies", 2)`); an array-of-tables element is its index under the array's path. The
    span of a pair runs from its key to the end of its value, so a finding points at the line
    of the entry even inside a multi-line array or an inline table."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.spans: dict[tuple[Any, ...], Span] = {}
        self.aot: dict[tuple[Any, ...], int] = {}

    def span(self, start: int, end: int) -> Span:
        l1 = bisect.bisect_right(self.starts, start)
        l2 = bisect.bisect_right(self.starts, max(start, end - 1))
        end_col = end - self.starts[l2 - 1] + 1
        return Span(l1, start - self.starts[l1 - 1] + 1, l2, end_col)

    def record(self, path: tuple[Any, ...], start: int, end: int) -> None:
        self.spans.setdefault(path, self.span(start, end))

    def key(self, i: int) -> tuple[list[str], int]:
        """A dotted key at `i`: its parts (quoted ones decoded) and the index after it."""
        parts: list[str] = []
        text = self.text
        while True:
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            found = _BASIC.match(text, i) or _LITERAL.match(text, i) or _BARE_KEY.match(text, i)
            if found is None:
                raise ValueError(i)
            token = found.group()
            parts.append(_decode_key(token))
            i = _SPACE.match(text, found.end()).end()  # type: ignore[union-attr]
            if i < len(text) and text[i] == ".":
                i += 1
                continue
            return parts, i

    def value(self, i: int, path: tuple[Any, ...], depth: int) -> int:
        """Skip the value at `i`, recording the spans inside it; the index after it."""
        if depth > MAX_TOML_DEPTH:
            raise ValueError(i)
        text = self.text
        char = text[i] if i < len(text) else ""
        if char == "[":
            index, i = 0, i + 1
            while True:
                i = _FILLER.match(text, i).end()  # type: ignore[union-attr]
                if i >= len(text) or text[i] == "]":
                    return i + 1
                end = self.value(i, (*path, index), depth + 1)
                self.record((*path, index), i, end)
                index += 1
                i = _FILLER.match(text, end).end()  # type: ignore[union-attr]
                if i < len(text) and text[i] == ",":
                    i += 1
        if char == "{":
            i += 1
            while True:
                i = _FILLER.match(text, i).end()  # type: ignore[union-attr]
                if i >= len(text) or text[i] == "}":
                    return i + 1
                if text[i] == ",":
                    i += 1
                    continue
                i = self.pair(i, path, depth + 1)
        for pattern in (_ML_BASIC, _BASIC, _ML_LITERAL, _LITERAL, _DATETIME, _SCALAR):
            found = pattern.match(text, i)
            if found is not None and found.end() > i:
                return found.end()
        raise ValueError(i)

    def pair(self, i: int, table: tuple[Any, ...], depth: int) -> int:
        """`key = value` at `i` inside `table`; the index after the value."""
        start = i
        parts, i = self.key(i)
        if i >= len(self.text) or self.text[i] != "=":
            raise ValueError(i)
        i = _SPACE.match(self.text, i + 1).end()  # type: ignore[union-attr]
        path = (*table, *parts)
        end = self.value(i, path, depth)
        for cut in range(1, len(parts)):
            self.record((*table, *parts[:cut]), start, end)
        self.record(path, start, end)
        return end

    def header(self, parts: list[str], array: bool) -> tuple[Any, ...]:
        """The data path a `[table]` or `[[array]]` header opens."""
        resolved: list[Any] = []
        for n, part in enumerate(parts):
            resolved.append(part)
            here = tuple(resolved)
            last = n == len(parts) - 1
            if last and array:
                self.aot[here] = self.aot.get(here, -1) + 1
                resolved.append(self.aot[here])
            elif here in self.aot:
                resolved.append(self.aot[here])
        return tuple(resolved)

    def run(self) -> dict[tuple[Any, ...], Span]:
        text, i, table = self.text, 0, ()
        while i < len(text):
            i = _FILLER.match(text, i).end()  # type: ignore[union-attr]
            if i >= len(text):
                break
            if text[i] == "[":
                array = text.startswith("[[", i)
                start = i
                parts, j = self.key(i + (2 if array else 1))
                j += 2 if array else 1
                table = self.header(parts, array)
                for cut in range(1, len(table) + 1):  # implicit super-tables too
                    self.record(table[:cut], start, j)
                i = j
            else:
                i = self.pair(i, table, 0)
        return self.spans


def _decode_key(token: str) -> str:
    if token.startswith("'"):
        return token[1:-1]
    if token.startswith('"'):
        return str(tomllib.loads(f"k = {token}")["k"])
    return token


def toml_spans(text: str) -> dict[tuple[Any, ...], Span]:
    """`path → Span` for the TOML in `text` (which tomllib has already accepted).

    Should the text hold something this tokenizer does not follow, the spans found so far are
    returned; callers fall back to the nearest enclosing path (`span_of`)."""
    locator = _Locator(text)
    try:
        return locator.run()
    except (ValueError, IndexError, tomllib.TOMLDecodeError):
        return locator.spans


def span_of(spans: Mapping[tuple[Any, ...], Span], path: tuple[Any, ...]) -> Span:
    """The span recorded for `path`, else for its nearest recorded ancestor, else line 1."""
    for cut in range(len(path), 0, -1):
        found = spans.get(path[:cut])
        if found is not None:
            return found
    return Span(1, 1, 1, 1)


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


_AT_LINE = re.compile(r"line (\d+), column (\d+)")


@reader
def load_toml(text: str, path: str) -> dict[str, Any]:
    """tomllib, with a syntax error turned into `ManifestError` at tomllib's line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        raise ManifestError(
            f"invalid TOML in {path}: {exc}", Span(line, column, line, column + 1)
        ) from None


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
