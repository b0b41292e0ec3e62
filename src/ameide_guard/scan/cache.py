"""The per-file results cache under `.ameide-guard-cache/`.

Entries are keyed by content digest, and the whole file is salted with the tool version and the
effective config digest, so a change to either starts afresh. A stat record (size, mtime, inode)
per path lets a warm scan skip reading unchanged files at all, as git's index does. Most files
never pass the prefilter: their stat record carries an empty digest and no entry, which keeps a
20,000-file cache small and quick to load.

The cache is JSON, never pickle: it lives inside the scanned tree, and a hostile repository could
commit one, so loading it must not be able to run code. Anything malformed means "no cache". It
is written to a temporary file and renamed into place, so two scans at once never see half a file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ameide_guard._version import __version__
from ameide_guard.model import CallRef, ImportRef, SourceFacts, Span, Suppression, TopStatement
from ameide_guard.vcs.discovery import StatKey

CACHE_DIR_NAME = ".ameide-guard-cache"


@functools.cache
def extractor_digest() -> str:
    """A digest of the code that produces cached facts (the parsers and the fact model), so a
    development checkout whose parsers changed without a version bump never reads stale facts."""
    package = Path(__file__).parent.parent
    sources = [
        package / "model.py",
        package / "scan" / "analysis.py",
        *sorted((package / "parsers").glob("*.py")),
    ]
    hasher = hashlib.sha256()
    for source in sources:
        with contextlib.suppress(OSError):
            hasher.update(source.read_bytes())
    return hasher.hexdigest()[:16]


def tool_identity() -> str:
    """What a cached result depends on in the tool itself: its version and extractor code."""
    return f"{__version__}\0{extractor_digest()}"


def ensure_cache_dir(directory: Path) -> None:
    """Create the cache directory with a `.gitignore` of `*`, so it is never committed."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by ameide-guard\n*\n", encoding="utf-8")


FORMAT = 4
RACY_NS = 2_000_000_000
"""A file modified this close to the scan gets no stat record (git's "racy clean" rule): file
system timestamps are coarse, so a same-size rewrite within the same tick would otherwise look
unchanged next time. Such files are simply read again."""


def _span(s: Span) -> list[int]:
    return [s.line, s.column, s.end_line, s.end_column]


def encode_facts(f: SourceFacts) -> list[Any]:
    return [
        f.language,
        [
            [
                i.module,
                _span(i.span),
                i.kind,
                i.type_only,
                list(i.names),
                i.alias,
                i.statement_line,
                list(i.bindings),
            ]
            for i in f.imports
        ],
        [[c.callee, _span(c.span), list(c.args)] for c in f.calls],
        [[s.line, s.column, s.target_line, list(s.ids), s.reason] for s in f.suppressions],
        [[_span(sp), msg] for sp, msg in f.problems],
        None
        if f.outline is None
        else [[_span(t.span), t.module, t.text, t.verb] for t in f.outline],
    ]


def decode_facts(raw: list[Any]) -> SourceFacts:
    language, imports, calls, supps, problems, outline = raw
    return SourceFacts(
        language=str(language),
        imports=tuple(
            ImportRef(str(m), Span(*sp), str(k), bool(t), tuple(n), a, int(sl), tuple(b))
            for m, sp, k, t, n, a, sl, b in imports
        ),
        calls=tuple(CallRef(str(c), Span(*sp), tuple(a)) for c, sp, a in calls),
        suppressions=tuple(
            Suppression(int(ln), int(col), int(t), tuple(ids), str(r))
            for ln, col, t, ids, r in supps
        ),
        problems=tuple((Span(*sp), str(msg)) for sp, msg in problems),
        outline=None
        if outline is None
        else tuple(
            TopStatement(Span(*sp), None if m is None else str(m), str(t), str(v))
            for sp, m, t, v in outline
        ),
    )


@dataclass
class Entry:
    """A cached outcome: facts (None if the prefilter skipped the file) and a problem."""

    facts: SourceFacts | None
    problem: tuple[Span, str] | None
    parsed: bool

    @property
    def trivial(self) -> bool:
        """The prefilter skipped the file and there is nothing to say about it."""
        return self.facts is None and self.problem is None and not self.parsed


SKIPPED = Entry(None, None, False)


@dataclass
class FactsCache:
    directory: Path
    salt: str
    stats: dict[str, tuple[StatKey, str]] = field(default_factory=dict)
    """Path → (its stat record, its content digest or "" when the prefilter skipped it)."""
    entries: dict[str, Entry] = field(default_factory=dict)
    dirty: bool = False
    opened_ns: int = field(default_factory=time.time_ns)

    @classmethod
    def open(
        cls, directory: Path, config_digest: str, literals: Mapping[str, tuple[bytes, ...]]
    ) -> FactsCache:
        flat = sorted(f"{zone}:{x.decode()}" for zone, lits in literals.items() for x in lits)
        material = "\0".join([tool_identity(), config_digest, *flat])
        salt = hashlib.sha256(material.encode()).hexdigest()[:16]
        cache = cls(directory, salt)
        cache._load()
        return cache

    @property
    def file(self) -> Path:
        return self.directory / f"facts-v{FORMAT}.json"

    def _load(self) -> None:
        try:
            with open(self.file, encoding="utf-8") as handle:
                raw = json.load(handle)
            if raw.get("salt") != self.salt or raw.get("format") != FORMAT:
                return
            self.stats = {p: _stat_record(record) for p, record in raw["stats"].items()}
            entries = {}
            for digest, (facts, problem, parsed) in raw["entries"].items():
                entries[digest] = Entry(
                    decode_facts(facts) if facts is not None else None,
                    (Span(*problem[0]), str(problem[1])) if problem else None,
                    bool(parsed),
                )
            self.entries = entries
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            self.stats, self.entries = {}, {}

    def lookup(self, path: str, stat: StatKey) -> tuple[str, Entry] | None:
        """The cached outcome for an unchanged file (the same stat record), else None."""
        record = self.stats.get(path)
        if record is None:
            return None
        recorded, digest = record
        if recorded != stat:
            return None
        entry = self.entries.get(digest) if digest else SKIPPED
        return (digest, entry) if entry is not None else None

    def store(self, path: str, stat: StatKey | None, digest: str, entry: Entry) -> None:
        """Record `path`'s outcome: a stat record, plus the entry under `digest` unless trivial
        (a file the prefilter skipped needs no digest: its stat record says "skipped")."""
        if not digest and not entry.trivial:
            return  # an outcome without content (an unreadable file) is not cached
        key = "" if entry.trivial else digest
        if stat is not None and stat[1] < self.opened_ns - RACY_NS:
            self.stats[path] = (stat, key)
        else:
            self.stats.pop(path, None)
        if key:
            self.entries[digest] = entry
        self.dirty = True

    def save(self, live_paths: set[str]) -> None:
        """Write atomically, keeping only entries of files that still exist."""
        if not self.dirty:
            return
        kept = {p: record for p, record in sorted(self.stats.items()) if p in live_paths}
        stats = {p: [*stat, digest] for p, (stat, digest) in kept.items()}
        live = {digest for _, digest in kept.values()}
        entries = {
            d: [
                encode_facts(e.facts) if e.facts is not None else None,
                [_span(e.problem[0]), e.problem[1]] if e.problem else None,
                e.parsed,
            ]
            for d, e in self.entries.items()
            if d in live
        }
        payload = {"format": FORMAT, "salt": self.salt, "stats": stats, "entries": entries}
        try:
            ensure_cache_dir(self.directory)
            fd, tmp = tempfile.mkstemp(prefix=".facts-", dir=self.directory)
            # dumps, not dump: only the one-shot encoder is the C one (4x faster here).
            text = json.dumps(payload, separators=(",", ":"))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.file)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)


def _stat_record(raw: list[Any]) -> tuple[StatKey, str]:
    """A stored `[size, mtime, ctime, inode, device, digest]`; ValueError for any other shape
    (the whole cache is then rebuilt)."""
    size, mtime, ctime, inode, device, digest = raw
    return (int(size), int(mtime), int(ctime), int(inode), int(device)), str(digest)
