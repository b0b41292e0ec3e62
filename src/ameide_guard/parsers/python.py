"""Python imports via tree-sitter-python.

Chosen over the stdlib `ast` by measurement (README, Design): on the benchmark corpus the
tree-sitter parse plus query is faster than `ast.parse` plus a walk, and it still reads a file
with a syntax error (or Python 2 code) instead of losing every import in it. Imports anywhere
count (functions, `try`, `if`); those in the body of `if TYPE_CHECKING:` are type-only.
`<Name>Stub(` calls are kept for AG103.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ameide_guard.model import CallRef, ImportRef, SourceFacts
from ameide_guard.parsers.spelling import python_name
from ameide_guard.parsers.treesitter import (
    argument_texts,
    captures,
    facts,
    node_span,
    node_text,
    parse_tree,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_IMPORTS = """
(import_statement) @plain
(import_from_statement) @from
(future_import_statement) @from
"""
_CALLS = """
(call function: [(identifier) (attribute)] @fn arguments: (argument_list) @args) @call
"""
"""Every call; `parse` keeps those whose callee ends in `Stub` or is a local name an import
binds to a `…Stub` (`from x_pb2_grpc import OrdersServiceStub as Orders`)."""
_TYPE_CHECKING = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"})


def _type_checking_only(node: Node) -> bool:
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "if_statement" and child == parent.child_by_field_name("consequence"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and _dotted(condition) in _TYPE_CHECKING:
                return True
        if parent.type in ("function_definition", "class_definition"):
            return False
        child, parent = parent, parent.parent
    return False


def _dotted(node: Node) -> str:
    """A dotted name as CPython reads it: whitespace and backslash line continuations inside it
    (`acme.v1.\\⏎orders_pb2`) dropped, each identifier NFKC-normalised (`python_name`)."""
    return python_name("".join(node_text(node).replace("\\\n", "").split()))


def _imports_of(stmt: Node, source: bytes, stub: bool) -> list[ImportRef]:
    span = node_span(stmt, source)
    type_only = stub or _type_checking_only(stmt)
    line = span.line
    if stmt.type == "import_statement":
        refs = []
        for child in stmt.children_by_field_name("name"):
            child, alias = _unaliased(child)
            module = _dotted(child)
            binding = alias or module.split(".")[0]
            refs.append(
                ImportRef(module, span, "py-import", type_only, (), alias, line, (binding,))
            )
        return refs
    module_node = stmt.child_by_field_name("module_name")
    if module_node is None and stmt.type != "future_import_statement":
        return []
    names: list[str] = []
    bindings: list[str] = []
    for child in stmt.children_by_field_name("name"):
        child, local = _unaliased(child)
        names.append(_dotted(child))
        bindings.append(local or names[-1])
    if any(c.type == "wildcard_import" for c in stmt.named_children):
        names.append("*")
    module = "__future__" if module_node is None else _dotted(module_node)
    return [
        ImportRef(module, span, "py-from", type_only, tuple(names), None, line, tuple(bindings))
    ]


def parse(source: bytes, *, stub: bool = False) -> SourceFacts:
    """The facts of a Python file; in a `.pyi` stub (`stub`) every import is type-only: stubs
    are read by type checkers and never run, as a TS `.d.ts` is never emitted."""
    tree = parse_tree("python", source)
    root = tree.root_node
    imports: list[ImportRef] = []
    for _, match in captures("python", _IMPORTS, root):
        stmt = (match.get("plain") or match["from"])[0]
        imports.extend(_imports_of(stmt, source, stub))
    calls: list[CallRef] = []
    # a stub file runs no call; non-ASCII may spell `Stub` another way (fullwidth `S`: U+FF33)
    if (b"Stub" in source or not source.isascii()) and not stub:
        renamed = _stub_aliases(imports)
        for _, match in captures("python", _CALLS, root):
            callee = _dotted(match["fn"][0])
            if not callee.endswith("Stub") and callee.partition(".")[0] not in renamed:
                continue
            args = argument_texts(match["args"][0])
            calls.append(CallRef(callee, node_span(match["call"][0], source), args))
    return facts("python", tree, source, imports, calls)


def _stub_aliases(imports: list[ImportRef]) -> frozenset[str]:
    """Local names bound to a `…Stub` class under another name (`import … as Orders`)."""
    return frozenset(
        local
        for imp in imports
        for name, local in zip(imp.names, imp.bindings, strict=False)
        if name.endswith("Stub") and local != name
    )


def _unaliased(child: Node) -> tuple[Node, str | None]:
    """An imported name and its `as` alias (None without one)."""
    if child.type != "aliased_import":
        return child, None
    alias_node = child.child_by_field_name("alias")
    alias = python_name(node_text(alias_node)) if alias_node is not None else None
    return child.child_by_field_name("name") or child, alias
