"""AG201 go-mod-replace and AG202 go-module-path: messages, allow patterns, zones, options."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FIXTURES, scan_dir

from ameide_guard.checks.dependencies.go_mod_replace import parse_allow
from ameide_guard.checks.dependencies.go_module_path import sdk_lookalike
from ameide_guard.config.loader import load_config
from ameide_guard.errors import ConfigError
from ameide_guard.manifests.gomod import GoReplace
from ameide_guard.model import Finding, Span

SDK = "github.com/ameideio/ameide-sdk-go"


def _findings(root: Path, rule: str) -> list[Finding]:
    return [f for f in scan_dir(root).findings if f.rule == rule]


def _write(root: Path, files: dict[str, str], config: str = "# defaults\n") -> Path:
    (root / "ameide-guard.toml").write_text(config)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_replace_messages_distinguish_local_and_module() -> None:
    found = {(f.path, f.line): f.message for f in _findings(FIXTURES / "gomod-replace", "AG201")}
    local = found[("services/billing/go.mod", 14)]
    assert "local directory `../../packages/ameide_sdk_go`" in local
    assert "the Go SDK `github.com/ameideio/ameide-sdk-go`" in local
    assert "released version" in local
    module = found[("services/billing/go.mod", 16)]
    assert "different module (`github.com/fork/uuid`)" in module
    assert "`replace github.com/google/uuid v1.6.0 => github.com/fork/uuid v1.6.1`" in module
    assert "go get github.com/google/uuid@vX.Y.Z" in module
    assert "in go.work" in found[("go.work", 9)]


def test_every_replace_line_is_reported_and_suppression_applies(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "svc/go.mod": "module github.com/ameideio/svc\n\nreplace (\n\ta.org/x => ../x\n\n"
            "\t// odd comment\n\tb.org/y v1.0.0 => c.org/y v1.0.1 // trailing\n)\n"
            "replace d.org/z => ./z\n"
            "// ameide-guard: ignore[AG201] vendored until upstream releases (ENG-1)\n"
            "replace e.org/w => ./w\n"
        },
    )
    assert [(f.path, f.line, f.span.column) for f in _findings(root, "AG201")] == [
        ("svc/go.mod", 4, 2),
        ("svc/go.mod", 7, 2),
        ("svc/go.mod", 9, 1),
    ]


def test_fingerprint_key_survives_line_shift(tmp_path: Path) -> None:
    root = _write(tmp_path, {"go.mod": "module github.com/ameideio/m\nreplace a.org/x => ../x\n"})
    before = _findings(root, "AG201")[0]
    (root / "go.mod").write_text(
        "module github.com/ameideio/m\n\n\n// moved\nreplace a.org/x => ../x\n"
    )
    after = _findings(root, "AG201")[0]
    assert before.line != after.line and before.fingerprint == after.fingerprint


@pytest.mark.parametrize(
    ("pattern", "replace", "allowed"),
    [
        ("a.org/x => ../x", GoReplace("a.org/x", None, "./../x", None, Span(1, 1, 1, 2)), True),
        ("a.org/x => ../x", GoReplace("a.org/x", "v1.0.0", "../y", None, Span(1, 1, 1, 2)), False),
        (
            "a.org/x@v1.0.0 => b.org/x@*",
            GoReplace("a.org/x", "v1.0.0", "b.org/x", "v9", Span(1, 1, 1, 2)),
            True,
        ),
        (
            "a.org/x@v1.0.0 => b.org/x@*",
            GoReplace("a.org/x", None, "b.org/x", "v9", Span(1, 1, 1, 2)),
            False,
        ),
        ("a.org/* => ../*", GoReplace("a.org/q", None, "../q", None, Span(1, 1, 1, 2)), True),
        (
            "a.org/x => b.org/x@v1.0.1",
            GoReplace("a.org/x", None, "b.org/x", "v1.0.2", Span(1, 1, 1, 2)),
            False,
        ),
    ],
)
def test_allow_patterns(pattern: str, replace: GoReplace, allowed: bool) -> None:
    assert parse_allow(pattern).matches(replace) is allowed


@pytest.mark.parametrize("bad", ["a.org/x", "a.org/x v1.0.0 => b", "=> b", "a@ => b"])
def test_bad_allow_pattern_is_a_config_error(tmp_path: Path, bad: str) -> None:
    (tmp_path / "ameide-guard.toml").write_text(f'[rules.AG201]\nallow = ["{bad}"]\n')
    with pytest.raises(ConfigError, match="allow"):
        load_config(tmp_path)


def test_sdk_lookalikes() -> None:
    assert sdk_lookalike(SDK, SDK) is None
    assert "fork" in (sdk_lookalike("github.com/someone/ameide-sdk-go", SDK) or "")
    assert "case" in (sdk_lookalike("github.com/AmeideIO/ameide-sdk-go", SDK) or "")
    assert "major" in (sdk_lookalike(SDK + "/v2", SDK) or "")
    assert "fork" in (sdk_lookalike("gitlab.com/ameideio/ameide-sdk-go/v3", SDK) or "")
    assert sdk_lookalike(SDK + "-extras", SDK) is None
    assert sdk_lookalike("github.com/ameideio/other", SDK) is None


def test_module_path_findings() -> None:
    found = {
        (f.path, f.line): f.message for f in _findings(FIXTURES / "gomod-module-path", "AG202")
    }
    assert (
        "outside the allowed prefixes (`github.com/ameideio/`)" in found[("services/a/go.mod", 1)]
    )
    assert "differs only in letter case" in found[("services/c/go.mod", 1)]
    assert "github.com/ameideio-fork/d" in found[("services/d/go.mod", 1)]
    assert "fork or mirror" in found[("services/b/go.mod", 7)]
    assert "letter case" in found[("services/b/go.mod", 8)]
    assert "major version `v2`" in found[("services/b/go.mod", 9)]
    assert "replaces `github.com/ameideio/ameide-sdk-go`" in found[("go.work", 5)]
    # test-zone module and the SDK's own canonical module are fine
    assert not any("tests/" in path or "ameide_sdk_go" in path for path, _ in found)


def test_prefixes_option_and_configured_sdk(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "a/go.mod": "module corp.example/a\n\nrequire corp.example/sdk-go v1.0.0\n",
            "b/go.mod": "module github.com/ameideio/b\n\nrequire fork.example/sdk-go v1.0.0\n",
        },
        '[sdk-packages]\ngo = "corp.example/sdk-go"\n\n[rules]\nAG401 = "off"\nAG402 = "off"\n\n'
        '[rules.AG202]\nprefixes = ["corp.example"]\n',
    )
    assert [(f.path, f.line) for f in _findings(root, "AG202")] == [
        ("b/go.mod", 1),
        ("b/go.mod", 3),
    ]


def test_malformed_go_mod_is_one_ag900_and_no_rule_findings() -> None:
    findings = scan_dir(FIXTURES / "gomod-malformed").findings
    assert {f.rule for f in findings} == {"AG900"}
    by_path = {f.path: f.message for f in findings}
    assert "unknown directive: requires" in by_path["services/unknown/go.mod"]
    assert "unterminated block" in by_path["services/unterminated/go.mod"]
    assert "not valid UTF-8" in by_path["services/binary/go.mod"]


def test_pre_commit_paths_keep_manifest_rules_to_staged_inputs() -> None:
    root = FIXTURES / "gomod-replace"
    staged = scan_dir(root, paths=("services/billing/go.mod",)).findings
    assert {f.path for f in staged if f.rule == "AG201"} == {"services/billing/go.mod"}
    unrelated = scan_dir(root, paths=("services/billing/README.md",)).findings
    assert not [f for f in unrelated if f.rule == "AG201"]
