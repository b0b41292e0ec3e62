"""AG302 stray-proto: `.proto` files or `buf.yaml` modules outside the proto zone."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ameide_guard.checks.layout.common import allow_option, is_stray_proto_input, outside_proto
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView


class StrayProto(Rule):
    meta = RuleMeta(
        id="AG302",
        slug="stray-proto",
        name="StrayProto",
        short="A .proto file or a Buf module (buf.yaml, buf.work.yaml) outside the proto package.",
        default_level=Level.ERROR,
        tags=("architecture", "buf", "layout"),
        options={"allow": allow_option()},
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_stray_proto_input(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        for path, span in outside_proto(repo, ctx, is_stray_proto_input):
            if path.endswith(".proto"):
                what = (
                    f"Proto source `{posixpath.basename(path)}` outside the proto package: "
                    "it defines API outside the single source of truth. Move the definition "
                    "into the proto package (and consume it through the SDK), or delete it."
                )
            else:
                what = (
                    f"Buf {'workspace' if '.work.' in path else 'module'} "
                    f"`{posixpath.basename(path)}` outside the proto package: a second Buf "
                    "module is a second source of truth for APIs. Delete it; the proto "
                    "package is the only Buf module."
                )
            yield ctx.finding(path, span, what, key="stray-proto")
