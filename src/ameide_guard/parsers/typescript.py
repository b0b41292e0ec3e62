"""TypeScript, TSX and JavaScript imports via tree-sitter.

Every module-loading form: `import … from`, `import "x"`, `export … from`, `export * from`,
`require("x")`, `import("x")`, `import x = require("x")`. Type-only: `import type`,
`export type … from`, imports whose every specifier is `type`, `import()` in a type position, and
everything in a `.d.ts`. Calls to the Connect client factories are kept for AG103.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING

from ameide_guard.model import CallRef, ImportRef, SourceFacts, TopStatement
from ameide_guard.parsers.treesitter import (
    argument_texts,
    captures,
    facts,
    node_span,
    node_text,
    parse_tree,
    string_content,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_COMMON = """
(import_statement source: (string) @src) @stmt
(export_statement source: (string) @src) @stmt
(call_expression function: (import) @fn arguments: (arguments) @args) @stmt
(call_expression function: (identifier) @fn arguments: (arguments) @args
  (#eq? @fn "require")) @stmt
"""
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


def _has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def _type_star_gap(stmt: Node) -> Node | None:
    """`export type * from "m"` and `export type * as ns from "m"` (TypeScript 5.0), which the
    grammar reads as a star re-export with an ERROR node holding just `type`: that node, so the
    statement is read as the type-only re-export it is; None for any other statement."""
    kids = stmt.children
    if stmt.type != "export_statement" or len(kids) < 3 or kids[0].type != "export":
        return None
    gap, after = kids[1], kids[2]
    if gap.is_error and gap.text == b"type" and after.type in ("*", "namespace_export"):
        return gap
    return None


def _bindings(clause: Node) -> tuple[tuple[str, ...], bool]:
    """Local names an import or export clause binds, and whether every one is `type`-only."""
    names: list[str] = []
    typed: list[bool] = []
    for child in clause.named_children:
        if child.type == "identifier":
            names.append(node_text(child))
            typed.append(False)
        elif child.type in ("namespace_import", "namespace_export"):
            ident = child.named_children[-1] if child.named_children else None
            if ident is not None:
                names.append(node_text(ident))
            typed.append(False)
        elif child.type in ("named_imports", "export_clause"):
            for spec in child.named_children:
                if spec.type not in ("import_specifier", "export_specifier"):
                    continue
                idents = [c for c in spec.named_children if c.type in ("identifier", "string")]
                if idents:
                    names.append(node_text(idents[-1]).strip("'\""))
                typed.append(_has_token(spec, "type"))
    return tuple(names), bool(typed) and all(typed)


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
        return (node_text(target),)
    names: list[str] = []
    for prop in target.named_children if target.type == "object_pattern" else ():
        if prop.type == "shorthand_property_identifier_pattern":
            names.append(node_text(prop))
        elif prop.type == "pair_pattern":
            value = prop.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                names.append(node_text(value))
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


def _first_argument(args: Node) -> Node | None:
    """The first argument of a call, skipping comments (`import(/* chunk */ "x")`)."""
    for child in args.named_children:
        if child.type != "comment":
            return child if child.type in ("string", "template_string") else None
    return None


def _import_of(match: dict[str, list[Node]], source: bytes, declaration: bool) -> ImportRef | None:
    stmt = match["stmt"][0]
    src = match["src"][0] if "src" in match else _first_argument(match["args"][0])
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
            if fn.text != b"require":
                return None
            kind = "require"
        else:
            kind = "dynamic"
            type_only = type_only or _in_type_position(stmt)
    elif stmt.type == "import_require_clause":
        kind = "import-equals"
        ident = stmt.child_by_field_name("name") or next(
            (c for c in stmt.named_children if c.type == "identifier"), None
        )
        names = (node_text(ident),) if ident is not None else ()
        outer = stmt.parent
        type_only = type_only or (outer is not None and _has_token(outer, "type"))
        stmt = outer or stmt
    elif stmt.type == "import_statement":
        kind = "import"
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is not None:
            names, all_typed = _bindings(clause)
            type_only = type_only or _has_token(stmt, "type") or all_typed
    else:
        kind = "export"
        names, all_typed = _bindings(stmt)
        typed = _has_token(stmt, "type") or _type_star_gap(stmt) is not None
        type_only = type_only or typed or all_typed
    return ImportRef(
        module=module,
        span=node_span(src, source),
        kind=kind,
        type_only=type_only,
        names=names,
        statement_line=stmt.start_point[0] + 1,
        bindings=names if bindings is None else bindings,
    )


def _calls(language: str, root: Node, source: bytes) -> tuple[CallRef, ...]:
    """Calls of a Connect client factory: by its name, as a member (`connect.createClient(`,
    a namespace import) or under a local name it was renamed to on import."""
    factories = set(CLIENT_FACTORIES)
    for _, match in captures(language, _RENAMES, root):
        if node_text(match["name"][0]) in CLIENT_FACTORIES:
            factories.add(node_text(match["alias"][0]))
    calls: list[CallRef] = []
    for _, match in captures(language, _CALLS, root):
        fn, callee = match["fn"][0], match["callee"][0]
        name = node_text(fn)
        if name not in (factories if fn.id == callee.id else CLIENT_FACTORIES):
            continue
        texts = argument_texts(match["args"][0])
        calls.append(
            CallRef(
                callee="".join(node_text(callee).split()),
                span=node_span(match["call"][0], source),
                args=texts,
            )
        )
    return tuple(calls)


def _is_word(node: Node, word: bytes) -> bool:
    """An expression statement that is just `word` (as ASI leaves a stray keyword)."""
    kids = [k for k in node.named_children if k.type != "comment"]
    return (
        node.type == "expression_statement"
        and len(kids) == 1
        and kids[0].type == "identifier"
        and kids[0].text == word
    )


def _export_import_require(
    head: Node, tail: Node, source: bytes, declaration: bool
) -> ImportRef | None:
    """`export import x = require("m")` (valid TypeScript: an import-equals that is also
    exported), which the grammar reads as an `export import x = require` alias missing its `;`
    followed by a statement `("m")`. Joined back into the import-equals it is."""
    alias = head.child_by_field_name("declaration") if head.type == "export_statement" else None
    if alias is None or alias.type != "import_alias" or not alias.has_error:
        return None
    idents = [c for c in alias.named_children if c.type == "identifier"]
    if len(idents) != 2 or idents[1].text != b"require" or tail.type != "expression_statement":
        return None
    group = tail.named_children[0] if tail.named_child_count == 1 else None
    inner = [c for c in group.named_children if c.type != "comment"] if group is not None else []
    if group is None or group.type != "parenthesized_expression" or len(inner) != 1:
        return None
    module = string_content(inner[0]) if inner[0].type == "string" else None
    if module is None:
        return None
    name = (node_text(idents[0]),)
    return ImportRef(
        module=module,
        span=node_span(inner[0], source),
        kind="import-equals",
        type_only=declaration,
        names=name,
        statement_line=head.start_point[0] + 1,
        bindings=name,
    )


def _split_export_from(
    root: Node, source: bytes, declaration: bool
) -> tuple[list[ImportRef], frozenset[int]]:
    """TypeScript the grammar misreads, joined back as tsc reads it (its errors then not AG900):
    `export type *` (`_type_star_gap`), `export import x = require()`, and re-exports split at a
    line break: tree-sitter-typescript applies automatic
    semicolon insertion inside `export { a }⏎from "x"` and `export⏎{ a } from "x"`, which
    TypeScript and every JS engine read as one re-export. The pieces come out as siblings — the
    export head, a statement that is only `from` (with a MISSING `;`), a statement that is only
    the string — and are joined back here; the `from` statements' errors are then not AG900."""
    refs: list[ImportRef] = []
    recovered: set[int] = set()
    stack = [root]
    while stack:
        container = stack.pop()
        kids = [k for k in container.named_children if k.type != "comment"]
        stack.extend(k for k in kids if k.has_error)
        recovered.update(gap.id for k in kids if (gap := _type_star_gap(k)) is not None)
        for head, tail in itertools.pairwise(kids):
            ref = _export_import_require(head, tail, source, declaration)
            if ref is not None:
                refs.append(ref)
                recovered.add(head.id)
        for i in range(1, len(kids) - 1):
            head, word, tail = kids[i - 1], kids[i], kids[i + 1]
            if not _is_word(word, b"from") or tail.type != "expression_statement":
                continue
            if tail.named_child_count != 1:
                continue
            string = tail.named_children[0]
            module = string_content(string)
            if module is None:
                continue
            if head.type == "export_statement" and head.child_by_field_name("source") is None:
                start, (names, all_typed) = head, _bindings(head)
                typed = _has_token(head, "type") or all_typed
            elif head.type == "statement_block" and i >= 2:
                before = i - 2
                typed = _is_word(kids[before], b"type")
                if typed:
                    recovered.add(kids[before].id)
                    before -= 1
                if before < 0 or not _is_word(kids[before], b"export"):
                    continue
                start, names = kids[before], ()
            else:
                continue
            refs.append(
                ImportRef(
                    module=module,
                    span=node_span(string, source),
                    kind="export",
                    type_only=declaration or typed,
                    names=names,
                    statement_line=start.start_point[0] + 1,
                    bindings=names,
                )
            )
            recovered.add(word.id)
    return refs, frozenset(recovered)


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
    recovered: frozenset[int] = frozenset()
    if root.has_error:
        split, recovered = _split_export_from(root, source, declaration)
        imports.extend(split)
    imports.sort(key=lambda r: (r.span.line, r.span.column))
    calls = (
        _calls(language, root, source)
        if any(f.encode() in source for f in CLIENT_FACTORIES)
        else ()
    )
    found = facts(language, tree, source, imports, calls, recovered)
    return replace(found, outline=outline_of(root, source)) if outline else found
