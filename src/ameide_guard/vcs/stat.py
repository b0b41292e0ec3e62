"""The stat record every stage compares, alone in a module of its own: the scan memo, the facts
cache and git's view of the tree need it before (or without) anything of discovery."""

from __future__ import annotations

import os

StatKey = tuple[int, int, int, int, int]
"""(st_size, st_mtime_ns, st_ctime_ns, st_ino, st_dev): what tells an unchanged file, as git's
index does. The ctime matters: a file rewritten in place at the same size whose mtime was then
restored (`cp -p`, `touch -r`, tools that keep timestamps) still has a new ctime, which nothing
but the kernel can set. Index 1 stays the mtime (the racy-clean checks read it)."""


def stat_key(st: os.stat_result) -> StatKey:
    """The one place a stat record is made (discovery, the facts cache, the memo, git's view)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
