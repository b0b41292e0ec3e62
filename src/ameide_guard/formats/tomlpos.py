"""Where each value of a TOML document is, since tomllib keeps no positions.

`toml_spans(text)` maps every key/value pair, array item and table header of a document tomllib
has accepted to its `Span`, by data path (`("project", "dependencies", 2)`): a tokenizer that
follows TOML's structure just far enough. `span_of(spans, path)` falls back to the nearest
recorded ancestor, so a finding always has a line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from typing import Any

from ameide_guard.formats import toml as tomllib
from ameide_guard.formats.reading import run_end
from ameide_guard.model import Span

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
            i = run_end(_SPACE, text, i)
            found = _BASIC.match(text, i) or _LITERAL.match(text, i) or _BARE_KEY.match(text, i)
            if found is None:
                raise ValueError(i)
            token = found.group()
            parts.append(_decode_key(token))
            i = run_end(_SPACE, text, found.end())
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
                i = run_end(_FILLER, text, i)
                if i >= len(text) or text[i] == "]":
                    return i + 1
                end = self.value(i, (*path, index), depth + 1)
                self.record((*path, index), i, end)
                index += 1
                i = run_end(_FILLER, text, end)
                if i < len(text) and text[i] == ",":
                    i += 1
        if char == "{":
            i += 1
            while True:
                i = run_end(_FILLER, text, i)
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
        i = run_end(_SPACE, self.text, i + 1)
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
            i = run_end(_FILLER, text, i)
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
