"""The directives of go.mod and go.work (`modfile/rule.go`, `work.go`): each checked as Go checks
it and accumulated in file order into a `GoModFile`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ameide_guard.manifests.gomod.arguments import (
    Invalid,
    check_major,
    directive_comment,
    parse_string,
    parse_version,
    path_major,
)
from ameide_guard.manifests.gomod.lexer import Source, Token
from ameide_guard.manifests.gomod.model import (
    GoDebug,
    GoExclude,
    GoModFile,
    GoReplace,
    GoRequire,
    GoRetract,
)
from ameide_guard.manifests.gomod.parser import Block, Line
from ameide_guard.manifests.gomod.semver import is_directory_path
from ameide_guard.model import Span

_GO_VERSION = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?")
_TOOLCHAIN = re.compile(r"default\Z|go1(?:\Z|\.)")
_DEPRECATED = re.compile(r"(?:^|\n\n)Deprecated: *(.*?)(?:\Z|\n\n)", re.S)


@dataclass
class Builder:
    """Accumulates directives in file order, as `modfile.File.add` does."""

    src: Source
    module: str | None = None
    module_span: Span | None = None
    deprecated: str | None = None
    go: str | None = None
    toolchain: str | None = None
    seen_module: bool = False
    requires: list[GoRequire] = field(default_factory=list)
    replaces: list[GoReplace] = field(default_factory=list)
    excludes: list[GoExclude] = field(default_factory=list)
    retracts: list[GoRetract] = field(default_factory=list)
    uses: list[tuple[str, Span]] = field(default_factory=list)
    godebug: list[GoDebug] = field(default_factory=list)
    tools: list[tuple[str, Span]] = field(default_factory=list)
    ignores: list[tuple[str, Span]] = field(default_factory=list)

    def add(self, block: Block | None, line: Line, verb: str, args: list[Token]) -> None:
        span = self.src.span(line.tokens[0].start, line.tokens[-1].end)
        handler = getattr(self, _HANDLERS[self.src.kind].get(verb, "_unknown"))
        handler(block, line, verb, args, span)

    def _unknown(self, block: Block | None, line: Line, verb: str, *_: object) -> None:
        raise Invalid(f"unknown directive: {verb}")

    def _go(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        if self.go is not None:
            raise Invalid("repeated go statement")
        if len(args) != 1:
            raise Invalid("go directive expects exactly one argument")
        if not _GO_VERSION.fullmatch(args[0].text):
            raise Invalid(f"invalid go version '{args[0].text}': must match format 1.23.0")
        self.go = args[0].text

    def _toolchain(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        if self.toolchain is not None:
            raise Invalid("repeated toolchain statement")
        if len(args) != 1:
            raise Invalid("toolchain directive expects exactly one argument")
        if not _TOOLCHAIN.match(args[0].text):
            raise Invalid(
                f"invalid toolchain version '{args[0].text}': must match format go1.23.0 or default"
            )
        self.toolchain = args[0].text

    def _module(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        if self.seen_module:
            raise Invalid("repeated module statement")
        self.seen_module = True
        if len(args) != 1:
            raise Invalid("usage: module module/path")
        self.module, self.module_span = parse_string(args[0]), span
        hit = _DEPRECATED.search(directive_comment(block, line))
        self.deprecated = hit.group(1) if hit else None

    def _godebug(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        if len(args) != 1 or any(c in args[0].text for c in "\"`',") or "=" not in args[0].text:
            raise Invalid("usage: godebug key=value")
        key, _, value = args[0].text.partition("=")
        self.godebug.append(GoDebug(key, value, span))

    def _require(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        if len(args) != 2:
            raise Invalid(f"usage: {verb} module/path v1.2.3")
        path = parse_string(args[0])
        version = parse_version(verb, path, args[1])
        check_major(verb, path, version, path_major(path))
        if verb == "require":
            self.requires.append(GoRequire(path, version, _is_indirect(line), span))
        else:
            self.excludes.append(GoExclude(path, version, span))

    def _replace(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        texts = [a.text for a in args]
        arrow = 1 if len(texts) >= 2 and texts[1] == "=>" else 2
        if len(texts) < arrow + 2 or len(texts) > arrow + 3 or texts[arrow] != "=>":
            raise Invalid(
                f"usage: {verb} module/path [v1.2.3] => other/module v1.4 or {verb} "
                "module/path [v1.2.3] => ../local/directory"
            )
        old = parse_string(args[0])
        major = path_major(old)
        old_version = None
        if arrow == 2:
            old_version = parse_version(verb, old, args[1])
            check_major(verb, old, old_version, major)
        new = parse_string(args[arrow + 1])
        new_version = None
        if len(texts) == arrow + 2:
            if not is_directory_path(new):
                if "@" in new:
                    raise Invalid(
                        "replacement module must match format 'path version', not 'path@version'"
                    )
                raise Invalid(
                    "replacement module without version must be directory path (rooted or "
                    "starting with . or ..)"
                )
            if "\\" in new:
                raise Invalid(
                    "replacement directory appears to be Windows path (on a non-windows system)"
                )
        else:
            new_version = parse_version(verb, new, args[arrow + 2])
            if is_directory_path(new):
                raise Invalid(f"replacement module directory path {new!r} cannot have version")
        self.replaces.append(GoReplace(old, old_version, new, new_version, span))

    def _retract(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        rationale = directive_comment(block, line)
        texts = [a.text for a in args]
        if not texts or texts[0] == "(":
            raise Invalid("expected '[' or version")
        if texts[0] != "[":
            low = high = parse_version(verb, "", args[0], canonical=False)
            rest = 1
        else:
            if len(texts) < 2:
                raise Invalid("expected version after '['")
            low = parse_version(verb, "", args[1], canonical=False)
            if len(texts) < 3 or texts[2] != ",":
                raise Invalid("expected ',' after version")
            if len(texts) < 4:
                raise Invalid("expected version after ','")
            high = parse_version(verb, "", args[3], canonical=False)
            if len(texts) < 5 or texts[4] != "]":
                raise Invalid("expected ']' after version")
            rest = 5
        if len(texts) > rest:
            raise Invalid(f"unexpected token after version: {texts[rest]!r}")
        self.retracts.append(GoRetract(low, high, rationale, span))

    @staticmethod
    def _single_path(args: list[Token], usage: str) -> str:
        if len(args) != 1:
            raise Invalid(usage)
        return parse_string(args[0])

    def _tool(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        path = self._single_path(args, "tool directive expects exactly one argument")
        self.tools.append((path, span))

    def _ignore(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        path = self._single_path(args, "ignore directive expects exactly one argument")
        self.ignores.append((path, span))

    def _use(
        self, block: Block | None, line: Line, verb: str, args: list[Token], span: Span
    ) -> None:
        self.uses.append((self._single_path(args, "usage: use local/dir"), span))

    def result(self) -> GoModFile:
        return GoModFile(
            kind=self.src.kind,
            module=self.module,
            module_span=self.module_span,
            go=self.go,
            toolchain=self.toolchain,
            requires=tuple(self.requires),
            replaces=tuple(self.replaces),
            excludes=tuple(self.excludes),
            retracts=tuple(self.retracts),
            uses=tuple(self.uses),
            godebug=tuple(self.godebug),
            tools=tuple(self.tools),
            ignores=tuple(self.ignores),
            deprecated=self.deprecated,
        )


_COMMON = {"go": "_go", "toolchain": "_toolchain", "godebug": "_godebug", "replace": "_replace"}
_HANDLERS = {
    "go.mod": {
        **_COMMON,
        "module": "_module",
        "require": "_require",
        "exclude": "_require",
        "retract": "_retract",
        "tool": "_tool",
        "ignore": "_ignore",
    },
    "go.work": {**_COMMON, "use": "_use"},
}


def _is_indirect(line: Line) -> bool:
    """`isIndirect`: a trailing `// indirect` (or `// indirect; more`) comment."""
    if line.suffix is None:
        return False
    words = line.suffix[2:].split()
    return (len(words) == 1 and words[0] == "indirect") or (
        len(words) > 1 and words[0] == "indirect;"
    )
