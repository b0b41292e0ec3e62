"""The go.mod lexer (`modfile/read.go`): `//` comments (whole-line or trailing), punctuation,
`"..."` and back-quoted strings and bare identifiers, with offsets; and the source text with
offset → position conversion and Go's error message."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import run_end
from ameide_guard.model import Span

_PUNCT = frozenset("\n()[]{},")
_IDENT = re.compile(r"(?:[^\s()\[\]{},/]|/(?![/*]))+")
_DQ_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"', re.S)
_BQ_STRING = re.compile(r"`[^`\n]*`")
_BLANK = re.compile(r"[ \t\r]*")


@dataclass(frozen=True)
class Token:
    kind: str
    """`ident`, `string`, `comment` (whole line), `eolcomment` (trailing), `eof`, or the
    punctuation character itself (`\\n` included)."""
    text: str
    start: int
    end: int


class Source:
    """The text with offset → (line, column) conversion; columns count code points, as Go's
    `LineRune` counts runes."""

    def __init__(self, text: str, path: str, kind: str) -> None:
        self.text, self.path, self.kind = text, path, kind
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        """A 1-based span; an empty range (an error at end of file) still covers one column."""
        line, column = self.position(start)
        if end <= start:
            return Span(line, column, line, column + 1)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def error(self, message: str, start: int, end: int | None = None) -> ManifestError:
        line, _ = self.position(start)
        if end is None:
            line_end = self.text.find("\n", start)
            end = len(self.text) if line_end < 0 else line_end
        command = "go work edit -fmt" if self.kind == "go.work" else "go mod edit -fmt"
        return ManifestError(
            f"invalid {self.kind} (line {line}): {message}; the go command rejects this file "
            f"too: fix the line (`{command}` reports the same error)",
            self.span(start, end),
        )


def read_tokens(src: Source) -> Iterator[Token]:
    """`readToken`, one token at a time; raises at the first lexical error, as Go does."""
    text = src.text
    pos = 0
    size = len(text)
    while True:
        pos = run_end(_BLANK, text, pos)
        if pos >= size:
            while True:
                yield Token("eof", "", size, size)
        if text.startswith("//", pos):
            line_end = text.find("\n", pos)
            end = size if line_end < 0 else line_end + 1
            body = text[pos:end]
            body = body[:-2] if body.endswith("\r\n") else body.removesuffix("\n")
            line_start = text.rfind("\n", 0, pos) + 1
            whole_line = not text[line_start:pos].strip()
            yield Token("comment" if whole_line else "eolcomment", body, pos, end)
            pos = end
            continue
        if text.startswith("/*", pos):
            raise src.error("mod files must use // comments (not /* */ comments)", pos)
        char = text[pos]
        if char in _PUNCT:
            yield Token(char, char, pos, pos + 1)
            pos += 1
            continue
        if char in '"`':
            hit = (_DQ_STRING if char == '"' else _BQ_STRING).match(text, pos)
            if hit is None:
                line_end = text.find("\n", pos)
                what = (
                    "unexpected EOF in string" if line_end < 0 else "unexpected newline in string"
                )
                raise src.error(what, pos)
            yield Token("string", hit.group(), pos, hit.end())
            pos = hit.end()
            continue
        hit = _IDENT.match(text, pos)
        bad = next((c for c in hit.group() if not c.isprintable()), None) if hit else char
        if bad is not None:
            offset = pos if hit is None else pos + hit.group().index(bad)
            raise src.error(f"unexpected input character {bad!r}", offset, offset + 1)
        assert hit is not None
        if text.startswith("/*", hit.end()):
            raise src.error("mod files must use // comments (not /* */ comments)", hit.end())
        yield Token("ident", hit.group(), pos, hit.end())
        pos = hit.end()
