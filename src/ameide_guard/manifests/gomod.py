"""go.mod and go.work: a reader of the Go module file grammar, faithful to Go's own.

The rules that read these files (AG201 replaces, AG202 module paths, AG203 generated requires,
AG204 pseudo-versions, AG402 go.sum drift) must see exactly what the go command sees: a `replace`
hidden after an odd comment, a quoted path or a block with a blank line is still a replace to Go.
So this module ports the lexer, parser and directive checks of `golang.org/x/mod/modfile` (the
package `go mod edit` uses): `//` comments anywhere (whole-line and trailing, inside blocks too),
block `(...)` and single-line directives, `"..."` strings with Go escapes, versions canonicalised
as `module.CanonicalVersion` does (`v1.2` is `v1.2.0`, `+incompatible` kept, other build metadata
dropped), major-version suffix checks, `retract` single versions and `[low, high]` ranges with
their rationale, `toolchain`, `godebug`, `tool`, `ignore`, `exclude`, go.work `use`, and the
`// Deprecated:` paragraph of a `module` directive.

Input Go rejects is rejected here too, with Go's message and the line: a file go refuses to load
is an AG900 finding, never a silent partial read. Like Go, a back-quoted string is one token (so a
`//` inside it starts no comment) but is not accepted as a path or version. The differential test
(`tests/test_gomod_differential.py`) holds this reader to `go mod edit -json` / `go work edit
-json` on every fixture.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ameide_guard.model import Span
from ameide_guard.scan.repo import ManifestError

# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class GoRequire:
    path: str
    version: str
    """Canonical semantic version (as `go mod edit -json` prints it)."""
    indirect: bool
    span: Span
    """The require line (single-line form) or the spec line inside a `require ( )` block."""


@dataclass(frozen=True)
class GoReplace:
    old: str
    old_version: str | None
    new: str
    new_version: str | None
    span: Span

    @property
    def local(self) -> bool:
        """Whether the replacement is a directory on disk rather than a module (Go's rule)."""
        return is_directory_path(self.new)


@dataclass(frozen=True)
class GoExclude:
    path: str
    version: str
    span: Span


@dataclass(frozen=True)
class GoRetract:
    low: str
    high: str
    """Equal to `low` for a single retracted version."""
    rationale: str
    span: Span


@dataclass(frozen=True)
class GoDebug:
    key: str
    value: str
    span: Span


@dataclass(frozen=True)
class GoModFile:
    kind: str
    """`go.mod` or `go.work`."""
    module: str | None = None
    module_span: Span | None = None
    go: str | None = None
    toolchain: str | None = None
    requires: tuple[GoRequire, ...] = ()
    replaces: tuple[GoReplace, ...] = ()
    excludes: tuple[GoExclude, ...] = ()
    retracts: tuple[GoRetract, ...] = ()
    uses: tuple[tuple[str, Span], ...] = ()
    """go.work `use` directories."""
    godebug: tuple[GoDebug, ...] = ()
    tools: tuple[tuple[str, Span], ...] = ()
    ignores: tuple[tuple[str, Span], ...] = ()
    deprecated: str | None = None
    """The `Deprecated:` paragraph of the module directive's comments, if any."""


# --------------------------------------------------------------------------------------------
# Versions and paths (golang.org/x/mod/semver and module)


@dataclass(frozen=True)
class _Semver:
    major: str
    minor: str
    patch: str
    short: str
    prerelease: str
    build: str


_SEMVER = re.compile(
    r"v(?P<major>0|[1-9][0-9]*)"
    r"(?:\.(?P<minor>0|[1-9][0-9]*)"
    r"(?:\.(?P<patch>0|[1-9][0-9]*)"
    r"(?P<pre>-[0-9A-Za-z.-]+)?(?P<build>\+[0-9A-Za-z.-]+)?)?)?",
    re.ASCII,
)


def _parse_semver(v: str) -> _Semver | None:
    hit = _SEMVER.fullmatch(v)
    if hit is None:
        return None
    pre, build = hit["pre"] or "", hit["build"] or ""
    pre_ids = pre[1:].split(".") if pre else []
    if any(not i or (i.isdigit() and len(i) > 1 and i[0] == "0") for i in pre_ids):
        return None
    if build and any(not i for i in build[1:].split(".")):
        return None
    short = ".0.0" if hit["minor"] is None else ".0" if hit["patch"] is None else ""
    return _Semver(hit["major"], hit["minor"] or "0", hit["patch"] or "0", short, pre, build)


def canonical_version(v: str) -> str:
    """`module.CanonicalVersion`: `v1.2` → `v1.2.0`, build metadata dropped except
    `+incompatible`; "" for an invalid version."""
    p = _parse_semver(v)
    if p is None:
        return ""
    canonical = v[: len(v) - len(p.build)] if p.build else v + p.short
    return canonical + "+incompatible" if p.build == "+incompatible" else canonical


def is_pseudo_version(v: str) -> bool:
    """Whether `v` is a pseudo-version (`v0.0.0-20240101000000-abcdef123456` and its
    `vX.Y.(Z+1)-0.` / `-pre.0.` forms): a commit, not a release."""
    return _PSEUDO.fullmatch(v) is not None


_PSEUDO = re.compile(
    r"v[0-9]+\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)-(?:[0-9A-Za-z.-]+\.)?"
    r"(?:0\.)?[0-9]{14}-[0-9a-f]{12}(?:\+[0-9A-Za-z.-]+)?"
)


def split_path_version(path: str) -> tuple[str, str, bool]:
    """`module.SplitPathVersion`: (prefix, major suffix such as `/v2` or `.v1`, ok)."""
    if path.startswith("gopkg.in/"):
        return _split_gopkg_in(path)
    i = len(path)
    dot = False
    while i > 0 and path[i - 1] in "0123456789.":
        dot = dot or path[i - 1] == "."
        i -= 1
    if i <= 1 or i == len(path) or path[i - 1] != "v" or path[i - 2] != "/":
        return path, "", True
    prefix, major = path[: i - 2], path[i - 2 :]
    if dot or len(major) <= 2 or major[2] == "0" or major == "/v1":
        return path, "", False
    return prefix, major, True


def _split_gopkg_in(path: str) -> tuple[str, str, bool]:
    i = len(path) - (len("-unstable") if path.endswith("-unstable") else 0)
    while i > 0 and path[i - 1] in "0123456789":
        i -= 1
    if i <= 1 or path[i - 1] != "v" or path[i - 2] != ".":
        return path, "", False
    prefix, major = path[: i - 2], path[i - 2 :]
    if len(major) <= 2 or (major[2] == "0" and major != ".v0"):
        return path, "", False
    return prefix, major, True


def _path_major_problem(version: str, path_major: str) -> str | None:
    """`module.CheckPathMajor`: why `version` cannot be a version of a path ending in
    `path_major`, or None."""
    if path_major.startswith(".v") and path_major.endswith("-unstable"):
        path_major = path_major[: -len("-unstable")]
    if version.startswith("v0.0.0-") and path_major == ".v1":
        return None
    parsed = _parse_semver(version)
    major = f"v{parsed.major}" if parsed else ""
    if path_major == "":
        if major in ("v0", "v1") or (parsed is not None and parsed.build == "+incompatible"):
            return None
        want = "v0 or v1"
    else:
        if major == path_major[1:]:
            return None
        want = path_major[1:]
    return f'version "{version}" invalid: should be {want}, not {major}'


def is_directory_path(path: str) -> bool:
    """`modfile.IsDirectoryPath`: `.`/`..`-relative or rooted (Unix or Windows) paths are
    directories; everything else is a module path."""
    return (
        path in (".", "..")
        or path.startswith(("./", ".\\", "../", "..\\", "/", "\\"))
        or (len(path) >= 2 and path[0].isascii() and path[0].isalpha() and path[1] == ":")
    )


_GO_VERSION = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?")
_TOOLCHAIN = re.compile(r"default\Z|go1(?:\Z|\.)")
_DEPRECATED = re.compile(r"(?:^|\n\n)Deprecated: *(.*?)(?:\Z|\n\n)", re.S)

# --------------------------------------------------------------------------------------------
# Lexer (modfile/read.go)

_EOL_KINDS = frozenset({"eof", "eolcomment", "\n"})
_PUNCT = frozenset("\n()[]{},")
_IDENT = re.compile(r"(?:[^\s()\[\]{},/]|/(?![/*]))+")
_DQ_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"', re.S)
_BQ_STRING = re.compile(r"`[^`\n]*`")
_BLANK = re.compile(r"[ \t\r]*")


@dataclass(frozen=True)
class _Token:
    kind: str
    """`ident`, `string`, `comment` (whole line), `eolcomment` (trailing), `eof`, or the
    punctuation character itself (`\\n` included)."""
    text: str
    start: int
    end: int


class _Source:
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


def _tokens(src: _Source) -> Iterator[_Token]:
    """`readToken`, one token at a time; raises at the first lexical error, as Go does."""
    text = src.text
    pos = 0
    size = len(text)
    while True:
        pos = _BLANK.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= size:
            while True:
                yield _Token("eof", "", size, size)
        if text.startswith("//", pos):
            line_end = text.find("\n", pos)
            end = size if line_end < 0 else line_end + 1
            body = text[pos:end]
            body = body[:-2] if body.endswith("\r\n") else body.removesuffix("\n")
            line_start = text.rfind("\n", 0, pos) + 1
            whole_line = not text[line_start:pos].strip()
            yield _Token("comment" if whole_line else "eolcomment", body, pos, end)
            pos = end
            continue
        if text.startswith("/*", pos):
            raise src.error("mod files must use // comments (not /* */ comments)", pos)
        char = text[pos]
        if char in _PUNCT:
            yield _Token(char, char, pos, pos + 1)
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
            yield _Token("string", hit.group(), pos, hit.end())
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
        yield _Token("ident", hit.group(), pos, hit.end())
        pos = hit.end()


# --------------------------------------------------------------------------------------------
# Parser (modfile/read.go): statements with the comments Go attaches to them


@dataclass
class _Line:
    tokens: list[_Token]
    before: list[str] = field(default_factory=list)
    """Whole-line comments just above (`""` marks a blank line inside a block)."""
    suffix: str | None = None


@dataclass
class _Block:
    tokens: list[_Token]
    start: int
    lines: list[_Line] = field(default_factory=list)
    before: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, src: _Source) -> None:
        self.src = src
        self._stream = _tokens(src)
        self.token = next(self._stream)

    def peek(self) -> str:
        return self.token.kind

    def lex(self) -> _Token:
        token = self.token
        self.token = next(self._stream)
        return token

    def statements(self) -> list[_Line | _Block]:
        """`parseFile`: comments directly above a statement (no blank line between) are its
        `before` comments."""
        out: list[_Line | _Block] = []
        pending: list[str] = []
        while True:
            kind = self.peek()
            if kind == "\n":
                self.lex()
                pending = []
            elif kind == "comment":
                pending.append(self.lex().text)
            elif kind == "eof":
                return out
            else:
                statement = self._statement()
                statement.before = pending
                pending = []
                out.append(statement)

    def _statement(self) -> _Line | _Block:
        first = self.lex()
        tokens = [first]
        while True:
            token = self.lex()
            if token.kind in _EOL_KINDS:
                return _Line(tokens, suffix=_suffix(token))
            if token.kind == "(":
                if self.peek() in _EOL_KINDS:
                    return self._block(tokens, first.start)
                if self.peek() == ")":
                    rparen = self.lex()
                    if self.peek() in _EOL_KINDS:
                        self.lex()
                        return _Block(tokens, first.start)
                    tokens += [token, rparen]
                    continue
            tokens.append(token)

    def _block(self, tokens: list[_Token], start: int) -> _Block:
        block = _Block(tokens, start)
        comments: list[str] = []
        while True:
            kind = self.peek()
            if kind == "eolcomment":
                self.lex()
            elif kind == "\n":
                self.lex()
                if (not comments and block.lines) or (comments and comments[-1] != ""):
                    comments.append("")
            elif kind == "comment":
                comments.append(self.lex().text)
            elif kind == "eof":
                line, column = self.src.position(start)
                raise self.src.error(
                    f"syntax error (unterminated block started at {line}:{column})", start
                )
            elif kind == ")":
                rparen = self.lex()
                if self.peek() not in _EOL_KINDS:
                    raise self.src.error(
                        "syntax error (expected newline after closing paren)", rparen.start
                    )
                self.lex()
                return block
            else:
                line_tokens = [self.lex()]
                while self.peek() not in _EOL_KINDS:
                    line_tokens.append(self.lex())
                block.lines.append(_Line(line_tokens, comments, _suffix(self.lex())))
                comments = []


def _suffix(token: _Token) -> str | None:
    return token.text if token.kind == "eolcomment" else None


# --------------------------------------------------------------------------------------------
# Directives (modfile/rule.go, work.go)

_GOMOD_BLOCKS = frozenset(
    {"module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"}
)
_GOWORK_BLOCKS = frozenset({"godebug", "use", "replace"})
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


class _Invalid(Exception):
    """A directive Go rejects; the reader turns it into a ManifestError at the line."""


def _go_unquote(quoted: str) -> str:
    """`strconv.Unquote` of a double-quoted Go string."""
    if len(quoted) < 2 or not quoted.endswith('"'):
        raise _Invalid("invalid syntax")
    body, out, i = quoted[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char in '"\n':
            raise _Invalid("invalid syntax")
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
                raise _Invalid("invalid syntax")
            value = int(digits, 16)
            if esc == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value < 0xE000:
                raise _Invalid("invalid syntax")
            else:
                out += chr(value).encode()
            i += 2 + len(digits)
        elif esc and esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise _Invalid("invalid syntax")
            out.append(int(digits, 8))
            i += 4
        else:
            raise _Invalid("invalid syntax")
    return out.decode("utf-8", "replace")


def _string(token: _Token) -> str:
    """`parseString`: a double-quoted token unquoted, a bare token as is; quote characters in a
    bare token (back-quoted strings included) are reserved by Go and rejected."""
    text = token.text
    if text.startswith('"'):
        try:
            return _go_unquote(text)
        except _Invalid as exc:
            raise _Invalid(f"invalid quoted string: {exc}") from None
    if any(q in text for q in "\"'`"):
        raise _Invalid("invalid quoted string: unquoted string cannot contain quote")
    return text


def _version(verb: str, path: str, token: _Token, canonical: bool = True) -> str:
    """`parseVersion` with no fixer: the canonical version, or _Invalid."""
    try:
        raw = _string(token)
    except _Invalid as exc:
        raise _Invalid(f"{verb} {path}: version {token.text!r} invalid: {exc}") from None
    if not canonical:
        return raw
    version = canonical_version(raw)
    if not version:
        raise _Invalid(f'{verb} {path}: version "{raw}" invalid: must be of the form v1.2.3')
    return version


def _path_major(path: str) -> str:
    _, major, ok = split_path_version(path)
    if not ok:
        raise _Invalid(f"invalid module path {path!r}")
    return major


def _check_major(verb: str, path: str, version: str, major: str) -> None:
    problem = _path_major_problem(version, major)
    if problem is not None:
        raise _Invalid(f"{verb} {path}: {problem}")


def _comment_text(comments: list[str]) -> list[str]:
    return [c[2:].strip() for c in comments if c.startswith("//")]


def _directive_comment(block: _Block | None, line: _Line) -> str:
    """`parseDirectiveComment`: the line's comments, or its block's when the line has none."""
    own = [*line.before, *([line.suffix] if line.suffix else [])]
    if block is not None and not own:
        own = block.before
    return "\n".join(_comment_text(own))


@dataclass
class _Builder:
    """Accumulates directives in file order, as `modfile.File.add` does."""

    src: _Source
    module: str | None = None
    module_span: Span | None = None
    deprecated: str | None = None
    go: str | None = None
    toolchain: str | None = None
    seen_module: bool = False
    requires: list[GoRequire] = field(default_factory=list)
    replaces: list[GoReplace] = field(default_factory=list)
    excludes: list[GoExclude] = field(default_factory=list)
    retracts: list[GoRetract] = field(default_factory=list)
    uses: list[tuple[str, Span]] = field(default_factory=list)
    godebug: list[GoDebug] = field(default_factory=list)
    tools: list[tuple[str, Span]] = field(default_factory=list)
    ignores: list[tuple[str, Span]] = field(default_factory=list)

    def add(self, block: _Block | None, line: _Line, verb: str, args: list[_Token]) -> None:
        span = self.src.span(line.tokens[0].start, line.tokens[-1].end)
        handler = getattr(self, _HANDLERS[self.src.kind].get(verb, "_unknown"))
        handler(block, line, verb, args, span)

    def _unknown(self, block: _Block | None, line: _Line, verb: str, *_: object) -> None:
        raise _Invalid(f"unknown directive: {verb}")

    def _go(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        if self.go is not None:
            raise _Invalid("repeated go statement")
        if len(args) != 1:
            raise _Invalid("go directive expects exactly one argument")
        if not _GO_VERSION.fullmatch(args[0].text):
            raise _Invalid(f"invalid go version '{args[0].text}': must match format 1.23.0")
        self.go = args[0].text

    def _toolchain(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        if self.toolchain is not None:
            raise _Invalid("repeated toolchain statement")
        if len(args) != 1:
            raise _Invalid("toolchain directive expects exactly one argument")
        if not _TOOLCHAIN.match(args[0].text):
            raise _Invalid(
                f"invalid toolchain version '{args[0].text}': must match format go1.23.0 or default"
            )
        self.toolchain = args[0].text

    def _module(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        if self.seen_module:
            raise _Invalid("repeated module statement")
        self.seen_module = True
        if len(args) != 1:
            raise _Invalid("usage: module module/path")
        self.module, self.module_span = _string(args[0]), span
        hit = _DEPRECATED.search(_directive_comment(block, line))
        self.deprecated = hit.group(1) if hit else None

    def _godebug(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        if len(args) != 1 or any(c in args[0].text for c in "\"`',") or "=" not in args[0].text:
            raise _Invalid("usage: godebug key=value")
        key, _, value = args[0].text.partition("=")
        self.godebug.append(GoDebug(key, value, span))

    def _require(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        if len(args) != 2:
            raise _Invalid(f"usage: {verb} module/path v1.2.3")
        path = _string(args[0])
        version = _version(verb, path, args[1])
        _check_major(verb, path, version, _path_major(path))
        if verb == "require":
            self.requires.append(GoRequire(path, version, _is_indirect(line), span))
        else:
            self.excludes.append(GoExclude(path, version, span))

    def _replace(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        texts = [a.text for a in args]
        arrow = 1 if len(texts) >= 2 and texts[1] == "=>" else 2
        if len(texts) < arrow + 2 or len(texts) > arrow + 3 or texts[arrow] != "=>":
            raise _Invalid(
                f"usage: {verb} module/path [v1.2.3] => other/module v1.4 or {verb} "
                "module/path [v1.2.3] => ../local/directory"
            )
        old = _string(args[0])
        major = _path_major(old)
        old_version = None
        if arrow == 2:
            old_version = _version(verb, old, args[1])
            _check_major(verb, old, old_version, major)
        new = _string(args[arrow + 1])
        new_version = None
        if len(texts) == arrow + 2:
            if not is_directory_path(new):
                if "@" in new:
                    raise _Invalid(
                        "replacement module must match format 'path version', not 'path@version'"
                    )
                raise _Invalid(
                    "replacement module without version must be directory path (rooted or "
                    "starting with . or ..)"
                )
            if "\\" in new:
                raise _Invalid(
                    "replacement directory appears to be Windows path (on a non-windows system)"
                )
        else:
            new_version = _version(verb, new, args[arrow + 2])
            if is_directory_path(new):
                raise _Invalid(f"replacement module directory path {new!r} cannot have version")
        self.replaces.append(GoReplace(old, old_version, new, new_version, span))

    def _retract(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        rationale = _directive_comment(block, line)
        texts = [a.text for a in args]
        if not texts or texts[0] == "(":
            raise _Invalid("expected '[' or version")
        if texts[0] != "[":
            low = high = _version(verb, "", args[0], canonical=False)
            rest = 1
        else:
            if len(texts) < 2:
                raise _Invalid("expected version after '['")
            low = _version(verb, "", args[1], canonical=False)
            if len(texts) < 3 or texts[2] != ",":
                raise _Invalid("expected ',' after version")
            if len(texts) < 4:
                raise _Invalid("expected version after ','")
            high = _version(verb, "", args[3], canonical=False)
            if len(texts) < 5 or texts[4] != "]":
                raise _Invalid("expected ']' after version")
            rest = 5
        if len(texts) > rest:
            raise _Invalid(f"unexpected token after version: {texts[rest]!r}")
        self.retracts.append(GoRetract(low, high, rationale, span))

    @staticmethod
    def _single_path(args: list[_Token], usage: str) -> str:
        if len(args) != 1:
            raise _Invalid(usage)
        return _string(args[0])

    def _tool(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        path = self._single_path(args, "tool directive expects exactly one argument")
        self.tools.append((path, span))

    def _ignore(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        path = self._single_path(args, "ignore directive expects exactly one argument")
        self.ignores.append((path, span))

    def _use(
        self, block: _Block | None, line: _Line, verb: str, args: list[_Token], span: Span
    ) -> None:
        self.uses.append((self._single_path(args, "usage: use local/dir"), span))

    def result(self) -> GoModFile:
        return GoModFile(
            kind=self.src.kind,
            module=self.module,
            module_span=self.module_span,
            go=self.go,
            toolchain=self.toolchain,
            requires=tuple(self.requires),
            replaces=tuple(self.replaces),
            excludes=tuple(self.excludes),
            retracts=tuple(self.retracts),
            uses=tuple(self.uses),
            godebug=tuple(self.godebug),
            tools=tuple(self.tools),
            ignores=tuple(self.ignores),
            deprecated=self.deprecated,
        )


_COMMON = {"go": "_go", "toolchain": "_toolchain", "godebug": "_godebug", "replace": "_replace"}
_HANDLERS = {
    "go.mod": {
        **_COMMON,
        "module": "_module",
        "require": "_require",
        "exclude": "_require",
        "retract": "_retract",
        "tool": "_tool",
        "ignore": "_ignore",
    },
    "go.work": {**_COMMON, "use": "_use"},
}


def _is_indirect(line: _Line) -> bool:
    """`isIndirect`: a trailing `// indirect` (or `// indirect; more`) comment."""
    if line.suffix is None:
        return False
    words = line.suffix[2:].split()
    return (len(words) == 1 and words[0] == "indirect") or (
        len(words) > 1 and words[0] == "indirect;"
    )


def file_kind(path: str) -> str:
    """`go.work` for go.work files (any `*.work`), else `go.mod`."""
    return "go.work" if path.endswith(".work") else "go.mod"


def parse_gomod(text: str, path: str) -> GoModFile:
    """Read a go.mod or go.work (chosen by the file name) as the go command does; raises
    `ManifestError` with Go's message and the offending line for anything Go rejects."""
    src = _Source(text, path, file_kind(path))
    builder = _Builder(src)
    allowed = _GOMOD_BLOCKS if src.kind == "go.mod" else _GOWORK_BLOCKS
    for statement in _Parser(src).statements():
        if isinstance(statement, _Line):
            _add(builder, None, statement, statement.tokens[0].text, statement.tokens[1:])
            continue
        verb = " ".join(t.text for t in statement.tokens)
        if len(statement.tokens) > 1 or verb not in allowed:
            raise src.error(f"unknown block type: {verb}", statement.start)
        for line in statement.lines:
            _add(builder, statement, line, verb, line.tokens)
    return builder.result()


def _add(
    builder: _Builder, block: _Block | None, line: _Line, verb: str, args: list[_Token]
) -> None:
    """One directive; Go's complaint about it becomes a ManifestError at its line."""
    try:
        builder.add(block, line, verb, args)
    except _Invalid as exc:
        raise builder.src.error(str(exc), line.tokens[0].start) from None
