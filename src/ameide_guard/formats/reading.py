"""The guard every low-level reader (the JSON, TOML and YAML loaders) goes through."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ameide_guard.errors import ManifestError
from ameide_guard.model import Span

T = TypeVar("T")
P = ParamSpec("P")

NESTING_TOO_DEEP = "nesting too deep to read"
TOO_MANY_DIGITS = (
    "a number with more than 4,300 digits (more than Python reads as a number, and more than "
    "any tool writes); fix or regenerate the file"
)


def too_many_digits(exc: ValueError) -> bool:
    """Whether `exc` is CPython's refusal to convert a huge digit string to int (a hostile
    manifest: `"version": 1111…`), which json, tomllib and yaml all let through as a plain
    ValueError rather than their own decode error."""
    return "integer string conversion" in str(exc)


def reader(parse: Callable[P, T]) -> Callable[P, T]:
    """Mark a low-level reader: a number too long for CPython to convert, which json, tomllib
    and yaml let through as a bare ValueError, becomes the `ManifestError` every other
    unreadable input is; so does nesting deeper than the interpreter's stack (json and tomllib
    recurse per level)."""

    @functools.wraps(parse)
    def read(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return parse(*args, **kwargs)
        except RecursionError:
            raise ManifestError(NESTING_TOO_DEEP) from None
        except ValueError as exc:
            if not too_many_digits(exc):
                raise
            raise ManifestError(TOO_MANY_DIGITS) from None

    return read


def run_end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a run of `pattern` starting at `pos` ends: the position-keeping readers skip
    blanks and comments with patterns that may match nothing, so they always match."""
    found = pattern.match(text, pos)
    return found.end() if found is not None else pos


@reader
def load_json(text: str, problem: str) -> Any:
    """`json.loads` of a whole document (for files whose positions nobody needs; `jsonpos` keeps
    them). Invalid JSON is a `ManifestError` at its line, phrased as `problem` with `{reason}`
    replaced by json's own reason."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        span = Span(exc.lineno, exc.colno, exc.lineno, exc.colno + 1)
        raise ManifestError(problem.replace("{reason}", exc.msg), span) from None
