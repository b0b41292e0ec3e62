"""Module-name patterns: the small glob language DESIGN.md defines for `generated` and friends.

`*` matches any run of characters (separators included); a pattern without a wildcard also
matches its sub-modules. Patterns compile into one anchored regular expression per list, built
only from escaped literals and `.*?`, with a bounded number of wildcards, so a user pattern can
neither be invalid regex nor make matching blow up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ameide_guard.errors import PatternError

MAX_WILDCARDS = 8
MAX_PATTERN_LENGTH = 512


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


@dataclass(frozen=True)
class PathGlob:
    """A root-relative path glob as package managers and gitignore read it: `*` and `?` within
    one segment; a segment that is just `**` matches any number of segments (one or more when
    it ends the glob, so `packages/**` is what lies below `packages`); `**` inside a segment is a
    plain `*`. Matched segment by segment over the set of glob positions still alive, so the time
    is linear in the path whatever the glob: the paths and some of the globs come from the
    scanned, possibly hostile, repository, and a regex with one `.*` per `**` backtracks
    exponentially in their number (nine `**` took half a minute on a five-file tree)."""

    segments: tuple[str, ...]
    regexes: tuple[re.Pattern[str] | None, ...]  # None for a `**` segment
    whole: re.Pattern[str] | None = None
    """Without `**`, the segments joined into one regex (linear too, and one C call)."""

    def matches(self, path: str) -> bool:
        if self.whole is not None:
            return self.whole.fullmatch(path) is not None
        alive = self._closure({0})
        for part in path.split("/"):
            step: set[int] = set()
            for at in alive:
                if at == len(self.segments):
                    continue
                regex = self.regexes[at]
                if regex is None:  # `**` takes this segment and may take more
                    step.add(at)
                    step.add(at + 1)
                elif regex.fullmatch(part):
                    step.add(at + 1)
            alive = self._closure(step)
            if not alive:
                return False
        return len(self.segments) in alive

    def _closure(self, positions: set[int]) -> set[int]:
        """`positions` plus those reached by letting a non-final `**` match no segment."""
        out, todo = set(positions), list(positions)
        last = len(self.segments) - 1
        while todo:
            at = todo.pop()
            if at < last and self.regexes[at] is None and at + 1 not in out:
                out.add(at + 1)
                todo.append(at + 1)
        return out


@lru_cache(maxsize=1024)
def path_glob(pattern: str) -> PathGlob:
    """`pattern` compiled (see `PathGlob`); consecutive `**` segments are one."""
    segments: list[str] = []
    for segment in pattern.split("/"):
        if not (segment == "**" and segments and segments[-1] == "**"):
            segments.append(segment)
    sources = [
        None if s == "**" else star_regex(re.sub(r"\*{2,}", "*", s), f"g{n}_", segment=True)
        for n, s in enumerate(segments)
    ]
    regexes = tuple(None if s is None else re.compile(s, re.DOTALL) for s in sources)
    literal = [s for s in sources if s is not None]
    flat = re.compile("/".join(literal), re.DOTALL) if len(literal) == len(sources) else None
    return PathGlob(tuple(segments), regexes, flat)


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
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        for pattern in self.patterns:
            validate_module_pattern(pattern)
        regexes = [_pattern_regex(p, self.separator, i) for i, p in enumerate(self.patterns)]
        alternatives = "|".join(f"(?P<p{i}>{r})" for i, r in enumerate(regexes))
        compiled = re.compile(alternatives, re.DOTALL) if regexes else None
        object.__setattr__(self, "_regex", compiled)

    def match(self, module: str) -> str | None:
        """The first pattern that matches `module`, or None."""
        regex = self._regex
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


MAX_DEEP_WILDCARDS = 2
"""Path patterns: at most this many `**` (with the implied leading one), which bounds matching
to O(depth**2) per path."""
MAX_SEGMENT_WILDCARDS = 3
"""Path patterns: at most this many `*` within one path segment (O(len(name)**3) per name)."""


def validate_path_pattern(pattern: str) -> None:
    """Reject gitignore-style patterns pathspec cannot compile, and absurd ones."""
    import pathspec

    if not pattern.strip():
        raise PatternError("patterns must be non-empty")
    if len(pattern) > 1024:
        raise PatternError("pattern longer than 1024 characters")
    if pattern.count("*") > 16:
        raise PatternError("more than 16 `*` wildcards")
    # pathspec compiles `*` to `[^/]*` and `**` to `.*`-like runs, which backtrack polynomially
    # (n**k) on a hostile path: six `*` in one segment took 7 s on one 120-character file name.
    body = pattern.lstrip("!").rstrip("/")
    segments = body.strip("/").split("/")
    deep = segments.count("**") + (0 if "/" in body else 1)  # no `/`: an implied leading `**/`
    if deep > MAX_DEEP_WILDCARDS:
        raise PatternError(
            f"more than {MAX_DEEP_WILDCARDS} `**` (a pattern without `/` starts with an "
            "implied `**/`); match each directory level with its own pattern instead"
        )
    if max((s.count("*") for s in segments if s != "**"), default=0) > MAX_SEGMENT_WILDCARDS:
        raise PatternError(f"more than {MAX_SEGMENT_WILDCARDS} `*` in one path segment")
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except (re.error, ValueError, TypeError) as exc:
        raise PatternError(str(exc)) from None
