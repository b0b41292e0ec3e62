"""Module-name patterns: the small glob language DESIGN.md defines for `generated` and friends.

`*` matches any run of characters (separators included); a pattern without a wildcard also
matches its sub-modules. Patterns compile into one anchored regular expression per list, built
only from escaped literals and `.*?`, with a bounded number of wildcards, so a user pattern can
neither be invalid regex nor make matching blow up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WILDCARDS = 8
MAX_PATTERN_LENGTH = 512


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


def validate_module_pattern(pattern: str) -> None:
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("patterns must be non-empty strings")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    if pattern.count("*") > MAX_WILDCARDS:
        raise PatternError(f"more than {MAX_WILDCARDS} `*` wildcards")
    if "**" in pattern:
        raise PatternError("`**` is not needed: `*` already matches across separators")


def _pattern_regex(pattern: str, separator: str) -> str:
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    if "*" in pattern:
        return body
    return f"{body}(?:{re.escape(separator)}.*)?"


@dataclass(frozen=True)
class ModuleMatcher:
    """Matches module strings of one ecosystem against a pattern list; reports which pattern hit."""

    patterns: tuple[str, ...]
    separator: str = "/"

    def __post_init__(self) -> None:
        for pattern in self.patterns:
            validate_module_pattern(pattern)
        regexes = [_pattern_regex(p, self.separator) for p in self.patterns]
        compiled = re.compile("|".join(f"({r})" for r in regexes), re.DOTALL) if regexes else None
        object.__setattr__(self, "_regex", compiled)

    def match(self, module: str) -> str | None:
        """The first pattern that matches `module`, or None."""
        regex: re.Pattern[str] | None = self._regex  # type: ignore[attr-defined]
        if regex is None:
            return None
        hit = regex.fullmatch(module)
        if hit is None:
            return None
        return self.patterns[hit.lastindex - 1] if hit.lastindex else self.patterns[0]

    def __bool__(self) -> bool:
        return bool(self.patterns)


def literal_of(pattern: str) -> str:
    """The longest wildcard-free run of a pattern: a file that can match must contain it."""
    return max(pattern.split("*"), key=len)
