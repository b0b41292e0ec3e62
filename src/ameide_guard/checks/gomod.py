"""Go module rules: no `replace` directives (AG201) and module paths under the org, with the Go
SDK required under its one canonical path (AG202).

Both read go.mod and go.work through `manifests.gomod.parse_gomod`, the same memoised parse the
dependency and lockfile rules use. They apply in every zone: a replace in the SDK's own go.mod is
ignored by the SDK's consumers (Go honours `replace` only in the main module), so the SDK would be
built and tested against code its users never get; that is the drift AG201 exists to stop. Only
`testdata/` directories, which the go command never builds, are skipped.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ameide_guard.formats.globs import star_regex
from ameide_guard.model import Finding, Level, Span, Zone
from ameide_guard.rule import OptionSpec, Rule, RuleContext, RuleMeta, string_list_option
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:
    from ameide_guard.manifests.gomod import GoModFile, GoReplace

GO_FILES = ("go.mod", "go.work")


def go_files(repo: RepoView) -> Iterator[tuple[str, GoModFile]]:
    """Every go.mod and go.work Go would build from, parsed once (AG900 for unreadable ones)."""
    from ameide_guard.manifests.gomod import parse_gomod  # imported only when the rules run

    for path in repo.named(*GO_FILES):
        if "testdata" in path.split("/"):
            continue
        parsed = repo.document(path, parse_gomod)
        if parsed is not None:
            yield path, parsed


# --------------------------------------------------------------------------------------------
# AG201 allow patterns: `old[@version] => new[@version]`, `*` matching any run of characters.


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


# --------------------------------------------------------------------------------------------
# AG202


def _within(path: str, prefix: str) -> bool:
    """Whether module `path` is `prefix` or below it (a prefix is a path, not a string start:
    `github.com/ameideio` does not admit `github.com/ameideio-fork/x`)."""
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def sdk_lookalike(path: str, sdk: str) -> str | None:
    """Why module `path` looks like the Go SDK under another path (None if it does not): the
    same path in other letter case, another major version, or a module of the same name under
    another owner or host (a fork or mirror)."""
    from ameide_guard.manifests.gomod import split_path_version

    if path == sdk:
        return None
    base, major, _ = split_path_version(path)
    sdk_base, _, _ = split_path_version(sdk)
    if base == sdk_base and major:
        return f"major version `{major.lstrip('/.')}` of the SDK path"
    if base.lower() == sdk_base.lower():
        return "the SDK path in different letter case"
    name = sdk_base.rsplit("/", 1)[-1].lower()
    if "/" in base and base.rsplit("/", 1)[-1].lower() == name:
        return "a module with the SDK's name under another owner or host (a fork or mirror)"
    return None


class GoModulePath(Rule):
    meta = RuleMeta(
        id="AG202",
        slug="go-module-path",
        name="GoModulePath",
        short="A go.mod module path lies outside the allowed prefixes, or the Go SDK is "
        "required under a path other than its canonical one.",
        default_level=Level.ERROR,
        tags=("architecture", "go", "dependencies"),
        options={"prefixes": string_list_option(["github.com/ameideio/"])},
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return posixpath.basename(path) in GO_FILES

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        prefixes: tuple[str, ...] = tuple(ctx.options["prefixes"])
        sdk = repo.config.sdk_packages["go"]
        for path, gomod in go_files(repo):
            if gomod.module is not None and gomod.module_span is not None:
                yield from self._module(ctx, path, gomod, prefixes, sdk, repo.zone(path))
            for require in gomod.requires:
                why = sdk_lookalike(require.path, sdk)
                if why is not None:
                    yield ctx.finding(
                        path,
                        require.span,
                        f"requires `{require.path}`, {why}: the Go SDK must be required as "
                        f"`{sdk}` so every service builds against the one released SDK. "
                        f"Require `{sdk}` instead (or, if the SDK itself moved, update "
                        "`sdk-packages.go` in the config).",
                        key=f"sdk:{require.path}",
                    )
            for replace in gomod.replaces:
                why = None if replace.local else sdk_lookalike(replace.new, sdk)
                if why is not None:
                    yield ctx.finding(
                        path,
                        replace.span,
                        f"replaces `{replace.old}` with `{replace.new}`, {why}: the Go SDK "
                        f"comes only from `{sdk}`. Remove the replace and require a released "
                        f"version of `{sdk}`.",
                        key=f"sdk-replace:{replace.new}",
                    )

    def _module(
        self,
        ctx: RuleContext,
        path: str,
        gomod: GoModFile,
        prefixes: tuple[str, ...],
        sdk: str,
        zone: Zone,
    ) -> Iterator[Finding]:
        module = gomod.module or ""
        span: Span = gomod.module_span  # type: ignore[assignment]
        why = sdk_lookalike(module, sdk)
        if why is not None:
            yield ctx.finding(
                path,
                span,
                f"module `{module}` is {why}: the Go SDK's module path is `{sdk}`. Rename the "
                f"module (or, if it is not the SDK, give it a name that is not the SDK's).",
                key=f"module:{module}",
            )
        elif zone is not Zone.TEST and not any(_within(module, p) for p in prefixes):
            allowed = ", ".join(f"`{p}`" for p in prefixes)
            case_hint = (
                " (it differs only in letter case; Go module paths are case-sensitive)"
                if any(_within(module.lower(), p.lower()) for p in prefixes)
                else ""
            )
            yield ctx.finding(
                path,
                span,
                f"module path `{module}` is outside the allowed prefixes ({allowed}){case_hint}: "
                "modules of this repository must live under the org so that GOPRIVATE covers "
                f"them and imports resolve. Rename it to a path under {allowed}.",
                key=f"module:{module}",
            )
