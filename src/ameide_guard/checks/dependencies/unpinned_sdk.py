"""AG204 unpinned-sdk: a service depends on an SDK through anything but a released version."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ameide_guard.checks.dependencies.common import (
    Hit,
    checked,
    entry_where,
    go_mods,
    hit_findings,
    is_dependency_input,
    package_jsons,
    pyprojects,
    requirements_graph,
)
from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:  # the readers are imported when the rules run, not when the registry loads
    from ameide_guard.manifests.pyproject import PySource
    from ameide_guard.manifests.requirements import ReqLine


_ANY_COMPARATOR = re.compile(r"[xX*](?:\.[xX*]){0,2}|>=0(?:\.0){0,2}(?:-0)?")


"""A comparator every version satisfies: `*`, `x`, `x.x.x`, `>=0`, `>=0.0.0-0`."""


_GIT_PREFIXES = ("git+", "git:", "git://", "github:", "gitlab:", "bitbucket:", "gist:")


_GITHUB_SHORTHAND = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:#.*)?")


_DIST_TAG = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")


def npm_unreleased(spec: str) -> str | None:
    """Why an npm spec is not a released version (None if it is a semver range or version)."""
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.package_json import alias_range

    spec = alias_range(spec).strip() if spec.startswith("npm:") else spec.strip()
    if spec.startswith("workspace:"):
        return f"the `{spec}` protocol (the workspace's local copy)"
    if spec.startswith(("file:", "link:", "portal:")):
        return f"a local directory (`{spec}`)"
    if spec.startswith(("./", "../", "/", "~/")):
        return f"a local path (`{spec}`)"
    if spec.startswith(_GIT_PREFIXES) or spec.startswith(("http://", "https://")):
        return f"a git or tarball URL (`{spec}`)"
    squeezed = re.sub(r"(>=|<=|[<>=^~])\s+", r"\1", spec)
    alternatives = [alt.split() for alt in squeezed.split("||")]
    if any(all(_ANY_COMPARATOR.fullmatch(c) for c in alt) for alt in alternatives):
        shown = f"`{spec}`" if spec else "an empty range"
        return f"{shown}, which accepts any version (and lets a workspace link its local copy)"
    if _GITHUB_SHORTHAND.fullmatch(spec):
        return f"a GitHub shorthand (`{spec}`)"
    if _DIST_TAG.fullmatch(spec) and not re.match(r"[vV][0-9]", spec):
        return f"the dist-tag `{spec}`, which moves with every publish"
    return None


def _suggest_npm(repo: RepoView) -> str:
    version = _sdk_npm_version(repo)
    return f'"^{version}"' if version else '"^1.4.0"'


def _sdk_npm_version(repo: RepoView) -> str | None:
    """The version the SDK's own package.json declares, to make the advice concrete."""
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.package_json import parse_package_json

    sdk = repo.config.sdk_packages["npm"]
    for path in repo.named("package.json"):
        if repo.zone(path) is Zone.SDK:
            doc = repo.document(path, parse_package_json)
            version = doc.data.get("version") if doc is not None else None
            if doc is not None and doc.name == sdk and isinstance(version, str):
                return version
    return None


def _sdk_py_version(repo: RepoView) -> str | None:
    # lazy: requirements and packaging (23 ms) load when the rule runs, not with the registry
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.pyproject import parse_pyproject
    from ameide_guard.manifests.requirements import normalise_name

    sdk = normalise_name(repo.config.sdk_packages["python"])
    for path in repo.named("pyproject.toml"):
        if repo.zone(path) is Zone.SDK:
            doc = repo.document(path, parse_pyproject)
            if doc is not None and doc.name and normalise_name(doc.name) == sdk:
                version = (doc.data.get("project") or {}).get("version")
                return version if isinstance(version, str) else None
    return None


def _unpinned_npm(repo: RepoView) -> Iterator[Hit]:
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.package_json import alias_target

    sdk = repo.config.sdk_packages["npm"]
    for path, doc in package_jsons(repo):
        for entry in doc.entries():
            target = alias_target(entry.spec) or entry.name
            if target != sdk:
                continue
            reason = npm_unreleased(entry.spec)
            if reason is None or entry.spec.startswith("$"):
                continue
            yield Hit(
                path,
                entry.span,
                f"{entry.section}:{entry.key or entry.name}",
                f"{entry_where(entry)} `{entry.key or entry.name}` takes the SDK `{sdk}` from "
                f"{reason}: services must build against a released SDK. Use a released "
                f'version instead, e.g. `"{entry.key or entry.name}": {_suggest_npm(repo)}`.',
            )


def _unpinned_go(repo: RepoView) -> Iterator[Hit]:
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.gomod import is_pseudo_version

    sdk = repo.config.sdk_packages["go"]  # other paths of the SDK are AG202's
    for path, doc in go_mods(repo):
        for req in doc.requires:
            if req.path != sdk or not is_pseudo_version(req.version):
                continue
            indirect = (
                " (marked `// indirect`: another module pulls this commit in; require a "
                "release directly or fix that module)"
                if req.indirect
                else ""
            )
            yield Hit(
                path,
                req.span,
                f"require:{req.path}",
                f"`require {req.path} {req.version}` pins the SDK to a commit (a "
                f"pseudo-version), not a release{indirect}. Require a released tag instead, "
                f"e.g. `go get {req.path}@v1.4.0` (or `@latest`).",
            )


def _py_advice(repo: RepoView) -> str:
    sdk = repo.config.sdk_packages["python"]
    version = _sdk_py_version(repo) or "1.4.0"
    return f"Use a released version from the package index instead, e.g. `{sdk}>={version}`."


def _py_source_reason(source: PySource) -> str | None:
    if source.kind == "index":
        return None
    editable = " (editable)" if source.editable else ""
    if source.kind == "workspace":
        return f"the uv workspace member{editable}"
    return f"a {source.kind} source `{source.location}`{editable}"


def _points_at_sdk(repo: RepoView, manifest: str, line: ReqLine, sdk: str) -> bool:
    # lazy: requirements and packaging (23 ms) load when the rule runs, not with the registry
    from ameide_guard.manifests.requirements import normalise_name

    if line.name is not None:
        return line.name == sdk
    local = line.local_path
    if local is None:
        return False
    base = normalise_name(posixpath.basename(local.rstrip("/")))
    if base in (sdk, f"{sdk}-python"):
        return True
    target = posixpath.normpath(posixpath.join(posixpath.dirname(manifest), local))
    return not target.startswith("..") and repo.zone(f"{target}/pyproject.toml") is Zone.SDK


def _unpinned_python(repo: RepoView) -> Iterator[Hit]:
    # lazy: requirements and packaging (23 ms) load when the rule runs, not with the registry
    from ameide_guard.manifests.requirements import normalise_name

    sdk = normalise_name(repo.config.sdk_packages["python"])
    advice = _py_advice(repo)
    for path, doc in pyprojects(repo):
        for dep in doc.dependencies:
            if dep.name != sdk:
                continue
            url = dep.requirement.url if dep.requirement else None
            reason = f"the direct reference `{url}`" if url else None
            if dep.source is not None:
                reason = _py_source_reason(dep.source)
            if reason:
                yield Hit(
                    path,
                    dep.span,
                    f"{dep.section}:{dep.name}",
                    f"`{dep.section}` entry `{dep.name}` takes the SDK from {reason}, not a "
                    f"released version. {advice}",
                )
        for source in doc.sources:
            reason = _py_source_reason(source) if source.name == sdk else None
            if reason:
                yield Hit(
                    path,
                    source.span,
                    f"{source.section}:{source.name}",
                    f"`[tool.uv.sources]` sends `{source.name}` to {reason}, so uv installs "
                    f"the SDK from there instead of a released version. {advice} Remove the "
                    "source (or point it at an `index`).",
                )
    for path, parsed in requirements_graph(repo).files.items():
        if not checked(repo, path):
            continue
        for line in parsed.lines:
            if line.kind != "requirement" or not _points_at_sdk(repo, path, line, sdk):
                continue
            if line.editable:
                reason = f"an editable install (`-e {line.text}`)"
            elif line.local_path is not None:
                reason = f"a local path (`{line.text}`)"
            elif line.url is not None:
                reason = f"a URL (`{line.url}`)"
            else:
                continue
            yield Hit(
                path,
                line.span,
                f"requirement:{line.name or line.text}",
                f"requirement takes the SDK `{sdk}` from {reason}, not a released version. "
                f"{advice}",
            )


class UnpinnedSdk(Rule):
    meta = RuleMeta(
        id="AG204",
        slug="unpinned-sdk",
        name="UnpinnedSdk",
        short="A service depends on an SDK through a workspace link, path, URL, tag or commit "
        "instead of a released version.",
        default_level=Level.ERROR,
        tags=("architecture", "dependencies"),
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_dependency_input(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        for source in (_unpinned_npm, _unpinned_go, _unpinned_python):
            yield from hit_findings(ctx, source(repo))
