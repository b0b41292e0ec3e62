"""AG105 proto-barrel: a TS service's proto barrel re-exports only the SDK's proto entry point, and
other service files import proto namespaces through it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ameide_guard.checks.imports.barrels import (
    DEFAULT_ENTRY,
    ENTRY_LITERAL,
    Barrel,
    BarrelLayout,
    barrel_layout,
    glob_option,
    is_entry,
    read_barrel,
)
from ameide_guard.model import Finding, ImportRef, Level, Zone
from ameide_guard.rule import (
    Rule,
    RuleContext,
    RuleMeta,
    string_option,
)
from ameide_guard.scan.repo import RepoView, SourceFile


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

    def outline_paths(self, ctx: RuleContext) -> Callable[[str], bool]:
        return barrel_layout(ctx).is_barrel

    def check_sources(
        self, repo: RepoView, sources: Mapping[str, SourceFile], ctx: RuleContext
    ) -> Iterator[Finding]:
        layout = barrel_layout(ctx)
        barrels = [p for p in repo.files if layout.is_barrel(p)]
        for barrel in barrels:
            yield from self._check_barrel(repo, sources, ctx, layout, barrel)
        with_barrel = {layout.service_of(b) for b in barrels}
        first_proto_import: dict[str, tuple[SourceFile, ImportRef]] = {}
        for path, file in sorted(sources.items()):
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
        self,
        repo: RepoView,
        sources: Mapping[str, SourceFile],
        ctx: RuleContext,
        layout: BarrelLayout,
        barrel: str,
    ) -> Iterator[Finding]:
        source = sources.get(barrel)
        if source is not None and source.facts.outline is not None:
            read: Barrel | None = Barrel(source.facts.outline)  # its errors are AG900 already
        else:
            read = repo.document(barrel, read_barrel)
        if read is None:
            return
        if read.error is not None and barrel not in sources:
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
