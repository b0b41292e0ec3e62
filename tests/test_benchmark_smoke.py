"""The benchmark scripts run end to end on a tiny tree (issue 7). No timing is asserted: the
figures belong in docs/performance.md, measured on the 20,000-file tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GENERATE = REPO / "benchmarks" / "generate.py"
RUN = REPO / "benchmarks" / "run.py"


def generate(target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATE), str(target), "--files", "200", *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("bench")
    tree, expected = base / "tree", base / "expected.json"
    done = generate(tree, "--expected", str(expected))
    assert done.returncode == 0, done.stderr
    return tree, expected


def test_generated_tree_is_a_committed_git_repo_of_the_size_asked(bench: tuple[Path, Path]) -> None:
    tree, expected = bench
    listed = subprocess.run(
        ["git", "ls-files"], cwd=tree, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(listed) == 200
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=tree, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    names = {Path(p).name for p in listed}
    for manifest in (
        "go.mod",
        "go.sum",
        "package.json",
        "pnpm-lock.yaml",
        "pyproject.toml",
        "uv.lock",
        "buf.yaml",
        "buf.gen.yaml",
    ):
        assert manifest in names, manifest
    suffixes = {Path(p).suffix for p in listed}
    assert {".ts", ".tsx", ".go", ".py", ".proto"} <= suffixes
    planted = json.loads(expected.read_text())
    sources = [p for p in listed if p.endswith((".ts", ".tsx", ".go", ".py"))]
    assert len(planted) == max(1, round(len([p for p in sources if "services/" in p]) / 100))
    assert {v["rule"] for v in planted} <= {"AG101", "AG102"}


def test_generation_is_deterministic(bench: tuple[Path, Path], tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert generate(again, "--no-git").returncode == 0
    assert tree_bytes(again) == tree_bytes(bench[0])


def test_generator_refuses_the_repository_and_non_empty_dirs(tmp_path: Path) -> None:
    assert generate(REPO / "benchmarks" / "out").returncode != 0
    assert not (REPO / "benchmarks" / "out").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert generate(tmp_path / "full").returncode != 0


def test_run_reports_timings_memory_and_agreement(bench: tuple[Path, Path], tmp_path: Path) -> None:
    tree, expected = bench
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(RUN), str(tree), "--repeat", "1", "--no-semgrep", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    cases = ("--version", "git grep -F", "cold (--no-cache)", "warm (cache)", "10 files")
    edits = tuple(f"warm, 1 {kind} edited" for kind in ("source", "manifest", "lockfile"))
    for case in (*cases, *edits, "cold, --jobs 1", "empty repo", "python -c pass"):
        assert report["medians"][case] > 0, case
    assert set(report["memory_mb"]) == {"cold", "warm", "cold+write"}
    assert all(v > 0 for v in report["memory_mb"].values())
    assert {"cold / git grep", "cold / warm"} <= set(report["ratios"])
    planted = json.loads(expected.read_text())
    assert report["agreement"]["ameide-guard"] == len(planted)
    assert {"cold / 1 source edited", "jobs 1 / default", "empty repo - python (s)"} <= set(
        report["ratios"]
    )
    assert "targets (issue 7)" in done.stdout and "targets (issue 15)" in done.stdout
    assert "semgrep" in done.stdout and "skipped" in done.stdout
    phases = report["phases_ms"]
    assert {"discover", "zones", "analyse"} <= set(phases)
    assert all(isinstance(ms, int) and ms >= 0 for ms in phases.values())
