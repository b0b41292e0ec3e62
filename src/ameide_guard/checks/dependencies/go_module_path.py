"""AG202 go-module-path: a go.mod `module` path outside the allowed prefixes, or the Go SDK
required under another path."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ameide_guard.checks.dependencies.common import GO_FILES, go_files
from ameide_guard.model import FILE_SPAN, Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta, string_list_option
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:
    from ameide_guard.manifests.gomod import GoModFile


def _within(path: str, prefix: str) -> bool:
    """Whether module `path` is `prefix` or below it (a prefix is a path, not a string start:
    `github.com/ameideio` does not admit `github.com/ameideio-fork/x`)."""
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def sdk_lookalike(path: str, sdk: str) -> str | None:
    """Why module `path` looks like the Go SDK under another path (None if it does not): the
    same path in other letter case, another major version, or a module of the same name under
    another owner or host (a fork or mirror)."""
    # lazy: readers load when the rule runs, not with the registry
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
        span = gomod.module_span or FILE_SPAN  # checked only for a go.mod with a module line
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
