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


GIT_LS = ("git", "-c", "core.quotePath=off", "ls-files", "-z")
LISTINGS = (("--cached",), ("--others", "--exclude-standard"))
"""Tracked files, then untracked files git does not ignore: two processes started at once, so
that the tracked listing (most files, and ready in a few ms) is checked while git still walks
the tree for untracked ones."""

Listing = tuple[int, int]
"""A `git ls-files` under way: (pid, read end of its stdout)."""


def spawn_git_listings(root: Path) -> list[Listing] | None:
    """Start the `LISTINGS` in `root` with nothing but `os` (no `subprocess` import): the
    discovery child starts git before it imports anything, so git walks the tree while the
    child's imports load. None if git cannot be started."""
    started: list[Listing] = []
    try:
        for args in LISTINGS:
            reader, writer = os.pipe()
            quiet = os.open(os.devnull, os.O_WRONLY)
            try:
                pid = os.posix_spawnp(
                    GIT_LS[0],
                    [GIT_LS[0], "-C", str(root), *GIT_LS[1:], *args, "--", "."],
                    os.environ,
                    file_actions=[
                        (os.POSIX_SPAWN_DUP2, writer, 1),
                        (os.POSIX_SPAWN_DUP2, quiet, 2),
                        (os.POSIX_SPAWN_CLOSE, reader),
                    ],
                )
            except OSError:
                os.close(reader)
                raise
            finally:
                os.close(writer)
                os.close(quiet)
            started.append((pid, reader))
    except OSError:
        for listing in started:
            read_listing(listing)
        return None
    return started


def read_listing(listing: Listing, timeout: float = 300.0) -> bytes | None:
    """All a listing printed, or None if git failed or took longer than `timeout` (then it
    is killed). The process is reaped either way."""
    import time

    pid, reader = listing
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    ok = True
    with os.fdopen(reader, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                ok = False
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)
                break
            chunk = pipe.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if ok and status == 0 else None


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
            os.close(reader)
            early = spawn_git_listings(root) if os.path.exists(os.path.join(root, ".git")) else None
            from ameide_guard.discovery import discover  # while git already runs

            with os.fdopen(writer, "wb") as pipe:
                pipe.write(discover(root, listings=early).to_bytes())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader
