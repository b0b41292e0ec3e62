"""The repository as rules see it: discovered files with zones, and memoised reads and parses.

`RepoView` is the one place repo-level rules read from, so a manifest read by five rules is read
and parsed once, a read failure becomes one AG900 finding, and suppression comments in manifests
are collected as a side effect of reading them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import NESTING_TOO_DEEP
from ameide_guard.model import FILE_SPAN, FileProblem, SourceFacts, Span, Suppression, Zone
from ameide_guard.parsers.suppressions import scan_suppressions
from ameide_guard.scan.targets import ImportPolicy

if TYPE_CHECKING:
    from ameide_guard.scan.targets import ImportTarget
    from ameide_guard.scan.zones import ZoneMap
    from ameide_guard.settings import Config

T = TypeVar("T")
P = ParamSpec("P")
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


@dataclass
class RepoView:
    root: Path
    config: Config
    zones: ZoneMap
    files: dict[str, Zone]
    """Every discovered, non-excluded file and its zone."""
    deep: bool = False
    problems: list[FileProblem] = field(default_factory=list)
    suppressions: dict[str, tuple[Suppression, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """One-line notices for the user (a skipped deep check); printed to stderr once."""
    looked_outside: set[str] = field(default_factory=set)
    """Paths read or probed that are not scanned files (an ignored requirements include): the
    scan memo (`memo.py`) must watch them too."""
    uncacheable: bool = False
    """Set by a rule whose verdict depends on more than the tree (AG303 deep mode runs `buf`):
    the scan then writes no memo."""
    _texts: dict[str, str | None] = field(default_factory=dict)
    _docs: dict[tuple[str, Any], Any] = field(default_factory=dict)
    _derived: dict[Callable[..., Any], Any] = field(default_factory=dict)

    def zone(self, path: str) -> Zone:
        return self.files.get(path) or self.zones.classify(path)

    def exists(self, path: str) -> bool:
        return path in self.files

    @cached_property
    def _by_name(self) -> dict[str, list[tuple[int, str]]]:
        """Base name → (position, path): repo rules ask for manifests by name dozens of times
        per scan, and a 20,000-file list should be walked once, not per question."""
        index: dict[str, list[tuple[int, str]]] = {}
        for position, path in enumerate(self.files):
            index.setdefault(path[path.rfind("/") + 1 :], []).append((position, path))
        return index

    def named(self, *names: str) -> Iterator[str]:
        """Files whose base name is one of `names`, in path order."""
        hits = sorted(hit for name in set(names) for hit in self._by_name.get(name, ()))
        for _, path in hits:
            yield path

    def matching(self, predicate: Callable[[str], bool]) -> Iterator[str]:
        for path in self.files:
            if predicate(path):
                yield path

    def problem(self, path: str, reason: str, span: Span = FILE_SPAN) -> None:
        self.problems.append(FileProblem(path, span, reason))

    def _looking_at(self, path: str) -> None:
        if path not in self.files:
            self.looked_outside.add(path)

    def exists_on_disk(self, path: str) -> bool:
        """Whether `path` exists, scanned or not (an include may name an ignored file)."""
        self._looking_at(path)
        return (self.root / path).exists()

    def read_bytes(self, path: str) -> bytes | None:
        """The raw bytes (not memoised: for digests of large outputs); None with AG900 on error."""
        self._looking_at(path)
        try:
            return (self.root / path).read_bytes()
        except OSError as exc:
            self.problem(path, f"cannot read: {exc.strerror or exc}")
            return None

    def read_text(self, path: str) -> str | None:
        """The file as text, read once; None (with one AG900) if it cannot be read as UTF-8."""
        if path in self._texts:
            return self._texts[path]
        self._looking_at(path)
        text: str | None = None
        try:
            full = self.root / path
            if full.stat().st_size > MAX_MANIFEST_BYTES:
                self.problem(path, f"larger than {MAX_MANIFEST_BYTES // 2**20} MiB; not read")
            else:
                data = full.read_bytes()
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(path, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8")
        except OSError as exc:
            self.problem(path, f"cannot read: {exc.strerror or exc}")
        self._texts[path] = text
        if text is not None:
            found = scan_suppressions(text)
            if found:
                self.suppressions[path] = found
        return text

    def document(self, path: str, parse: Callable[[str, str], T]) -> T | None:
        """`parse(text, path)` of the file, once per (file, parser); a `ManifestError` becomes
        AG900 and None."""
        key = (path, parse)
        if key in self._docs:
            return self._docs[key]
        text = self.read_text(path)
        result: T | None = None
        if text is not None:
            try:
                result = parse(text, path)
            except ManifestError as exc:
                self.problem(path, exc.message, exc.span)
            except RecursionError:
                self.problem(path, NESTING_TOO_DEEP)
        self._docs[key] = result
        return result

    def derived(self, compute: Callable[[RepoView], T]) -> T:
        """`compute(self)`, once per scan: a repo-wide result that several rules share (the
        lockfile verdicts feed both AG401 and AG402) is worked out once, like a parse."""
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        return self._derived[compute]

    @cached_property
    def policy(self) -> ImportPolicy:
        return ImportPolicy.from_config(self.config)


@dataclass
class SourceFile:
    """A parsed source file as source rules see it."""

    path: str
    zone: Zone
    language: str
    facts: SourceFacts
    repo: RepoView

    @cached_property
    def targets(self) -> tuple[ImportTarget, ...]:
        """What each import points at, classified once and shared by every import rule."""
        policy = self.repo.policy
        return tuple(policy.classify(self, imp) for imp in self.facts.imports)

    @property
    def ecosystem(self) -> str:
        return {"go": "go", "python": "python"}.get(self.language, "npm")
