"""One exception tree (flake8's `exceptions.py` is the model).

Every failure a user can cause is a `GuardError`: the CLI catches that one class and prints its
message as one line on stderr with exit 2, so a new kind of failure needs no change there.
`ManifestError` is the exception: readers raise it for a file they cannot read, and the
repository view turns it into an AG900 finding at its span; it reaches the CLI only through a
command that reads one file on purpose (`stamp`), which then fails like any other.
"""

from __future__ import annotations

from ameide_guard.model import FILE_SPAN, Span


class GuardError(Exception):
    """A failure phrased for one line on stderr (exit 2)."""


class UsageError(GuardError):
    """A problem with what the user asked for on the command line."""


class ConfigError(GuardError):
    """A configuration problem: the file, the dotted key and what is allowed."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source, self.key, self.problem = source, key, problem
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {problem}" if key else f"{where}{problem}")


class StampError(ConfigError):
    """`ameide-guard stamp` cannot write a trustworthy stamp."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(where, "", problem)


class PatternError(GuardError, ValueError):
    """A glob or module pattern that cannot be used; the message says why. A `ValueError` too,
    so validators handed to option specs may treat it like any other bad value."""


class BaselineError(GuardError):
    """A baseline file that cannot be used."""


class DiffBaseError(GuardError):
    """A --diff-base that cannot be used (no git, not a work tree, unknown revision)."""


class InitError(GuardError):
    """`init` refused (an existing config without --force)."""


class ManifestError(GuardError):
    """Raised by a reader for input it cannot read; becomes AG900 at `span`."""

    def __init__(self, message: str, span: Span = FILE_SPAN) -> None:
        super().__init__(message)
        self.message, self.span = message, span
