"""Every git process ameide-guard starts, two ways: `spawn_git` starts one with `posix_spawn`
and hands back its output later (discovery's listings run while the engine loads, and need no
`subprocess` import), `run_git` runs one to completion (`rev-parse`, `diff` for --diff-base)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from subprocess import CompletedProcess


GIT = "git"


LISTINGS = (
    ("-c", "core.quotePath=off", "ls-files", "-z", "--cached"),
    ("-c", "core.quotePath=off", "ls-files", "-z", "--others", "--exclude-standard"),
)


"""Tracked files, then untracked files git does not ignore: two processes started at once, so
that the tracked listing (most files, and ready in a few ms) is checked while git still walks
the tree for untracked ones."""


class GitRun:
    """A git command under way (started with `posix_spawn`: no `subprocess` import), its output
    read once and kept, since the fast signature and discovery share the untracked listing."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader = pid, reader
        self._output: bytes | None = None
        self._done = False

    def output(self, timeout: float = 300.0) -> bytes | None:
        """All it printed, or None if git failed or took longer than `timeout` (then it is
        killed). The process is reaped either way."""
        if self._done:
            return self._output
        import time

        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        ok = True
        with os.fdopen(self.reader, "rb", buffering=0) as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    ok = False
                    with contextlib.suppress(OSError):
                        os.kill(self.pid, signal.SIGKILL)
                    break
                chunk = pipe.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self._done = True
        self._output = b"".join(chunks) if ok and status == 0 else None
        return self._output


def spawn_git(root: Path, args: tuple[str, ...]) -> GitRun | None:
    """`git -C root ARGS -- .` started, stdout piped and stderr dropped; None if it cannot be."""
    reader, writer = os.pipe()
    quiet = os.open(os.devnull, os.O_WRONLY)
    try:
        pid = os.posix_spawnp(
            GIT,
            [GIT, "-C", str(root), *args, "--", "."],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, writer, 1),
                (os.POSIX_SPAWN_DUP2, quiet, 2),
                (os.POSIX_SPAWN_CLOSE, reader),
            ],
        )
    except OSError:
        os.close(reader)
        return None
    finally:
        os.close(writer)
        os.close(quiet)
    return GitRun(pid, reader)


def spawn_git_listings(root: Path) -> list[GitRun] | None:
    """The `LISTINGS` started in `root`, or None if git cannot be started."""
    started = [spawn_git(root, args) for args in LISTINGS]
    runs = [run for run in started if run is not None]
    if len(runs) == len(started):
        return runs
    for run in started:
        if run is not None:
            run.output()
    return None


def run_git(root: Path, *args: str, timeout: float = 300.0) -> CompletedProcess[bytes]:
    """`git -C root ARGS` run to completion, output captured. Raises `OSError` when git cannot
    be started and `subprocess.TimeoutExpired` past `timeout`; the caller decides what that
    means for it."""
    import subprocess  # lazy: the console entry imports this module; subprocess costs 8 ms

    return subprocess.run(
        [GIT, "-C", str(root), *args], capture_output=True, check=False, timeout=timeout
    )
