"""The memo's fast key (gitstate.py): git's own view of the work tree stands in for the lstat of
every file, so it must change whenever a file a scan reads could have changed, and it must not
be used where git does not look at files (assume-unchanged, skip-worktree)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from harness import scan_dir
from test_cache import SOURCES, age, make_tree

from ameide_guard.scan import engine, memo
from ameide_guard.scan.engine import ScanResult
from ameide_guard.vcs.background import DiscoveryRun
from ameide_guard.vcs.discovery import discover


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def git_tree(root: Path) -> Path:
    """The test_cache tree committed to a fresh repository, every file dated in the past."""
    make_tree(root, {**SOURCES, "services/py/notes.txt": "see app.py\n"})
    os.symlink("app.py", root / "services/py/alias.py")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "fixture")
    age(root)
    return root


def signature(root: Path) -> bytes | None:
    run = DiscoveryRun(root, fast=True)
    try:
        return run.fast_signature()
    finally:
        run.result()


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    age(path)


@pytest.mark.parametrize(
    "change",
    [
        "edit a tracked file",
        "edit it to the same size",
        "delete a tracked file",
        "add an untracked file",
        "edit an untracked file",
        "stage a change",
        "edit a symlink's target",
        "chmod a tracked file",
    ],
)
def test_the_signature_changes_with_what_a_scan_reads(tmp_path: Path, change: str) -> None:
    root = git_tree(tmp_path / "repo")
    edit(root / "services/py/draft.py", "import os\n")  # an untracked file from the start
    app = root / "services/py/app.py"
    before = signature(root)
    assert before is not None and signature(root) == before
    if change == "edit a tracked file":
        edit(app, "import os\nimport sys\n")
    elif change == "edit it to the same size":
        text = app.read_text()
        edit(app, text[::-1])
    elif change == "delete a tracked file":
        app.unlink()
    elif change == "add an untracked file":
        edit(root / "services/py/new.py", "import orders_pb2\n")
    elif change == "edit an untracked file":
        edit(root / "services/py/draft.py", "import orders_pb2\n")
    elif change == "stage a change":
        edit(app, "import os\n")
        first = signature(root)
        git(root, "add", "services/py/app.py")
        assert signature(root) != first
    elif change == "edit a symlink's target":
        os.unlink(root / "services/py/alias.py")
        os.symlink("notes.txt", root / "services/py/alias.py")
        age(root / "services/py")
    elif change == "chmod a tracked file":
        app.chmod(0o755)
    assert signature(root) != before


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_no_signature_where_git_does_not_look(tmp_path: Path, flag: str) -> None:
    root = git_tree(tmp_path / "repo")
    assert signature(root) is not None
    git(root, "update-index", flag, "services/py/app.py")
    assert signature(root) is None


def test_no_signature_outside_a_work_tree_or_when_not_asked(tmp_path: Path) -> None:
    plain = make_tree(tmp_path / "plain")
    assert signature(plain) is None
    root = git_tree(tmp_path / "repo")
    run = DiscoveryRun(root)
    assert run.fast_signature() is None
    assert run.result() == discover(root)


@pytest.mark.parametrize("in_child", [True, False])
def test_the_discovery_after_the_signature_is_unchanged(tmp_path: Path, in_child: bool) -> None:
    root = git_tree(tmp_path / "repo")
    run = DiscoveryRun(root, in_child=in_child, fast=True)
    assert run.fast_signature() is not None
    assert run.result() == discover(root)


def test_discarding_after_the_signature_reaps_the_child(tmp_path: Path) -> None:
    root = git_tree(tmp_path / "repo")
    run = DiscoveryRun(root, in_child=True, fast=True)
    assert run.fast_signature() is not None
    pid = run._child[0]  # type: ignore[index]
    run.discard()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def memo_scan(root: Path, cache_dir: Path) -> ScanResult:
    return scan_dir(root, use_cache=True, cache_dir=cache_dir)


def test_a_git_tree_is_answered_through_git_and_a_change_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = git_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    first = memo_scan(root, cache_dir)
    stored = json.loads((cache_dir / memo.FILE_NAME).read_text())
    # A first scan has no memo to look up, so it does not ask for git's view; the next one,
    # answered by the full key, records the fast key beside it.
    assert stored["key"] and stored["fast"] is None
    assert any(f.path == "services/py/app.py" for f in first.findings)
    memo_scan(root, cache_dir)
    assert json.loads((cache_dir / memo.FILE_NAME).read_text())["fast"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("discovery was waited for although git's view matched")

    with monkeypatch.context() as patch:
        patch.setattr(DiscoveryRun, "result", refuse)
        patch.setattr(engine, "start_analysis", refuse)
        again = memo_scan(root, cache_dir)
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]

    edit(root / "services/py/app.py", "import os\n")
    after = memo_scan(root, cache_dir)
    assert not any(f.path == "services/py/app.py" for f in after.findings)


def test_a_memo_without_a_matching_fast_key_is_still_used_and_gains_it(tmp_path: Path) -> None:
    """An index rewritten by `git status` changes nothing a scan reads: the full key matches,
    the memo answers, and it records git's new view for the next run."""
    root = git_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    first = memo_scan(root, cache_dir)
    stored = json.loads((cache_dir / memo.FILE_NAME).read_text())
    stored["fast"] = "0" * 40
    (cache_dir / memo.FILE_NAME).write_text(json.dumps(stored))
    again = memo_scan(root, cache_dir)
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]
    assert json.loads((cache_dir / memo.FILE_NAME).read_text())["fast"] != "0" * 40
