"""AG102 runtime-proto-package-import: runtime code imports the shared proto package (tests may)."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.checks.imports.common import import_finding, matching_imports, sdk_hint
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta, level_option
from ameide_guard.scan.repo import SourceFile
from ameide_guard.scan.targets import TargetKind


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
