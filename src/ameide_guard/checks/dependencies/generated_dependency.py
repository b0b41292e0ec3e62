"""AG203 generated-dependency: a manifest outside proto/sdk depends on BSR-generated packages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ameide_guard.checks.dependencies.common import (
    BUF_NPM_URL,
    Hit,
    checked,
    documents,
    entry_where,
    go_mods,
    hit_findings,
    is_buf_python_index,
    is_dependency_input,
    package_jsons,
    pyprojects,
    requirements_graph,
)
from ameide_guard.formats.globs import ModuleMatcher
from ameide_guard.model import Finding, Level, Span, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:  # the readers are imported when the rules run, not when the registry loads
    from ameide_guard.manifests.pyproject import Pyproject


def pypi_matcher(patterns: tuple[str, ...]) -> ModuleMatcher:
    """Generated-package name patterns, normalised as the names they match are (PEP 503)."""
    # lazy: requirements and packaging (23 ms) load when the rule runs, not with the registry
    from ameide_guard.manifests.requirements import normalise_name

    return ModuleMatcher(tuple(normalise_name(p) for p in patterns))


def _generated_npm(repo: RepoView) -> Iterator[Hit]:
    # lazy: readers load when the rule runs, not with the registry
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
                f"{entry_where(entry)} {what} is a Buf-generated package ({why}): only the SDKs "
                f"may depend on BSR stubs. Depend on `{repo.config.sdk_packages['npm']}` "
                "instead and remove this entry.",
            )


def _generated_npmrc(repo: RepoView) -> Iterator[Hit]:
    """An `.npmrc` that sends a scope (or every package) to the Buf npm registry: the twin of a
    Python index under buf.build/gen/python."""
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.npmrc import parse_npmrc_registries

    sdk = repo.config.sdk_packages["npm"]
    npmrcs = documents(repo, (".npmrc",), parse_npmrc_registries, lambda p: checked(repo, p))
    for path, mappings in npmrcs:
        for mapping in mappings:
            if BUF_NPM_URL.search(mapping.url) is None:
                continue
            what = f"the `{mapping.scope}` scope" if mapping.scope else "every package"
            yield Hit(
                path,
                mapping.span,
                f"npmrc:{mapping.scope or 'registry'}",
                f"`.npmrc` sends {what} to the Buf generated-code registry ({mapping.url}): "
                f"only the SDKs may install BSR stubs. Remove this line and depend on `{sdk}`.",
            )


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
    """pyproject.toml dependencies and indexes, then requirements files."""
    matcher = pypi_matcher(repo.config.generated["pypi"])
    sdk = repo.config.sdk_packages["python"]
    advice = f"Depend on `{sdk}` instead and remove this entry."
    index_advice = f"Remove this index: `{sdk}` comes from the regular package index."
    for path, doc in pyprojects(repo):
        yield from _pyproject_hits(path, doc, matcher, advice, index_advice)
    yield from _requirements_hits(repo, matcher, advice, index_advice)


def _pyproject_hits(
    path: str, doc: Pyproject, matcher: ModuleMatcher, advice: str, index_advice: str
) -> Iterator[Hit]:
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
            key = index.name or index.url
            yield _buf_index_hit(path, index.span, index.section, index.url, index_advice, key)


def _requirements_hits(
    repo: RepoView, matcher: ModuleMatcher, advice: str, index_advice: str
) -> Iterator[Hit]:
    graph = requirements_graph(repo)
    for path, parsed in graph.files.items():
        if not checked(repo, path):
            continue
        for line in parsed.lines:
            if line.kind == "index" and is_buf_python_index(line.text):
                option = f"--{line.option}"
                key = f"{option}:{line.text}"
                hit = _buf_index_hit(path, line.span, option, line.text, index_advice, key)
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
        "packages, the BSR Python index or (in .npmrc) the BSR npm registry.",
        default_level=Level.ERROR,
        tags=("architecture", "dependencies"),
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_dependency_input(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        for source in (_generated_npm, _generated_npmrc, _generated_go, _generated_python):
            yield from hit_findings(ctx, source(repo))
