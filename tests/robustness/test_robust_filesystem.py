"""Hostile *trees*: files that vanish or cannot be read mid-scan, FIFOs and directories with source
names, symlink loops and links out of the root, odd path names, empty trees, non-git trees and git
work trees with a broken index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from harness import scan_dir
from robust_support import CANARY, git, problems, run_cli, scan_both, short, write_tree

from ameide_guard.vcs import discovery
from ameide_guard.vcs.discovery import Discovery

BUF_TS = 'import { A } from "@buf/acme_a.bufbuild_es";\n'


def _discover_then(monkeypatch: pytest.MonkeyPatch, action) -> None:  # type: ignore[no-untyped-def]
    """Run `action(root)` right after discovery: the tree changes between listing and reading."""
    real = discovery.discover

    def discover(root: Path, *args: object, **kwargs: object) -> Discovery:
        found = real(root, *args, **kwargs)  # type: ignore[arg-type]
        action(root)
        return found

    monkeypatch.setattr(discovery, "discover", discover)


def test_source_and_manifest_vanishing_mid_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "svc/gone.ts": BUF_TS,
            "svc/package.json": '{"dependencies": {"left-pad": "1.0.0"}}',
            "svc/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        },
    )

    def vanish(root: Path) -> None:
        (root / "svc/gone.ts").unlink()
        (root / "svc/package.json").unlink()

    _discover_then(monkeypatch, vanish)
    result = scan_dir(tmp_path)
    assert CANARY in short(result)
    assert problems(result, "svc/gone.ts") == ["cannot read: No such file or directory"]
    assert problems(result, "svc/package.json") == ["cannot read: No such file or directory"]
    assert result.stats.failed == 1


def test_file_becoming_unreadable_mid_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores chmod 000, so the files are swapped for directories after discovery: every
    read then fails (EISDIR) whatever system call the reader uses."""
    write_tree(
        tmp_path,
        {
            "svc/locked.ts": BUF_TS,
            "svc/open.ts": BUF_TS,
            "svc/package.json": '{"dependencies": {"left-pad": "1.0.0"}}',
            "svc/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        },
    )

    def lock(root: Path) -> None:
        for name in ("svc/locked.ts", "svc/package.json"):
            (root / name).unlink()
            (root / name).mkdir()

    _discover_then(monkeypatch, lock)
    result = scan_dir(tmp_path)
    assert problems(result, "svc/locked.ts") == ["cannot read: Is a directory"]
    assert problems(result, "svc/package.json") == ["cannot read: Is a directory"]
    assert "svc/open.ts:1: AG101" in short(result) and CANARY in short(result)
    assert result.stats.failed == 1


def test_fifo_and_directory_with_source_names_do_not_hang(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/real.ts": BUF_TS})
    os.mkfifo(tmp_path / "svc/pipe.ts")
    os.mkfifo(tmp_path / "package.json")
    (tmp_path / "svc/dir.ts").mkdir()
    (tmp_path / "svc/dir.ts/inner.go").write_text("package inner\n")
    run = run_cli(tmp_path, "--format", "json", "--no-cache", timeout=60)
    assert run.code == 1 and run.seconds < 30
    assert {CANARY, "svc/real.ts:1: AG101"} <= set(run.short())
    assert run.json()["stats"]["skipped"] == 2  # the two FIFOs: "not a regular file"


@pytest.mark.parametrize("in_git", [False, True], ids=["walk", "git"])
def test_symlink_loops_and_links_out_of_the_root(tmp_path: Path, in_git: bool) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.ts": BUF_TS}, canary=False)
    root = write_tree(tmp_path / "repo", {"svc/a.ts": BUF_TS})
    (root / "svc/loop1.ts").symlink_to("loop2.ts")
    (root / "svc/loop2.ts").symlink_to("loop1.ts")
    (root / "svc/self.ts").symlink_to("self.ts")
    (root / "svc/dirloop").symlink_to("..", target_is_directory=True)
    (root / "svc/escape.ts").symlink_to(outside / "secret.ts")
    (root / "svc/escape_rel.ts").symlink_to("../../outside/secret.ts")
    (root / "svc/escape_dir").symlink_to(outside, target_is_directory=True)
    (root / "svc/dangling.ts").symlink_to("nowhere.ts")
    (root / "svc/inside.ts").symlink_to("a.ts")
    if in_git:
        git(root, "init", "-q")
        git(root, "add", "-A")
    result, run = scan_both(root)
    assert short(result) == [CANARY, "svc/a.ts:1: AG101", "svc/inside.ts:1: AG101"]
    assert all("outside" not in f.path and ".." not in f.path for f in result.findings)
    # loop1, loop2, self, dangling (broken/looping), escape, escape_rel (outside) are skipped;
    # the directory links (dirloop, escape_dir) are never followed: git lists them as files
    # (skipped: "symlink to a directory"), the walk does not descend into them at all.
    skipped = 8 if in_git else 6
    assert result.stats.skipped == skipped, result.stats
    assert run.json()["stats"]["skipped"] == skipped


ODD_NAMES = [
    "svc/with space/a file.ts",
    "svc/ünïcødé/模块.ts",
    "svc/new\nline.ts",
    "svc/..foo.ts",
    "svc/a..b/x.ts",
    "svc/.../x.ts",
    "svc/-dash.ts",
    "svc/quote'\"s.ts",
    "svc/tab\there.ts",
    "svc/back\\slash.ts",
]


@pytest.mark.parametrize("in_git", [False, True], ids=["walk", "git"])
def test_odd_path_names(tmp_path: Path, in_git: bool) -> None:
    root = write_tree(tmp_path, dict.fromkeys(ODD_NAMES, BUF_TS))
    if in_git:
        git(root, "init", "-q")
        git(root, "add", "-A")
    result, run = scan_both(root)
    expected = sorted([CANARY] + [f"{name}:1: AG101" for name in ODD_NAMES])
    assert sorted(short(result)) == expected
    assert sorted(run.short()) == expected
    text = run_cli(root, "--no-cache")
    assert text.code == 1 and "svc/ünïcødé/模块.ts:1:19: AG101" in text.stdout


def test_empty_repository(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "--no-cache")
    assert run.code == 0
    assert run.stdout.startswith("Found 0 findings") and " 0 files;" in run.stdout
    git(tmp_path, "init", "-q")
    run = run_cli(tmp_path, "--format", "json", "--no-cache")
    assert run.code == 0 and run.json()["findings"] == [] and run.json()["stats"]["files"] == 0


def test_not_a_git_work_tree_honours_gitignore(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "ignored/\n*.gen.ts\n",
            "ignored/a.ts": BUF_TS,
            "svc/b.gen.ts": BUF_TS,
            "svc/c.ts": BUF_TS,
        },
    )
    result, run = scan_both(tmp_path)
    assert short(result) == [CANARY, "svc/c.ts:1: AG101"]
    assert "note" not in run.stderr


def test_git_work_tree_with_a_broken_index_falls_back_to_walking(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "ignored/\n", "ignored/a.ts": BUF_TS, "svc/c.ts": BUF_TS})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    (tmp_path / ".git/index").write_bytes(b"DIRC\0\0\0\2garbage" + os.urandom(64))
    result, run = scan_both(tmp_path)
    assert short(result) == [CANARY, "svc/c.ts:1: AG101"]
    assert "ameide-guard: note: git could not list the files (broken index?)" in run.stderr
    assert run.stderr.count("\n") == 1
    assert (tmp_path / ".git/index").read_bytes().startswith(b"DIRC\0\0\0\2garbage")
