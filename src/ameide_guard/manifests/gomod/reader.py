"""Reading a go.mod or go.work: lex, parse, and apply each directive, as `modfile.Parse` and
`modfile.ParseWork` do."""

from __future__ import annotations

from ameide_guard.manifests.gomod.arguments import Invalid
from ameide_guard.manifests.gomod.directives import Builder
from ameide_guard.manifests.gomod.lexer import Source, Token
from ameide_guard.manifests.gomod.model import GoModFile
from ameide_guard.manifests.gomod.parser import Block, Line, Parser

_GOMOD_BLOCKS = frozenset(
    {"module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"}
)
_GOWORK_BLOCKS = frozenset({"godebug", "use", "replace"})


def file_kind(path: str) -> str:
    """`go.work` for go.work files (any `*.work`), else `go.mod`."""
    return "go.work" if path.endswith(".work") else "go.mod"


def parse_gomod(text: str, path: str) -> GoModFile:
    """Read a go.mod or go.work (chosen by the file name) as the go command does; raises
    `ManifestError` with Go's message and the offending line for anything Go rejects."""
    src = Source(text, path, file_kind(path))
    builder = Builder(src)
    allowed = _GOMOD_BLOCKS if src.kind == "go.mod" else _GOWORK_BLOCKS
    for statement in Parser(src).statements():
        if isinstance(statement, Line):
            _add(builder, None, statement, statement.tokens[0].text, statement.tokens[1:])
            continue
        verb = " ".join(t.text for t in statement.tokens)
        if len(statement.tokens) > 1 or verb not in allowed:
            raise src.error(f"unknown block type: {verb}", statement.start)
        for line in statement.lines:
            _add(builder, statement, line, verb, line.tokens)
    return builder.result()


def _add(builder: Builder, block: Block | None, line: Line, verb: str, args: list[Token]) -> None:
    """One directive; Go's complaint about it becomes a ManifestError at its line."""
    try:
        builder.add(block, line, verb, args)
    except Invalid as exc:
        raise builder.src.error(str(exc), line.tokens[0].start) from None
