"""The per-file results cache under `.ameide-guard-cache/`.

Entries are keyed by content digest, and the whole file is salted with the tool version and the
effective config digest, so a change to either starts afresh. A stat record (size, mtime, inode)
per path lets a warm scan skip reading unchanged files at all, as git's index does. Most files
never pass the prefilter: their stat record carries an empty digest and no entry, which keeps a
20,000-file cache small and quick to load.

The cache is an SQLite database (`FactsCache`) holding JSON per entry, never pickle: it lives
inside the scanned tree, and a hostile repository could commit one, so loading it must not be
able to run code. Anything malformed means "no cache". It is read and written per entry, in
transactions, so two scans at once never see half a save.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ameide_guard._version import __version__
from ameide_guard.model import CallRef, ImportRef, SourceFacts, Span, Suppression, TopStatement
from ameide_guard.scan.names import CACHE_DIR_NAME as CACHE_DIR_NAME
from ameide_guard.vcs.stat import StatKey


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


@functools.cache
def code_digest() -> str:
    """A digest of the stat records of every module of the package: what repository-rule
    results (`scan.reuse`) depend on besides the version, so that a development checkout whose
    rules changed never replays an old rule's findings. Stat, not content: 130 lstat calls
    instead of reading 1 MB, and an edit changes the stat."""
    package = Path(__file__).parent.parent
    hasher = hashlib.blake2b(digest_size=16)
    for module in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            st = module.stat()
            hasher.update(f"{module}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return hasher.hexdigest()


def tool_identity() -> str:
    """What a cached result depends on in the tool itself: its version and extractor code."""
    return f"{__version__}\0{extractor_digest()}"


def ensure_cache_dir(directory: Path) -> None:
    """Create the cache directory with a `.gitignore` of `*`, so it is never committed."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by ameide-guard\n*\n", encoding="utf-8")


FORMAT = 5
RACY_NS = 2_000_000_000
"""A file modified this close to the scan gets no stat record (git's "racy clean" rule): file
system timestamps are coarse, so a same-size rewrite within the same tick would otherwise look
unchanged next time. Such files are simply read again."""


def encode_suppression(s: Suppression) -> list[Any]:
    return [s.line, s.column, s.target_line, list(s.ids), s.reason]


def decode_suppression(raw: list[Any]) -> Suppression:
    line, column, target, ids, reason = raw
    return Suppression(int(line), int(column), int(target), tuple(str(i) for i in ids), str(reason))


def encode_span(s: Span) -> list[int]:
    return [s.line, s.column, s.end_line, s.end_column]


def encode_facts(f: SourceFacts) -> list[Any]:
    return [
        f.language,
        [
            [
                i.module,
                encode_span(i.span),
                i.kind,
                i.type_only,
                list(i.names),
                i.alias,
                i.statement_line,
                list(i.bindings),
            ]
            for i in f.imports
        ],
        [[c.callee, encode_span(c.span), list(c.args)] for c in f.calls],
        [encode_suppression(s) for s in f.suppressions],
        [[encode_span(sp), msg] for sp, msg in f.problems],
        None
        if f.outline is None
        else [[encode_span(t.span), t.module, t.text, t.verb] for t in f.outline],
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
        suppressions=tuple(decode_suppression(s) for s in supps),
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


FILE_NAME = f"facts-v{FORMAT}.sqlite"
BUSY_TIMEOUT_S = 2.0
"""How long a save waits for another scan's save to finish before it gives up (and the next
scan recomputes what this one would have recorded)."""
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, inode INTEGER NOT NULL,"
    " device INTEGER NOT NULL, digest TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries (digest TEXT PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, body TEXT NOT NULL)",
)


@dataclass
class FactsCache:
    """The facts cache as an SQLite database in WAL mode, read and written per entry: a warm
    scan loads the stat records (one row per path) and decodes only the entries of unchanged
    files that have something to say; a save writes only the rows that changed, in one
    transaction, so two scans at once never see half a save. SQLite reads a damaged or hostile
    file as an error, never as code: such a file is replaced."""

    directory: Path
    salt: str
    stats: dict[str, tuple[StatKey, str]] = field(default_factory=dict)
    """Path → (its stat record, its content digest or "" when the prefilter skipped it)."""
    entries: dict[str, Entry] = field(default_factory=dict)
    """Entries decoded or computed in this scan, by digest."""
    dirty: bool = False
    opened_ns: int = field(default_factory=time.time_ns)
    records: dict[str, str] = field(default_factory=dict)
    """Other results kept by key (`scan.reuse`: repository-rule results), as JSON text."""
    previous: dict[str, str] = field(default_factory=dict)
    """`records` as the last scan left them (`records` takes this scan's as they come)."""
    _loaded: dict[str, tuple[StatKey, str]] = field(default_factory=dict)
    _new_records: dict[str, str] = field(default_factory=dict)
    _fresh: set[str] = field(default_factory=set)
    _db: Any = None

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
        return self.directory / FILE_NAME

    def _load(self) -> None:
        """The stat records, if the file exists and was written for this salt."""
        if not self.file.is_file():
            return
        # lazy: sqlite3 (6 ms) only when there is a cache to read or write
        import sqlite3

        try:
            self._db = _connect(self.file)
            salt = self._db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if salt is None or salt[0] != self.salt:
                return
            rows = self._db.execute(
                "SELECT path, size, mtime, ctime, inode, device, digest FROM stats"
            )
            # No per-row validation: a value of another type (a hostile or damaged file) never
            # equals a real stat record or path, so it can only make a lookup miss.
            self.stats = {row[0]: (row[1:6], row[6]) for row in rows}
            self._loaded = dict(self.stats)
            self.records = {
                key: body
                for key, body in self._db.execute("SELECT key, body FROM records")
                if isinstance(key, str) and isinstance(body, str)
            }
            self.previous = dict(self.records)
        except (sqlite3.Error, ValueError, TypeError):
            self.stats, self._loaded, self.records = {}, {}, {}
            self._discard()

    def _discard(self) -> None:
        """Close and delete a database that cannot be read (the next save starts a new one)."""
        self._close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.file}{suffix}")

    def lookup(self, path: str, stat: StatKey) -> tuple[str, Entry] | None:
        """The cached outcome for an unchanged file (the same stat record), else None."""
        record = self.stats.get(path)
        if record is None:
            return None
        recorded, digest = record
        if recorded != stat:
            return None
        entry = self._entry(digest) if digest else SKIPPED
        return (digest, entry) if entry is not None else None

    def _entry(self, digest: str) -> Entry | None:
        """The entry stored under `digest`, decoded on first use; None if absent or malformed."""
        entry = self.entries.get(digest)
        if entry is not None or self._db is None:
            return entry
        # lazy: sqlite3 is loaded whenever self._db is set
        import sqlite3

        try:
            row = self._db.execute(
                "SELECT body FROM entries WHERE digest = ?", (digest,)
            ).fetchone()
            if row is None:
                return None
            facts, problem, parsed = json.loads(row[0])
            entry = Entry(
                decode_facts(facts) if facts is not None else None,
                (Span(*problem[0]), str(problem[1])) if problem else None,
                bool(parsed),
            )
        except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None
        self.entries[digest] = entry
        return entry

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
            self._fresh.add(digest)
        self.dirty = True

    def put_record(self, key: str, body: str) -> None:
        """Keep `body` under `key` from the next save on."""
        if self.records.get(key) != body:
            self.records[key] = body
            self._new_records[key] = body

    def save(self, live_paths: set[str]) -> None:
        """Write what changed, in one transaction: stat records of changed paths, records of
        paths that no longer exist removed, new entries, entries no record uses any more
        dropped. A save that fails (a full disk, another scan holding the lock) changes
        nothing; the next scan recomputes."""
        # lazy: sqlite3 only when there is a cache to read or write
        import sqlite3

        stats = {p: r for p, r in self.stats.items() if p in live_paths}
        changed = [(p, *r[0], r[1]) for p, r in stats.items() if self._loaded.get(p) != r]
        gone = [(p,) for p in self._loaded if p not in stats]
        first = self.dirty and not self.file.exists()  # a first scan creates it, even empty
        if not (changed or gone or self._new_records or first):
            self._close()
            return
        try:
            if self._db is None:
                ensure_cache_dir(self.directory)
                self._db = _connect(self.file)
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone() != (
                    self.salt,
                ):
                    db.execute("DELETE FROM stats")
                    db.execute("DELETE FROM entries")
                    db.execute("DELETE FROM records")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('salt', ?)", (self.salt,))
                    changed = [(p, *r[0], r[1]) for p, r in stats.items()]
                db.executemany("DELETE FROM stats WHERE path = ?", gone)
                db.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?, ?, ?, ?)", changed)
                bodies = [(d, _entry_body(self.entries[d])) for d in sorted(self._fresh)]
                db.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?)", bodies)
                db.execute("DELETE FROM entries WHERE digest NOT IN (SELECT digest FROM stats)")
                db.executemany(
                    "INSERT OR REPLACE INTO records VALUES (?, ?)",
                    sorted(self._new_records.items()),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except (OSError, sqlite3.Error):
            pass
        finally:
            self._close()

    def detach(self) -> None:
        """Close the connection once every lookup is done, before the analysis pool forks: a
        connection must never cross a fork (SQLite's rule); `save` opens its own."""
        self._close()

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None


def _connect(file: Path) -> Any:
    """A connection in autocommit mode (transactions are explicit), WAL journal, the schema."""
    # lazy: sqlite3 only when there is a cache to read or write
    import sqlite3

    db = sqlite3.connect(file, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            db.execute(statement)
    except BaseException:
        db.close()
        raise
    return db


def _entry_body(e: Entry) -> str:
    facts = encode_facts(e.facts) if e.facts is not None else None
    problem = [encode_span(e.problem[0]), e.problem[1]] if e.problem else None
    return json.dumps([facts, problem, e.parsed], separators=(",", ":"))
