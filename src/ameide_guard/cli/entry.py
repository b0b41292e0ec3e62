"""The `ameide-guard` console entry: for `scan`, file discovery starts before anything else.

A scan's first tens of milliseconds go to imports (click, the engine, every rule's metadata),
none of which discovery needs: it is `git ls-files` and an lstat per file. So for `scan`,
discovery of the root it will most likely use (`--root`, else the project around the working
directory) is started first, in a child process, and handed to the command line, which uses it
when it settles on the same root (PATHS elsewhere may not) and discards it otherwise.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from pathlib import Path

GC_THRESHOLDS = (100_000, 50, 1000)
"""A scan allocates hundreds of thousands of small objects that form no cycles (paths, stat
tuples, facts); at the default threshold the cycle collector walks them over and over (about
5% of a scan). Collect far less often, never not at all: hostile input might build cycles. Set
first, so that the discovery child and the analysis workers inherit it."""


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    early = _early_discovery(sys.argv[1:])
    # lazy: discovery is forked before the CLI and the rules are imported
    from ameide_guard.cli.commands import main as cli

    try:
        cli(obj=early)
    except SystemExit as done:
        _exit_now(done.code)
    _exit_now(0)


def _exit_now(code: object) -> None:
    """Exit without the interpreter's teardown, which frees every object of a scan one by one
    (30-40 ms on a large repository, 7% of a cold scan). Nothing is lost: reports, the cache
    and the memo are written and closed by then, and the worker pools are shut down; only the
    standard streams need flushing. `code` is what `SystemExit` carries, with its meaning."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`)
            stream.flush()
    os._exit(status)


def _early_discovery(args: list[str]) -> object:
    """Discovery started for the root `scan ARGS` would use, or None (not a scan, or unsure)."""
    if not args or args[0] != "scan" or any(a in ("-h", "--help") for a in args):
        return None
    # lazy: discovery is forked before the CLI and the rules are imported
    from ameide_guard.config.project import project_root, whole_tree
    from ameide_guard.scan.names import CACHE_DIR_NAME, MEMO_FILE
    from ameide_guard.vcs.background import DiscoveryRun

    try:
        paths = _positional(args)
        root = project_root(_option_value(args, "--root"), paths)
        no_cache = "--no-cache" in args or os.environ.get("AMEIDE_GUARD_NO_CACHE")
        cache_dir = _option_value(args, "--cache-dir") or os.environ.get("AMEIDE_GUARD_CACHE_DIR")
        memo = (Path(cache_dir) if cache_dir else root / CACHE_DIR_NAME) / MEMO_FILE
        # git's view of the tree only answers a memo lookup: none without a memo to look up
        fast = not no_cache and whole_tree(root, paths) and memo.is_file()
        return DiscoveryRun(root, in_child=True, fast=fast) if root.is_dir() else None
    except (OSError, ValueError):  # the command line will say what is wrong
        return None


VALUE_OPTIONS = frozenset(
    {"--root", "--config", "--select", "--ignore", "--jobs", "-j", "--cache-dir", "--format"}
    | {"--output", "-o", "--fail-on", "--baseline", "--diff-base"}
)
"""`scan`'s options that take a value, to tell PATHS from option values (tests/test_entry.py
holds this to the options click declares)."""


def _positional(args: list[str]) -> list[str]:
    """The PATHS of `scan ARGS` (a pre-commit run: no memo, so git's view of the tree is not
    worth computing; the first PATH decides the root). A guess for speed only: click parses the
    command line again, and a wrong guess means discovery starts once more for the right root."""
    found: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":
            found.extend(rest)
        elif arg in VALUE_OPTIONS:
            next(rest, None)
        elif not arg.startswith("-"):
            found.append(arg)
    return found


def _has_paths(args: list[str]) -> bool:
    """Whether `scan ARGS` names PATHS."""
    return bool(_positional(args))


def _option_value(args: list[str], name: str) -> str | None:
    """The value of the last `NAME VALUE` or `NAME=VALUE` in `args` (as click takes it)."""
    value = None
    for n, arg in enumerate(args):
        if arg == name and n + 1 < len(args):
            value = args[n + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1 :]
    return value
