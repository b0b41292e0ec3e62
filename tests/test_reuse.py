"""Repository-rule results reused across scans (`scan/reuse.py`, issue 15).

Two things make the reuse sound, and both are held here on every fixture monorepo:

- each repo rule reads and probes only files its `triggered_by` declares as inputs (a kept
  result is filed under the digest of what it read, and stands across an added or removed
  path only if the rule does not declare that path), and
- a scan that reuses kept results after an edit of any kind gives byte for byte what a cold
  scan gives (findings, messages, fingerprints), while it did reuse some (so the comparison is
  not vacuous).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import FIXTURES as FIXTURE_ROOT
from harness import all_reports, fixture_dirs, scan_dir

from ameide_guard.config.loader import load_config
from ameide_guard.rule import Rule
from ameide_guard.scan import memo
from ameide_guard.scan.engine import ScanOptions
from ameide_guard.scan.repo import RepoView
from ameide_guard.scan.selection import enabled_rules
from ameide_guard.scan.zones import ZoneMap
from ameide_guard.vcs.discovery import discover

FIXTURES = fixture_dirs()
READS = ("text", "doc", "bytes", "exists")


def repo_rules(root: Path) -> tuple[RepoView, list]:
    config = load_config(root)
    zones = ZoneMap.from_config(config)
    files, _ = zones.scanned(discover(root).files)
    repo = RepoView(root=root, config=config, zones=zones, files=files)
    chosen = [
        (rule, ctx)
        for rule, ctx in enabled_rules(config, ScanOptions(root=root))
        if type(rule).check_repo is not Rule.check_repo
    ]
    return repo, chosen


@pytest.mark.parametrize("root", FIXTURES, ids=lambda p: p.name)
def test_every_repo_rule_reads_only_its_declared_inputs(root: Path) -> None:
    repo, rules = repo_rules(root)
    assert rules
    undeclared = []
    for rule, ctx in rules:
        with repo.tracing(("rule", ctx.meta.id)) as trace:
            list(rule.check_repo(repo, ctx))
        for origin in sorted(trace.accessed):
            # A read of a scanned file, or a probe of any path (one that does not exist yet
            # matters when it is added): each must be a declared input.
            kind, path = origin[0], origin[-1]
            probed = (kind in READS and path in repo.files) or kind == "exists"
            if probed and not rule.triggered_by(path, repo.zone(path)):
                undeclared.append(f"{ctx.meta.id} {kind} {path}")
    assert not undeclared, "read but not declared in triggered_by:\n" + "\n".join(undeclared)


def test_the_trace_sees_reads_inside_shared_results(tmp_path: Path) -> None:
    """AG402 asks for the lockfile verdicts AG401 computed first (`RepoView.derived`): its
    trace still holds the lockfiles and manifests those verdicts read."""
    root = FIXTURE_ROOT / "lock-pnpm"
    repo, rules = repo_rules(root)
    traces = {}
    for rule, ctx in rules:
        with repo.tracing(("rule", ctx.meta.id)) as trace:
            list(rule.check_repo(repo, ctx))
        traces[ctx.meta.id] = trace
    lockfile = ("text", "v9-insync/pnpm-lock.yaml")
    assert lockfile in traces["AG401"].accessed
    assert lockfile in traces["AG402"].accessed


# ------------------------------------------------------------------- edits of each kind

Edit = Callable[[Path], None]


def _files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    found = [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name.endswith(suffixes) and ".ameide-guard-cache" not in p.parts
    ]
    return found


def _pick(root: Path, suffixes: tuple[str, ...]) -> Path | None:
    """One file of the kind, chosen by the fixture's name (stable, but not always the first)."""
    found = _files(root, suffixes)
    if not found:
        return None
    index = int(hashlib.sha256(root.name.encode()).hexdigest(), 16) % len(found)
    return found[index]


MANIFESTS = ("package.json", "go.mod", "pyproject.toml", "requirements.txt", ".npmrc")
LOCKFILES = ("pnpm-lock.yaml", "package-lock.json", "yarn.lock", "uv.lock", "go.sum", "bun.lock")
SOURCES = (".ts", ".go", ".py", ".js")
WORKFLOWS = (".yml", ".yaml")


Action = Callable[[Path, Path], list[Path]]
"""An edit of `target` under `root`; it returns the files it wrote (to be dated back: a file
written this second is never trusted by its stat, which would make every comparison a cold
scan)."""


def append(text: str) -> Action:
    def edit(target: Path, root: Path) -> list[Path]:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text)
        return [target]

    return edit


def delete(target: Path, root: Path) -> list[Path]:
    target.unlink()
    return []


def rename(target: Path, root: Path) -> list[Path]:
    moved = target.with_name("moved-" + target.name)
    target.rename(moved)
    return [moved]


def copy_into_new_service(target: Path, root: Path) -> list[Path]:
    """A new untracked package: a manifest copied into a directory of its own."""
    fresh = root / "services" / "brand-new" / target.name
    fresh.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target, fresh)
    return [fresh]


def stray_protos(target: Path, root: Path) -> list[Path]:
    """A service grows its own `.proto` and `buf.gen.yaml` (AG302, AG301): new paths that
    findings are about although no rule reads their content."""
    service = root / "services" / "brand-new"
    service.mkdir(parents=True, exist_ok=True)
    written = [service / "api.proto", service / "buf.gen.yaml"]
    written[0].write_text('syntax = "proto3";\npackage brand.v1;\n', encoding="utf-8")
    written[1].write_text("version: v2\nplugins: []\n", encoding="utf-8")
    return written


def touch(target: Path, root: Path) -> list[Path]:
    """The stat moves, the content does not (a checkout, `touch`)."""
    return [target]


CONFIG = ("ameide-guard.toml",)
EDITS: dict[str, tuple[tuple[str, ...], Action]] = {
    "source": (SOURCES, append('\nimport "@buf/acme_api.bufbuild_es/edited_pb.js";\n')),
    "manifest": (MANIFESTS, append("\n")),
    "manifest-broken": (("package.json", "pyproject.toml"), append("\n{{ not valid\n")),
    "lockfile": (LOCKFILES, append("\n")),
    "workflow": (WORKFLOWS, append("\n# edited\n")),
    "config": (CONFIG, append("\n# edited\n")),
    "deleted-manifest": (MANIFESTS, delete),
    "deleted-lockfile": (LOCKFILES, delete),
    "renamed-source": (SOURCES, rename),
    "renamed-manifest": (MANIFESTS, rename),
    "new-untracked-package": (MANIFESTS, copy_into_new_service),
    "new-stray-protos": (MANIFESTS, stray_protos),
    "deleted-source": (SOURCES, delete),
    "touched": (MANIFESTS + LOCKFILES, touch),
}
CASES = [
    pytest.param(fixture, edit, id=f"{fixture.name}-{edit}")
    for fixture in FIXTURES
    for edit, (suffixes, _) in sorted(EDITS.items())
    if _pick(fixture, suffixes) is not None
]
"""Every fixture with every edit that applies to it (one that has no lockfile gets no lockfile
edit)."""


def age(root: Path) -> None:
    """Date every file back, as in a checkout, so that none is too fresh to trust by stat
    (this changes every ctime: done once, before the first scan)."""
    past = time.time() - 120
    for path in root.rglob("*"):
        if path.is_file() and ".ameide-guard-cache" not in path.parts:
            os.utime(path, (past, past))


@pytest.mark.parametrize(("fixture", "edit"), CASES)
def test_reused_results_equal_a_cold_scan_after_an_edit(
    fixture: Path, edit: str, tmp_path: Path, forced_pool: None
) -> None:
    """Every report (JSON with fingerprints, text, SARIF) of the incremental scan, run over two
    worker processes, equals that of a cold scan on one job without any cache."""
    root = tmp_path / fixture.name
    shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("expected.txt"))
    age(root)
    cache_dir = tmp_path / "cache"
    scan_dir(root, use_cache=True, cache_dir=cache_dir, jobs=2)
    suffixes, action = EDITS[edit]
    target = _pick(root, suffixes)
    assert target is not None
    edited = action(target, root)
    later = time.time() - 30
    for path in edited:
        os.utime(path, (later, later))
    (cache_dir / memo.FILE_NAME).unlink(missing_ok=True)  # the per-rule path, not the memo
    incremental = scan_dir(root, use_cache=True, cache_dir=cache_dir, jobs=2)
    cold = scan_dir(root, use_cache=False, jobs=1)
    assert all_reports(incremental) == all_reports(cold)
    assert incremental.notes == cold.notes
    if edit in ("source", "renamed-source", "touched"):
        # No repo rule has a source among its inputs, and a touch changes no content, yet
        # the stat record moved: only rules whose inputs hold the touched file rerun.
        assert incremental.stats.extra.get("rules-reused", 0) > 0


GIT_EDITS = ("new-untracked-package", "deleted-manifest", "renamed-source", "lockfile", "source")


@pytest.mark.parametrize("edit", GIT_EDITS)
def test_in_a_git_work_tree_memo_and_reuse_equal_a_cold_scan(edit: str, tmp_path: Path) -> None:
    """The same in a git work tree, where discovery is git's (tracked and untracked files) and
    the scan memo answers first by git's own view: each edit is seen, nothing is replayed
    stale, with or without the memo of the scan before."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE_ROOT / "example", root, ignore=shutil.ignore_patterns("expected.txt"))
    age(root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fixture"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    cache_dir = tmp_path / "cache"
    scan_dir(root, use_cache=True, cache_dir=cache_dir)
    suffixes, action = EDITS[edit]
    target = _pick(root, suffixes)
    assert target is not None
    later = time.time() - 30
    for path in action(target, root):
        os.utime(path, (later, later))
    with_memo = scan_dir(root, use_cache=True, cache_dir=cache_dir)
    (cache_dir / memo.FILE_NAME).unlink()
    without_memo = scan_dir(root, use_cache=True, cache_dir=cache_dir)
    cold = scan_dir(root, use_cache=False)
    assert all_reports(with_memo) == all_reports(cold)
    assert all_reports(without_memo) == all_reports(cold)
