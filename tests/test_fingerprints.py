"""Fingerprints survive inserted lines above and distinguish repeated findings."""

from __future__ import annotations

from pathlib import Path

from harness import scan_dir

SOURCE = (
    'import {{ a }} from "@buf/acme_a.bufbuild_es/a_pb.js";\n'
    '{pad}const b = require("@buf/acme_a.bufbuild_es/a_pb.js");\n'
)


def fingerprints(root: Path, pad: str) -> list[str]:
    (root / "svc").mkdir(exist_ok=True)
    (root / "svc" / "x.ts").write_text("// header\n" + SOURCE.format(pad=pad), encoding="utf-8")
    return [f.fingerprint for f in scan_dir(root).findings]


def test_fingerprints_are_stable_under_line_shifts(tmp_path: Path) -> None:
    (tmp_path / "ameide-guard.toml").write_text("", encoding="utf-8")
    before = fingerprints(tmp_path, "")
    after = fingerprints(tmp_path, "\n\n// unrelated\n\n")
    assert len(before) == 2 and len(set(before)) == 2
    assert before == after
