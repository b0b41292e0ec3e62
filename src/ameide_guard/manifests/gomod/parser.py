"""The go.mod parser (`modfile/read.go`): single-line statements and `verb ( ... )` blocks, with
the comments Go attaches to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ameide_guard.manifests.gomod.lexer import Source, Token, read_tokens

_EOL_KINDS = frozenset({"eof", "eolcomment", "\n"})


@dataclass
class Line:
    tokens: list[Token]
    before: list[str] = field(default_factory=list)
    """Whole-line comments just above (`""` marks a blank line inside a block)."""
    suffix: str | None = None


@dataclass
class Block:
    tokens: list[Token]
    start: int
    lines: list[Line] = field(default_factory=list)
    before: list[str] = field(default_factory=list)


class Parser:
    def __init__(self, src: Source) -> None:
        self.src = src
        self._stream = read_tokens(src)
        self.token = next(self._stream)

    def peek(self) -> str:
        return self.token.kind

    def lex(self) -> Token:
        token = self.token
        self.token = next(self._stream)
        return token

    def statements(self) -> list[Line | Block]:
        """`parseFile`: comments directly above a statement (no blank line between) are its
        `before` comments."""
        out: list[Line | Block] = []
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

    def _statement(self) -> Line | Block:
        first = self.lex()
        tokens = [first]
        while True:
            token = self.lex()
            if token.kind in _EOL_KINDS:
                return Line(tokens, suffix=_suffix(token))
            if token.kind == "(":
                if self.peek() in _EOL_KINDS:
                    return self._block(tokens, first.start)
                if self.peek() == ")":
                    rparen = self.lex()
                    if self.peek() in _EOL_KINDS:
                        self.lex()
                        return Block(tokens, first.start)
                    tokens += [token, rparen]
                    continue
            tokens.append(token)

    def _block(self, tokens: list[Token], start: int) -> Block:
        block = Block(tokens, start)
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
                block.lines.append(Line(line_tokens, comments, _suffix(self.lex())))
                comments = []


def _suffix(token: Token) -> str | None:
    return token.text if token.kind == "eolcomment" else None
