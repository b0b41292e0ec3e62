"""TS proto barrels (AG105): where a service's barrel sits, what it may re-export, and how
one is read."""

from __future__ import annotations

from dataclasses import dataclass

from ameide_guard.formats.globs import PathGlob, path_glob
from ameide_guard.model import Span, TopStatement
from ameide_guard.rule import (
    OptionSpec,
    RuleContext,
)
from ameide_guard.scan.targets import (
    strip_js_extension,
)

DEFAULT_ENTRY = "@ameideio/ameide-sdk-ts/proto.js"


ENTRY_LITERAL = "ameide-sdk-ts/proto"


def _glob_check(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not value.startswith("/")


def glob_option(default: str) -> OptionSpec:
    return OptionSpec(default, _glob_check, "a non-empty root-relative path glob")


def compile_glob(pattern: str) -> PathGlob:
    """A root-relative path glob: `*` and `?` stay within one path segment, `**` crosses them."""
    return path_glob(pattern.strip("/"))


def is_entry(module: str, entry: str) -> bool:
    """Whether `module` loads the SDK's proto entry point: `@x/sdk/proto.js`, `@x/sdk/proto`,
    or a proto namespace below it (`@x/sdk/proto/orders.js`)."""
    stem = strip_js_extension(entry)
    return module == entry or strip_js_extension(module) == stem or module.startswith(stem + "/")


@dataclass(frozen=True, slots=True)
class Barrel:
    """A barrel as read: its statements and its first syntax error, if any."""

    statements: tuple[TopStatement, ...]
    error: tuple[Span, str] | None = None


def read_barrel(text: str, path: str) -> Barrel:
    """A barrel the source pass did not analyse (a PATHS run that left it out): parsed here,
    once. Otherwise the engine has already parsed it with its outline (`outline_paths`)."""
    # lazy: parsed here only in a PATHS run that left the barrel out
    from ameide_guard.parsers import parse_source, source_kind

    language = source_kind(path) or "typescript"
    facts = parse_source(language, text.encode("utf-8"), path, outline=True)
    return Barrel(facts.outline or (), facts.problems[0] if facts.problems else None)


@dataclass(frozen=True)
class BarrelLayout:
    """AG105's options compiled: where barrels and services are and what a barrel may export."""

    barrel: str
    services: str
    entry: str

    def is_barrel(self, path: str) -> bool:
        return compile_glob(self.barrel).matches(path)

    def service_of(self, path: str) -> str | None:
        """The service directory `path` lies in (the longest matching ancestor), if any."""
        parts = path.split("/")
        regex = compile_glob(self.services)
        for end in range(len(parts) - 1, 0, -1):
            candidate = "/".join(parts[:end])
            if regex.matches(candidate):
                return candidate
        return None

    def expected_barrel(self, service: str) -> str:
        """Where `service`'s barrel goes, for the message (the pattern if it cannot tell)."""
        pattern, prefix = self.barrel.strip("/").split("/"), self.services.strip("/").split("/")
        if pattern[: len(prefix)] == prefix:
            return "/".join([service, *pattern[len(prefix) :]])
        return self.barrel


def barrel_layout(ctx: RuleContext) -> BarrelLayout:
    return BarrelLayout(ctx.options["barrel"], ctx.options["services"], ctx.options["entry"])
