"""AG303 deep mode with the real Buf CLI (`@bufbuild/buf` from npm, installed by
.ci/install-tools.sh): bundles built by `buf build` match a fresh build, an edited field is named,
the wire-format decoder agrees with Buf's own JSON rendering of the same image, and the scan
stays read-only. Without `buf` on PATH deep mode says once that it was skipped. `scan --deep` on
the CLI does what `[rules.AG303] deep = true` does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bundle_layouts import MAIN_PROTO, PKG, ag303, make_repo, stamp, tree_digest, write
from harness import FIXTURES, run_cli, scan_dir
from tools import require_tool

from ameide_guard.bundle import bufimage
from ameide_guard.errors import ManifestError

pytestmark = pytest.mark.differential

EXTRA = """
enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_PAID = 1;
}

message Refund {
  oneof target {
    string order_id = 1;
    string invoice_id = 2;
  }
  optional Status status = 3;
  repeated Order orders = 4;
  map<string, int64> amounts = 5;
  message Line { bytes blob = 1; }
}
"""


@pytest.fixture
def buf(monkeypatch: pytest.MonkeyPatch) -> str:
    """The Buf CLI, put on PATH the way CI does (the rule looks only at PATH)."""
    path = require_tool("buf", "npm install @bufbuild/buf")
    monkeypatch.setenv("PATH", f"{Path(path).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return path


def buf_build(buf: str, directory: Path, output: str, *extra: str) -> None:
    env = {**os.environ, "BUF_CACHE_DIR": str(directory.parent / ".buf-cache-test")}
    subprocess.run([buf, "build", "-o", output, *extra], cwd=directory, env=env, check=True)


def bundled_repo(tmp_path: Path, buf: str, layout: str = "v2", name: str = "image.binpb") -> Path:
    """A proto package whose committed bundle was built by the real Buf CLI, then stamped."""
    root = make_repo(tmp_path / "repo", layout, f'[rules.AG303]\nbundle = "{name}"\n')
    proto = root / PKG / MAIN_PROTO[layout]
    proto.write_text(proto.read_text("utf-8") + EXTRA, "utf-8")
    build_dir = root / PKG / ("proto" if layout == "v1" else "")
    target = os.path.relpath(root / PKG / name, build_dir)
    buf_build(buf, build_dir, target)
    stamp(root)
    return root


@pytest.mark.parametrize(
    ("layout", "name"), [("v2", "image.binpb"), ("v1", "image.json"), ("workspace", "image.binpb")]
)
def test_bundle_built_by_buf_matches_in_deep_mode(
    tmp_path: Path, buf: str, layout: str, name: str
) -> None:
    root = bundled_repo(tmp_path, buf, layout, name)
    result = scan_dir(root, deep=True)
    assert [f for f in result.findings if f.rule == "AG303"] == []
    assert not any("deep mode skipped" in n for n in result.notes)


@pytest.mark.parametrize(
    ("old", "new", "named", "detail"),
    [
        ("int64 total_cents = 2;", "int32 total_cents = 2;", "field `ameide.orders.v1.Order"
         ".total_cents`", "the sources have type int32; the bundle has type int64"),
        ("int64 total_cents = 2;", "int64 total_cents = 7;", "field `ameide.orders.v1.Order"
         ".total_cents`", "number 7"),
        ("string invoice_id = 2;", "string invoice_id = 6;", "field `ameide.orders.v1.Refund"
         ".invoice_id`", "number 6"),
        ("STATUS_PAID = 1;", "STATUS_PAID = 1;\n  STATUS_VOID = 2;", "enum value "
         "`ameide.orders.v1.Status.STATUS_VOID`", "is in the sources but not in the bundle"),
        ("returns (Order);", "returns (Refund);", "method `ameide.orders.v1.OrderService"
         ".GetOrder`", "output .ameide.orders.v1.Refund"),
        ("message Line { bytes blob = 1; }", "", "message `ameide.orders.v1.Refund.Line`",
         "in the bundle but no longer in the sources"),
    ],
)  # fmt: skip
def test_deep_mode_names_the_first_differing_descriptor(
    tmp_path: Path, buf: str, old: str, new: str, named: str, detail: str
) -> None:
    root = bundled_repo(tmp_path, buf)
    proto = root / PKG / MAIN_PROTO["v2"]
    text = proto.read_text("utf-8")
    assert old in text
    proto.write_text(text.replace(old, new, 1), "utf-8")
    stamp(root)  # the stamp is fresh: only deep mode can see that the bundle is stale
    assert ag303(root) == []
    [finding] = ag303(root, deep=True)
    assert finding.path == f"{PKG}/image.binpb"
    assert named in finding.message and detail in finding.message
    assert "(ameide/orders/v1/orders.proto)" in finding.message
    assert "buf build -o image.binpb" in finding.message


def test_deep_mode_from_the_rule_option(tmp_path: Path, buf: str) -> None:
    root = bundled_repo(tmp_path, buf)
    config = root / "ameide-guard.toml"
    config.write_text(config.read_text("utf-8") + "deep = true\n", "utf-8")
    proto = root / PKG / MAIN_PROTO["v2"]
    proto.write_text(proto.read_text("utf-8").replace("bytes blob = 1;", "string blob = 1;"))
    [deep] = [f for f in ag303(root) if f.key == "deep"]
    assert "field `ameide.orders.v1.Refund.Line.blob`" in deep.message


def test_binary_decoder_agrees_with_bufs_json_rendering(tmp_path: Path, buf: str) -> None:
    """The same image as Buf writes it in binary and as protojson flattens identically, and
    includes every kind of descriptor the comparison looks at."""
    root = bundled_repo(tmp_path, buf)
    module = root / PKG
    buf_build(buf, module, str(tmp_path / "image.binpb"))
    buf_build(buf, module, str(tmp_path / "image.json"))
    binary = bufimage.flatten(bufimage.decode_image((tmp_path / "image.binpb").read_bytes()))
    json_ = bufimage.flatten(bufimage.decode_image((tmp_path / "image.json").read_bytes()))
    assert binary == json_
    entries = binary["ameide/orders/v1/orders.proto"]
    assert dict(entries["field ameide.orders.v1.Refund.invoice_id"])["oneof"] == "target"
    assert dict(entries["field ameide.orders.v1.Refund.status"])["proto3_optional"] == "true"
    assert dict(entries["field ameide.orders.v1.Refund.amounts"])["type_name"] == (
        ".ameide.orders.v1.Refund.AmountsEntry"
    )
    assert "message ameide.orders.v1.Refund.AmountsEntry" in entries
    assert dict(entries["method ameide.orders.v1.OrderService.GetOrder"])["input"] == (
        ".ameide.orders.v1.GetOrderRequest"
    )


def test_imports_in_the_bundle_are_ignored(tmp_path: Path, buf: str) -> None:
    root = bundled_repo(tmp_path, buf)
    proto = root / PKG / MAIN_PROTO["v2"]
    text = proto.read_text("utf-8").replace(
        "package ameide.orders.v1;",
        'package ameide.orders.v1;\n\nimport "google/protobuf/timestamp.proto";',
    )
    proto.write_text(text.replace("bytes blob = 1;", "google.protobuf.Timestamp blob = 1;"))
    buf_build(buf, root / PKG, "image.binpb")
    stamp(root)
    assert ag303(root, deep=True) == []
    flat = bufimage.flatten(bufimage.decode_image((root / PKG / "image.binpb").read_bytes()))
    assert list(flat) == ["ameide/orders/v1/orders.proto"]


def test_deep_scan_is_read_only(tmp_path: Path, buf: str) -> None:
    root = bundled_repo(tmp_path, buf)
    proto = root / PKG / MAIN_PROTO["v2"]
    proto.write_text(proto.read_text("utf-8").replace("= 7;", "= 8;"))
    write(root, f"{PKG}/{MAIN_PROTO['v2']}", proto.read_text("utf-8") + "message Z {}\n")
    before = tree_digest(root)
    assert ag303(root, deep=True)
    assert tree_digest(root) == before


def test_without_buf_deep_mode_notes_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path, "v2")
    write(root, f"{PKG}/image.binpb", b"\x0a\x00")
    stamp(root)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    result = scan_dir(root, deep=True)
    assert [f for f in result.findings if f.rule == "AG303"] == []
    notes = [n for n in result.notes if "deep mode skipped" in n]
    assert notes == ["AG303 deep mode skipped: the Buf CLI (`buf`) is not on PATH."]


def test_module_with_dependencies_is_not_built(tmp_path: Path, buf: str) -> None:
    """`buf build` would fetch the deps: deep mode is skipped with a note, nothing runs."""
    root = bundled_repo(tmp_path, buf)
    write(root, f"{PKG}/buf.yaml", "version: v2\nmodules:\n  - path: proto\ndeps:\n"
          "  - buf.build/googleapis/googleapis\n")  # fmt: skip
    result = scan_dir(root, deep=True)
    assert any("has dependencies" in n for n in result.notes)
    assert not (root / PKG / "buf.lock").exists()


def test_missing_or_ambiguous_bundle(tmp_path: Path, buf: str) -> None:
    root = bundled_repo(tmp_path, buf)
    (root / "ameide-guard.toml").write_text("# auto bundle\n", "utf-8")
    assert ag303(root, deep=True) == []  # the one image.binpb is found on its own
    buf_build(buf, root / PKG, "second.binpb")
    stamp(root)
    result = scan_dir(root, deep=True)
    assert any("2 candidate images" in n for n in result.notes)
    (root / "ameide-guard.toml").write_text('[rules.AG303]\nbundle = "nope.binpb"\n', "utf-8")
    [finding] = ag303(root, deep=True)
    assert "`packages/ameide_core_proto/nope.binpb`" in finding.message


@pytest.mark.parametrize(
    "data",
    [b"\x0a\xff\x01", b"\x0a\x05\x0a\x03ab", b"\x0b", b"\x0a" + b"\xff" * 11, b'{"file": 3}'],
)
def test_broken_bundle_is_ag900(tmp_path: Path, buf: str, data: bytes) -> None:
    with pytest.raises(ManifestError):
        bufimage.flatten(bufimage.decode_image(data))
    root = bundled_repo(tmp_path, buf)
    (root / PKG / "image.binpb").write_bytes(data)
    stamp(root)
    findings = scan_dir(root, deep=True).findings
    assert [(f.rule, f.path) for f in findings] == [("AG900", f"{PKG}/image.binpb")]


def test_deeply_nested_image_is_refused() -> None:
    nested = b""
    for _ in range(200):
        nested = b"\x1a" + _varint(len(nested)) + nested  # DescriptorProto.nested_type
    file = b"\x22" + _varint(len(nested)) + nested  # FileDescriptorProto.message_type
    with pytest.raises(ManifestError, match="deeper than"):
        bufimage.flatten(bufimage.decode_image(b"\x0a" + _varint(len(file)) + file))


def test_deeply_nested_json_image_is_refused() -> None:
    depth = 5000
    text = '{"file": [{"name": "a.proto", "messageType": [' + '{"nestedType": [' * depth
    text += "]}" * depth + "]}]}"
    with pytest.raises(ManifestError):
        bufimage.flatten(bufimage.decode_image(text.encode()))


def test_nesting_under_protobufs_own_limit_is_refused() -> None:
    """80 levels: protobuf decodes them (it stops at 100), the decoder's own limit refuses."""
    nested = b""
    for _ in range(80):
        nested = b"\x1a" + _varint(len(nested)) + nested
    file = b"\x22" + _varint(len(nested)) + nested
    with pytest.raises(ManifestError, match="deeper than 64"):
        bufimage.decode_image(b"\x0a" + _varint(len(file)) + file)


@pytest.mark.parametrize(
    "data",
    [
        b'{"file": [{"messageType": [{"field": [{"label": 1e999}]}]}]}',  # OverflowError inside
        b'{"file": [{"name": 5}]}',
        b'{"file": [1]}',
        b'{"file": [{"name": "\\ud800"}]}',
        b"\x0a\x03\x0a\x01\xff",  # a file name that is not UTF-8
    ],
)
def test_malformed_image_is_a_manifest_error(data: bytes) -> None:
    with pytest.raises(ManifestError):
        bufimage.flatten(bufimage.decode_image(data))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def test_committed_fixture_bundle_is_fresh_in_deep_mode(tmp_path: Path, buf: str) -> None:
    """tests/fixtures/bundle-fresh commits an image.json built by this Buf CLI (see its
    ameide-guard.toml for the regenerate command); a copy is edited to prove the check bites."""
    root = tmp_path / "bundle-fresh"
    shutil.copytree(FIXTURES / "bundle-fresh", root)
    before = tree_digest(root)
    result = scan_dir(root, deep=True)
    assert result.findings == [] and not result.notes
    assert tree_digest(root) == before
    proto = root / PKG / "proto/ameide/orders/v1/orders.proto"
    proto.write_text(proto.read_text("utf-8").replace("STATUS_PAID = 1;", "STATUS_PAID = 2;"))
    deep = [f for f in ag303(root, deep=True) if f.key == "deep"]
    assert [f.path for f in deep] == [f"{PKG}/image.json"]
    assert "enum value `ameide.orders.v1.Status.STATUS_PAID`" in deep[0].message
    assert "number 2" in deep[0].message


# ---------------------------------------------------------------- `scan --deep` on the CLI


def fixture_copy(tmp_path: Path, name: str, mode: str) -> Path:
    """A copy of a bundle fixture for one CLI run: `flag` leaves its config alone (the run
    passes `--deep`); `config` turns deep mode on with `[rules.AG303] deep = true` instead.
    `deep-stale` is bundle-fresh with a proto edited and the stamp rewritten, so that only deep
    mode can see that the committed image.json no longer matches."""
    root = tmp_path / f"{name}-{mode}"
    shutil.copytree(FIXTURES / ("bundle-fresh" if name == "deep-stale" else f"bundle-{name}"), root)
    (root / "expected.txt").unlink()
    if name == "deep-stale":
        proto = root / PKG / "proto/ameide/orders/v1/orders.proto"
        proto.write_text(proto.read_text("utf-8").replace("STATUS_PAID = 1;", "STATUS_PAID = 2;"))
        stamp(root)
    if mode == "config":
        config = root / "ameide-guard.toml"
        text = config.read_text("utf-8")
        # bundle-fresh's config ends inside its [rules.AG303] table; bundle-stale has none.
        table = "" if "[rules.AG303]" in text else "\n[rules.AG303]\n"
        config.write_text(f"{text.rstrip()}\n{table}deep = true\n", "utf-8")
    return root


def deep_scan(root: Path, *args: str) -> tuple[int, list[dict[str, object]], list[str]]:
    """`ameide-guard scan` of root through the CLI: exit code, JSON findings, stderr notes."""
    done = run_cli("scan", "--root", str(root), "--no-cache", "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    findings = json.loads(done.stdout)["findings"]
    for finding in findings:
        finding.pop("fingerprint", None)  # paths and messages are compared; ids are their hash
    notes = [line for line in done.stderr.splitlines() if line.startswith("ameide-guard: note:")]
    return done.returncode, findings, notes


@pytest.mark.parametrize(
    ("name", "code", "rules"),
    [("fresh", 0, []), ("stale", 1, ["AG303"] * 3), ("deep-stale", 1, ["AG303"])],
)
def test_cli_deep_flag_behaves_like_the_config_option(
    tmp_path: Path, buf: str, name: str, code: int, rules: list[str]
) -> None:
    flag = deep_scan(fixture_copy(tmp_path, name, "flag"), "--deep")
    config = deep_scan(fixture_copy(tmp_path, name, "config"))
    assert flag == config
    found, findings, notes = flag
    assert found == code and [f["rule"] for f in findings] == rules, findings
    assert not [n for n in notes if "not on PATH" in n], notes
    if name == "deep-stale":  # deep mode ran `buf build` and compared: only it sees this
        [finding] = findings
        assert finding["path"] == f"{PKG}/image.json"
        assert "does not match `buf build`" in str(finding["message"])
        assert "enum value `ameide.orders.v1.Status.STATUS_PAID`" in str(finding["message"])
        assert deep_scan(fixture_copy(tmp_path, name, "plain"))[:2] == (0, [])
    if name == "stale":  # neither package names a bundle or has an image-looking output
        assert len(notes) == 2 and all("no committed Buf image found" in n for n in notes)
    else:
        assert notes == []


@pytest.mark.parametrize("name", ["fresh", "deep-stale"])
def test_cli_deep_without_buf_says_once_that_it_was_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    flag_root = fixture_copy(tmp_path, name, "flag")
    config_root = fixture_copy(tmp_path, name, "config")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    assert bufimage.find_buf() is None
    flag = deep_scan(flag_root, "--deep")
    assert flag == deep_scan(config_root)
    code, findings, notes = flag
    assert (code, findings) == (0, [])  # a stale bundle cannot be seen without `buf`
    assert notes == [
        "ameide-guard: note: AG303 deep mode skipped: the Buf CLI (`buf`) is not on PATH."
    ]
    # without --deep nothing is said about deep mode
    assert deep_scan(fixture_copy(tmp_path, name, "plain")) == (0, [], [])
