"""Source analysis spread over worker processes, and what happens when one dies.

Batches go to a `ProcessPoolExecutor` while the main process runs the repo rules; the main
process then takes back every batch no worker has started. Imported only for a scan with enough
files to be worth a pool (see `engine.PARALLEL_THRESHOLD`): multiprocessing costs an import.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ameide_guard.model import FILE_SPAN
from ameide_guard.scan.analysis import Item, Outcome, Prefilter, Skipped, analyze_batch


def _strided(items: list[Item], count: int) -> list[list[Item]]:
    """`count` batches taking every count-th item, so that the expensive files (which cluster:
    a proto package's generated code sits side by side) spread evenly over the workers."""
    return [items[start::count] for start in range(count)]


@dataclass
class PendingAnalysis:
    """Source analysis under way: batches submitted to a process pool, so that the main process
    can run the repo rules (which need no source facts) meanwhile. `finish` then takes back
    every batch no worker has started (work sharing: whoever is free reads on) and collects."""

    root: Path
    batches: list[list[Item]]
    literals: Prefilter
    digest: bool
    pool: ProcessPoolExecutor
    futures: dict[int, Future[list[Outcome | Skipped]]] = field(default_factory=dict)

    @classmethod
    def start(
        cls, root: Path, todo: list[Item], literals: Prefilter, digest: bool, jobs: int, count: int
    ) -> PendingAnalysis:
        """`todo` in `count` batches submitted to `jobs` worker processes."""
        pending = cls(root, _strided(todo, count), literals, digest, ProcessPoolExecutor(jobs))
        for i, batch in enumerate(pending.batches):
            pending.futures[i] = _submit(pending.pool, root, batch, literals, digest)
        return pending

    def finish(self) -> list[Outcome | Skipped]:
        """Every outcome, batch by batch in submission order (the caller merges by path)."""
        root, extra = self.root, (self.literals, self.digest)
        mine: dict[int, list[Outcome | Skipped]] = {}
        for i in reversed(range(len(self.batches))):
            future = self.futures[i]
            if future.cancel():
                mine[i] = analyze_batch(str(root), self.batches[i], *extra)
        try:
            done = (
                mine[i] if i in mine else _batch_result(self.futures[i], root, batch, *extra)
                for i, batch in enumerate(self.batches)
            )
            return [outcome for outcomes in done for outcome in outcomes]
        finally:
            self.pool.shutdown()


def _submit(
    pool: ProcessPoolExecutor, root: Path, batch: list[Item], literals: Prefilter, digest: bool
) -> Future[list[Outcome | Skipped]]:
    """`batch` submitted to `pool`. A worker that died while later batches were still being
    submitted makes `submit` itself raise; the batch then gets a future already failed the same
    way, so that one recovery path (`_batch_result`) handles both."""
    try:
        return pool.submit(analyze_batch, str(root), batch, literals, digest)
    except BrokenProcessPool as error:
        failed: Future[list[Outcome | Skipped]] = Future()
        failed.set_exception(error)
        return failed


def _batch_result(
    future: Future[list[Outcome | Skipped]],
    root: Path,
    batch: list[Item],
    literals: Prefilter,
    digest: bool,
) -> list[Outcome | Skipped]:
    """A worker batch's outcomes. When a worker process dies (a parser crash in C, the OOM
    killer) every pending batch fails with it; rather than failing the scan, the batch is rerun
    one file per task in a fresh one-worker pool, and only a file that kills its process again
    when analysed alone is lost, reported as AG900."""
    try:
        return future.result()
    except BrokenProcessPool:
        pass
    done: dict[str, Outcome | Skipped] = {}
    pending = list(batch)
    while pending:
        with ProcessPoolExecutor(max_workers=1) as pool:
            tasks = [_submit(pool, root, [item], literals, digest) for item in pending]
            died = len(pending)
            for n, task in enumerate(tasks):
                try:
                    done[pending[n][0]] = task.result()[0]
                except BrokenProcessPool:  # tasks run in order: the first failed one was running
                    died = n
                    break
        if died < len(pending):
            done[pending[died][0]] = _alone(root, pending[died], literals, digest)
        pending = pending[died + 1 :]
    return [done[item[0]] for item in batch]


def _alone(root: Path, item: Item, literals: Prefilter, digest: bool) -> Outcome | Skipped:
    """`item` analysed in a process of its own (so a one-off death is not blamed on it); an
    AG900 outcome if that process dies too."""
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(analyze_batch, str(root), [item], literals, digest).result()[0]
    except BrokenProcessPool:
        reason = "the parser crashed on this file (its process died); not scanned"
        return Outcome(item[0], "", None, (FILE_SPAN, reason))
