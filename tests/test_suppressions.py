"""Inline suppression comments in every comment syntax, and what counts as covered."""

from __future__ import annotations

from ameide_guard.codes import resolve_rule_id
from ameide_guard.model import Finding, Level, Span
from ameide_guard.parsers.suppressions import scan_suppressions
from ameide_guard.scan.suppressions import apply_suppressions


def test_comment_leaders_and_targets() -> None:
    text = (
        "x = 1  # ameide-guard: ignore[AG101] trailing python\n"
        "// ameide-guard: ignore[AG101,AG102] above, two ids\n"
        "/* ameide-guard: ignore[AG201] block comment */\n"
        "  # ameide-guard: ignore[AG203]\n"
        "plain text ameide-guard: ignore[AG101] is not a comment\n"
    )
    found = scan_suppressions(text)
    assert [(s.line, s.target_line, s.ids, s.reason) for s in found] == [
        (1, 1, ("AG101",), "trailing python"),
        (2, 3, ("AG101", "AG102"), "above, two ids"),
        (3, 4, ("AG201",), "block comment"),
        (4, 5, ("AG203",), ""),
    ]


def finding(line: int, rule: str = "AG101", context: int = 0) -> Finding:
    return Finding(
        rule, "slug", Level.ERROR, "a.ts", Span(line, 1, line, 5), "m", "k", context or line
    )


def test_comment_above_a_multiline_statement_covers_it() -> None:
    supps = {
        "a.ts": scan_suppressions(
            "// ameide-guard: ignore[AG101] reason\nimport {\n a\n} from 'x';\n"
        )
    }
    kept, problems = apply_suppressions(
        [finding(4, context=2)], supps, resolve_rule_id, frozenset({"AG101"})
    )
    assert kept == [] and problems == []


def test_unused_and_reasonless_suppressions_are_reported() -> None:
    supps = {
        "a.ts": scan_suppressions(
            "// ameide-guard: ignore[AG101]\nimport 'x';\n// ameide-guard: ignore[AG102] why\nok;\n"
        )
    }
    kept, problems = apply_suppressions(
        [finding(2)], supps, resolve_rule_id, frozenset({"AG101", "AG102"})
    )
    assert [f.span.line for f in kept] == [2]
    assert [p.key for p in problems] == ["no-reason", "unused:AG102"]


def test_suppression_of_a_rule_not_run_is_not_unused() -> None:
    supps = {"a.ts": scan_suppressions("// ameide-guard: ignore[AG102] why\nx;\n")}
    _, problems = apply_suppressions([], supps, resolve_rule_id, frozenset({"AG101"}))
    assert problems == []


def test_only_markers_in_real_comments_count_in_source_files() -> None:
    from ameide_guard.parsers import parse_source

    python = (
        'HELP = "write # ameide-guard: ignore[AG101] why"\n'
        '"""Docstring: // ameide-guard: ignore[AG102] why"""\n'
        "import x  # ameide-guard: ignore[AG101] real one\n"
    )
    assert [s.line for s in parse_source("python", python.encode()).suppressions] == [3]
    ts = (
        'const s = "// ameide-guard: ignore[AG101] in a string";\n'
        "/* ameide-guard: ignore[AG102] block comment */\n"
        "import 'x'; // ameide-guard: ignore[AG101] trailing\n"
    )
    assert [s.line for s in parse_source("typescript", ts.encode()).suppressions] == [2, 3]
    go = (
        'package p\n\nvar s = "// ameide-guard: ignore[AG101] no"\n\n'
        "// ameide-guard: ignore[AG101] yes\n"
    )
    assert [s.line for s in parse_source("go", go.encode()).suppressions] == [5]
