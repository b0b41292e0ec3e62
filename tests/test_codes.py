"""The id table (`ameide_guard.codes.RULES`) is the one place rule ids are assigned: it names
every rule class, each class carries the id the table gives it, and each id has its page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ameide_guard.codes import RULES, all_rules, load_rule
from ameide_guard.rule import Rule

SRC = Path(__file__).resolve().parents[1] / "src" / "ameide_guard"
PAGES = Path(__file__).resolve().parents[1] / "rules"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_table_entry_names_a_rule_with_that_id_and_a_page(rule_id: str) -> None:
    rule = load_rule(rule_id)
    assert issubclass(rule, Rule)
    assert rule.meta.id == rule_id
    assert (PAGES / f"{rule_id}.md").is_file(), f"rules/{rule_id}.md is missing"


def test_every_page_has_a_table_entry() -> None:
    pages = {p.stem for p in PAGES.glob("AG*.md")}
    assert pages == set(RULES)


def test_every_rule_class_is_in_the_table_once() -> None:
    """No rule class outside the table (it would never run): every class under checks/ whose
    body sets `meta = RuleMeta(...)` is named by exactly one entry."""
    defined = set()
    for path in (SRC / "checks").rglob("*.py"):
        module = ".".join(path.relative_to(SRC / "checks").with_suffix("").parts)
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(s, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "meta" for t in s.targets)
                for s in node.body
            ):
                defined.add(f"{module}:{node.name}")
    assert defined == set(RULES.values())
    assert len(set(RULES.values())) == len(RULES)


def test_one_rule_a_file() -> None:
    modules = [entry.partition(":")[0] for entry in RULES.values()]
    assert len(modules) == len(set(modules))


def test_all_rules_is_sorted_by_id() -> None:
    assert [r.meta.id for r in all_rules()] == sorted(RULES)
