"""`scan --diff-base REV`: only findings on lines changed since REV; added, untracked and
renamed files count whole; whole-file findings count when their file (or a related one) changed;
a bad revision is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import commit, git, init_repo, write
from harness import run_cli, scan_dir

from ameide_guard.errors import DiffBaseError
from ameide_guard.model import FILE_SPAN, Finding, Level, Span
from ameide_guard.vcs.diffbase import filter_to_changed_lines, parse_diff, unquote_path

BASE = {
    "ameide-guard.toml": "# defaults\n",
    "services/a/main.py": "import os\nimport acme.orders.v1.orders_pb2\n\n\nx = 1\n",
}


def found(result: object) -> list[tuple[str, int, str]]:
    return [(f.path, f.span.line, f.rule) for f in result.findings]  # type: ignore[attr-defined]


def test_unchanged_repository_reports_nothing(tmp_path: Path) -> None:
    init_repo(tmp_path, BASE)
    assert scan_dir(tmp_path).findings
    assert scan_dir(tmp_path, diff_base="HEAD").findings == []


def test_only_changed_lines_count(tmp_path: Path) -> None:
    init_repo(tmp_path, BASE)
    text = "import os\nimport acme.orders.v1.orders_pb2\n\nimport acme.new.v1.n_pb2\nx = 1\n"
    write(tmp_path, {"services/a/main.py": text})
    assert found(scan_dir(tmp_path, diff_base="HEAD")) == [("services/a/main.py", 4, "AG101")]


def test_staged_and_committed_changes_since_rev_count(tmp_path: Path) -> None:
    init_repo(tmp_path, BASE)
    base = git(tmp_path, "rev-parse", "HEAD").strip()
    write(tmp_path, {"services/b/main.py": "import acme.b.v1.b_pb2\n"})
    commit(tmp_path, "b")
    write(tmp_path, {"services/c/main.py": "import acme.c.v1.c_pb2\n"})
    git(tmp_path, "add", "services/c/main.py")
    assert found(scan_dir(tmp_path, diff_base=base)) == [
        ("services/b/main.py", 1, "AG101"),
        ("services/c/main.py", 1, "AG101"),
    ]


def test_changes_made_on_the_base_branch_meanwhile_do_not_count(tmp_path: Path) -> None:
    init_repo(tmp_path, BASE)
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path, {"services/f/main.py": "import acme.f.v1.f_pb2\n"})
    commit(tmp_path, "feature work")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path, {"services/a/main.py": "import os\nimport acme.other.v1.o_pb2\n\n\nx = 1\n"})
    commit(tmp_path, "main moves on")
    git(tmp_path, "checkout", "-q", "feature")
    assert found(scan_dir(tmp_path, diff_base="main")) == [("services/f/main.py", 1, "AG101")]


def test_untracked_and_renamed_files_count_whole(tmp_path: Path) -> None:
    init_repo(tmp_path, BASE)
    write(tmp_path, {"services/new/main.py": "\n\nimport acme.n.v1.n_pb2\n"})
    git(tmp_path, "mv", "services/a", "services/moved")
    assert found(scan_dir(tmp_path, diff_base="HEAD")) == [
        ("services/moved/main.py", 2, "AG101"),
        ("services/new/main.py", 3, "AG101"),
    ]


def test_scan_root_below_the_git_top_level(tmp_path: Path) -> None:
    init_repo(tmp_path, {f"mono/{k}": v for k, v in BASE.items()})
    write(tmp_path, {"mono/services/a/main.py": BASE["services/a/main.py"] + "import q_pb2\n"})
    assert found(scan_dir(tmp_path / "mono", diff_base="HEAD")) == [
        ("services/a/main.py", 6, "AG101")
    ]


def _finding(path: str, span: Span, related: tuple[str, ...] = ()) -> Finding:
    return Finding("AG401", "missing-lockfile", Level.ERROR, path, span, "m", related=related)


def test_whole_file_findings_count_when_the_file_or_a_related_file_changed(
    tmp_path: Path,
) -> None:
    init_repo(tmp_path, {"a/package.json": '{\n  "name": "a"\n}\n', "b/package.json": "{}\n"})
    write(tmp_path, {"a/package.json": '{\n  "name": "a2"\n}\n', "lock.yaml": "x\n"})
    findings = [
        _finding("a/package.json", FILE_SPAN),
        _finding("b/package.json", FILE_SPAN),
        _finding("b/package.json", Span(1, 1, 1, 3), related=("lock.yaml",)),
        _finding("a/package.json", Span(3, 1, 3, 2)),
    ]
    kept = filter_to_changed_lines(findings, tmp_path, "HEAD")
    assert kept == [findings[0], findings[2]]


def test_parse_diff_reads_hunks_new_binary_and_quoted_files() -> None:
    patch = (
        b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        b"@@ -1,0 +2,3 @@\n+a\n+b\n+c\n@@ -9 +12 @@\n-o\n+n\n@@ -20,2 +22,0 @@\n-d\n-e\n"
        b"diff --git a/n.go b/n.go\nnew file mode 100644\n"
        b"--- /dev/null\n+++ b/n.go\n@@ -0,0 +1 @@\n+x\n"
        b"diff --git a/img.bin b/img.bin\nBinary files a/img.bin and b/img.bin differ\n"
        b'diff --git "a/sp ace/\\303\\251.py" "b/sp ace/\\303\\251.py"\n'
        b'--- "a/sp ace/\\303\\251.py"\n+++ "b/sp ace/\\303\\251.py"\n@@ -1 +1 @@\n-a\n+b\n'
    )
    changed = parse_diff(patch)
    assert [n for n in range(1, 30) if changed.line_changed("x.py", n)] == [2, 3, 4, 12]
    assert changed.line_changed("n.go", 99) and changed.line_changed("img.bin", 1)
    assert changed.line_changed("sp ace/é.py", 1) and not changed.line_changed("sp ace/é.py", 2)
    assert unquote_path(b'"tab\\there\\"q\\""') == 'tab\there"q"'


@pytest.mark.parametrize(
    ("setup", "rev", "needle"),
    [
        ("git", "no-such-branch", "no such commit"),
        ("git", "--output=/tmp/x", "not a git revision"),
        ("plain", "HEAD", "needs a git work tree"),
    ],
)
def test_bad_revision_is_one_clear_line(tmp_path: Path, setup: str, rev: str, needle: str) -> None:
    root = tmp_path / "r"
    if setup == "git":
        init_repo(root, BASE)
    else:
        write(root, BASE)
    with pytest.raises(DiffBaseError, match=needle):
        filter_to_changed_lines([], root, rev)
    done = run_cli("scan", "--no-cache", f"--diff-base={rev}", cwd=root)
    assert done.returncode == 2 and needle in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
