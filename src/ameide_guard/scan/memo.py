"""The scan memo: a whole scan's findings, reused while nothing it looked at has changed.

The per-file cache (`cache.py`) saves reading and parsing unchanged sources, but a warm scan would
still classify every path into its zone and rerun every repo rule over the manifests and
lockfiles. Rerunning a scan on an unchanged checkout (a second pre-commit or editor run, `scan`
after `scan`) needs none of that: the memo keys the previous scan's findings on everything they
depend on, and a key that matches means the same findings.

The key covers the tool (version and the code that extracts facts), the effective config and rule
selection, the root, what discovery found (every path with its size, mtime and inode, the skipped
paths and why, git or walk) and any path a rule looked at outside that list (an ignored
requirements include), with its stat or its absence. A scan that ran an external tool (AG303 deep
mode runs `buf`) or saw a file modified within the racy window (see `cache.RACY_NS`) writes no
memo. Like the facts cache it is plain JSON, written atomically, and anything unexpected in it
means "no memo".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ameide_guard.model import Finding, Level, Span
from ameide_guard.scan.cache import RACY_NS, ensure_cache_dir, tool_identity
from ameide_guard.scan.names import MEMO_FILE, MEMO_FORMAT
from ameide_guard.vcs.stat import StatKey, stat_key

FORMAT = MEMO_FORMAT
FILE_NAME = MEMO_FILE

Signature = StatKey | None
"""The stat record (`discovery.StatKey`) of a path; None when it does not exist or cannot be
stat'ed."""


def signature(full: str) -> Signature:
    try:
        return stat_key(os.stat(full))
    except OSError:
        return None


@dataclass(frozen=True)
class TreeState:
    """What the memo key is built from: the discovered paths with their stats."""

    key: str
    newest_mtime_ns: int

    @classmethod
    def of(
        cls,
        root: Path,
        setup: Iterable[str],
        files: list[str],
        stats: Mapping[str, StatKey],
        skipped: Iterable[tuple[str, str]],
    ) -> TreeState:
        """`setup` is the scan's own settings (version, config digest, rules); `stats` holds
        discovery's lstat of regular files, the others (symlinks) are stat'ed here."""
        hasher = _keyed(root, setup)
        prefix = os.path.join(str(root), "")
        rows: list[tuple[str, Signature]] = []
        newest = 0
        for path in files:
            sig = stats.get(path) or signature(prefix + path)
            rows.append((path, sig))
            if sig is not None and sig[1] > newest:
                newest = sig[1]
        # marshal: the quickest exact serialisation of 20,000 tuples (f-strings took 3x longer)
        hasher.update(marshal.dumps((rows, list(skipped))))
        return cls(hasher.hexdigest(), newest)


def _keyed(root: Path, setup: Iterable[str]) -> hashlib.blake2b:
    """A hasher over what every key starts with: the tool, the root, the scan's settings."""
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update("\0".join([tool_identity(), str(root), *setup]).encode())
    return hasher


def fast_key(root: Path, setup: Iterable[str], signature: bytes) -> str:
    """The memo key from git's view of the tree (`gitstate.tree_signature`) instead of the
    lstat of every discovered file: a second key for the same memo, checked first."""
    hasher = _keyed(root, [*setup, "git-state"])
    hasher.update(signature)
    return hasher.hexdigest()


@dataclass(frozen=True)
class Memo:
    """A previous scan's outcome: findings (before baseline and diff filters), notes, and the
    counters of the summary line."""

    findings: list[Finding]
    notes: list[str]
    counts: dict[str, int]
    outside: Collection[str]
    """Paths outside the scanned files that the findings depend on; the memo file keeps their
    signatures."""


def encode_finding(f: Finding) -> list[Any]:
    s = f.span
    return [
        f.rule,
        f.slug,
        f.level.value,
        f.path,
        [s.line, s.column, s.end_line, s.end_column],
        f.message,
        f.key,
        f.context_line,
        f.fingerprint,
        list(f.related),
    ]


def decode_finding(raw: list[Any]) -> Finding:
    rule, slug, level, path, span, message, key, context_line, fingerprint, related = raw
    return Finding(
        rule=str(rule),
        slug=str(slug),
        level=Level(level),
        path=str(path),
        span=Span(*(int(x) for x in span)),
        message=str(message),
        key=str(key),
        context_line=int(context_line),
        fingerprint=str(fingerprint),
        related=tuple(str(r) for r in related),
    )


def load(
    directory: Path, root: Path, *, key: str | None = None, fast: str | None = None
) -> Memo | None:
    """The memo, if the last scan saved one for exactly this tree: its full `key` (a
    `TreeState`'s) or its `fast` key matches."""
    try:
        with open(directory / FILE_NAME, encoding="utf-8") as handle:
            raw = json.load(handle)
        if raw.get("format") != FORMAT:
            return None
        if not ((key and raw.get("key") == key) or (fast and raw.get("fast") == fast)):
            return None
        outside = {str(p): (tuple(s) if s else None) for p, s in raw["outside"].items()}
        prefix = os.path.join(str(root), "")
        if any(signature(prefix + path) != sig for path, sig in outside.items()):
            return None
        return Memo(
            findings=[decode_finding(f) for f in raw["findings"]],
            notes=[str(n) for n in raw["notes"]],
            counts={str(k): int(v) for k, v in raw["counts"].items()},
            outside=outside,
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def save(
    directory: Path, state: TreeState, memo: Memo, root: Path, fast: str | None = None
) -> None:
    """Write the memo under its full key and, when git's view was had, its `fast` key, unless a
    file is too fresh to trust by its stat (then the next scan recomputes, as for the facts
    cache)."""
    prefix = os.path.join(str(root), "")
    outside = {p: signature(prefix + p) for p in sorted(memo.outside)}
    newest = max([state.newest_mtime_ns, *(s[1] for s in outside.values() if s)])
    if newest >= time.time_ns() - RACY_NS:
        return
    payload = {
        "format": FORMAT,
        "key": state.key,
        "fast": fast,
        "outside": outside,
        "findings": [encode_finding(f) for f in memo.findings],
        "notes": memo.notes,
        "counts": memo.counts,
    }
    tmp = None
    try:
        # lazy: only a scan that writes its memo (tempfile brings shutil and random)
        import tempfile

        ensure_cache_dir(directory)
        fd, tmp = tempfile.mkstemp(prefix=".scan-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(payload, separators=(",", ":")))
        os.replace(tmp, directory / FILE_NAME)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
