"""Import rules: runtime code must not import Buf-generated code (AG101) nor the shared proto
package (AG102). Tests may read the proto package; proto and SDK zones may import both."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.model import Finding, ImportRef, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta, level_option
from ameide_guard.scan.repo import SourceFile
from ameide_guard.scan.targets import ImportTarget, TargetKind

LANGUAGE_NAMES = {"go": "Go", "npm": "TypeScript", "python": "Python"}


def sdk_hint(file: SourceFile) -> str:
    """Where the fix lies: the SDK of the file's ecosystem, named from config."""
    eco = file.ecosystem
    return f"the {LANGUAGE_NAMES[eco]} SDK `{file.repo.config.sdk_packages[eco]}`"


def graded_level(ctx: RuleContext, imp: ImportRef) -> Level | None:
    """The level of one import: the rule's level, or `type-only-level` for a type-only import
    (None when that is `off`)."""
    if not imp.type_only:
        return ctx.level
    graded = ctx.options["type-only-level"]
    return None if graded == "off" else Level.parse(graded)


def import_finding(
    ctx: RuleContext, file: SourceFile, imp: ImportRef, message: str
) -> Finding | None:
    level = graded_level(ctx, imp)
    if level is None:
        return None
    if imp.type_only:
        message = (
            f"type-only {message} Type-only imports vanish at runtime but still couple the "
            "code to generated types."
        )
    return ctx.finding(
        file.path,
        imp.span,
        message,
        key=f"{imp.kind}:{imp.module}",
        level=level,
        context_line=imp.statement_line,
    )


def matching_imports(
    file: SourceFile, kinds: tuple[TargetKind, ...], zones: tuple[Zone, ...] = ()
) -> Iterator[tuple[ImportRef, ImportTarget]]:
    """Imports of `file` whose target is one of `kinds` (LOCAL ones only when they land in one
    of `zones`), one per import statement."""
    seen: set[tuple[int, int]] = set()
    for imp, target in zip(file.facts.imports, file.targets, strict=True):
        if target.kind not in kinds:
            continue
        if target.kind is TargetKind.LOCAL and target.zone not in zones:
            continue
        if imp.kind.startswith("py"):  # one Python statement may import several modules
            statement = (imp.span.line, imp.span.column)  # the statement's own span
            if statement in seen:
                continue
            seen.add(statement)
        yield imp, target


class RuntimeGeneratedImport(Rule):
    meta = RuleMeta(
        id="AG101",
        slug="runtime-generated-import",
        name="RuntimeGeneratedImport",
        short="Runtime or test code imports Buf-generated (BSR) code instead of the SDK.",
        default_level=Level.ERROR,
        tags=("architecture", "imports"),
        options={"type-only-level": level_option("warning")},
        source_zones=("runtime", "test"),
        pattern_groups=("generated",),
    )

    def check_source(self, file: SourceFile, ctx: RuleContext) -> Iterator[Finding]:
        if file.zone not in (Zone.RUNTIME, Zone.TEST):
            return
        who = "tests" if file.zone is Zone.TEST else "services"
        for imp, target in matching_imports(file, (TargetKind.GENERATED,)):
            found = import_finding(
                ctx,
                file,
                imp,
                f"import of Buf-generated module `{target.module}` (matches "
                f"`{target.pattern}`): {who} must not depend on generated stubs. "
                f"Use {sdk_hint(file)} instead.",
            )
            if found is not None:
                yield found


class RuntimeProtoPackageImport(Rule):
    meta = RuleMeta(
        id="AG102",
        slug="runtime-proto-package-import",
        name="RuntimeProtoPackageImport",
        short="Runtime code imports the shared proto package; only the SDKs and tests may.",
        default_level=Level.ERROR,
        tags=("architecture", "imports"),
        options={"type-only-level": level_option("warning")},
        source_zones=("runtime",),
        pattern_groups=("proto-package", "proto-zone"),
    )

    def check_source(self, file: SourceFile, ctx: RuleContext) -> Iterator[Finding]:
        if file.zone is not Zone.RUNTIME:
            return
        kinds = (TargetKind.PROTO_PACKAGE, TargetKind.LOCAL)
        for imp, target in matching_imports(file, kinds, zones=(Zone.PROTO,)):
            what = (
                f"`{imp.module}` (resolves to `{target.path}` in the proto package)"
                if target.kind is TargetKind.LOCAL
                else f"`{target.module}` (matches `{target.pattern}`)"
            )
            found = import_finding(
                ctx,
                file,
                imp,
                f"import of the shared proto package {what}: runtime code reaches APIs only "
                f"through the SDKs. Use {sdk_hint(file)} instead.",
            )
            if found is not None:
                yield found
