"""ameide-guard: a repository policy linter for Buf-centric polyglot monorepos."""

from ameide_guard._version import __version__

__all__ = ["__version__"]
