"""Module-name patterns: the small glob language DESIGN.md defines for `generated` and friends.

`*` matches any run of characters (separators included); a pattern without a wildcard also
matches its sub-modules. Patterns compile into one anchored regular expression per list, built
only from escaped literals and `.*?`, with a bounded number of wildcards, so a user pattern can
neither be invalid regex nor make matching blow up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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


def star_regex(glob: str, group: str = "g", *, segment: bool = False) -> str:
    """A `*` glob as a regex linear in the length of the string matched; `group` prefixes the
    names of its groups (unique within one regex). `*` matches any run, separators included; with
    `segment`, `*` and `?` stay within one `/`-separated segment (path globs).

    Literals between two `*` are found by an atomic lookahead (`(?=(?P<g>.*?lit))(?P=g)`: the
    leftmost occurrence, never retried), which is all a `*` glob needs. A plain `.*` between
    literals would backtrack polynomially: `a*a*a*a*a*a*a*a*c` took seconds on a 50-character
    import string, and a hostile file may hold a megabyte-long one."""
    run = "[^/]" if segment else "."

    def block(text: str) -> str:
        return "".join("[^/]" if segment and c == "?" else re.escape(c) for c in text)

    if "*" not in glob:
        return block(glob)
    first, *middle, last = glob.split("*")
    body = block(first)
    for number, part in enumerate(middle):
        if part:
            name = f"{group}{number}"
            body += f"(?=(?P<{name}>{run}*?{block(part)}))(?P={name})"
    return f"{body}{run}*{block(last)}"


@lru_cache(maxsize=1024)
def path_glob(pattern: str) -> re.Pattern[str]:
    """A root-relative path glob as package managers read workspace globs: `*` and `?` within one
    segment, `**` any number of segments; the whole path must match, in linear time (the paths
    and some of the globs come from the scanned, possibly hostile, repository)."""
    out = []
    for number, piece in enumerate(re.split(r"(\*\*/|\*\*)", pattern)):
        special = {"**/": "(?:.*/)?", "**": ".*"}.get(piece)
        out.append(special or star_regex(piece, f"g{number}_", segment=True))
    return re.compile("".join(out) + r"\Z")


def _pattern_regex(pattern: str, separator: str, index: int) -> str:
    """One module pattern: a glob, or a literal that also matches its sub-modules."""
    if "*" not in pattern:
        return f"{re.escape(pattern)}(?:{re.escape(separator)}.*)?"
    return star_regex(pattern, f"m{index}_")


@dataclass(frozen=True)
class ModuleMatcher:
    """Matches module strings of one ecosystem against a pattern list; reports which pattern hit."""

    patterns: tuple[str, ...]
    separator: str = "/"

    def __post_init__(self) -> None:
        for pattern in self.patterns:
            validate_module_pattern(pattern)
        regexes = [_pattern_regex(p, self.separator, i) for i, p in enumerate(self.patterns)]
        alternatives = "|".join(f"(?P<p{i}>{r})" for i, r in enumerate(regexes))
        compiled = re.compile(alternatives, re.DOTALL) if regexes else None
        object.__setattr__(self, "_regex", compiled)

    def match(self, module: str) -> str | None:
        """The first pattern that matches `module`, or None."""
        regex: re.Pattern[str] | None = self._regex  # type: ignore[attr-defined]
        if regex is None:
            return None
        hit = regex.fullmatch(module)
        if hit is None:
            return None
        return self.patterns[int(hit.lastgroup[1:])] if hit.lastgroup else self.patterns[0]

    def __bool__(self) -> bool:
        return bool(self.patterns)


def literal_of(pattern: str) -> str:
    """The longest wildcard-free run of a pattern: a file that can match must contain it."""
    return max(pattern.split("*"), key=len)
