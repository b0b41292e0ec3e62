"""Dependency rules: manifests outside the proto and SDK zones must not depend on Buf-generated
packages (AG203), and must depend on the SDKs through released versions only (AG204).

Both read package.json (`manifests.package_json`), go.mod (`manifests.gomod`, the memoised parse
the Go rules share), pyproject.toml (`manifests.pyproject`) and requirements files
(`manifests.requirements`, `-r`/`-c` includes followed from every file `is_requirements_file`
names). Test-zone manifests are checked too: tests may read the proto package, never BSR code.
Every finding points at the line of the entry; its key is the section and package name, so the
fingerprint survives edits elsewhere in the manifest.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ameide_guard.formats.globs import ModuleMatcher
from ameide_guard.manifests.requirements import (
    ReqLine,
    RequirementsFile,
    include_path,
    is_requirements_file,
    normalise_name,
    parse_requirements,
)
from ameide_guard.model import Finding, Level, Span, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:  # the readers are imported when the rules run, not when the registry loads
    from ameide_guard.manifests.gomod import GoModFile
    from ameide_guard.manifests.package_json import NpmEntry, PackageJson
    from ameide_guard.manifests.pyproject import Pyproject, PySource

MANIFESTS = ("package.json", "go.mod", "pyproject.toml")
BUF_PYTHON_INDEX = re.compile(r"^(?:[A-Za-z+]+://)?(?:[^/@]*@)?buf\.build/gen/python(?:[/?#]|$)")
BUF_NPM_URL = re.compile(r"buf\.build/gen/npm/")
MAX_INCLUDE_DEPTH = 64


# --------------------------------------------------------------------------------------------
# Which manifests are read


def checked(repo: RepoView, path: str) -> bool:
    """Manifests in the proto and SDK zones may depend on generated code and on each other."""
    return repo.zone(path) not in (Zone.PROTO, Zone.SDK, Zone.EXCLUDED)


def _skip_dir(path: str) -> bool:
    return "testdata" in path.split("/") or "node_modules" in path.split("/")


def package_jsons(repo: RepoView) -> Iterator[tuple[str, PackageJson]]:
    from ameide_guard.manifests.package_json import parse_package_json

    for path in repo.named("package.json"):
        if checked(repo, path) and not _skip_dir(path):
            doc = repo.document(path, parse_package_json)
            if doc is not None:
                yield path, doc


def go_mods(repo: RepoView) -> Iterator[tuple[str, GoModFile]]:
    from ameide_guard.manifests.gomod import parse_gomod

    for path in repo.named("go.mod"):
        if checked(repo, path) and not _skip_dir(path):
            doc = repo.document(path, parse_gomod)
            if doc is not None:
                yield path, doc


def pyprojects(repo: RepoView) -> Iterator[tuple[str, Pyproject]]:
    from ameide_guard.manifests.pyproject import parse_pyproject

    for path in repo.named("pyproject.toml"):
        if checked(repo, path):
            doc = repo.document(path, parse_pyproject)
            if doc is not None:
                yield path, doc


@dataclass
class RequirementsGraph:
    """Every requirements file reached from the named ones through `-r`/`-c`; `constraints`
    holds those reached only as constraints (they pin versions but add no dependency)."""

    files: dict[str, RequirementsFile] = field(default_factory=dict)
    constraints: set[str] = field(default_factory=set)


def requirements_graph(repo: RepoView) -> RequirementsGraph:
    """Follow includes depth-first from each requirements file; a missing include or a cycle is
    an AG900 on the include line (the engine reports an identical problem once)."""
    graph = RequirementsGraph()
    roots = sorted(p for p in repo.files if is_requirements_file(p))
    as_requirement: set[str] = set()

    visited: set[tuple[str, bool]] = set()

    def visit(path: str, chain: tuple[str, ...], constraint: bool) -> None:
        if (path, constraint) in visited:
            return
        visited.add((path, constraint))
        parsed = graph.files.get(path) or repo.document(path, parse_requirements)
        if parsed is None:
            return
        graph.files[path] = parsed
        if not constraint:
            as_requirement.add(path)
        for line in parsed.includes():
            target = include_path(path, line.text)
            if target is None:
                continue
            flag = "-c" if line.constraint else "-r"
            if target in chain:
                cycle = " → ".join((*chain[chain.index(target) :], target))
                repo.problem(
                    path,
                    f"{path}:{line.line}: requirements include cycle {cycle}; pip would recurse "
                    f"forever. Remove `{flag} {line.text}` or the include that leads back here",
                    line.span,
                )
            elif target not in repo.files:
                if not repo.exists_on_disk(target):
                    repo.problem(
                        path,
                        f"{path}:{line.line}: `{flag} {line.text}` includes {target}, which does "
                        "not exist; fix the path or remove the line",
                        line.span,
                    )
            elif len(chain) >= MAX_INCLUDE_DEPTH:
                repo.problem(
                    path,
                    f"{path}:{line.line}: requirements includes nested deeper than "
                    f"{MAX_INCLUDE_DEPTH} files; not followed further",
                    line.span,
                )
            else:
                # pip's rule: `-c` makes a constraints file, `-r` a requirements file, even
                # inside a constraints file (tests/test_requirements.py holds us to pip).
                visit(target, (*chain, target), line.constraint)

    for root in roots:
        visit(root, (root,), False)
    graph.constraints = set(graph.files) - as_requirement
    return graph


# --------------------------------------------------------------------------------------------
# What the rules report


@dataclass(frozen=True)
class Hit:
    path: str
    span: Span
    key: str
    message: str
    per_line: bool = False
    """Each line is its own problem (a requirements option repeated on two lines), rather than
    one per file and key."""


def _findings(ctx: RuleContext, hits: Iterator[Hit]) -> Iterator[Finding]:
    """One finding per (file, key): a poetry dependency with several constraints, or a
    requirements file reached twice, is one problem; a `per_line` hit is one per line."""
    seen: set[tuple[str, str, int]] = set()
    for hit in hits:
        identity = (hit.path, hit.key, hit.span.line if hit.per_line else 0)
        if identity not in seen:
            seen.add(identity)
            yield ctx.finding(hit.path, hit.span, hit.message, key=hit.key)


def pypi_matcher(patterns: tuple[str, ...]) -> ModuleMatcher:
    """Generated-package name patterns, normalised as the names they match are (PEP 503)."""
    return ModuleMatcher(tuple(normalise_name(p) for p in patterns))


def is_buf_python_index(url: str) -> bool:
    return BUF_PYTHON_INDEX.match(url.strip()) is not None


# ---------------------------------------------------------------- AG203


def _generated_npm(repo: RepoView) -> Iterator[Hit]:
    from ameide_guard.manifests.package_json import alias_target

    matcher = ModuleMatcher(repo.config.generated["npm"])
    for path, doc in package_jsons(repo):
        for entry in doc.entries():
            target = alias_target(entry.spec)
            pattern = matcher.match(entry.name) or (target and matcher.match(target))
            via_url = BUF_NPM_URL.search(entry.spec) is not None
            if not pattern and not via_url:
                continue
            what = f"`{entry.key or entry.name}`"
            if target and target != entry.name:
                what += f" (an alias of `{target}`)"
            why = f"matches `{pattern}`" if pattern else "its tarball is served by buf.build/gen"
            yield Hit(
                path,
                entry.span,
                f"{entry.section}:{entry.key or entry.name}",
                f"{_where(entry)} {what} is a Buf-generated package ({why}): only the SDKs "
                f"may depend on BSR stubs. Depend on `{repo.config.sdk_packages['npm']}` "
                "instead and remove this entry.",
            )


def _where(entry: NpmEntry) -> str:
    if entry.parents:
        return f"`{entry.section}` (under `{' > '.join(entry.parents)}`) entry"
    return f"`{entry.section}` entry"


def _generated_go(repo: RepoView) -> Iterator[Hit]:
    matcher = ModuleMatcher(repo.config.generated["go"])
    for path, doc in go_mods(repo):
        for req in doc.requires:
            pattern = matcher.match(req.path)
            if pattern is None or req.indirect:
                continue
            yield Hit(
                path,
                req.span,
                f"require:{req.path}",
                f"`require {req.path} {req.version}` is a Buf-generated module (matches "
                f"`{pattern}`): only the SDKs may depend on BSR stubs. Use "
                f"`{repo.config.sdk_packages['go']}` instead, then `go mod tidy` drops this "
                "require.",
            )


def _generated_python(repo: RepoView) -> Iterator[Hit]:
    matcher = pypi_matcher(repo.config.generated["pypi"])
    sdk = repo.config.sdk_packages["python"]
    advice = f"Depend on `{sdk}` instead and remove this entry."
    index_advice = f"Remove this index: `{sdk}` comes from the regular package index."
    for path, doc in pyprojects(repo):
        for dep in doc.dependencies:
            # uv constraint-dependencies pin versions without adding a dependency (like `-c`)
            constraint = dep.section == "tool.uv.constraint-dependencies"
            pattern = None if constraint else matcher.match(dep.name)
            if pattern:
                yield Hit(
                    path,
                    dep.span,
                    f"{dep.section}:{dep.name}",
                    f"`{dep.section}` entry `{dep.name}` is a Buf-generated package (matches "
                    f"`{pattern}`): only the SDKs may depend on BSR stubs. {advice}",
                )
            url = dep.requirement.url if dep.requirement else None
            if url and is_buf_python_index(url) and not pattern and not constraint:
                yield Hit(
                    path,
                    dep.span,
                    f"{dep.section}:{dep.name}",
                    f"`{dep.section}` entry `{dep.name}` is downloaded from the Buf "
                    f"generated-code registry ({url}). {advice}",
                )
        for source in doc.sources:
            if source.kind in ("url", "index") and is_buf_python_index(source.location):
                yield _buf_index_hit(
                    path, source.span, source.section, source.location, index_advice, source.name
                )
        for index in doc.indexes:
            if is_buf_python_index(index.url):
                yield _buf_index_hit(
                    path,
                    index.span,
                    index.section,
                    index.url,
                    index_advice,
                    index.name or index.url,
                )
    graph = requirements_graph(repo)
    for path, parsed in graph.files.items():
        if not checked(repo, path):
            continue
        for line in parsed.lines:
            if line.kind == "index" and is_buf_python_index(line.text):
                hit = _buf_index_hit(
                    path,
                    line.span,
                    f"--{line.option}",
                    line.text,
                    index_advice,
                    f"--{line.option}:{line.text}",
                )
                yield replace(hit, per_line=True)
            elif line.kind == "requirement" and path not in graph.constraints:
                pattern = matcher.match(line.name) if line.name else None
                url = line.url
                if pattern or (url and is_buf_python_index(url)):
                    why = f"matches `{pattern}`" if pattern else f"downloaded from {url}"
                    yield Hit(
                        path,
                        line.span,
                        f"requirement:{line.name or line.text}",
                        f"requirement `{line.text}` is a Buf-generated package ({why}): "
                        f"only the SDKs may depend on BSR stubs. {advice}",
                    )


def _buf_index_hit(path: str, span: Span, section: str, url: str, advice: str, key: str) -> Hit:
    return Hit(
        path,
        span,
        f"index:{section}:{key}",
        f"`{section}` uses the Buf generated-code index {url}: it exists only to install "
        f"BSR-generated packages, which only the SDKs may depend on. {advice}",
    )


class GeneratedDependency(Rule):
    meta = RuleMeta(
        id="AG203",
        slug="generated-dependency",
        name="GeneratedDependency",
        short="A manifest outside the proto and SDK packages depends on Buf-generated (BSR) "
        "packages or the BSR Python index.",
        default_level=Level.ERROR,
        tags=("architecture", "dependencies"),
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return _triggers(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        for source in (_generated_npm, _generated_go, _generated_python):
            yield from _findings(ctx, source(repo))


def _triggers(path: str) -> bool:
    base = posixpath.basename(path)
    return base in MANIFESTS or is_requirements_file(path) or base.endswith((".txt", ".in"))


# ---------------------------------------------------------------- AG204

_ANY_COMPARATOR = re.compile(r"[xX*](?:\.[xX*]){0,2}|>=0(?:\.0){0,2}(?:-0)?")
"""A comparator every version satisfies: `*`, `x`, `x.x.x`, `>=0`, `>=0.0.0-0`."""
_GIT_PREFIXES = ("git+", "git:", "git://", "github:", "gitlab:", "bitbucket:", "gist:")
_GITHUB_SHORTHAND = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:#.*)?")
_DIST_TAG = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")


def npm_unreleased(spec: str) -> str | None:
    """Why an npm spec is not a released version (None if it is a semver range or version)."""
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
    from ameide_guard.manifests.pyproject import parse_pyproject

    sdk = normalise_name(repo.config.sdk_packages["python"])
    for path in repo.named("pyproject.toml"):
        if repo.zone(path) is Zone.SDK:
            doc = repo.document(path, parse_pyproject)
            if doc is not None and doc.name and normalise_name(doc.name) == sdk:
                version = (doc.data.get("project") or {}).get("version")
                return version if isinstance(version, str) else None
    return None


def _unpinned_npm(repo: RepoView) -> Iterator[Hit]:
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
                f"{_where(entry)} `{entry.key or entry.name}` takes the SDK `{sdk}` from "
                f"{reason}: services must build against a released SDK. Use a released "
                f'version instead, e.g. `"{entry.key or entry.name}": {_suggest_npm(repo)}`.',
            )


def _unpinned_go(repo: RepoView) -> Iterator[Hit]:
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
        return _triggers(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        for source in (_unpinned_npm, _unpinned_go, _unpinned_python):
            yield from _findings(ctx, source(repo))
