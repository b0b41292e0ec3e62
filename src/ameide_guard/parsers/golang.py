"""Go imports via tree-sitter: single, grouped, aliased, dot and blank import specs.

Selector calls of the form `pkg.New<Name>Client(...)` are kept for AG103; serving calls need no
record because they are allowed."""

from __future__ import annotations

from ameide_guard.model import CallRef, ImportRef, SourceFacts
from ameide_guard.parsers.treesitter import (
    argument_texts,
    captures,
    facts,
    node_span,
    node_text,
    parse_tree,
    string_content,
)

_IMPORTS = "(import_spec name: (_)? @name path: (_) @path) @spec"
_CALLS = """
(call_expression
  function: [
    (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
    (identifier) @fn
  ]
  arguments: (argument_list) @args
  (#match? @fn "^New[A-Za-z0-9_]*Client$")) @call
"""
"""`pkg.New…Client(…)`, and `New…Client(…)` unqualified (a dot-imported package)."""


def parse(source: bytes) -> SourceFacts:
    tree = parse_tree("go", source)
    root = tree.root_node
    imports: list[ImportRef] = []
    for _, match in captures("go", _IMPORTS, root):
        path_node = match["path"][0]
        module = string_content(path_node)
        if module is None:
            continue
        name = match.get("name")
        alias = node_text(name[0]) if name else None
        imports.append(
            ImportRef(
                module=module,
                span=node_span(path_node, source),
                kind="go",
                alias=alias,
                statement_line=match["spec"][0].start_point[0] + 1,
                bindings=(alias,) if alias else (),
            )
        )
    calls: list[CallRef] = []
    if b"Client(" in source:
        for _, match in captures("go", _CALLS, root):
            package = match.get("pkg")
            function = node_text(match["fn"][0])
            callee = f"{node_text(package[0])}.{function}" if package else function
            args = argument_texts(match["args"][0])
            calls.append(
                CallRef(callee=callee, span=node_span(match["call"][0], source), args=args)
            )
    return facts("go", tree, source, imports, calls)
