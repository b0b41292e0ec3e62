"""What the import rules (AG101-AG105) share: how an import is graded, matched and phrased."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.model import Finding, ImportRef, Level, Zone
from ameide_guard.rule import (
    RuleContext,
)
from ameide_guard.scan.repo import SourceFile
from ameide_guard.scan.targets import (
    ImportTarget,
    TargetKind,
)

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


GENERATED_KINDS = (TargetKind.GENERATED, TargetKind.PROTO_PACKAGE, TargetKind.SDK_INTERNAL)


def is_generated_target(target: ImportTarget) -> bool:
    """Whether an import lands in generated code of any layer: BSR packages, the proto package
    (by name or by a relative path into its zone), or an SDK's internals."""
    if target.kind in GENERATED_KINDS:
        return True
    return target.kind is TargetKind.LOCAL and target.zone is Zone.PROTO
