"""Zone classification: the first of excluded, proto, sdk, test that matches, else runtime."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import pathspec

from ameide_guard.config import Config
from ameide_guard.model import Zone

_ORDER = (Zone.PROTO, Zone.SDK, Zone.TEST)


@dataclass(frozen=True)
class ZoneMap:
    """Compiled zone patterns for one config."""

    exclude: pathspec.PathSpec
    specs: tuple[tuple[Zone, pathspec.PathSpec], ...]

    @classmethod
    def from_config(cls, config: Config) -> ZoneMap:
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
            alternatives = []
            for pattern in getattr(spec, "patterns", None) or ():
                if pattern.include is None:
                    continue
                regex = getattr(pattern, "regex", None)
                if pattern.include is False or regex is None or not isinstance(regex.pattern, str):
                    return None
                alternatives.append(re.sub(r"\(\?P<[^>]*>", "(?:", regex.pattern))
            if alternatives:
                groups.append(f"(?P<{zone.name}>{'|'.join(f'(?:{a})' for a in alternatives)})")
        try:
            return re.compile("|".join(groups) or "(?!)")
        except re.error:
            return None

    def classify_many(self, paths: Iterable[str]) -> dict[str, Zone]:
        """The zone of every path, as `classify` decides it, in one regex match each (the scan
        classifies every discovered file; `classify` stays the pathspec reference)."""
        regex = self.combined
        if regex is None:
            return {path: self.classify(path) for path in paths}
        names = [zone.name for zone in (Zone.EXCLUDED, *(z for z, _ in self.specs))]
        result = {}
        for path in paths:
            hit = regex.match(path)
            if hit is None:
                result[path] = Zone.RUNTIME
            else:
                result[path] = next(Zone[n] for n in names if hit.group(n) is not None)
        return result
