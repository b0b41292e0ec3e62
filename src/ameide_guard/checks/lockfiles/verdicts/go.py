"""Go: the hashes go.sum (and go.work.sum in workspace mode) must hold for each requirement of a
go.mod, after go.work's and the module's replacements."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ameide_guard.checks.lockfiles.verdicts.base import Drift, Missing
from ameide_guard.lockfiles.gosum import GoSum, parse_gosum
from ameide_guard.lockfiles.workspace import dir_of, join
from ameide_guard.manifests.gomod import GoModFile, GoReplace, GoRequire, parse_gomod
from ameide_guard.scan.repo import RepoView


@dataclass(frozen=True)
class GoWorkspace:
    path: str
    replaces: tuple[GoReplace, ...]
    modules: frozenset[str]
    """Module paths of the used modules: requiring one needs no checksum in workspace mode."""


def go_workspaces(repo: RepoView) -> dict[str, GoWorkspace]:
    """Module directory → the go.work that uses it."""
    out: dict[str, GoWorkspace] = {}
    for work in repo.named("go.work"):
        doc = repo.document(work, parse_gomod)
        if doc is None:
            continue
        dirs = [posixpath.normpath(join(dir_of(work), use)) for use, _span in doc.uses]
        mods = (repo.document(join("" if d == "." else d, "go.mod"), parse_gomod) for d in dirs)
        modules = frozenset(m.module for m in mods if m is not None and m.module)
        for directory in dirs:
            out[directory] = GoWorkspace(work, doc.replaces, modules)
    return out


def _replacement(replaces: Iterable[GoReplace], req: GoRequire) -> GoReplace | None:
    """The replace that applies to `req`: a versioned one for its exact version wins."""
    matching = [r for r in replaces if r.old == req.path]
    exact = [r for r in matching if r.old_version == req.version]
    candidates = exact or [r for r in matching if r.old_version is None]
    return candidates[0] if candidates else None


def summed_version(
    req: GoRequire, mod: GoModFile, ws: GoWorkspace | None
) -> tuple[str, str] | None:
    """The module version whose hashes go needs for `req` after replacements (go.work's first,
    as go applies them), or None when it needs none (a directory replacement, or another module
    of the workspace)."""
    if ws is not None and req.path in ws.modules:
        return None
    for replaces in ((ws.replaces if ws else ()), mod.replaces):
        found = _replacement(replaces, req)
        if found is not None:
            return None if found.new_version is None else (found.new, found.new_version)
    return (req.path, req.version)


def go_results(repo: RepoView) -> Iterator[Drift | Missing]:
    workspaces = go_workspaces(repo)
    for gomod in repo.named("go.mod"):
        directory = dir_of(gomod) or "."
        mod = repo.document(gomod, parse_gomod)
        if mod is None or not mod.requires:
            continue
        ws = workspaces.get(directory)
        needed = [(req, summed_version(req, mod, ws)) for req in mod.requires]
        own = join(dir_of(gomod), "go.sum")
        candidates = [own]
        if ws is not None:
            candidates.append(join(dir_of(ws.path), "go.work.sum"))
            candidates += [
                join("" if d == "." else d, "go.sum") for d, w in workspaces.items() if w == ws
            ]
        present = [p for p in dict.fromkeys(candidates) if repo.exists(p)]
        if not present:
            first = next((req for req, key in needed if key is not None), None)
            if first is not None:
                yield Missing("go", gomod, (own,), first.span)
            continue
        loaded = [repo.document(p, parse_gosum) for p in present]
        if any(s is None for s in loaded):
            continue
        report_at = own if repo.exists(own) else present[0]
        sums = [s for s in loaded if s is not None]
        yield from _go_drifts(gomod, report_at, needed, sums, prunes_graph(mod.go))


def prunes_graph(go: str | None) -> bool:
    """True for `go 1.17` and later (a missing directive means 1.16): such a go.mod lists every
    module that provides a package to the build, `// indirect` ones included, so go needs a module
    hash for each; before 1.17 an indirect requirement may only raise a version."""
    found = re.match(r"(\d+)\.(\d+)", go or "")
    return found is not None and (int(found[1]), int(found[2])) >= (1, 17)


def _go_drifts(
    gomod: str,
    sum_path: str,
    needed: Iterable[tuple[GoRequire, tuple[str, str] | None]],
    sums: list[GoSum],
    pruned: bool,
) -> Iterator[Drift]:
    zips = frozenset().union(*(s.zips for s in sums))
    gomods = frozenset().union(*(s.gomods for s in sums))
    for req, key in needed:
        if key is None:
            continue
        missing = [] if key in gomods else ["`/go.mod` hash"]
        if (pruned or not req.indirect) and key not in zips:
            missing.append("module hash")
        if not missing:
            continue
        module, version = key
        others = sorted({v for s in sums for v in s.versions(module)} - {version})
        how = "changed" if others else "added"
        via = "" if key == (req.path, req.version) else f" (replaced by {module} {version})"
        declared = f"`{req.version}`{via} (no " + " and no ".join(missing) + " in the sums)"
        yield Drift(
            "go", sum_path, gomod, req.path, how, declared, ", ".join(f"`{v}`" for v in others)
        )
