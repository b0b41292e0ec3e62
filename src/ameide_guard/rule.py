"""Rule metadata and the rule base class.

A rule is a class with a `meta` and the hooks of its kind; each hook gets exactly its inputs:

* `check_source(file, ctx)` runs once per parsed source file (TS/JS, Go, Python) on the facts
  its parser extracted; it never reads or parses anything itself.
* `check_repo(repo, ctx)` runs once per scan on the repository view, for rules that read
  manifests, lockfiles or several files together; `repo` memoises every read and parse. It runs
  while the sources are still being analysed, so it has no access to them.
* `check_sources(repo, sources, ctx)` runs once per scan after the analysis, for rules that
  judge the parsed sources together with the repository (AG105: barrels and their importers).

AG900 and AG901 have no hook: the engine builds their findings from the problems and the
suppressions once every other rule has run. Rules live in `ameide_guard.checks.<family>.<rule>`
modules, one rule a file; `codes.RULES` is the table that assigns their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ameide_guard.model import Finding, Level, Span, Zone

if TYPE_CHECKING:
    from ameide_guard.scan.repo import RepoView, SourceFile
    from ameide_guard.settings import Config


SOURCE_ZONES = ("runtime", "test", "proto", "sdk")
PATTERN_GROUPS = ("generated", "proto-package", "sdk-internal", "proto-zone", "sdk-zone")


@dataclass(frozen=True)
class OptionSpec:
    """One option of a rule's config table: its default, a validator, and the allowed values as
    the error message should state them."""

    default: Any
    check: Callable[[Any], bool]
    allowed: str


@dataclass(frozen=True)
class RuleMeta:
    id: str
    slug: str
    name: str
    short: str
    default_level: Level
    tags: tuple[str, ...] = ()
    options: Mapping[str, OptionSpec] = field(default_factory=dict)
    literals: tuple[str, ...] = ()
    """Extra literals (besides the config's module patterns) that make a source file worth parsing
    for this rule."""
    source_zones: tuple[str, ...] = SOURCE_ZONES
    """Zones whose source files the rule judges: the prefilter looks for this rule's literals only
    in files of these zones (a test file that imports the proto package, which only AG102 in
    runtime code cares about, is then never parsed)."""
    pattern_groups: tuple[str, ...] = PATTERN_GROUPS
    """Which config-derived literals make a file worth parsing for this rule: `generated`,
    `proto-package`, `sdk-internal` (the literal parts of those module patterns), `proto-zone` and
    `sdk-zone` (the zone directories' names, which a relative import into them must spell)."""


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees of the configuration: its own level and options, and the whole config."""

    meta: RuleMeta
    level: Level
    options: Mapping[str, Any]
    config: Config

    def finding(
        self,
        path: str,
        span: Span,
        message: str,
        *,
        key: str = "",
        level: Level | None = None,
        context_line: int = 0,
    ) -> Finding:
        """Build a finding of this rule at its configured level (or `level` where the rule itself
        grades, as AG101 does for type-only imports)."""
        return Finding(
            rule=self.meta.id,
            slug=self.meta.slug,
            level=self.level if level is None else level,
            path=path,
            span=span,
            message=message,
            key=key,
            context_line=context_line or span.line,
        )


class Rule:
    """Base class; subclasses set `meta` and override the hooks they need."""

    meta: ClassVar[RuleMeta]

    def check_source(self, file: SourceFile, ctx: RuleContext) -> Iterable[Finding]:
        return ()

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterable[Finding]:
        return ()

    def check_sources(
        self, repo: RepoView, sources: Mapping[str, SourceFile], ctx: RuleContext
    ) -> Iterable[Finding]:
        return ()

    def outline_paths(self, ctx: RuleContext) -> Callable[[str], bool] | None:
        """Which source files this rule reads the top-level statements of (`SourceFacts.outline`):
        the engine parses those whatever the prefilter says, so that the rule needs no parse of
        its own. None: no such file."""
        return None

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        """Whether a change to `path` (in `zone`) can change this rule's repo-level findings; a
        pre-commit run skips repo rules none of whose inputs is staged. By default: always."""
        return True


def level_option(default: str) -> OptionSpec:
    """An option whose value is a level name or `off` (as AG101's `type-only-level`)."""
    return OptionSpec(
        default, lambda v: v in ("error", "warning", "note", "off"), "error, warning, note, off"
    )


def string_list_option(default: Iterable[str] = ()) -> OptionSpec:
    return OptionSpec(
        tuple(default),
        lambda v: isinstance(v, list | tuple) and all(isinstance(x, str) for x in v),
        "a list of strings",
    )


def bool_option(default: bool) -> OptionSpec:
    return OptionSpec(default, lambda v: isinstance(v, bool), "true or false")


def string_option(default: str) -> OptionSpec:
    return OptionSpec(default, lambda v: isinstance(v, str) and bool(v), "a non-empty string")
