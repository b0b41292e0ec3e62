"""The work tree's state as git sees it, as one digest: the scan memo's fast key.

A warm scan on an unchanged tree only needs to learn that nothing changed, and its discovery
lstat's every file for that (20,000 calls, about 50 ms on the benchmark tree). git already
knows most of it: the index records each tracked file's stat, and `git diff-files` lists the
tracked files whose stat (or, for racily clean entries, content) no longer matches, in C and
over threads. So this digest of

- `git ls-files -s -v`: every tracked path with its mode, blob, stage and flags,
- `git diff-files`: the tracked paths git sees changed, each with its lstat,
- discovery's own listing of untracked, not ignored files, each with its lstat,
- every tracked symlink with the stat of its target (as the full memo key has it),

changes whenever the file contents a scan reads could have changed, and costs two git processes
that run beside discovery's own. It is None, and the memo falls back to the full key, where git
could be fooled: entries marked assume-unchanged or skip-worktree (git does not look at those
files), or a git command that failed. Light on purpose (os, re, hashlib): the discovery child
computes it before importing anything else.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable

from ameide_guard.vcs.stat import stat_key

FAST_COMMANDS = (
    ("ls-files", "-z", "-s", "-v"),
    ("diff-files", "--name-only", "-z", "--relative", "--ignore-submodules=all"),
)
"""Run with `SAFE_CONFIG`: the tracked entries, and the tracked files git sees changed."""
SAFE_CONFIG = (
    *("-c", "core.fsmonitor=false"),
    *("-c", "core.checkStat=default"),
    *("-c", "core.trustctime=true"),
)
"""git checks every file itself (no file-system monitor's word) and compares the whole stat,
ctime included (a rewrite whose mtime was restored changes only that), whatever the
repository's own settings. git compares ctime to the second, as `git status` does; the full
key, used whenever this one is not, compares it to the nanosecond."""

_UNWATCHED = re.compile(rb"(?:\A|\0)[a-zS] ")
"""An entry git does not check: assume-unchanged (a lowercase tag) or skip-worktree (`S`)."""
_SYMLINK = re.compile(rb"(?:\A|\0)[A-Z] 120000 [0-9a-f]+ [0-3]\t([^\0]*)")


def _stat(full: bytes, follow: bool) -> bytes:
    try:
        st = os.stat(full) if follow else os.lstat(full)
    except OSError:
        return b"-"
    return b":".join(b"%d" % field for field in stat_key(st))


def _with_stats(hasher: hashlib.blake2b, root: bytes, names: Iterable[bytes], follow: bool) -> None:
    for name in names:
        if name:
            hasher.update(b"\0%s\0%s" % (name, _stat(root + name, follow)))


def tree_signature(root: str, entries: bytes, changed: bytes, untracked: bytes) -> bytes | None:
    """The digest described above from the three listings' raw outputs, or None where git's
    view cannot be trusted."""
    if _UNWATCHED.search(entries):
        return None
    prefix = os.fsencode(os.path.join(root, ""))
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(entries)
    hasher.update(b"\0changed")
    _with_stats(hasher, prefix, changed.split(b"\0"), follow=False)
    hasher.update(b"\0untracked")
    _with_stats(hasher, prefix, untracked.split(b"\0"), follow=False)
    hasher.update(b"\0symlinks")
    _with_stats(hasher, prefix, _SYMLINK.findall(entries), follow=True)
    return hasher.digest()
