"""The repository as rules see it: discovered files with zones, and memoised reads and parses.

`RepoView` is the one place repo-level rules read from, so a manifest read by five rules is read
and parsed once, a read failure becomes one AG900 finding, and suppression comments in manifests
are collected as a side effect of reading them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

Origin = tuple[str, ...]
"""What a read or a problem is about: `("text", path)`, `("doc", path, parser)`, `("bytes",
path)`, `("exists", path)`, `("derived", name)` or the scope that raised it, `("rule", id)`."""


@dataclass
class Trace:
    """Everything one repo rule (or one shared `derived` result) touched while it ran: the
    reads and probes (`accessed`) and the paths outside the scanned files (`outside`). A rule's
    result is a function of these, which is what lets `scan.reuse` replay it."""

    scope: Origin
    accessed: set[Origin] = field(default_factory=set)
    outside: set[str] = field(default_factory=set)


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


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
    origins: list[Origin] = field(default_factory=list)
    """The origin of each of `problems` (same index)."""
    _texts: dict[str, str | None] = field(default_factory=dict)
    _docs: dict[tuple[str, Any], Any] = field(default_factory=dict)
    _derived: dict[Callable[..., Any], tuple[Any, Trace]] = field(default_factory=dict)
    _traces: list[Trace] = field(default_factory=list)

    def zone(self, path: str) -> Zone:
        return self.files.get(path) or self.zones.classify(path)

    def exists(self, path: str) -> bool:
        self._touch(("exists", path))
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
        """A file problem (AG900) raised by the running rule or derived result itself."""
        scope = self._traces[-1].scope if self._traces else ("engine",)
        self._problem(scope, path, reason, span)

    def _problem(self, origin: Origin, path: str, reason: str, span: Span = FILE_SPAN) -> None:
        self.problems.append(FileProblem(path, span, reason))
        self.origins.append(origin)

    def _touch(self, origin: Origin) -> None:
        for trace in self._traces:
            trace.accessed.add(origin)

    def _looking_at(self, path: str) -> None:
        if path not in self.files:
            self.looked_outside.add(path)
            for trace in self._traces:
                trace.outside.add(path)

    @contextmanager
    def tracing(self, scope: Origin) -> Iterator[Trace]:
        """Record what runs inside the block touches (nested traces all see it)."""
        trace = Trace(scope)
        self._traces.append(trace)
        try:
            yield trace
        finally:
            self._traces.pop()

    def _merge_trace(self, done: Trace) -> None:
        """A finished inner trace (a derived result, computed now or earlier) seen by every
        trace running now: their results depend on all it touched."""
        for trace in self._traces:
            trace.accessed.add(done.scope)
            trace.accessed |= done.accessed
            trace.outside |= done.outside

    def traced_problems(self, trace: Trace) -> list[tuple[Origin, FileProblem]]:
        """The problems a trace's result carries: those of what it touched and its own."""
        wanted = trace.accessed | {trace.scope}
        seen: set[tuple[Origin, FileProblem]] = set()
        out = []
        for origin, problem in zip(self.origins, self.problems, strict=True):
            if origin in wanted and (origin, problem) not in seen:
                seen.add((origin, problem))
                out.append((origin, problem))
        return out

    def traced_suppressions(self, trace: Trace) -> dict[str, tuple[Suppression, ...]]:
        """The suppression comments of the files a trace read."""
        return {
            origin[1]: self.suppressions[origin[1]]
            for origin in sorted(trace.accessed)
            if origin[0] == "text" and origin[1] in self.suppressions
        }

    def replay(
        self,
        problems: list[tuple[Origin, FileProblem]],
        suppressions: dict[str, tuple[Suppression, ...]],
        outside: set[str],
    ) -> None:
        """What a reused rule result brings besides its findings, as if the rule had run."""
        for origin, problem in problems:
            self._problem(origin, problem.path, problem.reason, problem.span)
        self.suppressions.update(suppressions)
        self.looked_outside |= outside

    def exists_on_disk(self, path: str) -> bool:
        """Whether `path` exists, scanned or not (an include may name an ignored file)."""
        self._looking_at(path)
        return (self.root / path).exists()

    def read_bytes(self, path: str) -> bytes | None:
        """The raw bytes (not memoised: for digests of large outputs); None with AG900 on error."""
        self._looking_at(path)
        self._touch(("bytes", path))
        try:
            return (self.root / path).read_bytes()
        except OSError as exc:
            self._problem(("bytes", path), path, f"cannot read: {exc.strerror or exc}")
            return None

    def read_text(self, path: str) -> str | None:
        """The file as text, read once; None (with one AG900) if it cannot be read as UTF-8."""
        self._touch(("text", path))
        if path in self._texts:
            return self._texts[path]
        self._looking_at(path)
        origin = ("text", path)
        text: str | None = None
        try:
            full = self.root / path
            if full.stat().st_size > MAX_MANIFEST_BYTES:
                limit = MAX_MANIFEST_BYTES // 2**20
                self._problem(origin, path, f"larger than {limit} MiB; not read")
            else:
                data = full.read_bytes()
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8"
            self._problem(origin, path, reason)
        except OSError as exc:
            self._problem(origin, path, f"cannot read: {exc.strerror or exc}")
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
        origin = ("doc", path, _name(parse))
        self._touch(origin)
        if key in self._docs:
            self._touch(("text", path))
            return self._docs[key]
        text = self.read_text(path)
        result: T | None = None
        if text is not None:
            try:
                result = parse(text, path)
            except ManifestError as exc:
                self._problem(origin, path, exc.message, exc.span)
            except RecursionError:
                self._problem(origin, path, NESTING_TOO_DEEP)
        self._docs[key] = result
        return result

    def derived(self, compute: Callable[[RepoView], T]) -> T:
        """`compute(self)`, once per scan: a repo-wide result that several rules share (the
        lockfile verdicts feed both AG401 and AG402) is worked out once, like a parse."""
        if compute not in self._derived:
            with self.tracing(("derived", _name(compute))) as trace:
                self._derived[compute] = (compute(self), trace)
        result, trace = self._derived[compute]
        self._merge_trace(trace)
        return result

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
