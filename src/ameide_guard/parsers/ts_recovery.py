"""TypeScript the grammar misreads, joined back as tsc reads it: statements tree-sitter splits or
leaves an ERROR in although TypeScript and every JS engine read one import or re-export. Its
errors are then not AG900 (the node ids come back as `recovered`).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ameide_guard.model import ImportRef
from ameide_guard.parsers.spelling import js_name
from ameide_guard.parsers.treesitter import node_span, node_text, string_content

if TYPE_CHECKING:
    from tree_sitter import Node


def has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def type_star_gap(stmt: Node) -> Node | None:
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


def bound_names(clause: Node) -> tuple[tuple[str, ...], bool]:
    """Local names an import or export clause binds, and whether every one is `type`-only."""
    names: list[str] = []
    typed: list[bool] = []
    for child in clause.named_children:
        if child.type == "identifier":
            names.append(js_name(node_text(child)))
            typed.append(False)
        elif child.type in ("namespace_import", "namespace_export"):
            ident = child.named_children[-1] if child.named_children else None
            if ident is not None:
                names.append(js_name(node_text(ident)))
            typed.append(False)
        elif child.type in ("named_imports", "export_clause"):
            for spec in child.named_children:
                if spec.type not in ("import_specifier", "export_specifier"):
                    continue
                idents = [c for c in spec.named_children if c.type in ("identifier", "string")]
                if idents:
                    last = idents[-1]
                    names.append(
                        string_content(last) or ""
                        if last.type == "string"
                        else js_name(node_text(last))
                    )
                typed.append(has_token(spec, "type"))
    return tuple(names), bool(typed) and all(typed)


def first_argument(args: Node) -> Node | None:
    """The first argument of a call, skipping comments (`import(/* chunk */ "x")`)."""
    for child in args.named_children:
        if child.type != "comment":
            return child if child.type in ("string", "template_string") else None
    return None


def _is_word(node: Node, word: bytes) -> bool:
    """An expression statement that is just `word` (as ASI leaves a stray keyword)."""
    kids = [k for k in node.named_children if k.type != "comment"]
    return (
        node.type == "expression_statement"
        and len(kids) == 1
        and kids[0].type == "identifier"
        and kids[0].text == word
    )


def import_ref(
    module: str,
    string: Node,
    source: bytes,
    kind: str,
    type_only: bool,
    names: tuple[str, ...],
    start: Node,
    bindings: tuple[str, ...] | None = None,
) -> ImportRef:
    """The import a statement stands for (read as such or joined back): its module string's
    span, the line its first piece starts on, the names it imports and those it binds (the
    same unless told otherwise)."""
    return ImportRef(
        module=module,
        span=node_span(string, source),
        kind=kind,
        type_only=type_only,
        names=names,
        statement_line=start.start_point[0] + 1,
        bindings=names if bindings is None else bindings,
    )


def _import_equals_gap(
    head: Node, tail: Node, source: bytes, declaration: bool
) -> ImportRef | None:
    """`export import x = require("m")` (valid TypeScript: an import-equals that is also
    exported) and `import x = r\\u0065quire("m")` (an escaped `require`, which the grammar does
    not know as one), read as an alias `[export] import x = require` missing its `;` followed by
    a statement `("m")`. Joined back into the import-equals it is."""
    alias = head.child_by_field_name("declaration") if head.type == "export_statement" else head
    if alias is None or alias.type != "import_alias" or not alias.has_error:
        return None
    idents = [c for c in alias.named_children if c.type == "identifier"]
    if len(idents) != 2 or js_name(node_text(idents[1])) != "require":
        return None
    if tail.type != "expression_statement":
        return None
    group = tail.named_children[0] if tail.named_child_count == 1 else None
    inner = [c for c in group.named_children if c.type != "comment"] if group is not None else []
    if group is None or group.type != "parenthesized_expression" or len(inner) != 1:
        return None
    module = string_content(inner[0]) if inner[0].type == "string" else None
    if module is None:
        return None
    name = (js_name(node_text(idents[0])),)
    return import_ref(module, inner[0], source, "import-equals", declaration, name, head)


_MODULES = frozenset({"ambient_declaration", "module", "internal_module"})
_BLOCK = "statement_block"
"""Besides statements with errors, the joiner looks into the body of `declare module "m" {…}`
(and namespaces), the one place other than the top level where a re-export may stand."""


def recover_statements(
    root: Node, source: bytes, declaration: bool
) -> tuple[list[ImportRef], frozenset[int]]:
    """The imports in statements the grammar misreads, and the ids of the error nodes they
    explain: `export type *` (`type_star_gap`), `export import x = require()` and an escaped
    `require` in an import-equals (`_import_equals_gap`, `_escaped_import_equals`), and
    re-exports split at a line break (`_split_reexports`, which may parse without any error)."""
    refs: list[ImportRef] = []
    recovered: set[int] = set()
    stack = [root]
    while stack:
        container = stack.pop()
        kids = [k for k in container.named_children if k.type != "comment"]
        body = container.type in _MODULES
        stack.extend(
            k for k in kids if k.has_error or k.type in _MODULES or (body and k.type == _BLOCK)
        )
        recovered.update(gap.id for k in kids if (gap := type_star_gap(k)) is not None)
        for head, tail in itertools.pairwise(kids):
            ref = _import_equals_gap(head, tail, source, declaration)
            if ref is not None:
                refs.append(ref)
                recovered.add(head.id)
        for kid in kids:
            found = _escaped_import_equals(kid, source, declaration)
            if found is not None:
                refs.append(found[0])
                recovered.add(found[1])
        refs.extend(_split_reexports(kids, source, declaration, recovered))
    return refs, frozenset(recovered)


def _escaped_import_equals(
    stmt: Node, source: bytes, declaration: bool
) -> tuple[ImportRef, int] | None:
    """`import type x = r\\u0065quire("m")`: the grammar knows `require` only as written, so it
    reads this as a call of `import` with an ERROR holding `type x = r\\u0065quire`. The
    import-equals it is, and the ERROR's id."""
    call = stmt.named_children[0] if stmt.named_child_count == 1 else None
    if stmt.type != "expression_statement" or call is None or call.type != "call_expression":
        return None
    function, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    gap = next((c for c in call.children if c.is_error), None)
    if function is None or function.type != "import" or gap is None or args is None:
        return None
    parts = gap.children
    typed = bool(parts) and parts[0].type == "type" and not parts[0].is_named
    tokens = parts[1:] if typed else parts
    if len(tokens) != 3:
        return None
    name, equals, word = tokens
    if (name.type, equals.type, word.type) != ("identifier", "=", "identifier"):
        return None
    string = first_argument(args)
    module = string_content(string) if string is not None else None
    if js_name(node_text(word)) != "require" or module is None or string is None:
        return None
    names = (js_name(node_text(name)),)
    return import_ref(
        module, string, source, "import-equals", declaration or typed, names, stmt
    ), gap.id


def _split_reexports(
    kids: list[Node], source: bytes, declaration: bool, recovered: set[int]
) -> list[ImportRef]:
    """Re-exports split at a line break: tree-sitter-typescript applies automatic semicolon
    insertion inside `export { a }⏎from "x"` and `export⏎{ a } from "x"`, which TypeScript and
    every JS engine read as one re-export. The pieces come out as siblings — the export head, a
    statement that is only `from` (with a MISSING `;`), a statement that is only the string —
    and are joined back here; the `from` statements' ids go into `recovered`."""
    refs: list[ImportRef] = []
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
            start, (names, all_typed) = head, bound_names(head)
            typed = has_token(head, "type") or all_typed
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
            import_ref(module, string, source, "export", declaration or typed, names, start)
        )
        recovered.add(word.id)
    return refs
