"""Where a project starts: the nearest directory holding an ameide-guard config, else the git
work tree's top. Kept apart from `config` (and light: tomllib only when a pyproject.toml must be
read) because the console entry finds the root before importing anything else."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

CONFIG_FILES = ("ameide-guard.toml", ".ameide-guard.toml")


def project_root(root: str | None, paths: Sequence[str] = ()) -> Path:
    """The root a scan uses, decided in this one place for the console entry (which starts
    discovery for it) and the `scan` command: `--root` as given, else the project around the
    first PATH, else the project around the working directory."""
    if root:
        return Path(root).resolve()
    return find_root(Path(paths[0]) if paths else Path.cwd())


def whole_tree(root: Path, paths: Sequence[str]) -> bool:
    """Whether `scan PATHS` scans the whole tree: no PATHS, or one of them is the root itself
    (`scan .`, as users and CI write it). Such a scan takes the whole-scan fast paths (git's
    view as the memo key, the memo itself) exactly as a bare `scan` does."""
    return not paths or any(Path(p).resolve() == root for p in paths)


def find_root(start: Path) -> Path:
    """The project root for `start`: the nearest directory upwards holding an ameide-guard
    config, else the git work tree's top, else `start` itself (as ruff finds its project)."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        if has_config(directory):
            return directory
        if (directory / ".git").exists():
            return directory
    return start


def has_config(directory: Path) -> bool:
    """True if `directory` holds an ameide-guard config (used to find the project root)."""
    if any((directory / name).is_file() for name in CONFIG_FILES):
        return True
    pyproject = directory / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        return tool_table(_toml().loads(pyproject.read_text("utf-8"))) is not None
    except (OSError, UnicodeDecodeError, _toml().TOMLDecodeError):
        return False


def tool_table(data: dict[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("ameide-guard"), dict):
        return tool["ameide-guard"]
    return None


def _toml() -> Any:
    """The one TOML reader, imported only when a pyproject.toml must be read: the console entry
    calls `find_root` before anything else is loaded (measured: the import costs 4 ms)."""
    # lazy: see the docstring (4 ms, only when a pyproject.toml is read)
    from ameide_guard.formats import toml

    return toml
