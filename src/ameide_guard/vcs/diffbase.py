"""`scan --diff-base REV`: keep only findings on lines changed since REV.

What counts as changed is what `git diff $(git merge-base REV HEAD)` shows for the working tree
(staged or not), plus untracked files: on a pull request branch `--diff-base origin/main` means
"what this branch changed", not the reverse of what main changed meanwhile. Added (and renamed:
renames are not detected, so the new path is an added file), untracked and binary files count
whole. A finding counts when its first line was added or
modified; a finding about a whole file (a missing lockfile reported at line 1 of its manifest)
counts when that file changed at all; and any finding counts when one of its `related` files
changed (editing package.json is what made the untouched lockfile stale).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ameide_guard.errors import DiffBaseError
from ameide_guard.model import FILE_SPAN, Finding
from ameide_guard.vcs.git import run_git

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
WHOLE = -1
"""Marker in a file's line set: every line counts."""


@dataclass
class ChangedLines:
    """Changed lines per root-relative path; WHOLE in a set means the whole file."""

    lines: dict[str, set[int]] = field(default_factory=dict)

    def touch(self, path: str, line: int = WHOLE) -> None:
        self.lines.setdefault(path, set()).add(line)

    def file_changed(self, path: str) -> bool:
        return bool(self.lines.get(path))

    def line_changed(self, path: str, line: int) -> bool:
        changed = self.lines.get(path, ())
        return WHOLE in changed or line in changed


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return run_git(root, *args)
    except FileNotFoundError:
        raise DiffBaseError("--diff-base needs git, which is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise DiffBaseError("--diff-base: git diff took longer than 300 s") from None


def unquote_path(raw: bytes) -> str:
    """A path as git prints it in a diff header: C-quoted (`"a\\tb\\303\\251"`) when it holds
    special characters, raw otherwise."""
    if not raw.startswith(b'"'):
        return raw.decode("utf-8", "surrogateescape")
    body, out, i = raw[1:-1], bytearray(), 0
    escapes = {
        b"t": 9,
        b"n": 10,
        b"r": 13,
        b'"': 34,
        b"\\": 92,
        b"a": 7,
        b"b": 8,
        b"f": 12,
        b"v": 11,
    }
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt.isdigit():
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(escapes.get(nxt, nxt[0] if nxt else 92))
            i += 2
    return out.decode("utf-8", "surrogateescape")


def parse_diff(patch: bytes) -> ChangedLines:
    """Added/modified lines per file from `git diff --unified=0` output."""
    changed = ChangedLines()
    current: str | None = None
    new_file = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            current, new_file = None, False
        elif line.startswith(b"new file mode"):
            new_file = True
        elif line.startswith(b"+++ "):
            target = line[4:]
            if target == b"/dev/null":
                current = None
                continue
            name = unquote_path(target)
            current = name[2:] if name.startswith("b/") else name
            if new_file:
                changed.touch(current)
        elif line.startswith(b"Binary files ") and line.endswith(b" differ"):
            name = unquote_path(line.rsplit(b" and ", 1)[-1][: -len(b" differ")])
            if name != "/dev/null":
                changed.touch(name[2:] if name.startswith("b/") else name)
        elif current is not None and line.startswith(b"@@"):
            hunk = HUNK.match(line.decode("ascii", "replace"))
            if hunk is None:
                continue
            start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
            for number in range(start, start + count):
                changed.touch(current, number)
    return changed


def changed_lines(root: Path, rev: str) -> ChangedLines:
    """Lines changed in the working tree under `root` since `rev`, paths relative to `root`."""
    if rev.startswith("-"):
        raise DiffBaseError(f"--diff-base {rev!r}: not a git revision")
    check = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if check.returncode != 0:
        probe = _git(root, "rev-parse", "--is-inside-work-tree")
        if probe.returncode != 0:
            raise DiffBaseError(f"--diff-base needs a git work tree; {root} is not in one")
        raise DiffBaseError(
            f"--diff-base {rev}: no such commit in this repository "
            "(fetch it first, e.g. `git fetch origin main` in CI with enough depth)"
        )
    base = check.stdout.decode().strip()
    fork = _git(root, "merge-base", base, "HEAD")
    if fork.returncode == 0 and fork.stdout.strip():
        base = fork.stdout.decode().strip()
    done = _git(
        root,
        "-c",
        "core.quotePath=true",
        "diff",
        "--unified=0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-renames",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        "--",
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffBaseError(f"--diff-base {rev}: git diff failed: {message[-1] if message else ''}")
    changed = parse_diff(done.stdout)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    for raw in untracked.stdout.split(b"\0"):
        if raw:
            changed.touch(raw.decode("utf-8", "surrogateescape"))
    return changed


def keep(finding: Finding, changed: ChangedLines) -> bool:
    if any(changed.file_changed(p) for p in finding.related):
        return True
    if finding.span == FILE_SPAN:
        return changed.file_changed(finding.path)
    return changed.line_changed(finding.path, finding.span.line)


def filter_to_changed_lines(findings: list[Finding], root: Path, rev: str) -> list[Finding]:
    changed = changed_lines(root, rev)
    return [f for f in findings if keep(f, changed)]
