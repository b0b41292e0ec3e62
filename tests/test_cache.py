"""The per-file results cache (issue 7): hits when nothing changed, invalidated by content, config
and version, rebuilt when corrupt, safe with concurrent scans, written atomically, git-ignored,
absent with --no-cache, and an SQLite file written per entry whose loading can never execute
anything."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import scan_dir

from ameide_guard.scan import cache as cache_mod
from ameide_guard.scan import memo
from ameide_guard.scan.engine import ScanResult

SOURCES = {
    "ameide-guard.toml": "# defaults\n",
    "services/web/src/app.ts": 'import { X } from "@buf/acme_api.bufbuild_es/x_pb.js";\n'
    "export const y = X;\n",
    "services/web/src/clean.ts": 'import { z } from "zod";\nexport const a = z;\n',
    "services/api/main.go": 'package main\n\nimport (\n\t"fmt"\n\n'
    '\tpb "buf.build/gen/go/acme/api/protocolbuffers/go/v1"\n)\n\n'
    "func main() { fmt.Println(pb.X) }\n",
    "services/py/app.py": "from acme.v1 import users_pb2\n\nprint(users_pb2)\n",
    "services/py/util.py": "import os\n\nprint(os.sep)\n",
}
SOURCE_COUNT = sum(1 for p in SOURCES if p.endswith((".ts", ".go", ".py")))


def make_tree(root: Path, files: dict[str, str] = SOURCES) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    age(root)
    return root


def age(root: Path, seconds: int = 60) -> None:
    """Date every file back, as in a checkout, so none is 'racy' (modified during the scan)."""
    past = time.time() - seconds
    for path in [root] if root.is_file() else root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def cached_scan(root: Path, cache_dir: Path, **options: object) -> ScanResult:
    """A scan with the cache, the scan memo removed first: these tests are about the per-file
    cache, which the memo would bypass on an unchanged tree (tests/test_memo.py covers it)."""
    (cache_dir / memo.FILE_NAME).unlink(missing_ok=True)
    return scan_dir(root, use_cache=True, cache_dir=cache_dir, **options)


def lines(result: ScanResult) -> list[tuple[str, int, str]]:
    return [(f.path, f.span.line, f.rule) for f in result.findings]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "repo")


def test_unchanged_files_come_from_the_cache(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = cached_scan(tree, cache_dir)
    second = cached_scan(tree, cache_dir)
    assert first.stats.cached == 0
    assert second.stats.cached == SOURCE_COUNT
    assert lines(second) == lines(first)
    assert {"AG101"} == {rule for _, _, rule in lines(first)}


def test_changed_content_is_analysed_again(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    before = cached_scan(tree, cache_dir)
    target = tree / "services/py/util.py"
    target.write_text("from acme.v2 import other_pb2\n\nprint(other_pb2)\n", encoding="utf-8")
    age(target, 30)
    after = cached_scan(tree, cache_dir)
    assert after.stats.cached == SOURCE_COUNT - 1
    assert ("services/py/util.py", 1, "AG101") in lines(after)
    assert ("services/py/util.py", 1, "AG101") not in lines(before)


def test_same_size_rewrite_right_after_a_scan_is_not_missed(tree: Path, tmp_path: Path) -> None:
    """A rewrite of a file within the file system's timestamp tick keeps size and mtime: files
    modified that recently are never trusted by stat (git's racy-clean rule)."""
    cache_dir = tmp_path / "cache"
    target = tree / "services/py/util.py"
    target.write_text("import os\n\nprint(os.sep)\n", encoding="utf-8")
    stat = target.stat()
    cached_scan(tree, cache_dir)
    target.write_text("import a_pb2\nprint(a_pb2)", encoding="utf-8")
    assert target.stat().st_size == stat.st_size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = cached_scan(tree, cache_dir)
    assert ("services/py/util.py", 1, "AG101") in lines(after)


@pytest.mark.parametrize("memo_too", [False, True], ids=["facts-cache", "scan-memo"])
@pytest.mark.parametrize("in_git", [False, True], ids=["walk", "git"])
def test_rewrite_with_its_old_mtime_restored_is_not_missed(
    tmp_path: Path, memo_too: bool, in_git: bool
) -> None:
    """`cp -p` / `touch -r`: new content of the same size, the old mtime put back. Only the
    ctime tells (as in git's index), so the stat record must hold it."""
    root = make_tree(tmp_path / "repo")
    if in_git:
        for args in (
            ["init", "-q"],
            ["add", "-A"],
            ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
        ):
            subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    cache_dir = tmp_path / "cache"
    target = root / "services/py/util.py"
    old = target.stat()
    scan = (
        (lambda: scan_dir(root, use_cache=True, cache_dir=cache_dir))
        if memo_too
        else (lambda: cached_scan(root, cache_dir))
    )
    before = scan()
    assert ("services/py/util.py", 1, "AG101") not in lines(before)
    replacement = "import os_pb2\n\nprint(os.sep)\n"[: old.st_size].ljust(old.st_size, "#")
    # A new ctime. git's index (the memo's fast key) compares ctime to the second, as `git
    # status` does, so the git case crosses a second; the stat record itself has nanoseconds.
    time.sleep(1.1 if in_git else 0.01)
    target.write_text(replacement, encoding="utf-8")
    os.utime(target, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (old.st_size, old.st_mtime_ns)
    after = scan()
    assert ("services/py/util.py", 1, "AG101") in lines(after)


def test_config_change_invalidates(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cached_scan(tree, cache_dir)
    (tree / "ameide-guard.toml").write_text(
        '[generated]\nnpm = ["@buf/*", "@gen/*"]\n', encoding="utf-8"
    )
    assert cached_scan(tree, cache_dir).stats.cached == 0
    assert cached_scan(tree, cache_dir).stats.cached == SOURCE_COUNT


def test_version_change_invalidates(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    cached_scan(tree, cache_dir)
    monkeypatch.setattr(cache_mod, "__version__", "999.0.0")
    assert cached_scan(tree, cache_dir).stats.cached == 0


def hostile_database(path: Path) -> None:
    """A well-formed SQLite file of the cache's schema whose rows hold values of every wrong
    type, under the salt a scan will look for."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key, value)")
    db.execute("CREATE TABLE stats (path, size, mtime, ctime, inode, device, digest)")
    db.execute("CREATE TABLE entries (digest, body)")
    salt = sqlite3.connect(path.with_name("real.sqlite")).execute(
        "SELECT value FROM meta WHERE key = 'salt'"
    )
    db.execute("INSERT INTO meta VALUES ('salt', ?)", salt.fetchone())
    db.executemany(
        "INSERT INTO stats VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("services/py/app.py", "x", None, 1.5, b"\0", -1, "d1"),
            ("services/web/src/app.ts", 1, 2, 3, 4, 5, None),
            ("services/api/main.go", 1, 2, 3, 4, 5, 7),
        ],
    )
    db.executemany("INSERT INTO entries VALUES (?, ?)", [("d1", "{not json"), ("7", "[1, 2]")])
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"SQLite format 3\0" + b"\xff" * 200, b"\xff\xfe\x00binary", None],
    ids=["empty", "text", "torn-header", "binary", "hostile-rows"],
)
def test_corrupt_cache_is_rebuilt(tree: Path, tmp_path: Path, garbage: bytes | None) -> None:
    cache_dir = tmp_path / "cache"
    reference = lines(cached_scan(tree, cache_dir))
    cache_file = cache_dir / cache_mod.FILE_NAME
    assert cache_file.is_file()
    if garbage is None:
        os.replace(cache_file, cache_dir / "real.sqlite")
        hostile_database(cache_file)
    else:
        cache_file.write_bytes(garbage)
    rebuilt = cached_scan(tree, cache_dir)
    assert lines(rebuilt) == reference
    assert rebuilt.stats.cached == 0
    assert cached_scan(tree, cache_dir).stats.cached == SOURCE_COUNT


def test_loading_the_cache_never_unpickles(tree: Path, tmp_path: Path) -> None:
    """A hostile repository may commit a cache: a pickle that would run code must be ignored,
    as the file or as an entry's body."""
    cache_dir = tmp_path / "cache"
    cached_scan(tree, cache_dir)
    cache_file = cache_dir / cache_mod.FILE_NAME
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Exploit())
    with sqlite3.connect(cache_file) as db:
        with_facts = db.execute("SELECT count(*) FROM stats WHERE digest != ''").fetchone()[0]
        db.execute("UPDATE entries SET body = ?", (payload,))
    result = cached_scan(tree, cache_dir)
    assert not marker.exists()
    assert with_facts == 3
    assert result.stats.cached == SOURCE_COUNT - with_facts  # files with facts are read again
    cache_file.write_bytes(payload)
    result = cached_scan(tree, cache_dir)
    assert not marker.exists()
    assert result.stats.cached == 0


def test_a_failed_save_changes_nothing(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save is one transaction: one that fails half way (here: encoding an entry) leaves the
    previous cache whole, and the next scan still uses it."""
    cache_dir = tmp_path / "cache"
    cached_scan(tree, cache_dir)
    cache_file = cache_dir / cache_mod.FILE_NAME

    def rows() -> list[tuple[object, ...]]:
        with sqlite3.connect(cache_file) as db:
            return sorted(db.execute("SELECT * FROM stats")) + sorted(
                db.execute("SELECT * FROM entries")
            )

    before = rows()

    def failing(entry: object) -> str:
        raise OSError(28, "No space left on device")

    (tree / "services/py/util.py").write_text("import y_pb2\n", encoding="utf-8")
    age(tree / "services/py/util.py", 30)
    monkeypatch.setattr(cache_mod, "_entry_body", failing)
    cached_scan(tree, cache_dir)
    assert rows() == before
    monkeypatch.undo()
    assert cached_scan(tree, cache_dir).stats.cached == SOURCE_COUNT - 1


def test_a_save_writes_only_what_changed(tree: Path, tmp_path: Path) -> None:
    """Per entry, not one document: after one file changes, the other rows are untouched (the
    row ids SQLite gives a rewritten row change; these do not)."""
    cache_dir = tmp_path / "cache"
    cached_scan(tree, cache_dir)
    cache_file = cache_dir / cache_mod.FILE_NAME

    def row_ids() -> dict[str, int]:
        with sqlite3.connect(cache_file) as db:
            return dict(db.execute("SELECT path, rowid FROM stats"))

    before = row_ids()
    (tree / "services/py/util.py").write_text("import y_pb2\n", encoding="utf-8")
    age(tree / "services/py/util.py", 30)
    cached_scan(tree, cache_dir)
    after = row_ids()
    assert set(after) == set(before)
    changed = {p for p in after if after[p] != before[p]}
    assert changed == {"services/py/util.py"}


def run_cli(root: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMEIDE_GUARD_")}
    return subprocess.Popen(
        [sys.executable, "-m", "ameide_guard", "scan", "--format", "json", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_two_concurrent_scans_are_safe(tmp_path: Path) -> None:
    files = dict(SOURCES)
    for i in range(60):
        files[f"services/web/src/gen{i}.ts"] = f'import {{ a }} from "@buf/x{i}";\n'
    root = make_tree(tmp_path / "repo", files)
    procs = [run_cli(root, "--jobs", "2") for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], [err for _, err in outputs]
    found = [json.loads(out)["findings"] for out, _ in outputs]
    assert found[0] == found[1]
    assert len(found[0]) == 63
    cache_dir = root / cache_mod.CACHE_DIR_NAME
    with sqlite3.connect(cache_dir / cache_mod.FILE_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM stats").fetchone() == (SOURCE_COUNT + 60,)


def test_default_cache_dir_is_git_ignored(tree: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=tree, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tree, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], cwd=tree, check=True)
    proc = run_cli(tree)
    proc.communicate(timeout=120)
    assert (tree / cache_mod.CACHE_DIR_NAME / ".gitignore").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_no_cache_writes_nothing(tree: Path) -> None:
    before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
    proc = run_cli(tree, "--no-cache")
    proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert sorted(p.relative_to(tree) for p in tree.rglob("*")) == before


def test_precommit_run_with_few_files_leaves_the_cache_alone(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    result = cached_scan(tree, cache_dir, paths=("services/web/src/app.ts",))
    assert lines(result) == [("services/web/src/app.ts", 1, "AG101")]
    assert not cache_dir.exists()
