"""The data every stage passes on: levels, zones, spans, findings, and what a parser extracts.

Everything here is a frozen dataclass or an enum so that results can cross process boundaries
(pickled by the worker pool and the cache) and be compared for deterministic output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Level(enum.IntEnum):
    """A finding's severity; ordered so that `--fail-on` is a comparison."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        return cls[text.upper()]


LEVEL_NAMES = ("error", "warning", "note")
"""Levels a rule may be set to, besides `off`."""


class Zone(str, enum.Enum):
    """Where a file sits in the architecture; decides what it may import (see DESIGN.md)."""

    EXCLUDED = "excluded"
    PROTO = "proto"
    SDK = "sdk"
    TEST = "test"
    RUNTIME = "runtime"


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based, inclusive-start region; `end_column` points one past the last character."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def whole_line(cls, line: int, text: str = "") -> Span:
        return cls(line, 1, line, max(1, len(text) + 1))


FILE_SPAN = Span(1, 1, 1, 1)
"""Where findings about a whole file point (a missing lockfile points at the manifest)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation. `key` identifies it within its file independently of its line, so that the
    fingerprint survives unrelated edits above it; `context_line` is where the statement holding
    the finding starts, so that a suppression comment above a multi-line import applies."""

    rule: str
    slug: str
    level: Level
    path: str
    span: Span
    message: str
    key: str = ""
    context_line: int = 0
    fingerprint: str = ""
    related: tuple[str, ...] = ()
    """Other files the finding depends on (a manifest for a lockfile finding): staging any of
    them in a pre-commit run keeps the finding."""

    @property
    def line(self) -> int:
        return self.span.line

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.rule, self.message)


@dataclass(frozen=True, slots=True)
class ImportRef:
    """One import as written in the source.

    `module` is the string as written: the TS/JS/Go specifier without quotes, or the Python dotted
    name with its leading dots for relative imports. `names` holds what a Python `from` import
    takes (matched as `module.name` too) and the local bindings of a TS import (for AG103/AG105).
    """

    module: str
    span: Span
    kind: str
    type_only: bool = False
    names: tuple[str, ...] = ()
    alias: str | None = None
    statement_line: int = 0
    bindings: tuple[str, ...] = ()
    """Local names the import introduces (Python `as` aliases included), for call-level rules."""


@dataclass(frozen=True, slots=True)
class CallRef:
    """A call whose callee is a plain or dotted name, with the text of its first arguments.

    Only extracted from files that import something a call-level rule cares about (AG103)."""

    callee: str
    span: Span
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline `ameide-guard: ignore[...] reason` comment.

    `target_line` is the line it covers: its own line for a trailing comment, the next line for a
    comment standing alone on its line."""

    line: int
    column: int
    target_line: int
    ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What a source-language parser extracts from one file: everything the source rules need,
    so that no rule parses again."""

    language: str
    imports: tuple[ImportRef, ...] = ()
    calls: tuple[CallRef, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    problems: tuple[tuple[Span, str], ...] = ()
    outline: tuple[TopStatement, ...] | None = None
    """The top-level statements, for the files a rule asked the engine to outline (AG105's
    barrels); None for every other file."""


@dataclass(frozen=True, slots=True)
class TopStatement:
    """One top-level statement of a TS/JS file: `module` for an import or re-export from a
    module, else None with `text` the start of the statement (an own declaration)."""

    span: Span
    module: str | None
    text: str
    verb: str


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be read or parsed as it should; becomes an AG900 finding."""

    path: str
    span: Span
    reason: str


@dataclass(slots=True)
class Stats:
    """Counts for the summary line and the JSON `stats` object."""

    files: int = 0
    parsed: int = 0
    cached: int = 0
    skipped: int = 0
    failed: int = 0
    excluded: int = 0
    seconds: float = 0.0
    extra: dict[str, int] = field(default_factory=dict)
