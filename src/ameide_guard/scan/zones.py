"""Zone classification: the first of excluded, proto, sdk, test that matches, else runtime."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ameide_guard.model import Zone
from ameide_guard.settings import Config

if TYPE_CHECKING:
    import pathspec

_ORDER = (Zone.PROTO, Zone.SDK, Zone.TEST)
_RANKED = (Zone.EXCLUDED, *_ORDER, Zone.RUNTIME)

_BODY = r"(?:\\[^A-Za-z0-9]|[^\\/\[\]().*+?{}|^$]|\[\^/\]\*?)+"
"""A pathspec regex fragment that can only match within one path segment: escaped punctuation,
plain characters, `[^/]` and `[^/]*` (what `?`, `*` and literals of a glob become)."""
_ANY_DEPTH = re.compile(rf"\^\(\?:\.\+/\)\?(?P<body>{_BODY})\(\?:\(\?:/\)\|\$\)")
"""A pattern without a slash (`*_test.go`, `conftest.py`): it matches a path when one of the
path's segments matches its body."""
_DIRECTORY_ONLY = re.compile(r"(?:(?!\$|\\[AZbB]|\(\?[=!<]).)*(?:\(\?:/\)|/)", re.DOTALL)
"""A pattern whose match always ends right after a `/` and never looks beyond it: it can only
match a directory part, so its verdict on `dir/file` is its verdict on `dir/`."""


def _as_match(source: str) -> str:
    """A pathspec pattern's regex, for `re.match` at the start of the path: its named groups
    made plain (they would clash once merged), and a pattern pathspec leaves unanchored (`*/`
    becomes `/`, found anywhere since pathspec searches) given a leading lazy `.*?`."""
    plain = re.sub(r"\(\?P<[^>]*>", "(?:", source)
    return plain if plain.startswith("^") else f"(?s:.*?)(?:{plain})"


def _include_regexes(spec: pathspec.PathSpec) -> list[str] | None:
    """The regexes of a spec's patterns, in order, for `re.match` from the start of a path; read
    through pathspec's documented `PathSpec.patterns`, `Pattern.include` and
    `RegexPattern.regex`. Blank and comment lines (`include is None`) are skipped; None when a
    pattern is a negation (the last match decides, which one alternation cannot express) or not
    a regex pattern: then `classify`, the pathspec reference, is used."""
    # lazy: a spec exists, so pathspec is loaded already
    import pathspec

    sources = []
    for pattern in spec.patterns:
        if pattern.include is None:
            continue
        if pattern.include is False or not isinstance(pattern, pathspec.RegexPattern):
            return None
        regex = pattern.regex
        if regex is None or not isinstance(regex.pattern, str):
            return None
        sources.append(_as_match(regex.pattern))
    return sources


@dataclass(frozen=True)
class ZoneMap:
    """Compiled zone patterns for one config."""

    exclude: pathspec.PathSpec
    specs: tuple[tuple[Zone, pathspec.PathSpec], ...]

    @classmethod
    def from_config(cls, config: Config) -> ZoneMap:
        # lazy: pathspec (10 ms) only for a scan that classifies paths, not a memo hit
        import pathspec

        return cls(
            exclude=pathspec.GitIgnoreSpec.from_lines(config.exclude),
            specs=tuple(
                (zone, pathspec.GitIgnoreSpec.from_lines(config.zones[zone.value]))
                for zone in _ORDER
            ),
        )

    def classify(self, path: str) -> Zone:
        """The zone of a root-relative POSIX path."""
        if self.exclude.match_file(path):
            return Zone.EXCLUDED
        for zone, spec in self.specs:
            if spec.match_file(path):
                return zone
        return Zone.RUNTIME

    def classify_target(self, path: str) -> Zone:
        """The zone an import target lands in; a directory target is judged as a file inside it
        (so `../packages/ameide_core_proto` counts as reaching into the proto zone)."""
        zone = self.classify(path)
        if zone is Zone.RUNTIME:
            inner = self.classify(f"{path.rstrip('/')}/index")
            if inner is not Zone.RUNTIME:
                return inner
        return zone

    @cached_property
    def combined(self) -> re.Pattern[str] | None:
        """All zone patterns as one alternation, a named group per zone in classification order:
        one `match` per path instead of a pathspec walk over every pattern (2.5x faster on 20,000
        paths: 60 ms instead of 155 ms).

        Python's regex alternation takes the first alternative that matches, which is exactly "the
        first zone that matches". Only include patterns can be merged this way; with a negated
        pattern (`!x`) the last match decides, so None is returned and `classify` is used."""
        groups = []
        for zone, spec in ((Zone.EXCLUDED, self.exclude), *self.specs):
            alternatives = _include_regexes(spec)
            if alternatives is None:
                return None
            if alternatives:
                groups.append(f"(?P<{zone.name}>{'|'.join(f'(?:{a})' for a in alternatives)})")
        try:
            return re.compile("|".join(groups) or "(?!)")
        except re.error:
            return None

    @cached_property
    def split(self) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
        """The zone patterns as (directory regex, base-name regex), when every pattern is either
        directory-only (`**/tests/`, `packages/x/`) or slash-free (`*_test.go`): a path's zone
        is then the first zone that matches its directory (`dir/`, asked once per directory)
        or its base name. None for any other shape (`foo/*.ts`), where `combined` is used."""
        dir_groups, base_groups = [], []
        for zone, spec in ((Zone.EXCLUDED, self.exclude), *self.specs):
            dirs, bases = [], []
            sources = _include_regexes(spec)
            if sources is None:
                return None
            for source in sources:
                any_depth = _ANY_DEPTH.fullmatch(source)
                if any_depth is not None:
                    bases.append(any_depth.group("body"))
                elif _DIRECTORY_ONLY.fullmatch(source) is None:
                    return None
                dirs.append(source)  # a slash-free pattern also matches directory segments
            if dirs:
                dir_groups.append(f"(?P<{zone.name}>{'|'.join(f'(?:{d})' for d in dirs)})")
            if bases:
                base_groups.append(f"(?P<{zone.name}>{'|'.join(bases)})")
        try:
            return re.compile("|".join(dir_groups) or "(?!)"), re.compile(
                "|".join(base_groups) or "(?!)"
            )
        except re.error:
            return None

    def scanned(self, paths: Iterable[str]) -> tuple[dict[str, Zone], int]:
        """The zone stage of a scan: every path that is not excluded with its zone, and how many
        were excluded."""
        files: dict[str, Zone] = {}
        excluded = 0
        for path, zone in self.classify_many(paths).items():
            if zone is Zone.EXCLUDED:
                excluded += 1
            else:
                files[path] = zone
        return files, excluded

    def classify_many(self, paths: Iterable[str]) -> dict[str, Zone]:
        """The zone of every path, as `classify` decides it (the scan classifies every
        discovered file; `classify` stays the pathspec reference): with `split`, one regex
        match per directory and one per short base name; else one `combined` match per path."""
        split = self.split
        if split is not None:
            return _classify_split(paths, *split)
        regex = self.combined
        if regex is None:
            return {path: self.classify(path) for path in paths}
        result = {}
        for path in paths:
            hit = regex.match(path)
            result[path] = Zone.RUNTIME if hit is None else Zone[hit.lastgroup or "RUNTIME"]
        return result


def _classify_split(
    paths: Iterable[str], directory: re.Pattern[str], base: re.Pattern[str]
) -> dict[str, Zone]:
    rank = {zone.name: n for n, zone in enumerate(_RANKED)}
    runtime = rank[Zone.RUNTIME.name]
    by_dir: dict[str, int] = {"": runtime}
    result = {}
    for path in paths:
        parent, _, name = path.rpartition("/")
        dir_rank = by_dir.get(parent)
        if dir_rank is None:
            hit = directory.match(parent + "/")
            dir_rank = by_dir[parent] = runtime if hit is None else rank[hit.lastgroup or ""]
        hit = base.fullmatch(name)
        base_rank = runtime if hit is None else rank[hit.lastgroup or ""]
        result[path] = _RANKED[min(dir_rank, base_rank)]
    return result
