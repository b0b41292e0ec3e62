"""AG501 ci-go-private: which jobs run Go, what covers the org, precedence, and broken YAML."""

from __future__ import annotations

import pytest
from harness import FIXTURES, scan_dir

from ameide_guard.checks.ci.ci_go_private import covers, is_workflow, runs_go
from ameide_guard.errors import ManifestError
from ameide_guard.manifests.workflow import parse_workflow

ORG = "github.com/ameideio"


@pytest.mark.parametrize(
    ("value", "covered"),
    [
        ("github.com/ameideio/*", True),
        ("github.com/ameideio", True),
        ("github.com/ameideio/", True),
        ("github.com/*", True),
        ("*", True),
        ("github.com/other/*,github.com/ameideio/*", True),
        ("github.com/other/*, github.com/ameideio/*", False),  # Go does not trim spaces
        ("github.com/ameideio/ameide-sdk-go", False),
        ("github.com/ameideio/a*", False),
        ("github.com/ameideio/*/*", False),
        ("github.com/ameide*", True),
        ("github.com/[a-z]meideio", True),
        ("github.com/[^a]meideio", False),
        ("github.com/ameideio-fork/*", False),
        ("", False),
        ("${{ vars.GOPRIVATE }}", True),
    ],
)
def test_covers_follows_go_prefix_patterns(value: str, covered: bool) -> None:
    assert covers(value, ORG) is covered


@pytest.mark.parametrize(
    ("script", "go"),
    [
        ("go test ./...", True),
        ("cd svc && go build ./...", True),
        ("  make lint; go vet ./...", True),
        ("CGO_ENABLED=0 go build -o bin/x .", True),
        # `go version`, `go env` and `go help` load no module (issue 14): not Go steps
        ("if go version; then echo ok; fi", False),
        ("echo $(go env GOPATH)", False),
        ("go help build", False),
        ("if go version; then go build ./...; fi", True),
        ("go env -w GOFLAGS=-mod=mod && go test ./...", True),
        ("go \\\n  test ./...", True),
        ('echo "go home"', False),
        ("echo let us go now", False),
        ("# go test ./...\nnpm test", False),
        ("golangci-lint run", False),
        ("cargo build", False),
    ],
)
def test_runs_go(script: str, go: bool) -> None:
    assert runs_go(script) is go


def test_workflow_paths() -> None:
    assert is_workflow(".github/workflows/ci.yml")
    assert is_workflow(".github/workflows/ci.yaml")
    assert not is_workflow(".github/workflows/sub/ci.yml")
    assert not is_workflow(".github/workflows/README.md")
    assert not is_workflow("services/.github/workflows/ci.yml")


def test_fixture_jobs() -> None:
    findings = [f for f in scan_dir(FIXTURES / "workflow-goprivate").findings if f.rule == "AG501"]
    jobs = {(f.path.rsplit("/", 1)[-1], f.message.split("`")[1]): f for f in findings}
    assert set(jobs) == {
        ("ci.yml", "missing"),
        ("ci.yml", "wrong-org"),
        ("ci.yml", "other-step-only"),
        ("ci.yml", "only-gonosumdb-missing"),
        ("ci.yml", "space-in-list"),
        ("ci.yml", "setup-go-make"),
        ("anchors.yml", "merged"),
    }
    missing = jobs[("ci.yml", "missing")]
    assert (missing.line, missing.span.column) == (5, 3)
    assert "GOPRIVATE is not set; GONOSUMDB is not set" in missing.message
    assert "step `go test ./...` at line 12" in missing.message
    wrong = jobs[("ci.yml", "wrong-org")].message
    assert "GOPRIVATE is `github.com/other/*` (job env)" in wrong
    only = jobs[("ci.yml", "only-gonosumdb-missing")].message
    assert "GONOSUMDB is not set" in only and "GOPRIVATE" not in only.split(":")[1].split(".")[0]
    merged = jobs[("anchors.yml", "merged")].message
    assert "GONOSUMDB is `github.com/elsewhere/*` (job env)" in merged
    assert "step `make test`" in jobs[("ci.yml", "setup-go-make")].message


def test_step_env_beats_job_env() -> None:
    text = (
        "env:\n  GOPRIVATE: github.com/ameideio/*\n  GONOSUMDB: github.com/ameideio/*\n"
        "jobs:\n  j:\n    steps:\n      - run: go test ./...\n        env:\n"
        "          GONOSUMDB: none.example\n"
    )
    workflow = parse_workflow(text, "ci.yml")
    assert workflow.jobs[0].steps[0].env == {"GONOSUMDB": "none.example"}
    assert workflow.jobs[0].span.line == 5


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("tabs.yml", 4, "tabs for indentation"),
        ("anchor.yml", 5, "undefined alias"),
        ("bomb.yml", 1, "alias bomb"),
        ("list.yaml", 1, "must be a YAML mapping"),
        ("multi.yml", 2, "single document"),
    ],
)
def test_broken_yaml_is_ag900(name: str, line: int, message: str) -> None:
    findings = scan_dir(FIXTURES / "workflow-malformed").findings
    found = [f for f in findings if f.path.endswith(name)]
    assert [f.rule for f in found] == ["AG900"]
    assert found[0].line == line
    assert message in found[0].message


def test_parse_errors_raise_manifest_error() -> None:
    with pytest.raises(ManifestError):
        parse_workflow("jobs:\n  a: [\n", "ci.yml")
    assert parse_workflow("", "ci.yml").jobs == ()


def test_pre_commit_paths_trigger_workflow_rule() -> None:
    root = FIXTURES / "workflow-goprivate"
    staged = scan_dir(root, paths=(".github/workflows/anchors.yml",)).findings
    assert [(f.path, f.line) for f in staged] == [(".github/workflows/anchors.yml", 11)]
