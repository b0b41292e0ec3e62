"""AG301 service-local-buf-gen: a `buf.gen.yaml` / `buf.gen.*.yaml` outside the proto zone."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ameide_guard.checks.layout.common import allow_option, is_buf_gen, outside_proto
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView


class ServiceLocalBufGen(Rule):
    meta = RuleMeta(
        id="AG301",
        slug="service-local-buf-gen",
        name="ServiceLocalBufGen",
        short="A buf.gen.yaml generation template outside the proto package.",
        default_level=Level.ERROR,
        tags=("architecture", "buf", "layout"),
        options={"allow": allow_option()},
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_buf_gen(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        for path, span in outside_proto(repo, ctx, is_buf_gen):
            yield ctx.finding(
                path,
                span,
                f"Buf generation template `{posixpath.basename(path)}` outside the proto "
                "package: code generated here drifts from what the SDKs publish. Delete it and "
                "use the SDK of your language; generation lives only in the proto package.",
                key="buf-gen",
            )
