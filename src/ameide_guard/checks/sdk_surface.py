"""The SDK is the only surface services import: no deep imports of an SDK's generated internals
(AG104), and TS services reach proto namespaces through one local barrel that re-exports the SDK's
proto entry point (AG105).

The layering is protos (the proto package) → generated code inside the SDKs → the public SDK
surface; AG101/AG102 hold the first layer, these rules and AG103 (`checks/stubs.py`) the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ameide_guard.checks.imports import import_finding, matching_imports
from ameide_guard.formats.globs import PathGlob, path_glob
from ameide_guard.model import Finding, ImportRef, Level, Span, TopStatement, Zone
from ameide_guard.rule import (
    OptionSpec,
    Rule,
    RuleContext,
    RuleMeta,
    level_option,
    string_list_option,
    string_option,
)
from ameide_guard.scan.repo import RepoView, SourceFile
from ameide_guard.scan.targets import (
    DEFAULT_SDK_INTERNAL_PATHS,
    ImportTarget,
    TargetKind,
    strip_js_extension,
)

DEFAULT_ENTRY = "@ameideio/ameide-sdk-ts/proto.js"
ENTRY_LITERAL = "ameide-sdk-ts/proto"
GENERATED_KINDS = (TargetKind.GENERATED, TargetKind.PROTO_PACKAGE, TargetKind.SDK_INTERNAL)


def is_generated_target(target: ImportTarget) -> bool:
    """Whether an import lands in generated code of any layer: BSR packages, the proto package
    (by name or by a relative path into its zone), or an SDK's internals."""
    if target.kind in GENERATED_KINDS:
        return True
    return target.kind is TargetKind.LOCAL and target.zone is Zone.PROTO


class SdkInternalImport(Rule):
    meta = RuleMeta(
        id="AG104",
        slug="sdk-internal-import",
        name="SdkInternalImport",
        short="Code outside an SDK deep-imports the SDK's generated internals.",
        default_level=Level.ERROR,
        tags=("architecture", "imports", "sdk"),
        options={
            "type-only-level": level_option("warning"),
            "internal-paths": string_list_option(DEFAULT_SDK_INTERNAL_PATHS),
        },
        source_zones=("runtime", "test", "proto"),
        pattern_groups=("sdk-internal", "sdk-zone"),
    )

    def check_source(self, file: SourceFile, ctx: RuleContext) -> Iterator[Finding]:
        # Every zone but the SDKs themselves: tests exercise services through the public SDK
        # surface too, and the proto package has no business reaching into an SDK.
        if file.zone is Zone.SDK:
            return
        for imp, target in matching_imports(file, (TargetKind.SDK_INTERNAL,)):
            what = (
                f"`{imp.module}` (resolves to `{target.path}`, under `{target.pattern}`)"
                if target.path is not None
                else f"`{target.module}` (matches `{target.pattern}`)"
            )
            found = import_finding(
                ctx,
                file,
                imp,
                f"deep import of SDK internals {what}: generated code inside an SDK is its "
                f"implementation detail. Import the public surface of "
                f"`{file.repo.config.sdk_packages[file.ecosystem]}` instead.",
            )
            if found is not None:
                yield found


# --- AG105 -------------------------------------------------------------------------------------


def _glob_check(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not value.startswith("/")


def glob_option(default: str) -> OptionSpec:
    return OptionSpec(default, _glob_check, "a non-empty root-relative path glob")


def compile_glob(pattern: str) -> PathGlob:
    """A root-relative path glob: `*` and `?` stay within one path segment, `**` crosses them."""
    return path_glob(pattern.strip("/"))


def is_entry(module: str, entry: str) -> bool:
    """Whether `module` loads the SDK's proto entry point: `@x/sdk/proto.js`, `@x/sdk/proto`,
    or a proto namespace below it (`@x/sdk/proto/orders.js`)."""
    stem = strip_js_extension(entry)
    return module == entry or strip_js_extension(module) == stem or module.startswith(stem + "/")


@dataclass(frozen=True, slots=True)
class Barrel:
    """A barrel as read: its statements and its first syntax error, if any."""

    statements: tuple[TopStatement, ...]
    error: tuple[Span, str] | None = None


def read_barrel(text: str, path: str) -> Barrel:
    """A barrel the source pass did not analyse (a PATHS run that left it out): parsed here,
    once. Otherwise the engine has already parsed it with its outline (`outline_paths`)."""
    from ameide_guard.parsers import parse_source, source_kind

    language = source_kind(path) or "typescript"
    facts = parse_source(language, text.encode("utf-8"), path, outline=True)
    return Barrel(facts.outline or (), facts.problems[0] if facts.problems else None)


@dataclass(frozen=True)
class BarrelLayout:
    """AG105's options compiled: where barrels and services are and what a barrel may export."""

    barrel: str
    services: str
    entry: str

    def is_barrel(self, path: str) -> bool:
        return compile_glob(self.barrel).matches(path)

    def service_of(self, path: str) -> str | None:
        """The service directory `path` lies in (the longest matching ancestor), if any."""
        parts = path.split("/")
        regex = compile_glob(self.services)
        for end in range(len(parts) - 1, 0, -1):
            candidate = "/".join(parts[:end])
            if regex.matches(candidate):
                return candidate
        return None

    def expected_barrel(self, service: str) -> str:
        """Where `service`'s barrel goes, for the message (the pattern if it cannot tell)."""
        pattern, prefix = self.barrel.strip("/").split("/"), self.services.strip("/").split("/")
        if pattern[: len(prefix)] == prefix:
            return "/".join([service, *pattern[len(prefix) :]])
        return self.barrel


def _layout(ctx: RuleContext) -> BarrelLayout:
    return BarrelLayout(ctx.options["barrel"], ctx.options["services"], ctx.options["entry"])


class ProtoBarrel(Rule):
    meta = RuleMeta(
        id="AG105",
        slug="proto-barrel",
        name="ProtoBarrel",
        short="A TS service reaches proto namespaces around its barrel, or the barrel re-exports "
        "anything but the SDK's proto entry point.",
        default_level=Level.ERROR,
        tags=("architecture", "imports", "sdk", "typescript"),
        options={
            "barrel": glob_option("services/*/src/proto/index.ts"),
            "entry": string_option(DEFAULT_ENTRY),
            "services": glob_option("services/*"),
        },
        # Service files must be parsed to be judged: an import of the default entry spells this.
        # (A narrower literal than `/proto`, which every protobuf-using Go file contains.)
        literals=(ENTRY_LITERAL,),
        source_zones=("runtime",),
        pattern_groups=(),
    )
    uses_sources = True

    def outline_paths(self, ctx: RuleContext) -> Callable[[str], bool]:
        return _layout(ctx).is_barrel

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        layout = _layout(ctx)
        barrels = [p for p in repo.files if layout.is_barrel(p)]
        for barrel in barrels:
            yield from self._check_barrel(repo, ctx, layout, barrel)
        with_barrel = {layout.service_of(b) for b in barrels}
        first_proto_import: dict[str, tuple[SourceFile, ImportRef]] = {}
        for path, file in sorted(repo.sources.items()):
            if file.ecosystem != "npm" or file.zone is not Zone.RUNTIME or layout.is_barrel(path):
                continue
            service = layout.service_of(path)
            if service is None:
                continue
            # Proto imports are those of the SDK's proto entry; generated code imported directly
            # is AG101/AG102/AG104's finding and is not reported a second time here.
            for imp in file.facts.imports:
                if not is_entry(imp.module, layout.entry):
                    continue
                first_proto_import.setdefault(service, (file, imp))
                if service in with_barrel:
                    yield self._around_barrel(ctx, layout, file, imp, service)
        for service, (file, imp) in sorted(first_proto_import.items()):
            if service not in with_barrel:
                yield ctx.finding(
                    file.path,
                    imp.span,
                    f"service `{service}` imports proto namespaces (`{imp.module}`) but has no "
                    f"proto barrel: create `{layout.expected_barrel(service)}` containing "
                    f'`export * from "{layout.entry}";` and import proto types from it.',
                    key=f"no-barrel:{service}",
                    context_line=imp.statement_line,
                )

    def _around_barrel(
        self, ctx: RuleContext, layout: BarrelLayout, file: SourceFile, imp: ImportRef, service: str
    ) -> Finding:
        return ctx.finding(
            file.path,
            imp.span,
            f"`{imp.module}` imported around the service's proto barrel: import proto types "
            f"from `{layout.expected_barrel(service)}` (a relative `…/proto` import) instead, so "
            "the service has one place that names the SDK's proto entry point.",
            key=f"around-barrel:{imp.module}",
            context_line=imp.statement_line,
        )

    def _check_barrel(
        self, repo: RepoView, ctx: RuleContext, layout: BarrelLayout, barrel: str
    ) -> Iterator[Finding]:
        source = repo.sources.get(barrel)
        if source is not None and source.facts.outline is not None:
            read: Barrel | None = Barrel(source.facts.outline)  # its errors are AG900 already
        else:
            read = repo.document(barrel, read_barrel)
        if read is None:
            return
        if read.error is not None and barrel not in repo.sources:
            # A parsed barrel's syntax error is already AG900 from the source pipeline.
            span, reason = read.error
            repo.problem(barrel, f"proto barrel not fully checked: {reason}", span)
        for stmt in read.statements:
            if stmt.module is not None and is_entry(stmt.module, layout.entry):
                continue
            if stmt.module is not None:
                problem = f"{stmt.verb} `{stmt.module}`"
                key = f"barrel:{stmt.module}"
            else:
                problem = f"declares its own code (`{stmt.text}`)"
                key = f"barrel-own:{stmt.text}"
            yield ctx.finding(
                barrel,
                stmt.span,
                f"proto barrel {problem}: a barrel may only re-export the SDK's proto entry "
                f'point. Replace it with `export * from "{layout.entry}";` (or `export {{ … }} '
                f"from` / `export type {{ … }} from` that entry) and move other code out of "
                "the barrel.",
                key=key,
            )
