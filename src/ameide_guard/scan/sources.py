"""The source stage: cached facts reused, the rest analysed (in a pool when there are enough
files), and the outcomes merged into the `SourceFile`s the source rules read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ameide_guard.model import Stats
from ameide_guard.scan.analysis import Item, Outcome, Prefilter, Skipped, analyze_batch
from ameide_guard.scan.cache import SKIPPED, Entry, FactsCache
from ameide_guard.scan.warmup import WarmUps
from ameide_guard.vcs.stat import StatKey, stat_key

if TYPE_CHECKING:
    from ameide_guard.scan.pool import PendingAnalysis


PARALLEL_THRESHOLD = 1500


"""Below this many files to read, a process pool costs more than it saves (measured: forking
two workers and shipping results back costs about as much as reading ~1,500 files serially)."""


MIN_BATCH = 64


@dataclass
class SerialAnalysis:
    """Source analysis in this process (few files, or `--jobs 1`), done when asked for."""

    root: Path
    todo: list[Item]
    literals: Prefilter
    digest: bool

    def finish(self) -> list[Outcome | Skipped]:
        return analyze_batch(str(self.root), self.todo, self.literals, self.digest)


def begin_analysis(
    root: Path, todo: list[Item], literals: Prefilter, digest: bool, jobs: int, warm_ups: WarmUps
) -> SerialAnalysis | PendingAnalysis:
    """The analysis of `todo`, started: in a process pool when there are enough files (the
    pool module, and multiprocessing behind it, is imported only then), after loading here
    the grammars of the languages present, which the workers then inherit."""
    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        return SerialAnalysis(root, todo, literals, digest)
    # lazy: multiprocessing (40 ms) only for a scan big enough for the pool
    from ameide_guard.scan.pool import PendingAnalysis

    warm_ups.finish({language for _, language, _ in todo})
    count = max(jobs, min(len(todo) // MIN_BATCH, jobs * 8))
    return PendingAnalysis.start(root, todo, literals, digest, jobs, count)


def start_analysis(
    root: Path,
    items: list[Item],
    literals: Prefilter,
    cache: FactsCache | None,
    jobs: int,
    stats: Stats,
    known_stats: dict[str, StatKey],
    warm_ups: WarmUps,
) -> tuple[dict[str, Outcome], dict[str, StatKey], SerialAnalysis | PendingAnalysis]:
    """The outcomes the cache already has (for unchanged files that have something to say:
    facts or a problem), and the analysis of the rest, started (in a pool when there are
    enough files). A file the prefilter skipped has no outcome: most files, so none is built for
    them. The caller merges in path order, whatever the job count.

    `known_stats` are discovery's lstat results (regular files); symlinks are stat'ed here."""
    outcomes: dict[str, Outcome] = {}
    todo: list[Item] = []
    stat_of: dict[str, StatKey] = {}
    for item in items:
        path = item[0]
        if cache is not None:
            st = known_stats.get(path)
            if st is None:
                try:
                    st = stat_key(os.stat(root / path))
                except OSError:
                    todo.append(item)
                    continue
            stat_of[path] = st
            hit = cache.lookup(path, st)
            if hit is not None:
                digest, entry = hit
                if not entry.trivial:
                    outcomes[path] = Outcome(path, digest, entry.facts, entry.problem, entry.parsed)
                stats.cached += 1
                continue
        todo.append(item)
    if cache is not None:
        cache.detach()
    return (
        outcomes,
        stat_of,
        begin_analysis(root, todo, literals, cache is not None, jobs, warm_ups),
    )


def finish_analysis(
    pending: SerialAnalysis | PendingAnalysis,
    outcomes: dict[str, Outcome],
    stat_of: dict[str, StatKey],
    cache: FactsCache | None,
) -> dict[str, Outcome]:
    """`outcomes` completed with the computed ones, which are stored in the cache."""
    for result in pending.finish():
        if isinstance(result, str):  # skipped by the prefilter, nothing to say
            if cache is not None:
                cache.store(result, stat_of.get(result), "", SKIPPED)
            continue
        outcomes[result.path] = result
        if cache is not None:
            entry = Entry(result.facts, result.problem, result.parsed)
            cache.store(result.path, stat_of.get(result.path), result.digest, entry)
    return outcomes
