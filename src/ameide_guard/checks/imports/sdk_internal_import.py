"""AG104 sdk-internal-import: code outside an SDK deep-imports its generated internals."""

from __future__ import annotations

from collections.abc import Iterator

from ameide_guard.checks.imports.common import import_finding, matching_imports
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import (
    Rule,
    RuleContext,
    RuleMeta,
    level_option,
    string_list_option,
)
from ameide_guard.scan.repo import SourceFile
from ameide_guard.scan.targets import (
    DEFAULT_SDK_INTERNAL_PATHS,
    TargetKind,
)


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
