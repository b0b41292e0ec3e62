"""AG301 service-local-buf-gen and AG302 stray-proto: which files, where, allow lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FIXTURES, scan_dir

from ameide_guard.checks.layout.common import is_buf_gen, is_stray_proto_input
from ameide_guard.config.loader import load_config
from ameide_guard.errors import ConfigError


@pytest.mark.parametrize(
    ("path", "gen", "stray"),
    [
        ("services/a/buf.gen.yaml", True, False),
        ("services/a/buf.gen.go.yaml", True, False),
        ("services/a/buf.gen.yml", True, False),
        ("services/a/buf.gen.yaml.bak", False, False),
        ("services/a/mybuf.gen.yaml", False, False),
        ("services/a/buf.yaml", False, True),
        ("buf.work.yaml", False, True),
        ("services/a/x/y.proto", False, True),
        ("services/a/proto.txt", False, False),
        ("services/a/buf.lock", False, False),
    ],
)
def test_file_selection(path: str, gen: bool, stray: bool) -> None:
    assert is_buf_gen(path) is gen
    assert is_stray_proto_input(path) is stray


def test_fixture_findings_and_messages() -> None:
    findings = [
        f for f in scan_dir(FIXTURES / "layout-buf").findings if f.rule in ("AG301", "AG302")
    ]
    by_path = {f.path: f for f in findings}
    # the proto zone, allow-listed files and the suppressed notify.proto are not reported
    assert not any(p.startswith(("packages/ameide_core_proto/", "tools/legacy/")) for p in by_path)
    assert "services/notify/notify.proto" not in by_path
    # SDK zone templates are still service-local generation
    assert by_path["packages/ameide_sdk_ts/buf.gen.yaml"].rule == "AG301"
    # the finding points at the first line that is not a comment
    assert by_path["services/billing/buf.gen.yaml"].line == 2
    assert by_path["services/orders/orders.proto"].line == 5
    assert (
        "Proto source `billing.proto`"
        in by_path["services/billing/proto/billing/v1/billing.proto"].message
    )
    assert "Buf workspace `buf.work.yaml`" in by_path["buf.work.yaml"].message
    assert "Buf module `buf.yaml`" in by_path["services/billing/buf.yaml"].message
    assert (
        "generation lives only in the proto package"
        in by_path["services/billing/buf.gen.go.yaml"].message
    )


def test_excluded_files_are_not_reported(tmp_path: Path) -> None:
    (tmp_path / "ameide-guard.toml").write_text('exclude = ["third_party/"]\n')
    for name in ("third_party/x.proto", "svc/y.proto"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text('syntax = "proto3";\n')
    assert [f.path for f in scan_dir(tmp_path).findings if f.rule == "AG302"] == ["svc/y.proto"]


def test_allow_must_be_a_pattern_list(tmp_path: Path) -> None:
    (tmp_path / "ameide-guard.toml").write_text('[rules.AG302]\nallow = "services/"\n')
    with pytest.raises(ConfigError, match="allow"):
        load_config(tmp_path)


def test_pre_commit_paths_trigger_layout_rules() -> None:
    root = FIXTURES / "layout-buf"
    staged = scan_dir(root, paths=("services/orders/orders.proto",)).findings
    assert [(f.path, f.rule) for f in staged] == [("services/orders/orders.proto", "AG302")]
