"""The prefilter is zone-aware: a file is parsed only when it holds a literal that some rule
judging its zone needs, and that never changes the findings."""

from __future__ import annotations

from pathlib import Path

from harness import scan_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from ameide_guard.config.loader import build_config
from ameide_guard.scan.analysis import passes_prefilter, prefilter_regexes
from ameide_guard.scan.engine import ScanOptions, enabled_rules, prefilter_literals

PROTO_IMPORT = 'import { Order } from "@ameide/core-proto";\n'


def test_literals_follow_the_zones_each_rule_judges() -> None:
    config = build_config("<test>", {})
    rules = [rule for rule, _ in enabled_rules(config, ScanOptions(root=Path(".")))]
    literals = prefilter_literals(config, rules)
    assert b"ameide_core_proto" in literals["runtime"]  # AG102
    assert b"ameide_core_proto" not in literals["test"]  # tests may import the proto package
    assert b"@buf/" in literals["test"]  # AG101 judges tests too
    assert b"@buf/" not in literals["sdk"]  # the SDKs may import generated code
    assert all(b"ameide-guard" in lits for lits in literals.values())  # suppressions everywhere


def test_a_test_importing_the_proto_package_is_read_but_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "ameide-guard.toml").write_text("", encoding="utf-8")
    (tmp_path / "svc" / "__tests__").mkdir(parents=True)
    (tmp_path / "svc" / "__tests__" / "orders.test.ts").write_text(PROTO_IMPORT, "utf-8")
    (tmp_path / "svc" / "app.ts").write_text(PROTO_IMPORT, encoding="utf-8")
    result = scan_dir(tmp_path)
    assert result.stats.parsed == 1
    assert [(f.path, f.rule) for f in result.findings] == [("svc/app.ts", "AG102")]


@settings(max_examples=400, deadline=None)
@given(
    literals=st.lists(st.text("ab_/.@", min_size=1, max_size=8).map(str.encode), max_size=8),
    data=st.text("ab_/.@x", max_size=60).map(str.encode),
)
def test_the_grouped_regexes_find_exactly_the_literals(literals: list[bytes], data: bytes) -> None:
    """Anchored groups with lookbehinds accept exactly the files that contain a literal (a small
    alphabet makes shared anchors, overlaps and near misses common)."""
    assert passes_prefilter(data, tuple(literals)) == any(lit in data for lit in literals)


def test_literals_sharing_a_substring_are_searched_together() -> None:
    config = build_config("<test>", {})
    rules = [rule for rule, _ in enabled_rules(config, ScanOptions(root=Path(".")))]
    runtime = prefilter_literals(config, rules)["runtime"]
    regexes = prefilter_regexes(runtime)
    assert len(regexes) < len(runtime) / 2
    for literal in runtime:
        for before, after in ((b"", b""), (b"x = '", b"';\n")):
            assert passes_prefilter(before + literal + after, runtime)
            assert passes_prefilter(before + literal[1:] + after, runtime) == any(
                other in literal[1:] for other in runtime
            )
