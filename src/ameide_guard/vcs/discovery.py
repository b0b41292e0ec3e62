"""File discovery: which files a scan looks at.

In a git work tree the answer is git's own (`git ls-files` of tracked and untracked-but-not-ignored
files), so ameide-guard agrees with what would be committed. Elsewhere a walk honours every
`.gitignore` on the way down. Either way nothing outside the root is looked at: symlinks whose
target leaves the root, and links to directories, are skipped with a reason.
"""

from __future__ import annotations

import marshal
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ameide_guard.vcs.git import GitRun, run_git, spawn_git_listings
from ameide_guard.vcs.stat import StatKey, stat_key

if TYPE_CHECKING:
    import pathspec


SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".ameide-guard-cache"})


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    git: bool = False
    warning: str | None = None
    stat_of: dict[str, StatKey] = field(default_factory=dict)
    """(size, mtime, inode) of each regular file found, from its lstat: the cache and the scan
    memo compare these, so their stat check costs no second call."""

    def to_bytes(self) -> bytes:
        """The discovery as one marshal blob (plain tuples: 20,000 files cost a few ms)."""
        return marshal.dumps((self.files, self.skipped, self.git, self.warning, self.stat_of))

    @classmethod
    def from_bytes(cls, blob: bytes) -> Discovery:
        files, skipped, git, warning, stat_of = marshal.loads(blob)
        return cls(files, [tuple(s) for s in skipped], git, warning, stat_of)


def git_toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None (not a work tree, or no git)."""
    try:
        done = run_git(path, "rev-parse", "--show-toplevel", timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return Path(os.fsdecode(done.stdout.strip()))


def _names(listing: GitRun) -> list[str] | None:
    """The paths one listing printed, relative to the root; None if git failed."""
    out = listing.output()
    if out is None:
        return None
    # One decode of the whole listing (as os.fsdecode would each name): 20,000 calls saved.
    text = out.decode(sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())
    return [name for name in text.split("\0") if name]


def _walk_dirs(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(root, followlinks=False)` (top-down: the caller may prune `dirnames`) without
    recursion: before Python 3.12 os.walk recurses once per level, so a 1,000-level tree
    raised RecursionError."""
    stack = [str(root)]
    while stack:
        top = stack.pop()
        dirnames: list[str] = []
        filenames: list[str] = []
        try:
            with os.scandir(top) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    (dirnames if is_dir else filenames).append(entry.name)
        except OSError:
            continue
        yield top, dirnames, filenames
        for name in reversed(dirnames):
            path = os.path.join(top, name)
            if not os.path.islink(path):
                stack.append(path)


def _walk(root: Path) -> Iterator[str]:
    """All files below root, honouring nested .gitignore files, without following links."""
    import pathspec  # only for the walk; `git ls-files` needs none of it

    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for dirpath, dirnames, filenames in _walk_dirs(root):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        specs = [(base, spec) for base, spec in specs if rel_dir.startswith(base)]
        ignore_file = os.path.join(dirpath, ".gitignore")
        if os.path.isfile(ignore_file):
            try:
                with open(ignore_file, encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
                base = f"{rel_dir}/" if rel_dir else ""
                specs.append((base, pathspec.GitIgnoreSpec.from_lines(lines)))
            except (OSError, ValueError, re.error):
                pass

        prefix = f"{rel_dir}/" if rel_dir else ""
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not _ignored(specs, f"{prefix}{d}/")
        )
        for name in sorted(filenames):
            rel = prefix + name
            if not _ignored(specs, rel):
                yield rel


def _ignored(specs: list[tuple[str, pathspec.GitIgnoreSpec]], probe: str) -> bool:
    """Whether the .gitignore files on the way down ignore `probe` (a trailing `/` marks a dir).

    As in git, the deepest file with a matching pattern decides, so `!keep.log` in a
    subdirectory re-includes what the root's `*.log` ignored."""
    verdict: bool | None = None
    for base, spec in specs:
        if probe.startswith(base):
            include = spec.check_file(probe[len(base) :]).include
            if include is not None:
                verdict = include
    return bool(verdict)


def _check_file(root_real: str, full: str) -> str | StatKey | None:
    """The stat key of `full` if it is a regular file, None for a symlink to a file inside the
    root; else why it is skipped. Plain strings, not Path: this runs once per file."""
    try:
        info = os.lstat(full)
    except OSError:
        return "vanished"
    if info.st_mode & _TYPE_BITS == stat.S_IFREG:
        return stat_key(info)
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.path.realpath(full, strict=True)
        except (OSError, RuntimeError):
            return "broken or looping symlink"
        if os.path.commonpath([root_real, target]) != root_real:
            return "symlink pointing outside the repository"
        if not os.path.isfile(target):
            return "symlink to a directory"
        return None
    return "not a regular file"


_TYPE_BITS = 0o170000
"""`stat.S_IFMT` as a mask: the regular-file test inline, for the 20,000-call loop."""


def discover(
    root: Path, only: list[str] | None = None, listings: list[GitRun] | None = None
) -> Discovery:
    """Discover the files to scan below `root`; `only` restricts to these relative paths (the
    pre-commit case) while still checking each one is a file inside the root. `listings` are
    git listings already started for `root` (see `background.spawn_git_listings`)."""
    wanted = set(only) if only is not None else None
    checker = _Checker(os.path.realpath(root), os.path.join(str(root), ""), wanted)
    in_git = listings is not None or (root / ".git").exists() or git_toplevel(root) is not None
    if in_git and listings is None:
        listings = spawn_git_listings(root)
    git = False
    if listings is not None:
        tracked = _names(listings[0])
        if tracked is not None:
            checker.check(tracked)  # while git still walks the tree for untracked files
        untracked = _names(listings[1])
        git = tracked is not None and untracked is not None
        if tracked is not None and untracked is not None:
            checker.check(untracked)
        else:
            checker.checked.clear()
    if not git:
        checker.check(_walk(root))
    warning = "git could not list the files (broken index?); walked the tree"
    return checker.discovery(git=git, warning=warning if in_git and not git else None)


@dataclass
class _Checker:
    """Each listed path checked once (a regular file inside the root, or why it is skipped),
    assembled in path order whatever order the listings came in."""

    root_real: str
    prefix: str
    wanted: set[str] | None
    checked: dict[str, str | StatKey | None] = field(default_factory=dict)

    def check(self, names: Iterable[str]) -> None:
        for rel in names:
            if self.wanted is not None and rel not in self.wanted:
                continue
            # Every SKIP_DIRS name starts with a dot: split only paths that have a dot-directory.
            if (rel.startswith(".") or "/." in rel) and any(
                part in SKIP_DIRS for part in rel.split("/")[:-1]
            ):
                continue
            self.checked[rel] = _check_file(self.root_real, self.prefix + rel)

    def discovery(self, *, git: bool, warning: str | None) -> Discovery:
        result = Discovery(git=git, warning=warning)
        for rel in sorted(self.checked):
            found = self.checked[rel]
            if isinstance(found, str):
                result.skipped.append((rel, found))
                continue
            result.files.append(rel)
            if found is not None:
                result.stat_of[rel] = found
        return result
