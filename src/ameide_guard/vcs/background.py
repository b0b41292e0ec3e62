"""File discovery under way while the caller does other work (see `DiscoveryRun`).

Light on purpose: the console entry imports it, and forks, before anything else, so it imports
`discovery` (pathspec, subprocess) only inside the child, the thread, or when collecting.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ameide_guard.vcs.git import spawn_git, spawn_git_listings

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    # lazy: the console entry imports this before anything; discovery loads in the child
    from ameide_guard.vcs.discovery import Discovery


class DiscoveryRun:
    """`discover(root)` under way while the caller does other work.

    In a thread by default (it mostly waits on `git ls-files`). The CLI asks for a forked child
    process instead (`in_child`), started before it imports the rules and loads the config: the
    child's 20,000 lstat calls then run on another core instead of contending for the
    interpreter lock with those imports, and the result comes back as one marshal blob. Should
    the child fail in any way, discovery simply runs again here. `result` joins the thread or
    reaps the child, so nothing of it is alive when the analysis pool forks its workers.

    With `fast`, git's view of the tree (`gitstate.tree_signature`) comes first, before the
    lstat of every file: a warm scan whose memo matches it needs nothing else (`discard`)."""

    def __init__(self, root: Path, *, in_child: bool = False, fast: bool = False) -> None:
        self.root = root
        self._items: list[object] = []
        self._child = _fork_discovery(root, fast) if in_child and hasattr(os, "fork") else None
        self._pool: ThreadPoolExecutor | None = None
        if self._child is None:
            import queue
            from concurrent.futures import ThreadPoolExecutor

            self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ameide-discover")
            self._future = self._pool.submit(_run, root, fast, self._queue.put)

    def discard(self) -> None:
        """Give up on the result (the command settled on another root, or the memo matched):
        stop and reap the child."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            return
        if self._child is None:
            return
        pid, reader = self._child
        self._child = None
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)  # it may be in the middle of 20,000 lstat calls
        os.close(reader)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)

    def fast_signature(self) -> bytes | None:
        """git's view of the tree, or None (not asked for, not a git work tree, not trusted)."""
        first = self._take(0)
        return first if isinstance(first, bytes) else None

    def result(self, while_waiting: Iterator[Callable[[], object]] | None = None) -> Discovery:
        """The discovery; meanwhile, tasks from `while_waiting` run one by one for as long as
        it is not ready (the caller finishes what is left)."""
        # lazy: the console entry imports this before anything; discovery loads in the child
        from ameide_guard.vcs.discovery import Discovery, discover

        self._take(0)
        while while_waiting is not None and not self._ready():
            task = next(while_waiting, None)
            if task is None:
                break
            task()
        found = self._take(1)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        elif self._child is not None:
            pid, reader = self._child
            os.close(reader)
            with contextlib.suppress(OSError):
                _, status = os.waitpid(pid, 0)
                if status != 0:
                    found = None
            self._child = None
        return found if isinstance(found, Discovery) else discover(self.root)

    def _take(self, index: int) -> object:
        """Item `index` of what the discovery sends (0: the fast signature or None, 1: the
        discovery), waiting for it; None for anything that went wrong."""
        while len(self._items) <= index:
            self._items.append(self._receive())
        return self._items[index]

    def _receive(self) -> object:
        if self._pool is not None:
            if self._future.done() and self._queue.empty():
                return None  # the thread ended without sending (it raised)
            return self._queue.get()
        if self._child is None:
            return None
        try:
            header = _read_exactly(self._child[1], 9)
            kind, size = header[:1], int.from_bytes(header[1:], "big")
            blob = _read_exactly(self._child[1], size)
            if kind == b"F":
                return blob or None
            # lazy: the console entry imports this before anything; discovery loads in the child
            from ameide_guard.vcs.discovery import Discovery

            return Discovery.from_bytes(blob)
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def _ready(self) -> bool:
        if self._pool is not None:
            return self._future.done() or not self._queue.empty()
        if self._child is None:
            return True
        reader = self._child[1]
        return bool(select.select([reader], [], [], 0)[0])


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the discovery child ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _run(root: Path, fast: bool, send: Callable[[object], object]) -> None:
    """Discover `root`, sending first git's view of it (bytes, or None: see `DiscoveryRun`),
    then the `Discovery`. git is started before anything is imported, so it walks the tree
    while the imports load."""
    in_git = os.path.exists(os.path.join(root, ".git"))
    listings = spawn_git_listings(root) if in_git else None
    signature = None
    if fast and listings is not None:
        # lazy: the console entry imports this before anything; discovery loads in the child
        from ameide_guard.vcs import gitstate

        extra = [spawn_git(root, (*gitstate.SAFE_CONFIG, *c)) for c in gitstate.FAST_COMMANDS]
        outputs = [run.output() if run is not None else None for run in (*extra, listings[1])]
        if None not in outputs:
            signature = gitstate.tree_signature(str(root), *outputs)  # type: ignore[arg-type]  # None ruled out above
    send(signature)
    # lazy: the console entry imports this before anything; discovery loads in the child
    from ameide_guard.vcs.discovery import discover

    send(discover(root, listings=listings))


def _fork_discovery(root: Path, fast: bool) -> tuple[int, int] | None:
    """A child process running `_run` into a pipe, one frame per item (a kind byte, a length,
    the blob): (pid, read end), or None."""
    try:
        reader, writer = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:

                def send(item: object) -> None:
                    if item is None or isinstance(item, bytes):
                        kind, blob = b"F", item or b""
                    else:
                        kind, blob = b"D", item.to_bytes()  # type: ignore[attr-defined]  # a Discovery: what else _run sends
                    pipe.write(kind + len(blob).to_bytes(8, "big") + blob)
                    pipe.flush()

                _run(root, fast, send)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader
