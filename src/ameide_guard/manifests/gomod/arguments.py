"""Directive arguments as `modfile/rule.go` reads them: Go-quoted strings (`strconv.Unquote`),
versions canonicalised and checked against the path's major-version suffix, and the comments
that document a directive. A rejection is an `Invalid`, which the reader places at its line."""

from __future__ import annotations

from ameide_guard.manifests.gomod.lexer import Token
from ameide_guard.manifests.gomod.parser import Block, Line
from ameide_guard.manifests.gomod.semver import (
    canonical_version,
    path_major_problem,
    split_path_version,
)

_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}


class Invalid(Exception):
    """A directive Go rejects; the reader turns it into a ManifestError at the line."""


def go_unquote(quoted: str) -> str:
    """`strconv.Unquote` of a double-quoted Go string."""
    if len(quoted) < 2 or not quoted.endswith('"'):
        raise Invalid("invalid syntax")
    body, out, i = quoted[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char in '"\n':
            raise Invalid("invalid syntax")
        if char != "\\":
            out += char.encode("utf-8", "surrogatepass")
            i += 1
            continue
        esc = body[i + 1 : i + 2]
        if esc in _ESCAPES:
            out += _ESCAPES[esc].encode()
            i += 2
        elif esc in _HEX_WIDTH:
            digits = body[i + 2 : i + 2 + _HEX_WIDTH[esc]]
            if len(digits) != _HEX_WIDTH[esc] or not all(
                c in "0123456789abcdefABCDEF" for c in digits
            ):
                raise Invalid("invalid syntax")
            value = int(digits, 16)
            if esc == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value < 0xE000:
                raise Invalid("invalid syntax")
            else:
                out += chr(value).encode()
            i += 2 + len(digits)
        elif esc and esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise Invalid("invalid syntax")
            out.append(int(digits, 8))
            i += 4
        else:
            raise Invalid("invalid syntax")
    return out.decode("utf-8", "replace")


def parse_string(token: Token) -> str:
    """`parseString`: a double-quoted token unquoted, a bare token as is; quote characters in a
    bare token (back-quoted strings included) are reserved by Go and rejected."""
    text = token.text
    if text.startswith('"'):
        try:
            return go_unquote(text)
        except Invalid as exc:
            raise Invalid(f"invalid quoted string: {exc}") from None
    if any(q in text for q in "\"'`"):
        raise Invalid("invalid quoted string: unquoted string cannot contain quote")
    return text


def parse_version(verb: str, path: str, token: Token, canonical: bool = True) -> str:
    """`parseVersion` with no fixer: the canonical version, or Invalid."""
    try:
        raw = parse_string(token)
    except Invalid as exc:
        raise Invalid(f"{verb} {path}: version {token.text!r} invalid: {exc}") from None
    if not canonical:
        return raw
    version = canonical_version(raw)
    if not version:
        raise Invalid(f'{verb} {path}: version "{raw}" invalid: must be of the form v1.2.3')
    return version


def path_major(path: str) -> str:
    _, major, ok = split_path_version(path)
    if not ok:
        raise Invalid(f"invalid module path {path!r}")
    return major


def check_major(verb: str, path: str, version: str, major: str) -> None:
    problem = path_major_problem(version, major)
    if problem is not None:
        raise Invalid(f"{verb} {path}: {problem}")


def _comment_text(comments: list[str]) -> list[str]:
    return [c[2:].strip() for c in comments if c.startswith("//")]


def directive_comment(block: Block | None, line: Line) -> str:
    """`parseDirectiveComment`: the line's comments, or its block's when the line has none."""
    own = [*line.before, *([line.suffix] if line.suffix else [])]
    if block is not None and not own:
        own = block.before
    return "\n".join(_comment_text(own))
