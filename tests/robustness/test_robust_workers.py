"""No finding is lost: when the parser fails on one file, in the main process (jobs=1) or in a
pool worker (jobs=2 with enough files to start the pool), that file is an AG900 with the reason,
every other file's findings are still there, and the text summary and JSON stats count scanned,
skipped and failed files."""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pytest
from harness import scan_dir
from robust_support import CANARY, CANARY_PATH, short, write_tree

import ameide_guard.parsers
from ameide_guard.reporters import render
from ameide_guard.scan import pool
from ameide_guard.scan import sources as source_stage

BAD = "svc/m/f0007.ts"
"""Fails in the main process or in the worker; consecutive files land in different strided
batches, so BAD's neighbours make sure some failure happens in a worker at jobs=2."""
ALSO_BAD = ("svc/m/f0008.ts", "svc/m/f0009.ts")


def _tree(root: Path, count: int) -> list[str]:
    files = {
        f"svc/m/f{n:04d}.ts": f'import {{ A }} from "@buf/acme_{n}.bufbuild_es";\n'
        for n in range(count)
    }
    files["svc/p/a.py"] = "import acme_pb2\n"
    files["svc/g/a.go"] = 'package g\n\nimport "buf.build/gen/go/acme/x"\n'
    write_tree(root, files)
    (root / "svc/loop.ts").symlink_to("loop.ts")  # one skipped file
    return sorted(files)


def _workers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pools fork (the workers inherit the test's patches) and the main process takes back no
    batch (it would otherwise analyse whatever no worker has started yet, so which file fails
    where would depend on timing)."""
    fork = multiprocessing.get_context("fork")
    monkeypatch.setattr(
        pool, "ProcessPoolExecutor", functools.partial(ProcessPoolExecutor, mp_context=fork)
    )
    monkeypatch.setattr(Future, "cancel", lambda self: False)


@pytest.fixture
def failing_parser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The parser raises for the bad files, leaving a marker named by the failing process's pid
    in the returned directory (outside the scanned root); pools fork so the workers inherit the
    patch."""
    real = ameide_guard.parsers.parse_source
    markers = tmp_path / "markers"
    markers.mkdir()

    def parse_source(language: str, source: bytes, path: str = "", **kw):  # type: ignore[no-untyped-def]
        if path == BAD or path in ALSO_BAD:
            (markers / str(os.getpid())).touch()
            raise ValueError("parser exploded")
        return real(language, source, path, **kw)

    monkeypatch.setattr(ameide_guard.parsers, "parse_source", parse_source)
    _workers_only(monkeypatch)
    return markers


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_file_is_reported_and_nothing_else_is_lost(
    tmp_path: Path, failing_parser: Path, jobs: int
) -> None:
    count = source_stage.PARALLEL_THRESHOLD + 50 if jobs > 1 else 40
    root = tmp_path / "repo"
    sources = _tree(root, count)
    bad = (BAD, *ALSO_BAD)
    result = scan_dir(root, jobs=jobs)
    expected = sorted(
        [CANARY, *(f"{p}:1: AG900" for p in bad)]
        + [f"{p}:{3 if p.endswith('.go') else 1}: AG101" for p in sources if p not in bad]
    )
    assert sorted(short(result)) == expected
    for finding in (f for f in result.findings if f.path in bad):
        assert "internal error while analysing" in finding.message
        assert "parser exploded" in finding.message
    pids = {int(p.name) for p in failing_parser.iterdir()}
    assert (pids - {os.getpid()}) if jobs > 1 else pids == {os.getpid()}
    stats = result.stats
    assert (stats.files, stats.skipped, stats.failed) == (len(sources) + 2, 1, 3)
    assert stats.parsed == len(sources) - 2  # every source but the 3 bad ones, plus the canary
    summary = render("text", result).splitlines()[-1]
    assert f"in {len(sources) + 2} files;" in summary
    assert "1 skipped, 3 failed" in summary and f"{len(sources) - 2} parsed" in summary
    payload = json.loads(render("json", result))
    assert {k: payload["stats"][k] for k in ("files", "skipped", "failed")} == {
        "files": len(sources) + 2,
        "skipped": 1,
        "failed": 3,
    }
    assert [e["path"] for e in payload["errors"]] == list(bad)
    assert any(f["path"] == CANARY_PATH for f in payload["findings"])


def test_pool_and_serial_scans_agree(tmp_path: Path) -> None:
    """Merged in path order whatever the job count: the pool loses and reorders nothing."""
    _tree(tmp_path, source_stage.PARALLEL_THRESHOLD + 50)
    serial = scan_dir(tmp_path, jobs=1)
    pooled = scan_dir(tmp_path, jobs=2)
    assert [(f.path, f.span, f.rule, f.fingerprint) for f in pooled.findings] == [
        (f.path, f.span, f.rule, f.fingerprint) for f in serial.findings
    ]
    assert pooled.stats.parsed == serial.stats.parsed


def test_a_worker_process_dying_loses_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser crash in C (or the OOM killer) kills the worker process, which breaks the whole
    pool: the other batches are rerun and only the killer file is reported."""
    root = tmp_path / "repo"
    sources = _tree(root, source_stage.PARALLEL_THRESHOLD + 50)
    real = ameide_guard.parsers.parse_source
    main = os.getpid()
    killers = {BAD, *ALSO_BAD}

    def parse_source(language: str, source: bytes, path: str = "", **kw):  # type: ignore[no-untyped-def]
        if os.getpid() != main and path in killers:
            os._exit(70)
        return real(language, source, path, **kw)

    monkeypatch.setattr(ameide_guard.parsers, "parse_source", parse_source)
    _workers_only(monkeypatch)
    result = scan_dir(root, jobs=2)
    died = sorted(f.path for f in result.findings if f.rule == "AG900")
    assert set(died) == killers
    for finding in (f for f in result.findings if f.rule == "AG900"):
        assert "crashed on this file" in finding.message
    expected = sorted(
        [CANARY, *(f"{p}:1: AG900" for p in died)]
        + [f"{p}:{3 if p.endswith('.go') else 1}: AG101" for p in sources if p not in died]
    )
    assert sorted(short(result)) == expected
    assert result.stats.failed == len(died)
