"""Layout rules: code generation (AG301) and proto sources and Buf modules (AG302) belong to the
proto package alone.

A `buf.gen.yaml` in a service means the service generates its own stubs, and a `.proto` file or a
`buf.yaml` outside the proto package is a second source of truth for an API; either way the
service drifts from what the SDKs publish. These rules look only at file names: no parse. They
apply to every zone but the proto zone, SDKs included: SDK code is generated from the proto
package's templates, and an SDK that truly needs its own template lists it in `allow`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

import pathspec

from ameide_guard.model import Finding, Level, Span, Zone
from ameide_guard.rule import OptionSpec, Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView

_BUF_GEN = re.compile(r"buf\.gen(?:\.[^/]+)?\.ya?ml")
_BUF_MODULE = frozenset({"buf.yaml", "buf.work.yaml"})
_COMMENT_OR_BLANK = re.compile(r"\s*(?:$|#|//|/\*|\*)")
MAX_SCAN_LINES = 200


def is_buf_gen(path: str) -> bool:
    """`buf.gen.yaml` and named templates such as `buf.gen.go.yaml` (`.yml` too). (Asked of
    every file in the repository: the substring test spares nearly all of them the regex.)"""
    return "buf.gen" in path and _BUF_GEN.fullmatch(posixpath.basename(path)) is not None


def is_stray_proto_input(path: str) -> bool:
    """A `.proto` source or a Buf module/workspace file."""
    return path.endswith(".proto") or ("buf." in path and posixpath.basename(path) in _BUF_MODULE)


def _valid_patterns(value: object) -> bool:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return False
    try:
        pathspec.GitIgnoreSpec.from_lines(value)
    except (ValueError, TypeError):
        return False
    return True


def allow_option() -> OptionSpec:
    return OptionSpec((), _valid_patterns, "a list of gitignore-style path patterns")


def first_content_line(repo: RepoView, path: str) -> Span:
    """The first line that is not blank or a comment (`version:`, `syntax = ...`), so that a
    suppression comment above it applies; reading the file also collects its suppressions."""
    text = repo.read_text(path)
    if text:
        for number, line in enumerate(text.splitlines()[:MAX_SCAN_LINES], start=1):
            if not _COMMENT_OR_BLANK.match(line):
                return Span.whole_line(number, line)
    return Span(1, 1, 1, 1)


def outside_proto(
    repo: RepoView, ctx: RuleContext, wanted: Callable[[str], bool]
) -> Iterator[tuple[str, Span]]:
    """Files outside the proto zone that `wanted` selects and `allow` does not exempt."""
    allow = pathspec.GitIgnoreSpec.from_lines(ctx.options["allow"])
    for path in repo.matching(wanted):
        if repo.zone(path) in (Zone.PROTO, Zone.EXCLUDED) or allow.match_file(path):
            continue
        yield path, first_content_line(repo, path)


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
