"""Shared plumbing of the atheris fuzz targets (one `fuzz_*.py` per parser family).

What a target asserts is the scan's own contract: a source parser never raises on any bytes and
returns sane spans; a manifest or lockfile reader raises nothing but `ManifestError` (and
`RecursionError`, which `RepoView.document` also turns into an AG900); config building raises
nothing but `ConfigError`. Anything else is a crash atheris reports with the input.

Run one: `python fuzz/fuzz_python.py -max_total_time=60` (libFuzzer flags); with no corpus
directory given, a seed corpus is built from the matching files under tests/fixtures.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def check_source(language: str, data: bytes) -> None:
    """Decode and parse as a scan does (`analyze_data`), then check the facts' spans."""
    from ameide_guard.scan.analysis import analyze_data

    outcome = analyze_data("fuzz.src", language, data, (b"",))
    if outcome.facts is None:
        assert outcome.problem is not None or not outcome.parsed
        return
    lines = len(data.splitlines()) + 2  # universal newlines: a lone CR ends a Python line
    for item in (*outcome.facts.imports, *outcome.facts.calls):
        span = item.span
        assert 1 <= span.line <= span.end_line <= lines, span
        assert span.column >= 1 and span.end_column >= 1, span
        assert isinstance(getattr(item, "module", ""), str)
    for span, reason in outcome.facts.problems:
        assert span.line >= 1 and reason


Reader = tuple[Callable[[str, str], Any], str]


def resolve(names: Iterable[str]) -> list[Reader]:
    """`module:function` readers, optionally `module:function|path` to call with that file path
    (readers that pick a dialect by name: `go.work`); a reader not (yet) present is reported
    once and left out."""
    found = []
    for name in names:
        target, _, path = name.partition("|")
        module, _, function = target.partition(":")
        try:
            found.append((getattr(importlib.import_module(module), function), path or "fuzz/x"))
        except (ImportError, AttributeError) as exc:
            print(f"fuzz: {target} unavailable ({exc}); not fuzzed", file=sys.stderr)
    if not found:
        raise SystemExit("fuzz: no reader available for this target")
    return found


def check_readers(readers: list[Reader], data: bytes) -> None:
    """Every reader on the text, as `RepoView.document` calls it (strict UTF-8 first)."""
    from ameide_guard.errors import ManifestError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    for reader, path in readers:
        with contextlib.suppress(ManifestError, RecursionError):
            reader(text, path)


def seed_corpus(target: str, patterns: Iterable[str]) -> str:
    """The target's corpus directory (under $AMEIDE_GUARD_FUZZ_CORPUS, default a fixed place in
    the temporary directory, so runs reuse and grow it instead of leaking new ones), seeded on
    first use with the fixture files matching `patterns` (globs under tests/fixtures)."""
    base = os.environ.get("AMEIDE_GUARD_FUZZ_CORPUS") or Path(
        tempfile.gettempdir(), "ameide-guard-fuzz"
    )
    corpus = Path(base) / target
    if not corpus.is_dir():
        corpus.mkdir(parents=True)
        count = 0
        for pattern in patterns:
            for path in sorted(FIXTURES.glob(pattern)):
                if path.is_file() and path.stat().st_size < 1_000_000:
                    shutil.copy(path, corpus / f"seed-{count:04d}")
                    count += 1
    return str(corpus)


def main(test_one_input: Callable[[bytes], None], seeds: Iterable[str]) -> None:
    import atheris

    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        args.append(seed_corpus(Path(args[0]).stem, seeds))
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()
