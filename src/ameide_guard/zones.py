"""Zone classification: the first of excluded, proto, sdk, test that matches, else runtime."""

from __future__ import annotations

from dataclasses import dataclass

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
