"""TypeScript, TSX and JavaScript imports via tree-sitter.

Every module-loading form: `import … from`, `import "x"`, `export … from`, `export * from`,
`require("x")`, `import("x")`, `import x = require("x")`. Type-only: `import type`,
`export type … from`, imports whose every specifier is `type`, `import()` in a type position, and
everything in a `.d.ts`. Calls to the Connect client factories are kept for AG103.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ameide_guard.model import CallRef, ImportRef, SourceFacts, TopStatement
from ameide_guard.parsers.spelling import js_name
from ameide_guard.parsers.treesitter import (
    argument_texts,
    captures,
    facts,
    node_span,
    node_text,
    parse_tree,
    string_content,
)
from ameide_guard.parsers.ts_recovery import (
    bound_names,
    first_argument,
    has_token,
    import_ref,
    recover_statements,
    type_star_gap,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_COMMON = """
(import_statement source: (string) @src) @stmt
(export_statement source: (string) @src) @stmt
(call_expression function: (import) @fn arguments: (arguments) @args) @stmt
(call_expression function: (identifier) @fn arguments: (arguments) @args
  (#match? @fn "^(require$|.*\\\\\\\\)")) @stmt
"""
"""The last pattern: `require(…)`, also spelled with escapes (`requir\\u0065`, see `js_name`)."""
_TS_ONLY = "(import_require_clause source: (string) @src) @stmt\n"
_QUERIES = {
    "typescript": _COMMON + _TS_ONLY,
    "tsx": _COMMON + _TS_ONLY,
    "javascript": _COMMON,
}
CLIENT_FACTORIES = ("createClient", "createPromiseClient", "createCallbackClient")
_CALLS = """
(call_expression
  function: [(identifier) @fn (member_expression property: (property_identifier) @fn)] @callee
  arguments: (arguments) @args) @call
"""
_RENAMES = """
(import_specifier name: (identifier) @name alias: (identifier) @alias)
(pair_pattern key: (property_identifier) @name value: (identifier) @alias)
"""
"""Local names a factory is bound to: `import { createClient as mk }`, `const { createClient:
mk } = require(…)`."""
_TYPE_CONTEXTS = frozenset(
    {
        "type_annotation",
        "type_alias_declaration",
        "type_arguments",
        "interface_declaration",
        "type_query",
        "generic_type",
        "lookup_type",
        "union_type",
        "intersection_type",
    }
)


def _declared_names(call: Node) -> tuple[str, ...]:
    """Names a `require()`/`import()` result is bound to (`const x = require("m")`,
    `const { A, B: C } = await import("m")`), so that call-level rules can follow them."""
    node = call
    while node.parent is not None and node.parent.type in (
        "await_expression",
        "parenthesized_expression",
    ):
        node = node.parent
    declarator = node.parent
    if declarator is None or declarator.type != "variable_declarator":
        return ()
    target = declarator.child_by_field_name("name")
    if target is None:
        return ()
    if target.type == "identifier":
        return (js_name(node_text(target)),)
    names: list[str] = []
    for prop in target.named_children if target.type == "object_pattern" else ():
        if prop.type == "shorthand_property_identifier_pattern":
            names.append(js_name(node_text(prop)))
        elif prop.type == "pair_pattern":
            value = prop.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                names.append(js_name(node_text(value)))
    return tuple(names)


def _in_type_position(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type in _TYPE_CONTEXTS:
            return True
        if parent.type in ("statement_block", "program", "arrow_function", "function_declaration"):
            return False
        parent = parent.parent
    return False


def _import_of(match: dict[str, list[Node]], source: bytes, declaration: bool) -> ImportRef | None:
    stmt = match["stmt"][0]
    src = match["src"][0] if "src" in match else first_argument(match["args"][0])
    if src is None:
        return None
    module = string_content(src)
    if module is None:
        return None
    names: tuple[str, ...] = ()
    bindings: tuple[str, ...] | None = None
    type_only = declaration
    if stmt.type == "call_expression":
        bindings = _declared_names(stmt)
        fn = match["fn"][0]
        if fn.type == "identifier":
            if js_name(node_text(fn)) != "require":
                return None
            kind = "require"
        elif any(c.is_error for c in stmt.children):
            return None  # `import type x = r\\u0065quire(…)`: `recover_statements` reads it
        else:
            kind = "dynamic"
            type_only = type_only or _in_type_position(stmt)
    elif stmt.type == "import_require_clause":
        kind = "import-equals"
        ident = stmt.child_by_field_name("name") or next(
            (c for c in stmt.named_children if c.type == "identifier"), None
        )
        names = (js_name(node_text(ident)),) if ident is not None else ()
        outer = stmt.parent
        type_only = type_only or (outer is not None and has_token(outer, "type"))
        stmt = outer or stmt
    elif stmt.type == "import_statement":
        kind = "import"
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is not None:
            names, all_typed = bound_names(clause)
            type_only = type_only or has_token(stmt, "type") or all_typed
    else:
        kind = "export"
        names, all_typed = bound_names(stmt)
        typed = has_token(stmt, "type") or type_star_gap(stmt) is not None
        type_only = type_only or typed or all_typed
    return import_ref(module, src, source, kind, type_only, names, stmt, bindings)


def _calls(language: str, root: Node, source: bytes) -> tuple[CallRef, ...]:
    """Calls of a Connect client factory: by its name, as a member (`connect.createClient(`,
    a namespace import) or under a local name it was renamed to on import."""
    factories = set(CLIENT_FACTORIES)
    for _, match in captures(language, _RENAMES, root):
        if js_name(node_text(match["name"][0])) in CLIENT_FACTORIES:
            factories.add(js_name(node_text(match["alias"][0])))
    calls: list[CallRef] = []
    for _, match in captures(language, _CALLS, root):
        fn, callee = match["fn"][0], match["callee"][0]
        name = js_name(node_text(fn))
        if name not in (factories if fn.id == callee.id else CLIENT_FACTORIES):
            continue
        texts = argument_texts(match["args"][0])
        calls.append(
            CallRef(
                callee=js_name("".join(node_text(callee).split())),
                span=node_span(match["call"][0], source),
                args=texts,
            )
        )
    return tuple(calls)


def outline_of(root: Node, source: bytes) -> tuple[TopStatement, ...]:
    """The file's top-level statements: imports and re-exports with their module, and every
    other statement (a declaration, an expression) with its first line. A plain `export { a }`
    re-exports what the file imported and is left out."""
    out: list[TopStatement] = []
    for node in root.named_children:
        if node.type in ("comment", "empty_statement", "ERROR"):
            continue
        module_node = node.child_by_field_name("source")
        if module_node is None and node.type == "import_statement":
            clause = next(
                (c for c in node.named_children if c.type == "import_require_clause"), None
            )
            module_node = clause.child_by_field_name("source") if clause is not None else None
        first_line = (node_text(node, "replace").splitlines() or [""])[0][:60]
        span = node_span(node, source)
        if module_node is not None:
            verb = "imports from" if node.type == "import_statement" else "re-exports from"
            module = string_content(module_node) or node_text(module_node)
            out.append(TopStatement(span, module, first_line, verb))
        elif not (node.type == "export_statement" and _is_plain_reexport(node)):
            out.append(TopStatement(span, None, first_line, "declares"))
    return tuple(out)


def _is_plain_reexport(node: Node) -> bool:
    """`export { a, b as c }` with no source: re-exports what the file imported."""
    children = node.named_children
    return bool(children) and all(c.type in ("export_clause", "comment") for c in children)


def parse(
    language: str, source: bytes, *, declaration: bool = False, outline: bool = False
) -> SourceFacts:
    tree = parse_tree(language, source)
    root = tree.root_node
    imports: list[ImportRef] = []
    seen: set[tuple[int, int]] = set()
    for _, match in captures(language, _QUERIES[language], root):
        ref = _import_of(match, source, declaration)
        if ref is not None and (ref.span.line, ref.span.column) not in seen:
            seen.add((ref.span.line, ref.span.column))
            imports.append(ref)
    # always: `export { a }⏎from⏎"m"` at the end of a file parses without an error
    split, recovered = recover_statements(root, source, declaration)
    imports.extend(split)
    imports.sort(key=lambda r: (r.span.line, r.span.column))
    calls = (
        _calls(language, root, source)
        if b"\\u" in source or any(f.encode() in source for f in CLIENT_FACTORIES)
        else ()
    )
    found = facts(language, tree, source, imports, calls, recovered)
    return replace(found, outline=outline_of(root, source)) if outline else found
