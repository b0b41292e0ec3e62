"""AG303 against the stamp: each way a proto package goes stale is reported, naming the file, in
every Buf layout; a matching stamp gives nothing; `scan` never writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bundle_layouts import (
    GENERATED,
    LAYOUTS,
    MAIN_PROTO,
    PKG,
    STAMP,
    ag303,
    make_repo,
    stamp,
    tree_digest,
    write,
)
from harness import scan_dir

from ameide_guard.checks.layout.stale_buf_bundle import MAX_PER_KIND, StaleBufBundle
from ameide_guard.model import Level, Zone


def stamped(tmp_path: Path, layout: str = "v2", config: str = "# defaults\n") -> Path:
    root = make_repo(tmp_path, layout, config)
    stamp(root)
    return root


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_fresh_package_has_no_finding(tmp_path: Path, layout: str) -> None:
    assert ag303(stamped(tmp_path, layout)) == []


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_proto_edited_without_regenerating(tmp_path: Path, layout: str) -> None:
    root = stamped(tmp_path, layout)
    proto = f"{PKG}/{MAIN_PROTO[layout]}"
    text = (root / proto).read_text("utf-8")
    write(root, proto, text.replace("int64 total_cents = 2;", "int64 total_cents = 3;"))
    [finding] = ag303(root)
    assert finding.path == proto
    assert finding.level is Level.ERROR
    assert f"`{proto}` changed since the stamp" in finding.message
    assert "buf generate" in finding.message and "ameide-guard stamp" in finding.message
    assert STAMP in finding.related


def test_proto_added(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    added = f"{PKG}/proto/ameide/orders/v1/refunds.proto"
    write(root, added, 'syntax = "proto3";\npackage ameide.orders.v1;\n')
    [finding] = ag303(root)
    assert (finding.path, finding.key) == (
        added,
        "input-added:proto/ameide/orders/v1/refunds.proto",
    )
    assert "is a new input, not in the stamp" in finding.message


def test_proto_removed_points_at_its_stamp_entry(tmp_path: Path) -> None:
    root = stamped(tmp_path, "workspace")
    (root / PKG / "billing/ameide/billing/v1/billing.proto").unlink()
    [finding] = ag303(root)
    assert finding.path == STAMP
    line = (root / STAMP).read_text("utf-8").splitlines()[finding.line - 1]
    assert '"billing/ameide/billing/v1/billing.proto"' in line
    assert "no longer exists" in finding.message


@pytest.mark.parametrize("name", ["buf.yaml", "buf.gen.yaml"])
def test_buf_config_edited_is_an_input_change(tmp_path: Path, name: str) -> None:
    root = stamped(tmp_path)
    path = root / PKG / name
    path.write_text(path.read_text("utf-8") + "# touched\n", "utf-8")
    [finding] = ag303(root)
    assert finding.path == f"{PKG}/{name}"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_generated_file_edited_by_hand(tmp_path: Path, layout: str) -> None:
    root = stamped(tmp_path, layout)
    write(root, f"{PKG}/{GENERATED}", "export const OrderSchema = {}; // hand fix\n")
    [finding] = ag303(root)
    assert finding.path == f"{PKG}/{GENERATED}"
    assert "generated output that changed since the stamp" in finding.message


def test_generated_file_deleted(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    (root / PKG / GENERATED).unlink()
    [finding] = ag303(root)
    assert finding.path == STAMP
    assert f"`{PKG}/{GENERATED}` is recorded in the stamp as generated output" in finding.message
    assert f"{PKG}/{GENERATED}" in finding.related


def test_generated_file_added(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    extra = f"{PKG}/gen/ts/ameide/orders/v1/extra_pb.ts"
    write(root, extra, "export {};\n")
    [finding] = ag303(root)
    assert finding.path == extra and "not in the stamp" in finding.message


def test_an_input_change_explains_output_changes(tmp_path: Path) -> None:
    """Regenerated but not restamped: the protos are named, not every regenerated file."""
    root = stamped(tmp_path)
    write(root, f"{PKG}/{MAIN_PROTO['v2']}", "// new field\n")
    write(root, f"{PKG}/{GENERATED}", "// regenerated\n")
    assert [f.path for f in ag303(root)] == [f"{PKG}/{MAIN_PROTO['v2']}"]


def test_many_changed_outputs_are_capped(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    for index in range(MAX_PER_KIND + 5):
        write(root, f"{PKG}/gen/py/m{index:02}_pb2.py", f"# {index}\n")
    stamp(root)
    for index in range(MAX_PER_KIND + 5):
        write(root, f"{PKG}/gen/py/m{index:02}_pb2.py", f"# {index} edited\n")
    findings = ag303(root)
    assert len(findings) == MAX_PER_KIND + 1
    summary = [f for f in findings if f.path == STAMP]
    assert len(summary) == 1 and "5 more outputs" in summary[0].message


def test_crlf_checkout_of_a_stamped_package_is_fresh(tmp_path: Path) -> None:
    root = stamped(tmp_path, "workspace")
    for path in (root / PKG).rglob("*"):
        if path.is_file() and path.name != ".ameide-guard-stamp.json":
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert ag303(root) == []


def test_stamp_missing(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v1")
    [finding] = ag303(root)
    assert finding.path == f"{PKG}/proto/buf.yaml"
    assert f"has no stamp `{STAMP}`" in finding.message


def test_no_finding_without_a_buf_module_in_the_proto_zone(tmp_path: Path) -> None:
    (tmp_path / "ameide-guard.toml").write_text("# defaults\n", "utf-8")
    write(tmp_path, f"{PKG}/README.md", "docs only\n")
    write(tmp_path, "services/a/buf.yaml", "version: v2\n")
    assert ag303(tmp_path) == []


@pytest.mark.parametrize(("version", "advice"), [(0, "rerun"), (2, "upgrade ameide-guard")])
def test_stamp_of_an_incompatible_format(tmp_path: Path, version: int, advice: str) -> None:
    root = stamped(tmp_path)
    data = json.loads((root / STAMP).read_text("utf-8"))
    data["format"] = version
    data["tool"] = "ameide-guard 9.9.9"
    (root / STAMP).write_text(json.dumps(data, indent=2, sort_keys=True), "utf-8")
    [finding] = ag303(root)
    assert finding.path == STAMP
    assert '"format"' in (root / STAMP).read_text("utf-8").splitlines()[finding.line - 1]
    assert "ameide-guard 9.9.9" in finding.message and advice in finding.message


def test_unreadable_stamp_is_ag900(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    (root / STAMP).write_text('{"format": 1,\n  "inputs": ', "utf-8")
    findings = scan_dir(root).findings
    assert [f.rule for f in findings] == ["AG900"]
    assert findings[0].path == STAMP and "not valid JSON" in findings[0].message


def test_malformed_buf_yaml_is_ag900_not_a_crash(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    write(root, f"{PKG}/buf.yaml", "version: v2\nmodules: [\n")
    findings = scan_dir(root).findings
    assert [(f.rule, f.path) for f in findings] == [("AG900", f"{PKG}/buf.yaml")]


def test_changed_outputs_option_asks_for_a_new_stamp(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    (root / "ameide-guard.toml").write_text('[rules.AG303]\noutputs = ["gen/ts/"]\n', "utf-8")
    [finding] = ag303(root)
    assert finding.path == STAMP and "`outputs`" in finding.message
    stamp(root)
    assert ag303(root) == []
    write(root, f"{PKG}/gen/go/ameide/orders/v1/orders.pb.go", "// not watched now\n")
    assert ag303(root) == []


def test_custom_stamp_location(tmp_path: Path) -> None:
    root = stamped(tmp_path, config='[rules.AG303]\nstamp = "meta/stamp.json"\n')
    assert ag303(root) == []
    (root / PKG / "meta/stamp.json").unlink()
    [finding] = ag303(root)
    assert f"{PKG}/meta/stamp.json" in finding.message


def test_level_and_off(tmp_path: Path) -> None:
    root = stamped(tmp_path, config='[rules.AG303]\nlevel = "warning"\n')
    write(root, f"{PKG}/{GENERATED}", "// edit\n")
    assert [f.level for f in ag303(root)] == [Level.WARNING]
    (root / "ameide-guard.toml").write_text('[rules]\nAG303 = "off"\n', "utf-8")
    assert ag303(root) == []


def test_pre_commit_keeps_findings_on_staged_files(tmp_path: Path) -> None:
    root = stamped(tmp_path)
    proto = f"{PKG}/{MAIN_PROTO['v2']}"
    write(root, proto, "// edited\n")
    assert [f.path for f in ag303(root, paths=(proto,))] == [proto]
    assert ag303(root, paths=("services/orders/main.go",)) == []


def test_triggered_by_the_proto_zone() -> None:
    rule = StaleBufBundle()
    assert rule.triggered_by(f"{PKG}/gen/x.ts", Zone.PROTO)
    assert not rule.triggered_by("services/a/main.go", Zone.RUNTIME)


def test_scan_is_read_only(tmp_path: Path) -> None:
    root = stamped(tmp_path, "workspace")
    write(root, f"{PKG}/{GENERATED}", "// edit\n")
    before = tree_digest(root)
    assert ag303(root)
    assert tree_digest(root) == before


def test_missing_stamp_can_be_suppressed_in_buf_yaml(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write(
        root,
        f"{PKG}/buf.yaml",
        "version: v2  # ameide-guard: ignore[AG303] bundle not committed yet, PROTO-12\n"
        "modules:\n  - path: proto\n",
    )
    assert scan_dir(root).findings == []
