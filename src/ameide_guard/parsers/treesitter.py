"""Shared tree-sitter plumbing: grammars, cached parsers and queries, spans in characters.

Parsers and compiled queries are cached per process (workers each build their own once)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from ameide_guard.model import CallRef, ImportRef, SourceFacts, Span, Suppression
from ameide_guard.parsers.spelling import unescape
from ameide_guard.parsers.suppressions import scan_suppressions

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Query, Tree

MAX_ERRORS_REPORTED = 1


@cache
def language(name: str) -> Language:
    from tree_sitter import Language

    if name == "go":
        import tree_sitter_go

        return Language(tree_sitter_go.language())
    if name == "typescript":
        import tree_sitter_typescript

        return Language(tree_sitter_typescript.language_typescript())
    if name == "tsx":
        import tree_sitter_typescript

        return Language(tree_sitter_typescript.language_tsx())
    if name == "javascript":
        import tree_sitter_javascript

        return Language(tree_sitter_javascript.language())
    if name == "python":
        import tree_sitter_python

        return Language(tree_sitter_python.language())
    raise ValueError(f"no tree-sitter grammar for {name}")


@cache
def parser(name: str) -> Parser:
    from tree_sitter import Parser

    return Parser(language(name))


@cache
def query(name: str, source: str) -> Query:
    from tree_sitter import Query

    return Query(language(name), source)


def parse_tree(name: str, source: bytes) -> Tree:
    return parser(name).parse(source)


def captures(name: str, query_source: str, node: Node) -> list[tuple[int, dict[str, list[Node]]]]:
    from tree_sitter import QueryCursor

    return QueryCursor(query(name, query_source)).matches(node)


def char_column(source: bytes, line_start: int, byte_column: int) -> int:
    """1-based character column of a byte column (tree-sitter counts bytes)."""
    chunk = source[line_start : line_start + byte_column]
    if chunk.isascii():
        return byte_column + 1
    return len(chunk.decode("utf-8", "replace")) + 1


def node_span(node: Node, source: bytes) -> Span:
    """The node's region, 1-based, columns in characters."""
    start_row, start_col = node.start_point
    end_row, end_col = node.end_point
    start_line_at = node.start_byte - start_col
    end_line_at = node.end_byte - end_col
    return Span(
        start_row + 1,
        char_column(source, start_line_at, start_col),
        end_row + 1,
        char_column(source, end_line_at, end_col),
    )


def first_error(
    tree: Tree, source: bytes, recovered: frozenset[int] = frozenset()
) -> tuple[Span, str] | None:
    """The first syntax error of a tree as a span and a message, or None for a clean tree.

    `recovered` holds the ids of nodes whose error the language parser has already read past
    (valid code the grammar misparses); errors inside them are not reported."""
    root = tree.root_node
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.id in recovered:
            continue
        if node.is_error or node.is_missing:
            span = node_span(node, source)
            what = f"missing `{node.type}`" if node.is_missing else "unexpected syntax"
            return span, f"syntax error ({what}) at line {span.line}, column {span.column}"
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return None if recovered else (node_span(root, source), "syntax error")


def node_text(node: Node, errors: str = "strict") -> str:
    """A node's source text, decoded as UTF-8 with `errors`. `Node.text` is None only for a tree
    parsed without its source bytes, which no parser here makes; that reads as ""."""
    raw = node.text
    return raw.decode("utf-8", errors) if raw is not None else ""


def argument_texts(arguments: Node, limit: int = 2) -> tuple[str, ...]:
    """The source text of a call's first `limit` arguments (what call-level rules inspect)."""
    return tuple(node_text(a, "replace") for a in arguments.named_children[:limit])


def facts(
    language: str,
    tree: Tree,
    source: bytes,
    imports: list[ImportRef] | tuple[ImportRef, ...],
    calls: list[CallRef] | tuple[CallRef, ...],
    recovered: frozenset[int] = frozenset(),
) -> SourceFacts:
    """Assemble a file's facts: what the language parser found, plus the suppression comments
    and the first syntax error, which every language reports the same way."""
    error = first_error(tree, source, recovered)
    return SourceFacts(
        language=language,
        imports=tuple(imports),
        calls=tuple(calls),
        suppressions=comment_suppressions(language, tree, source),
        problems=(error,) if error else (),
    )


def comment_suppressions(language: str, tree: Tree, source: bytes) -> tuple[Suppression, ...]:
    """Suppression markers that stand in real comments: a test string or a docstring that shows
    the syntax (`"# ameide-guard: ignore[AG101] why"`) suppresses nothing and is no AG901."""
    found = scan_suppressions(source.decode("utf-8", "replace"))
    if not found:
        return found
    comments = [
        node_span(m["c"][0], source) for _, m in captures(language, "(comment) @c", tree.root_node)
    ]
    return tuple(s for s in found if any(_inside(s, span) for span in comments))


def _inside(supp: Suppression, span: Span) -> bool:
    after_start = (supp.line, supp.column) >= (span.line, span.column)
    before_end = (supp.line, supp.column) < (span.end_line, span.end_column)
    return after_start and before_end


def string_content(node: Node) -> str | None:
    """The value of a string literal node, escapes resolved as the language resolves them
    (`spelling.unescape`): a JS/TS string or a template without substitutions (its cooked
    value), a Go interpreted string, or a Go raw string (as written, less carriage returns).
    None when the value is computed."""
    text = node_text(node, "replace")
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.children):
            return None
        return unescape(text[1:-1], "javascript")
    if len(text) < 2 or text[0] not in "\"'`" or text[-1] != text[0]:
        return None
    if node.type == "raw_string_literal":
        return text[1:-1].replace("\r", "")
    return unescape(text[1:-1], "go" if node.type == "interpreted_string_literal" else "javascript")
