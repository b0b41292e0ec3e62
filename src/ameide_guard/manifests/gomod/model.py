"""What reading a go.mod or go.work returns: one frozen record per directive, with its span."""

from __future__ import annotations

from dataclasses import dataclass

from ameide_guard.manifests.gomod.semver import is_directory_path
from ameide_guard.model import Span


@dataclass(frozen=True)
class GoRequire:
    path: str
    version: str
    """Canonical semantic version (as `go mod edit -json` prints it)."""
    indirect: bool
    span: Span
    """The require line (single-line form) or the spec line inside a `require ( )` block."""


@dataclass(frozen=True)
class GoReplace:
    old: str
    old_version: str | None
    new: str
    new_version: str | None
    span: Span

    @property
    def local(self) -> bool:
        """Whether the replacement is a directory on disk rather than a module (Go's rule)."""
        return is_directory_path(self.new)


@dataclass(frozen=True)
class GoExclude:
    path: str
    version: str
    span: Span


@dataclass(frozen=True)
class GoRetract:
    low: str
    high: str
    """Equal to `low` for a single retracted version."""
    rationale: str
    span: Span


@dataclass(frozen=True)
class GoDebug:
    key: str
    value: str
    span: Span


@dataclass(frozen=True)
class GoModFile:
    kind: str
    """`go.mod` or `go.work`."""
    module: str | None = None
    module_span: Span | None = None
    go: str | None = None
    toolchain: str | None = None
    requires: tuple[GoRequire, ...] = ()
    replaces: tuple[GoReplace, ...] = ()
    excludes: tuple[GoExclude, ...] = ()
    retracts: tuple[GoRetract, ...] = ()
    uses: tuple[tuple[str, Span], ...] = ()
    """go.work `use` directories."""
    godebug: tuple[GoDebug, ...] = ()
    tools: tuple[tuple[str, Span], ...] = ()
    ignores: tuple[tuple[str, Span], ...] = ()
    deprecated: str | None = None
    """The `Deprecated:` paragraph of the module directive's comments, if any."""
