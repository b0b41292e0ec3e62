"""`ameide-guard stamp`: what it records (inputs and outputs per Buf layout), that its digests
ignore order and line endings but not content, that it is deterministic, and that it writes the
stamp file and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bundle_layouts import PKG, STAMP, make_repo, stamp, tree_digest, write
from harness import run_cli

from ameide_guard.bundle.layout import aggregate_digest, file_digest
from ameide_guard.bundle.stamp import FORMAT_VERSION, write_stamp
from ameide_guard.config.loader import load_config
from ameide_guard.errors import StampError


def recorded(root: Path) -> dict:
    return json.loads((root / STAMP).read_text("utf-8"))


def test_file_digest_ignores_crlf_in_text_but_not_content() -> None:
    assert file_digest(b"a\r\nb\r\n") == file_digest(b"a\nb\n")
    assert file_digest(b"a\nb\n") != file_digest(b"a\nc\n")
    assert file_digest(b"a\nb") != file_digest(b"a\nb\n")


def test_file_digest_keeps_crlf_bytes_of_binary_files() -> None:
    binary = b"\x0a\x05\x00\x0d\x0a\x01\x02"
    assert file_digest(binary) != file_digest(binary.replace(b"\r\n", b"\n"))


def test_aggregate_digest_ignores_order_not_content() -> None:
    forward = {"a.proto": "1", "b.proto": "2"}
    backward = dict(reversed(list(forward.items())))
    assert aggregate_digest(forward) == aggregate_digest(backward)
    assert aggregate_digest(forward) != aggregate_digest({"a.proto": "1", "b.proto": "3"})
    assert aggregate_digest(forward) != aggregate_digest({"a.proto": "2", "b.proto": "1"})


@pytest.mark.parametrize(
    ("layout", "inputs", "outputs"),
    [
        (
            "v2",
            ["buf.gen.yaml", "buf.yaml", "proto/ameide/orders/v1/orders.proto"],
            ["gen/go/ameide/orders/v1/orders.pb.go", "gen/ts/ameide/orders/v1/orders_pb.ts"],
        ),
        (
            "v1",
            ["buf.gen.yaml", "proto/ameide/orders/v1/orders.proto", "proto/buf.yaml"],
            ["gen/go/ameide/orders/v1/orders.pb.go", "gen/ts/ameide/orders/v1/orders_pb.ts"],
        ),
        (
            "workspace",
            [
                "billing/ameide/billing/v1/billing.proto",
                "billing/buf.yaml",
                "buf.gen.yaml",
                "buf.work.yaml",
                "orders/ameide/orders/v1/orders.proto",
                "orders/buf.yaml",
            ],
            ["gen/go/ameide/orders/v1/orders.pb.go", "gen/ts/ameide/orders/v1/orders_pb.ts"],
        ),
    ],
)
def test_stamp_records_inputs_and_outputs_per_layout(
    tmp_path: Path, layout: str, inputs: list[str], outputs: list[str]
) -> None:
    root = make_repo(tmp_path, layout)
    written = stamp(root)
    assert written == root / STAMP
    data = recorded(root)
    assert data["format"] == FORMAT_VERSION
    assert data["package"] == PKG
    assert sorted(data["inputs"]["files"]) == inputs
    assert sorted(data["outputs"]["files"]) == outputs
    assert data["inputs"]["sha256"] == aggregate_digest(data["inputs"]["files"])
    assert data["outputs"]["sha256"] == aggregate_digest(data["outputs"]["files"])


def test_protos_outside_module_roots_and_excluded_ones_are_not_inputs(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v2")
    write(
        root,
        f"{PKG}/buf.yaml",
        "version: v2\nmodules:\n  - path: proto\n    excludes:\n      - proto/legacy\n",
    )
    write(root, f"{PKG}/proto/legacy/old.proto", 'syntax = "proto3";\n')
    write(root, f"{PKG}/docs/example.proto", 'syntax = "proto3";\n')
    write(root, f"{PKG}/buf.gen.python.yaml", "version: v2\n")
    stamp(root)
    data = recorded(root)
    assert "buf.gen.python.yaml" in data["inputs"]["files"]
    for rel in ("proto/legacy/old.proto", "docs/example.proto"):
        assert rel not in data["inputs"]["files"]
        assert rel not in data["outputs"]["files"]


def test_v1beta1_build_roots_are_module_roots(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v2")
    write(root, f"{PKG}/buf.yaml", "version: v1beta1\nbuild:\n  roots:\n    - proto\n")
    write(root, f"{PKG}/vendor/x.proto", 'syntax = "proto3";\n')
    stamp(root)
    inputs = recorded(root)["inputs"]["files"]
    assert "proto/ameide/orders/v1/orders.proto" in inputs
    assert "vendor/x.proto" not in inputs


def test_stamp_is_deterministic_and_rewrites_nothing_when_unchanged(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v2")
    first = stamp(root).read_bytes()
    mtime = (root / STAMP).stat().st_mtime_ns
    assert stamp(root).read_bytes() == first
    assert (root / STAMP).stat().st_mtime_ns == mtime
    assert first.endswith(b"}\n") and b"\r" not in first
    assert list(json.loads(first)) == sorted(json.loads(first))


def test_stamp_is_the_same_for_a_crlf_checkout(tmp_path: Path) -> None:
    lf = make_repo(tmp_path / "lf", "workspace")
    crlf = make_repo(tmp_path / "crlf", "workspace")
    for path in (crlf / PKG).rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert stamp(lf).read_bytes() == stamp(crlf).read_bytes()


def test_stamp_changes_with_content(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v2")
    before = recorded(root) if (root / STAMP).exists() else None
    assert before is None
    stamp(root)
    before = recorded(root)
    write(root, f"{PKG}/proto/ameide/orders/v1/orders.proto", "// edited\n")
    stamp(root)
    after = recorded(root)
    assert after["inputs"]["sha256"] != before["inputs"]["sha256"]
    assert after["outputs"] == before["outputs"]


def test_stamp_writes_only_the_stamp_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "workspace")
    before = tree_digest(root)
    stamp(root)
    after = tree_digest(root)
    assert set(after) - set(before) == {STAMP}
    assert {k: v for k, v in after.items() if k != STAMP} == before


def test_stamp_and_outputs_options(tmp_path: Path) -> None:
    config = '[rules.AG303]\nstamp = "meta/freshness.json"\noutputs = ["gen/ts/"]\n'
    root = make_repo(tmp_path, "v2", config)
    written = stamp(root)
    assert written == root / PKG / "meta/freshness.json"
    data = json.loads(written.read_text("utf-8"))
    assert list(data["outputs"]["files"]) == ["gen/ts/ameide/orders/v1/orders_pb.ts"]
    assert data["outputs"]["patterns"] == ["gen/ts/"]


def test_the_stamp_itself_and_excluded_files_are_not_outputs(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v2")
    write(root, f"{PKG}/node_modules/x/index.js", "x\n")
    write(root, f"{PKG}/.gitignore", "local/\n")
    write(root, f"{PKG}/local/scratch.ts", "x\n")
    stamp(root)
    stamp(root)
    outputs = recorded(root)["outputs"]["files"]
    assert ".ameide-guard-stamp.json" not in outputs
    assert not any(p.startswith(("node_modules/", "local/")) for p in outputs)
    assert ".gitignore" in outputs


def test_stamp_without_a_proto_package_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ameide-guard.toml").write_text("# defaults\n", "utf-8")
    write(tmp_path, "services/a/main.go", "package main\n")
    write(tmp_path, "services/a/buf.yaml", "version: v2\n")  # not in the proto zone
    with pytest.raises(StampError, match=r"no buf\.yaml or buf\.work\.yaml in the proto zone"):
        write_stamp(tmp_path, load_config(tmp_path))
    assert not list(tmp_path.rglob(".ameide-guard-stamp.json"))


@pytest.mark.parametrize(
    ("buf_yaml", "problem"),
    [
        ("version: v2\nmodules: [\n", "invalid YAML"),
        ("version: v9\n", "unknown `version: v9`"),
        ("version: v2\nmodules:\n  - path: ../../outside\n", "points outside the directory"),
        ("- just\n- a list\n", "must be a YAML mapping"),
    ],
)
def test_stamp_refuses_a_malformed_buf_yaml(tmp_path: Path, buf_yaml: str, problem: str) -> None:
    root = make_repo(tmp_path, "v2")
    write(root, f"{PKG}/buf.yaml", buf_yaml)
    with pytest.raises(StampError, match=re.escape(problem)):
        stamp(root)
    assert not (root / STAMP).exists()


def test_cli_stamp_command(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "v1")
    done = run_cli("stamp", "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert STAMP in done.stderr.replace("\\", "/")
    assert (root / STAMP).is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "ameide-guard.toml").write_text("# x\n", "utf-8")
    done = run_cli("stamp", "--root", str(empty))
    assert done.returncode == 2
    assert "nothing to stamp" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [("stamp", '"../outside.json"'), ("stamp", '"/abs.json"'), ("outputs", '["a", 3]')],
)
def test_bad_options_are_config_errors(tmp_path: Path, option: str, value: str) -> None:
    from ameide_guard.errors import ConfigError

    (tmp_path / "ameide-guard.toml").write_text(f"[rules.AG303]\n{option} = {value}\n", "utf-8")
    with pytest.raises(ConfigError, match=f"rules.AG303.{option}"):
        load_config(tmp_path)
