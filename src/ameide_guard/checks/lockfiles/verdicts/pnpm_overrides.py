"""pnpm's overrides: what it records as the lockfile's `overrides:` (its
`getOptionsFromRootManifest`) and how it rewrites each project's package.json with them before
comparing it with its importer (the versions overrider of its read-package hook, pnpm 8.15.9,
9.15.9 and 10.34.9 read).

A project's dependency (in any of the four sections) is overridden by the most specific
override whose target names it: a parent-scoped one (`parent>name`) only in the project called
`parent`, a target range (`name@^6`) only when it intersects the dependency's range. `-` deletes
the dependency, `link:`/`file:` paths are made relative to the project, `catalog:` takes the
catalog's range. Where deciding needs semver (a range intersection, a version satisfying a
parent range, two overrides competing), the outcome the lockfile records is taken when it is one
of the possible ones: such a case is never reported, whichever way pnpm decides.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ameide_guard.lockfiles.workspace import join, relative
from ameide_guard.manifests.package_json import PackageJson, split_name_range

DELETE = "-"
_DELIMITER = re.compile(r"[^ |@]>")
_NOT_A_RANGE = re.compile(r"[:/\\]|^(?![vxX])[A-Za-z][A-Za-z0-9._-]*$")
"""A protocol, a path or a dist-tag: never a semver range (pnpm's `semver.validRange` fails)."""


def pnpm_overrides(doc: PackageJson) -> dict[str, str]:
    """The overrides pnpm records in the lockfile, as its `getOptionsFromRootManifest` reads the
    root package.json (pnpm 8, 9 and 10): yarn's `resolutions`, `pnpm.overrides` over them, and a
    `$name` spec replaced by the root's own range for `name` (an unknown name stays as written:
    pnpm then fails with ERR_PNPM_CANNOT_RESOLVE_OVERRIDE_VERSION)."""
    merged = {e.key: e.spec for e in doc.overrides if e.section == "resolutions"}
    merged.update({e.key: e.spec for e in doc.overrides if e.section == "pnpm.overrides"})
    direct = {
        **doc.specs("devDependencies"),
        **doc.specs("dependencies"),
        **doc.specs("optionalDependencies"),
    }
    return {
        key: (direct.get(spec[1:]) or spec) if spec.startswith("$") else spec
        for key, spec in merged.items()
    }


@dataclass(frozen=True)
class Override:
    target: str
    target_range: str
    parent: str | None
    parent_range: str
    spec: str


def parse_overrides(
    overrides: dict[str, str], catalogs: dict[str, dict[str, str]]
) -> list[Override]:
    """pnpm's `parseOverrides`: `parent@range>target@range` selectors; a `catalog:` spec is the
    catalog's range for the target (kept as written when the catalog has none)."""
    out = []
    for selector, spec in overrides.items():
        found = _DELIMITER.search(selector)
        parent, child = None, selector
        if found is not None:
            parent, child = selector[: found.start() + 1], selector[found.start() + 2 :]
        target, target_range = split_name_range(child)
        parent_name, parent_range = split_name_range(parent) if parent else (None, "")
        if spec.startswith("catalog:"):
            catalog = spec[len("catalog:") :] or "default"
            spec = catalogs.get(catalog, {}).get(target, spec)
        out.append(Override(target, target_range, parent_name, parent_range, spec))
    return out


def _intersects(selector_range: str, spec: str) -> bool | None:
    """pnpm's `isIntersectingRange`; None when only semver could tell."""
    if not selector_range or selector_range == spec:
        return True
    if _NOT_A_RANGE.search(spec) or _NOT_A_RANGE.search(selector_range):
        return False
    return None


def _applies_to_project(override: Override, name: str | None, version: object) -> bool | None:
    if override.parent != name:
        return False
    if not override.parent_range or override.parent_range in (str(version), "*"):
        return True
    return None


@dataclass(frozen=True)
class Project:
    """Where a project sits (for `link:`/`file:` targets) and what pnpm knows of it."""

    name: str | None
    version: object
    directory: str
    """The project's directory, repository-relative."""
    root: str
    """The lockfile's directory, repository-relative."""


def _new_spec(override: Override, project: Project) -> str:
    for protocol in ("link:", "file:"):
        if override.spec.startswith(protocol):
            path = override.spec[len(protocol) :]
            if path.startswith("/"):
                return override.spec
            target = posixpath.normpath(join(project.root, path))
            return protocol + relative(target, posixpath.normpath(project.directory))
    return override.spec


def _both(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued `and`: False wins, then None (undecidable)."""
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _outcomes(
    overrides: list[Override], project: Project, name: str, spec: str
) -> list[str | None]:
    """The specs pnpm may give `name` (None: deleted), the certain one first. Parent-scoped
    overrides that apply win over the others, as pnpm's `overrideDeps` picks them."""
    results: list[str | None] = []
    for scoped in (True, False):
        certain: list[Override] = []
        maybe: list[Override] = []
        for o in overrides:
            if o.target != name or (o.parent is not None) != scoped:
                continue
            applies = _intersects(o.target_range, spec)
            if scoped:
                applies = _both(applies, _applies_to_project(o, project.name, project.version))
            if applies is not False:
                (certain if applies else maybe).append(o)
        results += [None if o.spec == DELETE else _new_spec(o, project) for o in certain + maybe]
        if certain:
            return list(dict.fromkeys(results))
    return list(dict.fromkeys([*results, spec]))


def override_sections(
    doc: PackageJson,
    overrides: list[Override],
    project: Project,
    locked: dict[str, str],
) -> dict[str, dict[str, str]]:
    """The four dependency sections of `doc` as pnpm's versions overrider leaves them; `locked`
    (the importer's specifiers) picks among outcomes only semver could tell apart."""
    out: dict[str, dict[str, str]] = {}
    for section in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        out[section] = {}
        for name, spec in doc.specs(section).items():
            outcomes = _outcomes(overrides, project, name, spec) if overrides else [spec]
            theirs = locked.get(name)
            chosen = theirs if theirs in outcomes else outcomes[0]
            if chosen is not None:
                out[section][name] = chosen
    return out
