"""Scans are read-only: every file of the scanned tree (the .git directory included) has the same
bytes and mtime after a cold and a warm cached scan; nothing appears anywhere but in the cache
directory and the requested outputs (HOME and TMPDIR are sandboxed and checked too); a hostile or
corrupt cache committed to the repository is ignored, never trusted to hide a finding."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from robust_support import CANARY, git, run_cli, write_tree

from ameide_guard.scan.cache import CACHE_DIR_NAME, FILE_NAME

BUF_TS = 'import { A } from "@buf/acme_a.bufbuild_es";\n'


def snapshot(root: Path, skip: str | None = None) -> dict[str, tuple[str, int, int]]:
    """path → (sha256 or 'dir'/'link:target', mtime_ns, mode) of everything below root."""
    state: dict[str, tuple[str, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if skip is not None:
            dirnames[:] = [d for d in dirnames if (rel_dir / d).as_posix() != skip]
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            info = full.lstat()
            if full.is_symlink():
                kind = f"link:{os.readlink(full)}"
            elif full.is_dir():
                kind = "dir"
            elif full.is_file():
                kind = hashlib.sha256(full.read_bytes()).hexdigest()
            else:
                kind = "special"
            state[(rel_dir / name).as_posix()] = (kind, info.st_mtime_ns, info.st_mode)
    return state


def hostile_repo(root: Path) -> Path:
    write_tree(
        root,
        {
            "svc/a.ts": BUF_TS,
            "svc/b.py": "from acme.v1 import orders_pb2\n",
            "svc/c.go": 'package c\nimport "buf.build/gen/go/acme/x"\n',
            "svc/bad.ts": b"\xff\xfe\x00garbage",
            "svc/package.json": '{"dependencies": {"left-pad": "1.3.0"}}',
            "svc/pnpm-lock.yaml": "lockfileVersion: '9.0'\nimporters: {.: {}}\n",
            "svc/go.mod": "module example.com/c\n\nrequire buf.build/gen/go/acme/x v1.0.0\n",
            "svc/pyproject.toml": '[project]\nname = "b"\ndependencies = ["requests"]\n',
            "svc/with space/ü.ts": BUF_TS,
        },
    )
    (root / "svc/link.ts").symlink_to("a.ts")
    (root / "svc/out.ts").symlink_to("/etc/hostname")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    (root / "svc/untracked.ts").write_text(BUF_TS)
    return root


@pytest.mark.parametrize("cache", ["aside", "default"])
def test_scan_leaves_the_tree_home_and_tmp_untouched(tmp_path: Path, cache: str) -> None:
    root = hostile_repo(tmp_path / "repo")
    home, tmp, out = tmp_path / "home", tmp_path / "tmp", tmp_path / "out"
    for directory in (home, tmp, out):
        directory.mkdir()
    env = {"HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(home / ".cache")}
    args = ["--output", f"json={out / 'r.json'}", "--output", f"text={out / 'r.txt'}"]
    cache_dir = tmp_path / "cache"
    if cache == "aside":
        args += ["--cache-dir", str(cache_dir)]
    before = snapshot(root)
    for _ in range(2):  # cold, then warm from the cache
        run = run_cli(root, *args, env=env)
        assert run.code == 1 and run.stdout == ""
        assert "services/canary/src/main.ts:2:24: AG101" in (out / "r.txt").read_text()
        if cache == "default":
            after = snapshot(root, skip=CACHE_DIR_NAME)
            assert sorted(set(snapshot(root)) - set(before)) == [
                CACHE_DIR_NAME,
                *sorted(f"{CACHE_DIR_NAME}/{p.name}" for p in (root / CACHE_DIR_NAME).iterdir()),
            ]
        else:
            after = snapshot(root)
            assert cache_dir.is_dir() and any(cache_dir.iterdir())
        assert after == before
        assert snapshot(home) == {} and snapshot(tmp) == {}
        assert sorted(p.name for p in out.iterdir()) == ["r.json", "r.txt"]
    status = os.popen(f"git -C '{root}' status --porcelain").read()
    assert status.splitlines() == ["?? svc/untracked.ts"]  # the cache ignores itself


def test_sarif_uris_stay_inside_the_root(tmp_path: Path) -> None:
    import json

    root = hostile_repo(tmp_path / "repo")
    sarif = tmp_path / "r.sarif"
    run = run_cli(root, "--no-cache", "--output", f"sarif={sarif}")
    assert run.code == 1
    uris = [
        loc["physicalLocation"]["artifactLocation"]
        for result in json.loads(sarif.read_text())["runs"][0]["results"]
        for loc in result["locations"]
    ]
    assert uris
    for location in uris:
        uri = location["uri"]
        assert location.get("uriBaseId") == "%SRCROOT%"
        assert not uri.startswith(("/", "file:", "..")) and "/../" not in f"/{uri}", uri
        assert ":" not in uri.split("/", 1)[0], uri
        assert re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+", uri), f"not a URI: {uri!r}"
        target = (root / unquote(uri)).resolve()
        assert target.is_relative_to(root.resolve()) and target.exists(), uri
    assert "svc/with%20space/%C3%BC.ts" in {loc["uri"] for loc in uris}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\0\1\2 not json",
        b"[1, 2, 3]",
        b'{"version": "x", "entries": {"svc/a.ts": [1, 2]}}',
        b'{"format": 1, "salt": null, "stats": {"svc/a.ts": "nonsense"}, "entries": 7}',
        b'{"format": 1, "salt": "x", "stats": {"svc/a.ts": [1, 2, 3, "d"]}, "entries": {}}',
        b"{" * 100_000,
    ],
)
def test_a_corrupt_or_hostile_cache_is_ignored(tmp_path: Path, content: bytes) -> None:
    root = write_tree(tmp_path, {"svc/a.ts": BUF_TS})
    cache = root / CACHE_DIR_NAME
    cache.mkdir()
    (cache / FILE_NAME).write_bytes(content)
    run = run_cli(root, "--format", "json")
    assert run.code == 1
    assert {CANARY, "svc/a.ts:1: AG101"} <= set(run.short())
    rerun = run_cli(root, "--format", "json")
    assert rerun.short() == run.short()
