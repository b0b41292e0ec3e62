"""File discovery under way while the caller does other work (see `DiscoveryRun`).

Light on purpose: the console entry imports it, and forks, before anything else, so it imports
`discovery` (pathspec, subprocess) only inside the child, the thread, or when collecting.
"""

from __future__ import annotations

import contextlib
import os
import select
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from ameide_guard.discovery import Discovery


class DiscoveryRun:
    """`discover(root)` under way while the caller does other work.

    In a thread by default (it mostly waits on `git ls-files`). The CLI asks for a forked child
    process instead (`in_child`), started before it imports the rules and loads the config: the
    child's 20,000 lstat calls then run on another core instead of contending for the
    interpreter lock with those imports, and the result comes back as one marshal blob. Should
    the child fail in any way, discovery simply runs again here. `result` joins the thread or
    reaps the child, so nothing of it is alive when the analysis pool forks its workers."""

    def __init__(self, root: Path, *, in_child: bool = False) -> None:
        self.root = root
        self._child = _fork_discovery(root) if in_child and hasattr(os, "fork") else None
        self._pool: ThreadPoolExecutor | None = None
        if self._child is None:
            from concurrent.futures import ThreadPoolExecutor

            from ameide_guard import discovery

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ameide-discover")
            self._future = self._pool.submit(discovery.discover, root)

    def discard(self) -> None:
        """Give up on the result (the command settled on another root): reap the child."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            return
        pid, reader = self._child  # type: ignore[misc]
        os.close(reader)  # a child still writing gets EPIPE and exits
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)

    def result(self, while_waiting: Iterator[Callable[[], object]] | None = None) -> Discovery:
        """The discovery; meanwhile, tasks from `while_waiting` run one by one for as long as
        it is not ready (the caller finishes what is left)."""
        from ameide_guard.discovery import Discovery, discover

        while while_waiting is not None and not self._ready():
            task = next(while_waiting, None)
            if task is None:
                break
            task()
        if self._pool is not None:
            try:
                return self._future.result()
            finally:
                self._pool.shutdown(wait=True)
        pid, reader = self._child  # type: ignore[misc]
        try:
            with os.fdopen(reader, "rb") as pipe:
                blob = pipe.read()
            _, status = os.waitpid(pid, 0)
            if status == 0:
                return Discovery.from_bytes(blob)
        except (OSError, ValueError, EOFError, TypeError):
            pass
        return discover(self.root)

    def _ready(self) -> bool:
        if self._pool is not None:
            return self._future.done()
        reader = self._child[1]  # type: ignore[index]
        return bool(select.select([reader], [], [], 0)[0])


def _fork_discovery(root: Path) -> tuple[int, int] | None:
    """A child process computing `discover(root)` into a pipe: (pid, read end), or None."""
    try:
        reader, writer = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            from ameide_guard.discovery import discover

            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(discover(root).to_bytes())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader
