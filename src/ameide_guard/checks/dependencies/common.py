"""What the dependency rules (AG201-AG204) share: which manifests are read, and how a hit
becomes a finding."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from ameide_guard.model import Finding, Span, Zone
from ameide_guard.rule import RuleContext
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:  # the readers are imported when the rules run, not when the registry loads
    from ameide_guard.manifests.gomod import GoModFile
    from ameide_guard.manifests.package_json import NpmEntry, PackageJson
    from ameide_guard.manifests.pyproject import Pyproject
    from ameide_guard.manifests.requirements import ReqLine, RequirementsFile


T = TypeVar("T")

MANIFESTS = ("package.json", "go.mod", "pyproject.toml", ".npmrc")


BUF_HOST = r"(?i:buf\.build)"
"""The Buf registry's host, matched without regard to case: hosts are case-insensitive
(RFC 3986 section 3.2.2), so `https://BUF.build/gen/python` is the same index. Paths stay
case-sensitive. Every URL pattern below is built on it."""


BUF_PYTHON_INDEX = re.compile(rf"^(?:[A-Za-z+]+://)?(?:[^/@]*@)?{BUF_HOST}/gen/python(?:[/?#]|$)")


BUF_NPM_URL = re.compile(rf"(?<![\w.-]){BUF_HOST}/gen/npm/")
"""The Buf npm registry anywhere in a spec or URL, as a whole host (not `notbuf.build`)."""


MAX_INCLUDE_DEPTH = 64


def checked(repo: RepoView, path: str) -> bool:
    """Manifests in the proto and SDK zones may depend on generated code and on each other."""
    return repo.zone(path) not in (Zone.PROTO, Zone.SDK, Zone.EXCLUDED)


def _skip_dir(path: str) -> bool:
    return "testdata" in path.split("/") or "node_modules" in path.split("/")


def documents(
    repo: RepoView,
    names: tuple[str, ...],
    parse: Callable[[str, str], T],
    keep: Callable[[str], bool],
) -> Iterator[tuple[str, T]]:
    """Each file named `names` that `keep` accepts, parsed once through the repository view
    (an unreadable one is AG900 there and left out here)."""
    for path in repo.named(*names):
        if keep(path):
            doc = repo.document(path, parse)
            if doc is not None:
                yield path, doc


def _service_manifest(repo: RepoView) -> Callable[[str], bool]:
    return lambda path: checked(repo, path) and not _skip_dir(path)


def package_jsons(repo: RepoView) -> Iterator[tuple[str, PackageJson]]:
    # lazy: readers load when the rule runs, not with the registry (50 -> 20 ms)
    from ameide_guard.manifests.package_json import parse_package_json

    return documents(repo, ("package.json",), parse_package_json, _service_manifest(repo))


def go_mods(repo: RepoView) -> Iterator[tuple[str, GoModFile]]:
    # lazy: readers load when the rule runs, not with the registry (50 -> 20 ms)
    from ameide_guard.manifests.gomod import parse_gomod

    return documents(repo, ("go.mod",), parse_gomod, _service_manifest(repo))


def pyprojects(repo: RepoView) -> Iterator[tuple[str, Pyproject]]:
    # lazy: readers load when the rule runs, not with the registry (50 -> 20 ms)
    from ameide_guard.manifests.pyproject import parse_pyproject

    return documents(repo, ("pyproject.toml",), parse_pyproject, lambda p: checked(repo, p))


@dataclass
class RequirementsGraph:
    """Every requirements file reached from the named ones through `-r`/`-c`; `constraints`
    holds those reached only as constraints (they pin versions but add no dependency)."""

    files: dict[str, RequirementsFile] = field(default_factory=dict)
    constraints: set[str] = field(default_factory=set)


def requirements_graph(repo: RepoView) -> RequirementsGraph:
    """Follow includes depth-first from each requirements file; a missing include or a cycle is
    an AG900 on the include line (the engine reports an identical problem once)."""
    # lazy: requirements and packaging (23 ms) load when the rule runs, not with the registry
    from ameide_guard.manifests.requirements import (
        include_path,
        is_requirements_file,
        parse_requirements,
    )

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
            if _bad_include(repo, path, line, target, chain):
                continue
            # pip's rule: `-c` makes a constraints file, `-r` a requirements file, even
            # inside a constraints file (tests/test_requirements.py holds us to pip).
            visit(target, (*chain, target), line.constraint)

    for root in roots:
        visit(root, (root,), False)
    graph.constraints = set(graph.files) - as_requirement
    return graph


def _bad_include(
    repo: RepoView, path: str, line: ReqLine, target: str, chain: tuple[str, ...]
) -> bool:
    """Report an include that cannot be followed (a cycle, a missing file, too deep); False
    for one to follow."""
    flag = "-c" if line.constraint else "-r"
    if target in chain:
        cycle = " → ".join((*chain[chain.index(target) :], target))
        repo.problem(
            path,
            f"{path}:{line.line}: requirements include cycle {cycle}; pip would recurse "
            f"forever. Remove `{flag} {line.text}` or the include that leads back here",
            line.span,
        )
        return True
    if target not in repo.files:
        if not repo.exists_on_disk(target):
            repo.problem(
                path,
                f"{path}:{line.line}: `{flag} {line.text}` includes {target}, which does "
                "not exist; fix the path or remove the line",
                line.span,
            )
        return True
    if len(chain) >= MAX_INCLUDE_DEPTH:
        repo.problem(
            path,
            f"{path}:{line.line}: requirements includes nested deeper than "
            f"{MAX_INCLUDE_DEPTH} files; not followed further",
            line.span,
        )
        return True
    return False


@dataclass(frozen=True)
class Hit:
    path: str
    span: Span
    key: str
    message: str
    per_line: bool = False
    """Each line is its own problem (a requirements option repeated on two lines), rather than
    one per file and key."""


def hit_findings(ctx: RuleContext, hits: Iterator[Hit]) -> Iterator[Finding]:
    """One finding per (file, key): a poetry dependency with several constraints, or a
    requirements file reached twice, is one problem; a `per_line` hit is one per line."""
    seen: set[tuple[str, str, int]] = set()
    for hit in hits:
        identity = (hit.path, hit.key, hit.span.line if hit.per_line else 0)
        if identity not in seen:
            seen.add(identity)
            yield ctx.finding(hit.path, hit.span, hit.message, key=hit.key)


def is_buf_python_index(url: str) -> bool:
    return BUF_PYTHON_INDEX.match(url.strip()) is not None


def is_dependency_input(path: str) -> bool:
    # lazy: requirements and packaging (23 ms) load when the rule runs, not with the registry
    from ameide_guard.manifests.requirements import is_requirements_file

    base = posixpath.basename(path)
    return base in MANIFESTS or is_requirements_file(path) or base.endswith((".txt", ".in"))


GO_FILES = ("go.mod", "go.work")


def go_files(repo: RepoView) -> Iterator[tuple[str, GoModFile]]:
    """Every go.mod and go.work Go would build from, parsed once (AG900 for unreadable ones)."""
    # lazy: readers load when the rule runs, not with the registry
    from ameide_guard.manifests.gomod import parse_gomod

    return documents(repo, GO_FILES, parse_gomod, lambda p: "testdata" not in p.split("/"))


def entry_where(entry: NpmEntry) -> str:
    if entry.parents:
        return f"`{entry.section}` (under `{' > '.join(entry.parents)}`) entry"
    return f"`{entry.section}` entry"
