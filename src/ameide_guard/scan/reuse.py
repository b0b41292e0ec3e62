"""Repository-rule results reused while their own inputs are unchanged.

A scan with one source file edited misses the scan memo, yet no manifest, lockfile or workflow
changed: rerunning AG201, AG401, AG402 … over a monorepo's manifests would cost more than
everything else it has to do. Each repo rule's result (findings, the AG900 problems and
suppression comments of what it read, the paths it probed outside the scanned files) is kept in
the facts database under a digest of exactly what it depends on:

- the tool (version and code), the effective config and the rule's level and mode;
- every scanned file it read or probed, with its zone and stat record, and the discovered path
  list it saw: after a path was added or removed, the result stands only if the rule does not
  declare that path as an input (`triggered_by`, as a pre-commit run uses it);
- every path outside the scanned files it looked at, with its stat or its absence.

The declared inputs are a promise each rule keeps; `tests/test_reuse.py` holds every rule to it
on every fixture (all it reads or probes is among its inputs) and compares incremental scans
with cold ones after edits of each kind. A rule whose inputs include a file modified within the
racy window, or whose verdict depends on more than the tree (AG303 deep mode), is not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ameide_guard.model import FileProblem, Finding, Span, Suppression, Zone
from ameide_guard.scan.cache import RACY_NS, decode_suppression, encode_span, encode_suppression
from ameide_guard.scan.memo import Signature, decode_finding, encode_finding, signature
from ameide_guard.vcs.stat import StatKey

if TYPE_CHECKING:
    from ameide_guard.rule import Rule, RuleContext
    from ameide_guard.scan.cache import FactsCache
    from ameide_guard.scan.repo import Origin, RepoView, Trace

FORMAT = 3


def listing_digest(files: Iterable[str]) -> str:
    """A digest of the scanned file list (paths in order): equal lists, equal input sets."""
    return hashlib.blake2b("\0".join(files).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class _Stored:
    digest: str
    listing: str
    reads: list[str]
    outside: list[str]
    findings: list[Finding]
    problems: list[tuple[Origin, FileProblem]]
    suppressions: dict[str, tuple[Suppression, ...]]


READS = frozenset({"text", "doc", "bytes", "exists"})
"""The trace origins that name a file the rule's result depends on the content of."""


@dataclass
class RuleResults:
    """The kept repo-rule results of one scan: `replay` what is unchanged, `keep` the rest.

    A kept result is filed under the digest of the scanned files the rule read or probed (with
    zone and stat) and the outside paths it looked at, and under the discovered path list it
    saw. The same list: the digest decides. Another list: the result stands only if the last
    scan saw the kept list and no path added or removed since is one the rule declares as an
    input (`Rule.triggered_by`, the promise tests/test_reuse.py holds every rule to)."""

    cache: FactsCache
    root: Path
    setup: str
    """The tool, the config and the scan mode (deep or not), joined."""
    stat_of: Mapping[str, StatKey]
    started_ns: int
    listing: str
    """The digest of the discovered path list (`listing_digest`)."""
    changed: Callable[[], tuple[str, list[str]] | None]
    """The previous scan's listing digest and the paths added or removed since, or None."""
    _diff: tuple[str, list[str]] | None = None
    _diffed: bool = False

    def _signature(self, path: str) -> Signature:
        known = self.stat_of.get(path)
        return known if known is not None else signature(os.path.join(self.root, path))

    def _digest(
        self, key: str, reads: list[str], files: Mapping[str, Zone], outside: Iterable[str]
    ) -> str | None:
        """The digest of a rule's inputs now; None if one is too fresh to trust by its stat."""
        hasher = hashlib.blake2b(digest_size=20)
        hasher.update(f"{self.setup}\0{key}".encode())
        fresh_from = self.started_ns - RACY_NS
        for path, sig in [(p, self._signature(p)) for p in reads] + [
            (p, signature(os.path.join(self.root, p))) for p in sorted(outside)
        ]:
            if sig is not None and sig[1] >= fresh_from:
                return None
            zone = files.get(path)
            hasher.update(f"\0{path}\0{zone.value if zone else '-'}\0{sig}".encode())
        return hasher.hexdigest()

    def _listing_holds(self, rule: Rule, stored: _Stored, repo: RepoView) -> bool:
        """Whether the path list the result was computed on differs from today's only in paths
        the rule does not take as inputs."""
        if stored.listing == self.listing:
            return True
        if not self._diffed:
            self._diff, self._diffed = self.changed(), True
        if self._diff is None or self._diff[0] != stored.listing:
            return False
        return not any(rule.triggered_by(path, repo.zone(path)) for path in self._diff[1])

    def replay(self, rule: Rule, ctx: RuleContext, repo: RepoView) -> list[Finding] | None:
        """The rule's findings from the last scan that ran it, if none of its inputs changed
        (their problems and suppressions put back on `repo`); else None."""
        key = _key(rule, ctx)
        stored = _load(self.cache.records.get(key))
        if stored is None or not self._listing_holds(rule, stored, repo):
            return None
        if self._digest(key, stored.reads, repo.files, stored.outside) != stored.digest:
            return None
        repo.replay(stored.problems, stored.suppressions, set(stored.outside))
        return stored.findings

    def keep(
        self, rule: Rule, ctx: RuleContext, repo: RepoView, trace: Trace, found: list[Finding]
    ) -> None:
        """Keep what the rule just computed, keyed by the digest of what it read."""
        if repo.uncacheable:
            return
        key = _key(rule, ctx)
        reads = sorted(
            {o[1] for o in trace.accessed if o[0] in READS and len(o) > 1 and o[1] in repo.files}
        )
        digest = self._digest(key, reads, repo.files, trace.outside)
        if digest is None:
            return
        body = {
            "format": FORMAT,
            "digest": digest,
            "listing": self.listing,
            "reads": reads,
            "outside": sorted(trace.outside),
            "findings": [encode_finding(f) for f in found],
            "problems": [
                [list(origin), p.path, encode_span(p.span), p.reason]
                for origin, p in repo.traced_problems(trace)
            ],
            "suppressions": {
                path: [encode_suppression(s) for s in supps]
                for path, supps in repo.traced_suppressions(trace).items()
            },
        }
        self.cache.put_record(key, json.dumps(body, separators=(",", ":")))


def _key(rule: Rule, ctx: RuleContext) -> str:
    return f"rule:{ctx.meta.id}:{ctx.level.value}:{type(rule).__qualname__}"


def _load(text: str | None) -> _Stored | None:
    """A kept result, or None when absent or malformed (a damaged or hostile database)."""
    if text is None:
        return None
    try:
        raw: dict[str, Any] = json.loads(text)
        if raw["format"] != FORMAT:
            return None
        return _Stored(
            digest=str(raw["digest"]),
            listing=str(raw["listing"]),
            reads=[str(p) for p in raw["reads"]],
            outside=[str(p) for p in raw["outside"]],
            findings=[decode_finding(f) for f in raw["findings"]],
            problems=[
                (tuple(str(o) for o in origin), FileProblem(str(path), Span(*span), str(reason)))
                for origin, path, span, reason in raw["problems"]
            ],
            suppressions={
                str(path): tuple(decode_suppression(s) for s in supps)
                for path, supps in raw["suppressions"].items()
            },
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


ZONE_CODES = {zone.value: zone.value[0] for zone in Zone}
"""One character per zone (excluded, proto, sdk, test, runtime start with distinct letters)."""
ZONE_OF_CODE = {code: value for value, code in ZONE_CODES.items()}
NO_ITEM = "-"


@dataclass(frozen=True)
class PathLayout:
    """What the scan derives from the file list alone: each discovered path's zone and, for a
    source file, its language and prefilter class. It depends only on the paths (in order),
    the config and the tool, so a scan whose discovery found the same list (every edit but an
    added, removed or renamed file) takes it from the last scan instead of classifying every
    path again. Kept as two strings of one character per path (200,000 paths: 400 KB, read
    and written in a few milliseconds)."""

    zones: list[str]
    """Per discovered path, its zone's value (`excluded` included)."""
    items: list[tuple[int, str, str]]
    """(index into the discovered paths, language, prefilter class) of each source file."""

    KEY = "paths"
    LISTING = "listing"
    """The record of the discovered paths themselves (read only to diff a changed list)."""

    @classmethod
    def load(cls, cache: FactsCache, setup: str, listing: str, count: int) -> PathLayout | None:
        try:
            raw = json.loads(cache.records.get(cls.KEY) or "null")
            if not isinstance(raw, dict) or raw.get("format") != FORMAT:
                return None
            if raw["setup"] != setup or raw["listing"] != listing:
                return None
            zones, codes = str(raw["zones"]), str(raw["items"])
            table = [(str(lang), str(kind)) for lang, kind in raw["table"]]
            if len(zones) != count or len(codes) != count:
                return None
            values = [ZONE_OF_CODE[code] for code in zones]
            items = [(n, *table[ord(code) - 65]) for n, code in enumerate(codes) if code != NO_ITEM]
            return cls(values, items)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
            return None

    def keep(self, cache: FactsCache, setup: str, listing: str) -> None:
        table: dict[tuple[str, str], str] = {}
        codes = [NO_ITEM] * len(self.zones)
        for n, lang, kind in self.items:
            codes[n] = table.setdefault((lang, kind), chr(65 + len(table)))
        body = {
            "format": FORMAT,
            "setup": setup,
            "listing": listing,
            "zones": "".join(ZONE_CODES[z] for z in self.zones),
            "items": "".join(codes),
            "table": [list(combo) for combo in table],
        }
        cache.put_record(self.KEY, json.dumps(body, separators=(",", ":")))


def keep_listing(cache: FactsCache, listing: str, paths: list[str]) -> None:
    """Keep the discovered path list, so that the next scan can tell what was added or removed."""
    joined = "\0".join(paths)
    body = json.dumps(
        {"format": FORMAT, "listing": listing, "paths": joined}, separators=(",", ":")
    )
    cache.put_record(PathLayout.LISTING, body)


def listing_changes(cache: FactsCache, paths: list[str]) -> tuple[str, list[str]] | None:
    """The last scan's listing digest and the paths added or removed since, or None when the
    last scan kept no list."""
    try:
        raw = json.loads(cache.previous.get(PathLayout.LISTING) or "null")
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return None
        before = set(str(raw["paths"]).split("\0")) if raw["paths"] else set()
        return str(raw["listing"]), sorted(before.symmetric_difference(paths))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
