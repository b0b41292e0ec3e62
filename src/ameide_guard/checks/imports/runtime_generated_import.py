"""AG101 runtime-generated-import: runtime or test code imports Buf-generated code."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.checks.imports.common import import_finding, matching_imports, sdk_hint
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta, level_option
from ameide_guard.scan.repo import SourceFile
from ameide_guard.scan.targets import TargetKind


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
