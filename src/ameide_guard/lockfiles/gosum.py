"""go.sum and go.work.sum: `module version[/go.mod] h1:hash` lines.

Go needs a `/go.mod` hash for every module version in the build graph and a full (zip) hash for
each module whose packages it builds; with `-mod=readonly` (the default) a missing line is an
error ("missing go.sum entry"). Extra lines are harmless to go (only `go mod tidy` prunes them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ameide_guard.errors import ManifestError
from ameide_guard.model import Span


@dataclass(frozen=True)
class GoSum:
    zips: frozenset[tuple[str, str]]
    """(module, version) pairs with a full module hash."""
    gomods: frozenset[tuple[str, str]]
    """(module, version) pairs with a `/go.mod` hash."""

    def versions(self, module: str) -> list[str]:
        return sorted({v for m, v in self.zips | self.gomods if m == module})


def parse_gosum(text: str, path: str) -> GoSum:
    zips: set[tuple[str, str]] = set()
    gomods: set[tuple[str, str]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or ":" not in fields[2]:
            # go itself: "malformed go.sum: wrong number of fields"
            raise ManifestError(
                f"malformed {path} line {number}: expected `module version hash`; "
                "regenerate it with `go mod tidy`",
                Span.whole_line(number, line),
            )
        module, version, _ = fields
        if version.endswith("/go.mod"):
            gomods.add((module, version[: -len("/go.mod")]))
        else:
            zips.add((module, version))
    return GoSum(frozenset(zips), frozenset(gomods))
