"""The scan memo (memo.py): an unchanged tree reuses the last scan's findings without zoning,
reading or running a rule, and anything the findings depend on (a file's content, a new file,
the config, the rule selection, an ignored file a rule looked at) makes the next scan compute."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from harness import scan_dir
from test_cache import SOURCE_COUNT, SOURCES, age, make_tree

from ameide_guard.reporters import render
from ameide_guard.scan import engine, memo
from ameide_guard.scan.engine import ScanResult


def memo_scan(root: Path, cache_dir: Path, **options: object) -> ScanResult:
    return scan_dir(root, use_cache=True, cache_dir=cache_dir, **options)


def report(result: ScanResult) -> dict[str, object]:
    doc = json.loads(render("json", result))
    doc.pop("stats")
    return doc


def rewrite(path: Path, text: str) -> None:
    """New content, dated in the past as a checkout would leave it (not 'racy')."""
    path.write_text(text, encoding="utf-8")
    age(path)


def test_an_unchanged_tree_is_answered_from_the_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    first = memo_scan(tree, cache_dir)
    assert (cache_dir / memo.FILE_NAME).is_file()
    assert first.findings, "the tree has violations to remember"

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed although the memo should have answered")

    monkeypatch.setattr(engine.ZoneMap, "classify_many", refuse)
    monkeypatch.setattr(engine, "start_analysis", refuse)
    second = memo_scan(tree, cache_dir)
    assert report(second) == report(first)
    assert render("text", second).splitlines()[:-1] == render("text", first).splitlines()[:-1]
    assert (second.stats.files, second.stats.parsed, second.stats.cached) == (
        first.stats.files,
        0,
        SOURCE_COUNT,
    )


def test_a_changed_file_is_scanned_again(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    before = memo_scan(tree, cache_dir)
    assert any(f.path == "services/py/app.py" for f in before.findings)
    rewrite(tree / "services/py/app.py", "import os\n")
    after = memo_scan(tree, cache_dir)
    assert not any(f.path == "services/py/app.py" for f in after.findings)
    assert after.stats.cached == SOURCE_COUNT - 1


def test_a_new_file_is_scanned(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    memo_scan(tree, cache_dir)
    rewrite(tree / "services/py/new.py", "import orders_pb2\n")
    after = memo_scan(tree, cache_dir)
    assert any(f.path == "services/py/new.py" and f.rule == "AG101" for f in after.findings)


def test_config_and_rule_selection_are_part_of_the_key(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    full = memo_scan(tree, cache_dir)
    assert any(f.rule == "AG101" for f in full.findings)
    assert not any(f.rule == "AG101" for f in memo_scan(tree, cache_dir, ignore={"AG101"}).findings)
    rewrite(tree / "ameide-guard.toml", '[rules.AG101]\nlevel = "off"\n')
    assert not any(f.rule == "AG101" for f in memo_scan(tree, cache_dir).findings)
    rewrite(tree / "ameide-guard.toml", "# defaults\n")
    assert [f.fingerprint for f in memo_scan(tree, cache_dir).findings] == [
        f.fingerprint for f in full.findings
    ]


def test_an_ignored_file_a_rule_looked_at_is_watched(tmp_path: Path) -> None:
    """requirements.txt includes a file .gitignore hides: not scanned, yet its existence decides
    an AG900, so creating it must not be answered from the memo."""
    files = {
        **SOURCES,
        ".gitignore": "local.txt\n",
        "services/py/requirements.txt": "-r ../../local.txt\nhttpx==0.27.0\n",
    }
    tree = make_tree(tmp_path / "repo", files)
    cache_dir = tmp_path / "cache"
    missing = memo_scan(tree, cache_dir)
    assert any("local.txt, which does not exist" in f.message for f in missing.findings)
    rewrite(tree / "local.txt", "anyio==4.0.0\n")
    present = memo_scan(tree, cache_dir)
    assert not any("local.txt" in f.message for f in present.findings)


def test_a_fresh_file_means_no_memo(tmp_path: Path) -> None:
    """A file modified within the racy window could change again within the same mtime tick."""
    tree = make_tree(tmp_path / "repo")
    (tree / "services/py/util.py").write_text("import os\n", encoding="utf-8")  # now
    cache_dir = tmp_path / "cache"
    memo_scan(tree, cache_dir)
    assert not (cache_dir / memo.FILE_NAME).exists()


@pytest.mark.parametrize("garbage", [b"", b"{", b"[]", b'{"format": 1, "key": 3}', b"\xff\x00"])
def test_a_corrupt_memo_is_ignored(tmp_path: Path, garbage: bytes) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    reference = report(memo_scan(tree, cache_dir))
    (cache_dir / memo.FILE_NAME).write_bytes(garbage)
    assert report(memo_scan(tree, cache_dir)) == reference
    assert json.loads((cache_dir / memo.FILE_NAME).read_text())["format"] == memo.FORMAT


def test_a_tampered_key_is_not_trusted(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    reference = report(memo_scan(tree, cache_dir))
    stored = json.loads((cache_dir / memo.FILE_NAME).read_text())
    stored["key"] = "0" * 40
    stored["findings"] = []
    (cache_dir / memo.FILE_NAME).write_text(json.dumps(stored))
    assert report(memo_scan(tree, cache_dir)) == reference


def test_baseline_and_paths_apply_to_a_remembered_scan(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    first = memo_scan(tree, cache_dir)
    baseline = tmp_path / "baseline.json"
    from ameide_guard.scan.baseline import write_baseline

    write_baseline(first.findings, baseline)
    again = memo_scan(tree, cache_dir, baseline=baseline)
    assert again.findings == [] and again.baseline_fixed == 0
    limited = memo_scan(tree, cache_dir, paths=("services/py/app.py",))
    assert {f.path for f in limited.findings} == {"services/py/app.py"}


def test_no_memo_without_cache_or_in_deep_mode(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    cache_dir = tmp_path / "cache"
    scan_dir(tree, use_cache=False, cache_dir=cache_dir)
    memo_scan(tree, cache_dir, deep=True)
    assert not (cache_dir / memo.FILE_NAME).exists()


def test_tree_state_sees_size_mtime_and_inode(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "repo")
    names = sorted(SOURCES)

    def key() -> str:
        return memo.TreeState.of(tree, ["setup"], names, {}, []).key

    base = key()
    target = tree / "services/py/util.py"
    past = time.time() - 30
    os.utime(target, (past, past))
    assert key() != base
    moved = key()
    replacement = tree / "replacement.py"
    replacement.write_bytes(target.read_bytes())
    os.utime(replacement, (past, past))
    os.replace(replacement, target)  # same size and mtime, another inode
    assert key() != moved
    assert memo.TreeState.of(tree, ["other"], names, {}, []).key != key()
