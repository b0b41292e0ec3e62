"""File discovery: which files a scan looks at.

In a git work tree the answer is git's own (`git ls-files` of tracked and untracked-but-not-ignored
files), so ameide-guard agrees with what would be committed. Elsewhere a walk honours every
`.gitignore` on the way down. Either way nothing outside the root is looked at: symlinks whose
target leaves the root, and links to directories, are skipped with a reason.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".ameide-guard-cache"})


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    git: bool = False
    warning: str | None = None


def git_toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None (not a work tree, or no git)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--show-toplevel"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return Path(os.fsdecode(done.stdout.strip()))


def _git_files(root: Path) -> list[str] | None:
    """Files git would commit below root, relative to it; None if git cannot tell."""
    try:
        done = subprocess.run(
            [
                "git",
                "-c",
                "core.quotePath=off",
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                ".",
            ],
            cwd=root,
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = [os.fsdecode(n) for n in done.stdout.split(b"\0") if n]
    return sorted(set(names))


def _walk(root: Path) -> Iterator[str]:
    """All files below root, honouring nested .gitignore files, without following links."""
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
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


def _check_file(root_real: str, root: Path, rel: str) -> str | None:
    """None if `rel` is a regular file inside the root; else why it is skipped."""
    full = root / rel
    try:
        info = os.lstat(full)
    except OSError:
        return "vanished"
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
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return None


def discover(root: Path, only: list[str] | None = None) -> Discovery:
    """Discover the files to scan below `root`; `only` restricts to these relative paths (the
    pre-commit case) while still checking each one is a file inside the root."""
    result = Discovery()
    in_git = (root / ".git").exists() or git_toplevel(root) is not None
    names: list[str] | None = None
    if in_git:
        names = _git_files(root)
        if names is None:
            result.warning = "git could not list the files (broken index?); walked the tree"
        else:
            result.git = True
    if names is None:
        names = sorted(_walk(root))
    if only is not None:
        wanted = set(only)
        names = [n for n in names if n in wanted]
    root_real = os.path.realpath(root)
    for rel in names:
        if any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
            continue
        reason = _check_file(root_real, root, rel)
        if reason is None:
            result.files.append(rel)
        else:
            result.skipped.append((rel, reason))
    return result
