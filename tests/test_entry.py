"""The console entry starts discovery before importing the command line (`_entry.py`): for the
root `scan` will use, handed over when the command settles on that root, discarded otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from harness import run_cli

from ameide_guard.cli import entry as _entry
from ameide_guard.cli.entry import _early_discovery
from ameide_guard.scan.names import CACHE_DIR_NAME, MEMO_FILE
from ameide_guard.vcs.background import DiscoveryRun
from ameide_guard.vcs.discovery import discover

BUF_TS = 'import { A } from "@buf/acme_a.bufbuild_es";\n'


def project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"ameide-guard.toml": "# defaults\n", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_scan_discovers_the_project_around_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "a", {"svc/x.ts": BUF_TS})
    monkeypatch.chdir(root / "svc")
    early = _early_discovery(["scan", "--format", "json"])
    assert isinstance(early, DiscoveryRun) and early.root == root.resolve()
    assert early.result() == discover(root.resolve())


def test_root_option_is_followed_and_other_commands_start_nothing(tmp_path: Path) -> None:
    root = project(tmp_path / "a", {})
    for args in (["scan", "--root", str(root)], ["scan", f"--root={root}", "-j", "1"]):
        early = _early_discovery(args)
        assert isinstance(early, DiscoveryRun) and early.root == root.resolve()
        early.discard()
    for args in ([], ["rules"], ["scan", "--help"], ["scan", "--root", str(tmp_path / "no")]):
        assert _early_discovery(args) is None


@pytest.mark.parametrize("dot", [".", "./", "svc/.."])
def test_scan_dot_takes_the_whole_scan_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dot: str
) -> None:
    """`scan .` (the root as a PATH, as CI writes it) is the whole tree: discovery computes
    git's view for the memo key as for a bare `scan`; a PATH below the root does not."""
    root = project(tmp_path / "a", {"svc/x.ts": BUF_TS})
    monkeypatch.chdir(root)
    memo = root / CACHE_DIR_NAME / MEMO_FILE
    memo.parent.mkdir()
    memo.write_text("{}", encoding="utf-8")  # a scan memo to look up (its content is moot)
    early = _early_discovery(["scan", dot])
    assert isinstance(early, DiscoveryRun) and early.root == root.resolve()
    assert early.fast_signature() is not None
    partial = _early_discovery(["scan", "svc"])
    assert isinstance(partial, DiscoveryRun) and partial.fast_signature() is None
    partial.discard()


def test_without_a_memo_git_view_is_not_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's view of the tree only answers a memo lookup: a first scan (no memo under the
    cache directory, the default one or `--cache-dir`) does not pay for it (at 200,000 files
    `git ls-files -s` and `git diff-files` cost about a second)."""
    root = project(tmp_path / "a", {"svc/x.ts": BUF_TS})
    monkeypatch.chdir(root)
    first = _early_discovery(["scan"])
    assert isinstance(first, DiscoveryRun) and first.fast_signature() is None
    first.discard()
    aside = tmp_path / "cache"
    aside.mkdir()
    (aside / MEMO_FILE).write_text("{}", encoding="utf-8")
    later = _early_discovery(["scan", "--cache-dir", str(aside)])
    assert isinstance(later, DiscoveryRun) and later.fast_signature() is not None
    later.discard()


def test_paths_in_another_project_are_scanned_there(tmp_path: Path) -> None:
    """Started for the working directory's project, the early discovery is discarded when PATHS
    lead the command to another root, whose files are then the ones reported."""
    here = project(tmp_path / "here", {"clean.ts": "export const a = 1;\n"})
    there = project(tmp_path / "there", {"svc/x.ts": BUF_TS})
    done = run_cli("scan", "--no-cache", "--format", "json", str(there / "svc"), cwd=here)
    assert done.returncode == 1, done.stderr
    assert [f["path"] for f in json.loads(done.stdout)["findings"]] == ["svc/x.ts"]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("code", "status", "stderr"), [("None", 0, ""), ("3", 3, ""), ("'boom'", 1, "boom\n")]
)
def test_the_quick_exit_keeps_what_sys_exit_means(code: str, status: int, stderr: str) -> None:
    """`_exit_now` skips the interpreter's teardown but keeps SystemExit's meaning (None is 0,
    an int is the status, text goes to stderr with status 1) and flushes buffered output."""
    program = (
        f"from ameide_guard.cli.entry import _exit_now\nprint('report', end='')\n_exit_now({code})"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (status, "report", stderr)


@pytest.mark.parametrize(
    ("args", "paths"),
    [
        (["scan"], False),
        (["scan", "--format", "json", "-o", "sarif=out.sarif", "--jobs", "2"], False),
        (["scan", "--format=json", "--no-cache", "--deep"], False),
        (["scan", "services/a.py"], True),
        (["scan", "--select", "AG101", "services/a.py", "b.go"], True),
        (["scan", "--", "-odd-name.ts"], True),
    ],
)
def test_paths_are_told_from_option_values(args: list[str], paths: bool) -> None:
    """A pre-commit run (PATHS) skips git's view of the tree, which only the memo uses."""
    assert _entry._has_paths(args) is paths


def test_value_options_are_the_ones_click_declares() -> None:
    """The entry tells PATHS from option values by hand (before click is imported); its table
    must be exactly `scan`'s options that take a value."""
    from ameide_guard.cli.commands import scan

    declared = {
        name
        for param in scan.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in param.opts
    }
    assert declared == set(_entry.VALUE_OPTIONS)


def test_the_first_path_decides_the_root(tmp_path: Path) -> None:
    """Entry and command settle the root in one function, from the same PATHS."""
    from ameide_guard.config.project import project_root

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "ameide-guard.toml").write_text("", "utf-8")
    target = tmp_path / "elsewhere" / "a.py"
    args = ["scan", "--select", "AG101", str(target)]
    assert _entry._positional(args) == [str(target)]
    assert project_root(None, _entry._positional(args)) == (tmp_path / "elsewhere").resolve()
    assert project_root(str(tmp_path), [str(target)]) == tmp_path.resolve()
