"""What the layout rules (AG301-AG302) share: Buf file names, the allow option, where a finding
points in a file."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from ameide_guard.model import Span, Zone
from ameide_guard.rule import OptionSpec, RuleContext
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
    # lazy: pathspec only where the option is set
    import pathspec

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
    # lazy: pathspec only when the rule runs
    import pathspec

    allow = pathspec.GitIgnoreSpec.from_lines(ctx.options["allow"])
    for path in repo.matching(wanted):
        if repo.zone(path) in (Zone.PROTO, Zone.EXCLUDED) or allow.match_file(path):
            continue
        yield path, first_content_line(repo, path)
