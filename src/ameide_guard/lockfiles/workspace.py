"""Which lockfile covers which manifest: workspace-aware ownership for every ecosystem.

Rules never walk the tree: everything here works on the discovered file list of the `RepoView`.
A package.json belongs to the nearest enclosing directory whose `pnpm-workspace.yaml` or
package.json `workspaces` globs list it (its workspace root), else to its own directory; a
pyproject.toml belongs to the nearest `[tool.uv.workspace]` root whose members (minus exclude)
match it; a go.mod belongs to the go.work that `use`s its directory, if any.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from ameide_guard.formats.globs import PathGlob, path_glob


def parent_dirs(directory: str) -> list[str]:
    """`a/b/c` → [`a/b`, `a`, ``] (nearest first); the root is the empty string."""
    out: list[str] = []
    while directory:
        directory = posixpath.dirname(directory)
        out.append(directory)
    return out


def dir_of(path: str) -> str:
    return posixpath.dirname(path)


def join(directory: str, name: str) -> str:
    return posixpath.join(directory, name) if directory else name


def relative(path: str, start: str) -> str:
    """POSIX relative directory, `.` for the same directory."""
    return posixpath.relpath(path or ".", start or ".")


def _compile_glob(pattern: str) -> PathGlob:
    """Workspace globs as npm, pnpm, yarn and uv read them: `*` within one segment, `**` any
    number of segments, `?` one character; a trailing `/` or `/**` is a directory glob."""
    return path_glob(pattern.strip().removeprefix("./").rstrip("/") or ".")


def glob_match(rel_dir: str, patterns: Iterable[str]) -> bool:
    """Whether `rel_dir` is selected by the globs; `!glob` entries (pnpm) exclude again."""
    selected = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if selected and _compile_glob(pattern[1:]).matches(rel_dir):
                selected = False
        elif _compile_glob(pattern).matches(rel_dir):
            selected = True
    return selected


@dataclass(frozen=True)
class Owner:
    """The workspace root that owns a manifest, and the manifest's key inside it."""

    root: str
    """Directory of the workspace root (`` for the repository root)."""
    member: str
    """The manifest's directory relative to `root` (`.` for the root itself)."""


def nearest_owner(directory: str, claims: dict[str, tuple[str, ...]]) -> Owner:
    """The nearest ancestor in `claims` (directory → member globs) whose globs list `directory`,
    else `directory` itself."""
    for candidate in parent_dirs(directory):
        globs = claims.get(candidate)
        if globs and glob_match(relative(directory, candidate), globs):
            return Owner(candidate, relative(directory, candidate))
    return Owner(directory, ".")
