"""What an import points at: the shared proto package, Buf-generated code, an SDK's internals, a
local path in some zone, or nothing the policy cares about.

All import rules (AG101, AG102, AG104, AG105, AG103) judge imports through `ImportPolicy.classify`
so that matching, allow lists and relative-path resolution are written once.
"""

from __future__ import annotations

import enum
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ameide_guard.formats.globs import ModuleMatcher
from ameide_guard.model import ImportRef, Zone

if TYPE_CHECKING:
    from ameide_guard.scan.repo import SourceFile
    from ameide_guard.settings import Config

SEPARATORS = {"go": "/", "npm": "/", "python": "."}
TS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
DEFAULT_SDK_INTERNAL_PATHS = (
    "packages/ameide_sdk_ts/src/_proto/",
    "packages/ameide_sdk_go/internal/",
    "packages/ameide_sdk_python/src/ameide_sdk/_proto/",
)
_JS_TO_TS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}


class TargetKind(enum.Enum):
    PROTO_PACKAGE = "proto-package"
    GENERATED = "generated"
    SDK_INTERNAL = "sdk-internal"
    LOCAL = "local"
    """A relative import resolved to a path in the repository (see `zone`)."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ImportTarget:
    kind: TargetKind
    module: str
    """The candidate that matched (for Python `from a import b`, possibly `a.b`)."""
    pattern: str = ""
    path: str | None = None
    zone: Zone | None = None


_OTHER = ImportTarget(TargetKind.OTHER, "")


@dataclass(frozen=True)
class ImportPolicy:
    proto_package: dict[str, ModuleMatcher]
    generated: dict[str, ModuleMatcher]
    allow: dict[str, ModuleMatcher]
    sdk_internal: dict[str, ModuleMatcher]
    sdk_internal_paths: tuple[str, ...] = ()
    """Repository paths of the SDKs' generated internals (AG104 `internal-paths`): a relative
    import that resolves under one of them is SDK_INTERNAL, not merely LOCAL in the SDK zone."""

    @classmethod
    def from_config(cls, config: Config) -> ImportPolicy:
        def build(table: Mapping[str, tuple[str, ...]]) -> dict[str, ModuleMatcher]:
            return {
                eco: ModuleMatcher(tuple(table.get(eco, ())), sep)
                for eco, sep in SEPARATORS.items()
            }

        return cls(
            proto_package=build(config.proto_package),
            generated=build(config.generated),
            allow=build(config.generated_allow),
            sdk_internal=build(config.sdk_internal),
            sdk_internal_paths=internal_paths_of(config),
        )

    def classify(self, file: SourceFile, imp: ImportRef) -> ImportTarget:
        eco = file.ecosystem
        if eco == "python":
            if imp.module.startswith("."):
                return self._python_relative(file, imp)
            candidates = python_candidates(imp)
        elif is_relative_specifier(imp.module):
            return self._ts_relative(file, imp.module) if eco == "npm" else _OTHER
        else:
            candidates = (imp.module,)
            if eco == "npm":
                stripped = strip_js_extension(imp.module)
                if stripped != imp.module:
                    candidates = (imp.module, stripped)
        for table, kind in (
            (self.sdk_internal, TargetKind.SDK_INTERNAL),
            (self.proto_package, TargetKind.PROTO_PACKAGE),
        ):
            for candidate in candidates:
                pattern = table[eco].match(candidate)
                if pattern is not None:
                    return ImportTarget(kind, candidate, pattern)
        for candidate in candidates:
            pattern = self.generated[eco].match(candidate)
            if pattern is not None and self.allow[eco].match(candidate) is None:
                return ImportTarget(TargetKind.GENERATED, candidate, pattern)
        return _OTHER

    def _ts_relative(self, file: SourceFile, specifier: str) -> ImportTarget:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(file.path), specifier))
        if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
            return ImportTarget(TargetKind.OTHER, specifier)
        path = resolve_ts_path(joined, file.repo.files)
        return self._local(specifier, path, file.repo.zones.classify_target(path))

    def _local(self, module: str, path: str, zone: Zone) -> ImportTarget:
        """A resolved relative import: SDK_INTERNAL when it lands in an SDK's generated
        internals, else LOCAL in whatever zone it lands in."""
        for prefix in self.sdk_internal_paths:
            if is_under(path, prefix):
                return ImportTarget(TargetKind.SDK_INTERNAL, module, prefix, path, zone)
        return ImportTarget(TargetKind.LOCAL, module, path=path, zone=zone)

    def _python_relative(self, file: SourceFile, imp: ImportRef) -> ImportTarget:
        level = len(imp.module) - len(imp.module.lstrip("."))
        rest = imp.module[level:]
        base = posixpath.dirname(file.path)
        for _ in range(level - 1):
            if not base:
                return ImportTarget(TargetKind.OTHER, imp.module)
            base = posixpath.dirname(base)
        parts = [p for p in rest.split(".") if p]
        stem = posixpath.join(base, *parts) if parts else base
        candidates = [stem] if parts else []
        candidates += [posixpath.join(stem, n) for n in imp.names if n != "*"]
        if not candidates:
            candidates = [stem or "."]
        targets = []
        for candidate in candidates:
            path = resolve_python_path(candidate, file.repo.files)
            targets.append(self._local(imp.module, path, file.repo.zones.classify_target(path)))
        # The most telling target wins: SDK internals (`from ..sdk import _proto`), then the
        # proto or SDK zone, then wherever the module itself lands.
        return min(targets, key=_python_target_rank, default=_OTHER)


def _python_target_rank(target: ImportTarget) -> int:
    if target.kind is TargetKind.SDK_INTERNAL:
        return 0
    return 1 if target.zone in (Zone.PROTO, Zone.SDK) else 2


def internal_paths_of(config: Config) -> tuple[str, ...]:
    """AG104's `internal-paths` option (its defaults when the rule is not registered)."""
    setting = config.rules.get("AG104")
    paths = setting.options.get("internal-paths") if setting is not None else None
    return tuple(paths) if paths is not None else DEFAULT_SDK_INTERNAL_PATHS


def is_under(path: str, prefix: str) -> bool:
    """True if `path` is the directory `prefix` or lies inside it (POSIX, root-relative)."""
    base = prefix.rstrip("/")
    return bool(base) and (path == base or path.startswith(base + "/"))


def python_candidates(imp: ImportRef) -> tuple[str, ...]:
    """`from a.b import c` is matched as `a.b` and as `a.b.c` (DESIGN.md)."""
    if imp.kind != "py-from":
        return (imp.module,)
    return (imp.module, *(f"{imp.module}.{n}" for n in imp.names if n != "*"))


def is_relative_specifier(module: str) -> bool:
    return module in (".", "..") or module.startswith(("./", "../"))


def strip_js_extension(module: str) -> str:
    for ext in TS_EXTENSIONS:
        if module.endswith(ext):
            return module[: -len(ext)]
    return module


def resolve_ts_path(joined: str, files: dict[str, Zone] | set[str]) -> str:
    """The file a relative specifier loads, by the usual resolution (exact, added extension, ESM
    `.js` written for a `.ts` file, `index.*`); the bare path if nothing exists."""
    if joined in files:
        return joined
    stem, ext = posixpath.splitext(joined)
    for alt in _JS_TO_TS.get(ext, ()):
        if stem + alt in files:
            return stem + alt
    for suffix in TS_EXTENSIONS:
        if joined + suffix in files:
            return joined + suffix
    for suffix in TS_EXTENSIONS:
        index = f"{joined}/index{suffix}"
        if index in files:
            return index
    return joined


def resolve_python_path(stem: str, files: dict[str, Zone] | set[str]) -> str:
    for candidate in (f"{stem}.py", f"{stem}.pyi", f"{stem}/__init__.py"):
        if candidate in files:
            return candidate
    return stem
