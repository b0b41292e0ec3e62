"""Strict JSON with positions: every object key and value, and every array item, keeps its span.

`json.loads` cannot say where a key was, and a finding about `"@buf/x": "1.0"` in package.json
must point at that line. This reader is an iterative recursive-descent parser (an explicit stack,
so deep nesting is a `ManifestError`, never a `RecursionError`) that hands every scalar to the C
scanner of the standard library (`json.scanner.make_scanner`), so strings and numbers decode
exactly as `json.loads` decodes them and stay fast; only the structure is walked in Python.

What it offers:

* `parse_json(text, path) -> Any`: the document, where objects are `JsonObject` (a `dict`) and
  arrays `JsonArray` (a `list`), so code written for `json.loads` output works unchanged.
* `JsonObject.key_span(key)`, `.value_span(key)`, `.entry_span(key)` (key start to value end)
  and `.span`; `JsonArray.item_span(i)` and `.span`. Spans are 1-based, columns count
  characters; they are computed on demand from offsets, so parsing a large file stays cheap.

It is strict RFC 8259 JSON, as `JSON.parse` (npm, pnpm, yarn) reads package.json: no comments, no
trailing commas, no `NaN`/`Infinity`, no single quotes. A duplicate key keeps the last value, as
`JSON.parse` does. Errors raise `ManifestError` with the line and column and say what was
expected ("trailing comma before `}`", "unterminated object opened at line 3").
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from typing import Any, cast

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import NESTING_TOO_DEEP, reader
from ameide_guard.model import Span

MAX_DEPTH = 512
"""Deeper nesting than any real manifest; beyond it the file is reported, not parsed."""
DEPTH_REASON = NESTING_TOO_DEEP
"""Word for word the reason `RepoView.document` gives a reader's RecursionError, so a file that
several readers parse (json.loads in one, this module in another) is one AG900, not two."""

_skip = cast("Callable[[str, int], re.Match[str]]", re.compile(r"[ \t\n\r]*").match)
"""Whitespace from an index on; never None, as the pattern matches the empty string."""
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SCAN = json.scanner.make_scanner(
    json.JSONDecoder(strict=True)  # type: ignore[arg-type]  # typeshed: context is a make_scanner
)
"""The scanner `json.loads` uses (C, or its Python fallback); a decoder serves as its context."""
_scanstring: Callable[[str, int, bool], tuple[str, int]]
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # not in typeshed's stub
"""The C string scanner (or its Python fallback) that `json.decoder` itself uses."""


class JsonObject(dict[str, Any]):
    """A JSON object (a plain `dict` to its readers) that can say where each key and value is.

    Offsets are kept and turned into spans only when asked, so parsing stays cheap."""

    __slots__ = ("_at", "_offsets", "_where")

    def __init__(self, where: _Positions, start: int) -> None:
        super().__init__()
        self._where, self._at = where, (start, start)
        self._offsets: dict[str, tuple[int, int, int, int]] = {}

    @property
    def span(self) -> Span:
        """From `{` to `}`."""
        return self._where.span(*self._at)

    def key_span(self, key: str) -> Span:
        ks, ke, _, _ = self._offsets[key]
        return self._where.span(ks, ke)

    def value_span(self, key: str) -> Span:
        _, _, vs, ve = self._offsets[key]
        return self._where.span(vs, ve)

    def entry_span(self, key: str) -> Span:
        """From the start of `"key"` to the end of its value: where a finding about it points."""
        ks, _, _, ve = self._offsets[key]
        return self._where.span(ks, ve)


class JsonArray(list[Any]):
    """A JSON array (a plain `list`) that can say where each item is."""

    __slots__ = ("_at", "_offsets", "_where")

    def __init__(self, where: _Positions, start: int) -> None:
        super().__init__()
        self._where, self._at = where, (start, start)
        self._offsets: list[tuple[int, int]] = []

    @property
    def span(self) -> Span:
        """From `[` to `]`."""
        return self._where.span(*self._at)

    def item_span(self, index: int) -> Span:
        return self._where.span(*self._offsets[index])


class _Positions:
    """Offset → (line, column) through a bisect over line starts computed once per text."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        (l1, c1), (l2, c2) = self.at(start), self.at(end)
        return Span(l1, c1, l2, c2)


def _describe(text: str, pos: int) -> str:
    if pos >= len(text):
        return "end of file"
    char = text[pos]
    return f"`{char}`" if char.isprintable() and not char.isspace() else f"character {char!r}"


_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        self.where = _Positions(text)

    def fail(self, message: str, offset: int) -> ManifestError:
        line, column = self.where.at(min(offset, len(self.text)))
        return ManifestError(
            f"invalid JSON in {self.path} at line {line}, column {column}: {message}",
            Span(line, column, line, column + 1),
        )

    def scalar(self, i: int) -> tuple[Any, int]:
        """A string, number or literal starting at `i`, decoded by the C scanner."""
        text = self.text
        char = text[i] if i < len(text) else ""
        if char == '"':
            try:
                return _scanstring(text, i + 1, True)
            except json.JSONDecodeError as exc:
                what = exc.msg.lower().removesuffix(" at").removesuffix(" starting")
                raise self.fail(what, exc.pos) from None
        if char == "-" or "0" <= char <= "9":
            found = _NUMBER.match(text, i)
            if found is None:
                raise self.fail("invalid number", i)
            return _SCAN(text, i)
        literal = _LITERALS.get(char)
        if literal is not None and text.startswith(literal[0], i):
            return literal[1], i + len(literal[0])
        if i >= len(text):
            raise self.fail("truncated: expected a value", i)
        raise self.fail(f"expected a value, found {_describe(text, i)}", i)

    def unclosed(self, start: int, i: int, closer: str) -> ManifestError:
        line, _ = self.where.at(start)
        kind = "object" if closer == "}" else "array"
        return self.fail(
            f"truncated: the {kind} opened at line {line} is never closed "
            f"(expected `,` or `{closer}`)",
            i,
        )

    def key(self, start: int, i: int) -> tuple[str, int, int]:
        """`"key" :` at i: the key, its end, and the index of the value that follows."""
        text = self.text
        if i >= len(text):
            raise self.unclosed(start, i, "}")
        if text[i] != '"':
            raise self.fail(
                f"expected a string key in double quotes, found {_describe(text, i)}", i
            )
        key, end = self.scalar(i)
        j = _skip(text, end).end()
        if j >= len(text) or text[j] != ":":
            raise self.fail(f"expected `:` after key {key!r}, found {_describe(text, j)}", j)
        return key, end, _skip(text, j + 1).end()

    # Over 60 lines on purpose: the per-token loop stays in one frame (an explicit stack instead
    # of recursion, so 10,000-deep input cannot exhaust the C stack, and no call per token,
    # which is most of the cost of reading a 50 MB package-lock.json).
    def parse(self) -> Any:
        """One pass over the text with an explicit stack of open containers.

        A stack entry is `[container, closer, key, key_start, key_end]` (key fields for objects)."""
        text, where, n = self.text, self.where, len(self.text)
        i = _skip(text, 0).end()
        if i >= n:
            raise self.fail("empty document: expected a JSON value", i)
        stack: list[list[Any]] = []
        while True:
            char = text[i] if i < n else ""
            if char == "{" or char == "[":
                if len(stack) >= MAX_DEPTH:
                    line, column = self.where.at(i)
                    raise ManifestError(DEPTH_REASON, Span(line, column, line, column + 1))
                obj = char == "{"
                container: Any = JsonObject(where, i) if obj else JsonArray(where, i)
                closer = "}" if obj else "]"
                j = _skip(text, i + 1).end()
                if j < n and text[j] == closer:
                    value, start, end = container, i, j + 1
                    container._at = (start, end)
                else:
                    if obj:
                        key, key_end, j2 = self.key(i, j)
                        stack.append([container, closer, key, j, key_end])
                        i = j2
                    else:
                        stack.append([container, closer, None, 0, 0])
                        i = j
                    continue
            elif char == '"':
                start = i
                try:
                    value, end = _scanstring(text, i + 1, True)
                except json.JSONDecodeError:
                    value, end = self.scalar(i)
            else:
                start = i
                value, end = self.scalar(i)
            # Attach the finished value to its parent, then read what follows it.
            while True:
                if not stack:
                    rest = _skip(text, end).end()
                    if rest < n:
                        raise self.fail(
                            f"unexpected {_describe(text, rest)} after the JSON value", rest
                        )
                    return value
                frame = stack[-1]
                container, closer = frame[0], frame[1]
                if closer == "}":
                    key = frame[2]
                    container[key] = value
                    container._offsets[key] = (frame[3], frame[4], start, end)
                else:
                    container.append(value)
                    container._offsets.append((start, end))
                i = _skip(text, end).end()
                char = text[i] if i < n else ""
                if char == ",":
                    i = _skip(text, i + 1).end()
                    if i < n and text[i] == closer:
                        raise self.fail(f"trailing comma before `{closer}`", i)
                    if closer == "}":
                        key, key_end, j2 = self.key(container._at[0], i)
                        frame[2], frame[3], frame[4] = key, i, key_end
                        i = j2
                    break
                if char == closer:
                    stack.pop()
                    start, end = container._at[0], i + 1
                    container._at = (start, end)
                    value = container
                    continue
                if not char:
                    raise self.unclosed(container._at[0], i, closer)
                raise self.fail(f"expected `,` or `{closer}`, found {_describe(text, i)}", i)


@reader
def parse_json(text: str, path: str) -> Any:
    """The JSON document in `text` with spans (see the module docstring); `ManifestError` with
    the line and column of the first problem otherwise."""
    return _Parser(text, path).parse()
