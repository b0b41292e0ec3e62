"""Discovery: git's view in a work tree, .gitignore-honouring walk elsewhere, no escaping links."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from harness import scan_dir

from ameide_guard.vcs.background import DiscoveryRun
from ameide_guard.vcs.discovery import Discovery, discover


def touch(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_walk_honours_nested_gitignore_files(tmp_path: Path) -> None:
    touch(tmp_path / ".gitignore", "build/\n*.log\n")
    touch(tmp_path / "a.ts")
    touch(tmp_path / "x.log")
    touch(tmp_path / "build" / "out.ts")
    touch(tmp_path / "svc" / ".gitignore", "gen/\n!keep.log\n")
    touch(tmp_path / "svc" / "gen" / "g.ts")
    touch(tmp_path / "svc" / "keep.log")
    touch(tmp_path / "svc" / "main.go")
    found = discover(tmp_path)
    assert not found.git
    assert found.files == [".gitignore", "a.ts", "svc/.gitignore", "svc/keep.log", "svc/main.go"]


def test_git_lists_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    touch(tmp_path / ".gitignore", "ignored/\n")
    touch(tmp_path / "tracked.ts")
    touch(tmp_path / "ignored" / "x.ts")
    git(tmp_path, "add", ".")
    touch(tmp_path / "untracked.py")
    found = discover(tmp_path)
    assert found.git
    assert found.files == [".gitignore", "tracked.ts", "untracked.py"]


def test_symlinks_out_of_the_root_and_loops_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    touch(outside / "secret.ts", 'import "@buf/x";\n')
    touch(root / "inside.ts", "export {};\n")
    os.symlink(outside / "secret.ts", root / "escape.ts")
    os.symlink(root / "inside.ts", root / "alias.ts")
    os.symlink(root / "loop_a.ts", root / "loop_b.ts")
    os.symlink(root / "loop_b.ts", root / "loop_a.ts")
    os.symlink(outside, root / "dirlink")
    found = discover(root)
    assert found.files == ["alias.ts", "inside.ts"]
    reasons = dict(found.skipped)
    assert reasons["escape.ts"] == "symlink pointing outside the repository"
    assert reasons["loop_a.ts"] == "broken or looping symlink"
    assert "dirlink/secret.ts" not in found.files


def test_exclude_patterns_drop_files_from_the_scan(tmp_path: Path) -> None:
    touch(tmp_path / "ameide-guard.toml", 'exclude = ["legacy/"]\n')
    touch(tmp_path / "legacy" / "old.ts", 'import "@buf/acme_x.bufbuild_es/x_pb.js";\n')
    touch(tmp_path / "svc" / "new.ts", 'import "@buf/acme_x.bufbuild_es/x_pb.js";\n')
    result = scan_dir(tmp_path)
    assert [(f.path, f.rule) for f in result.findings] == [("svc/new.ts", "AG101")]
    assert result.stats.excluded == 1


def _mixed_tree(root: Path) -> Path:
    git(root, "init", "-q")
    touch(root / ".gitignore", "ignored/\n")
    touch(root / "svc" / "tracked.ts", 'import "@buf/x";\n')
    touch(root / "ignored" / "x.ts")
    git(root, "add", ".")
    touch(root / "svc" / "untracked.py")
    os.symlink(root / "svc" / "tracked.ts", root / "alias.ts")
    os.symlink(root / "nowhere.ts", root / "broken.ts")
    return root


def test_discovery_in_a_child_process_equals_discovery_here(tmp_path: Path) -> None:
    """The CLI discovers in a forked child (off the interpreter lock while the rules load); what
    comes back through the pipe is exactly what discovering in-process gives."""
    root = _mixed_tree(tmp_path)
    here = discover(root)
    assert here.files and here.skipped and here.stat_of
    assert DiscoveryRun(root, in_child=True).result() == here
    assert DiscoveryRun(root).result() == here


def test_a_failing_child_means_discovering_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _mixed_tree(tmp_path)
    here = discover(root)

    def explode(self: Discovery) -> bytes:
        raise RuntimeError("the child cannot send its result")

    monkeypatch.setattr(Discovery, "to_bytes", explode)  # inherited by the forked child
    assert DiscoveryRun(root, in_child=True).result() == here


def test_tasks_run_while_discovery_is_under_way_and_stop_when_it_is_ready(tmp_path: Path) -> None:
    """`result(while_waiting=…)` fills the wait (the engine loads grammars there) and stops
    taking tasks once the discovery is ready; the result is unaffected."""
    root = _mixed_tree(tmp_path)
    ran: list[str] = []

    def slow() -> None:
        time.sleep(1.0)  # far longer than discovering a six-file tree
        ran.append("slow")

    for in_child in (True, False):
        ran.clear()
        tasks = iter([slow, lambda: ran.append("next")])
        run = DiscoveryRun(root, in_child=in_child)
        assert run.result(while_waiting=tasks) == discover(root)
        assert ran == ["slow"]
        assert next(tasks, None) is not None  # left for the caller
