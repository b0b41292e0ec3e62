"""The other spellings a language accepts for the same characters: escapes in JS/TS and Go string
literals, `\\u` escapes in JS identifiers, NFKC-equal Python identifiers.

One table per language serves both the parsers (the value of a string, the name an identifier
binds) and the prefilter (a file's text with every escape spelled out), so the two can never
disagree: a module string the parser decodes to `@buf/…` is one the prefilter lets through.
Stdlib `unicodedata` does Python's normalisation; no library decodes JS or Go literals, so their
escape grammars are written out here from the language specifications (ECMA-262 §12.9.4 with
Annex B.1.2's legacy octal escapes; The Go Programming Language Specification, "Rune literals").
"""

from __future__ import annotations

import re
import unicodedata

_JS_ESCAPE = re.compile(
    r"\\(?:u\{([0-9A-Fa-f]+)\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})"
    r"|([0-3][0-7]{0,2}|[4-7][0-7]?)|(\r\n|[\r\n\u2028\u2029])|(.))",
    re.S,
)
"""A JS escape: `\\u{…}`, `\\uXXXX`, `\\xXX`, a legacy octal (`\\0` to `\\377`, as sloppy-mode
code and every engine accept), a line continuation (nothing), or one character (`\\n`, `\\q`)."""
_JS_SINGLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_JS_NAME_ESCAPE = re.compile(r"\\u(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{4}))")
"""The only escapes an identifier may hold (`requir\\u0065` is `require`)."""

_GO_ESCAPE = re.compile(
    r"\\(?:U([0-9A-Fa-f]{8})|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([0-7]{3})|(.))", re.S
)
"""A Go escape: `\\UXXXXXXXX` and `\\uXXXX` (a code point), `\\xXX` and `\\ooo` (one byte), or
one character (`\\n`, `\\"`)."""
_GO_SINGLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}

ESCAPE_HINT = re.compile(rb"\\[xuU0-7\r\n]|\\\xe2\x80[\xa8\xa9]")
"""Bytes without any of these hold no escape that can spell a letter, digit or punctuation
(`\\n` and `\\t` stand for themselves-like controls, `\\\\` and `\\"` for what they escape): for
such a file the text as written is already the text spelled out."""


def _code_point(value: str) -> str:
    number = int(value, 16)
    return chr(number) if number <= 0x10FFFF else "\ufffd"


def _js_char(match: re.Match[str]) -> str:
    braced, four, two, octal, continuation, single = match.groups()
    if braced is not None or four is not None:
        return _code_point(braced or four)
    if two is not None:
        return chr(int(two, 16))
    if octal is not None:
        return chr(int(octal, 8))
    if continuation is not None:
        return ""
    return _JS_SINGLE.get(single, single)


def _go_bytes(match: re.Match[str]) -> str:
    """A Go escape as text; a byte escape (`\\xXX`, `\\ooo`) stays a byte, kept as the
    surrogate-escaped character `surrogateescape` decodes it back to."""
    big, four, two, octal, single = match.groups()
    if big is not None or four is not None:
        return _code_point(big or four)
    if two is not None or octal is not None:
        byte = int(two, 16) if two is not None else int(octal, 8) & 0xFF
        return chr(byte) if byte < 0x80 else chr(0xDC00 + byte)
    return _GO_SINGLE.get(single, single)


def unescape(body: str, language: str) -> str:
    """The value of a string literal's body (between its quotes) in `language` ("go" or a JS
    dialect). Go's byte escapes join into UTF-8 (`\\xc3\\xa9` is `é`)."""
    if "\\" not in body:
        return body
    if language != "go":
        return _JS_ESCAPE.sub(_js_char, body)
    return _join_bytes(_GO_ESCAPE.sub(_go_bytes, body))


def _join_bytes(text: str) -> str:
    """Go byte escapes (kept as surrogate-escaped bytes) joined into the UTF-8 they spell."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def js_name(text: str) -> str:
    """The name a JS/TS identifier spells (`\\u0072equire` is `require`)."""
    if "\\" not in text:
        return text
    return _JS_NAME_ESCAPE.sub(lambda m: _code_point(m.group(1) or m.group(2)), text)


def python_name(text: str) -> str:
    """The name a Python identifier spells: CPython normalises identifiers to NFKC while parsing
    (PEP 3131), so `orders_pb2` with a fullwidth `p` (U+FF50) is `orders_pb2`."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def spelled_out(text: str, language: str) -> str | None:
    """`text` with every alternative spelling of `language` resolved everywhere (strings,
    identifiers, comments alike), or None when there is none to resolve. The prefilter searches
    this too, so a literal written with escapes still lets its file through. Sound: escapes are
    resolved left to right as the language's lexer resolves them (`\\\\` is one escaped
    backslash, so `\\\\x41` stays `\\x41`), and an escape's digits never hold a backslash, so
    every string's value appears in the result; resolving escapes outside strings only adds text
    for the prefilter to find."""
    if language == "python":
        return None if text.isascii() else unicodedata.normalize("NFKC", text)
    if "\\" not in text:
        return None
    if language == "go":
        return _join_bytes(_GO_ESCAPE.sub(_go_bytes, text))
    return _JS_ESCAPE.sub(_js_char, text)
