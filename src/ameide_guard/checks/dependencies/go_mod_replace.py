"""AG201 go-mod-replace: `replace` directives in go.mod and go.work, single-line and block form."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ameide_guard.checks.dependencies.common import GO_FILES, go_files
from ameide_guard.formats.globs import star_regex
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import OptionSpec, Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:
    from ameide_guard.manifests.gomod import GoReplace


@dataclass(frozen=True)
class _Side:
    path: re.Pattern[str]
    version: re.Pattern[str] | None
    """None: any version (or none)."""

    def matches(self, path: str, version: str | None) -> bool:
        if self.version is not None and self.version.fullmatch(version or "") is None:
            return False
        return self.path.fullmatch(_normal(path)) is not None


@dataclass(frozen=True)
class AllowPattern:
    old: _Side
    new: _Side

    def matches(self, replace: GoReplace) -> bool:
        return self.old.matches(replace.old, replace.old_version) and self.new.matches(
            replace.new, replace.new_version
        )


def _normal(path: str) -> str:
    """Local replacement paths compare after normalisation (`./a/../b` is `b`)."""
    return posixpath.normpath(path) if path.startswith((".", "/")) else path


def _side(text: str) -> _Side:
    text = text.strip()
    path, at, version = text.rpartition("@") if "@" in text else (text, "", "")
    if not path or (at and not version) or " " in text:
        raise ValueError(text)
    return _Side(_glob(_normal(path)), _glob(version) if at else None)


def _glob(text: str) -> re.Pattern[str]:
    """`*` matches any run of characters; everything else is literal (linear-time matching:
    the module paths come from the scanned, possibly hostile, go.mod)."""
    return re.compile(star_regex(text), re.S)


def parse_allow(pattern: str) -> AllowPattern:
    """One `allow` entry; ValueError if it is not `old[@v] => new[@v]`."""
    old, arrow, new = pattern.partition("=>")
    if not arrow:
        raise ValueError(pattern)
    return AllowPattern(_side(old), _side(new))


def _valid_allow(value: object) -> bool:
    if not isinstance(value, list | tuple):
        return False
    try:
        for item in value:
            if not isinstance(item, str):
                return False
            parse_allow(item)
    except ValueError:
        return False
    return True


def _describe(replace: GoReplace) -> str:
    old = f"{replace.old} {replace.old_version}" if replace.old_version else replace.old
    new = f"{replace.new} {replace.new_version}" if replace.new_version else replace.new
    return f"`replace {old} => {new}`"


class GoModReplace(Rule):
    meta = RuleMeta(
        id="AG201",
        slug="go-mod-replace",
        name="GoModReplace",
        short="A go.mod or go.work `replace` directive points a dependency at a local directory "
        "or another module instead of a released version.",
        default_level=Level.ERROR,
        tags=("architecture", "go", "dependencies"),
        options={
            "allow": OptionSpec(
                (), _valid_allow, "a list of `old[@version] => new[@version]` patterns"
            )
        },
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return posixpath.basename(path) in GO_FILES

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        allowed = [parse_allow(p) for p in ctx.options["allow"]]
        sdk = repo.config.sdk_packages["go"]
        for path, gomod in go_files(repo):
            for replace in gomod.replaces:
                if any(a.matches(replace) for a in allowed):
                    continue
                yield ctx.finding(
                    path,
                    replace.span,
                    _replace_message(replace, gomod.kind, sdk),
                    key=f"replace:{replace.old}@{replace.old_version or ''}",
                )


def _replace_message(replace: GoReplace, kind: str, sdk: str) -> str:
    what = "the Go SDK" if replace.old == sdk else "module"
    if replace.local:
        problem = (
            f"{_describe(replace)} in {kind} swaps {what} `{replace.old}` for the local "
            f"directory `{replace.new}`: builds use whatever is checked out there, not a "
            "released version, and nobody depending on this module gets the same code"
        )
    else:
        problem = (
            f"{_describe(replace)} in {kind} swaps {what} `{replace.old}` for a different "
            f"module (`{replace.new}`): the build no longer uses what `{replace.old}` released"
        )
    return (
        f"{problem}. Remove the replace and depend on a released version of `{replace.old}` "
        f"(`go get {replace.old}@vX.Y.Z`); if it needs a fix, release it first."
    )
