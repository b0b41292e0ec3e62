"""pnpm's `satisfiesPackageManifest` (lockfile-utils in pnpm 8.15.9, lockfile/verification in
9.15.9 and 10.34.9, the same rules in all three): does one importer of pnpm-lock.yaml still
satisfy its package.json? `pnpm install --frozen-lockfile` asks it of every project and refuses
the lockfile (ERR_PNPM_OUTDATED_LOCKFILE) at the first that does not. Its conditions, in order,
each unmet one reported here as a `Drift`:

1. specifiers: the sections merged as pnpm merges them (devDependencies, then dependencies, then
   optionalDependencies, each overriding the one before; with autoInstallPeers the
   peerDependencies underneath all three) equal the importer's `specifiers`, name for name;
2. `publishConfig.directory` is the importer's `publishDirectory`;
3. `dependenciesMeta` deep-equals the importer's;
4. each section holds the names that count there: a name in optionalDependencies counts only
   there, one in dependencies only there unless it is optional too, devDependencies the rest;
   with autoInstallPeers, a peer no section lists counts under dependencies. Each must be
   recorded in that section with the manifest's range; the section may hold nothing else except,
   when the counts say so, `link:`/`file:` references.

With excludeLinksFromLockfile, `link:` specifiers are left out of 1 and 4. A name listed in
dependencies and devDependencies is thus recorded once, under dependencies, and its
devDependencies range is not compared at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ameide_guard.checks.lockfiles.verdicts.base import Drift, compare
from ameide_guard.lockfiles import pnpm
from ameide_guard.manifests.package_json import PackageJson

PRECEDENCE = ("optionalDependencies", "dependencies", "devDependencies")
"""pnpm's DEPENDENCIES_FIELDS: a name counts in the first of these that lists it."""


def manifest_sections(
    specs: dict[str, dict[str, str]], auto_install_peers: bool
) -> dict[str, dict[str, str]]:
    """The sections as `satisfiesPackageManifest` sees them, from the four of package.json (as
    pnpm's overrides left them): with autoInstallPeers, a peer dependency no other section lists
    is a dependency (with its peer range)."""
    sections = {s: dict(specs.get(s, {})) for s in pnpm.SECTIONS}
    if auto_install_peers:
        listed = {n for s in sections.values() for n in s}
        peers = {n: r for n, r in specs.get("peerDependencies", {}).items() if n not in listed}
        sections["dependencies"] = {**peers, **sections["dependencies"]}
    return sections


def counted_names(sections: dict[str, dict[str, str]], section: str) -> list[str]:
    """The names that count under `section` (pnpm tests the higher sections' entries for
    truthiness, so an empty range there does not take a name away)."""
    higher = PRECEDENCE[: PRECEDENCE.index(section)]
    return [n for n in sections[section] if not any(sections[h].get(n) for h in higher)]


def _not_link(specs: dict[str, str], exclude_links: bool) -> dict[str, str]:
    if not exclude_links:
        return specs
    return {n: s for n, s in specs.items() if not s.startswith("link:")}


def _js_equal(a: Any, b: Any) -> bool:
    """ramda's `equals` on JSON/YAML values: deep, key order ignored, `true` is not `1`."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_js_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_js_equal, a, b))
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, numbers):
        return type(a) is type(b) and a == b
    return isinstance(b, numbers) and a == b


def _json(value: Any) -> str:
    return f"`{json.dumps(value, sort_keys=True, separators=(', ', ': '))}`"


class _Importer:
    """One project against its importer; `drifts()` yields what pnpm would refuse."""

    def __init__(
        self,
        doc: PackageJson,
        specs: dict[str, dict[str, str]],
        importer: pnpm.PnpmImporter,
        where: tuple[str, str],
        options: tuple[bool, bool],
    ) -> None:
        self.doc, self.importer = doc, importer
        self.lock_path, self.manifest = where
        auto_install_peers, self.exclude_links = options
        self.sections = manifest_sections(specs, auto_install_peers)
        declared = specs.get("dependencies", {})
        self.peers = set(self.sections["dependencies"]) - set(declared)
        self.counted = {s: counted_names(self.sections, s) for s in PRECEDENCE}
        self.counts = {n: s for s in reversed(PRECEDENCE) for n in self.counted[s]}
        self.reported: set[str] = set()

    def drift(self, subject: str, how: str, declared: str = "", locked: str = "") -> Drift:
        self.reported.add(subject)
        return Drift(
            "pnpm",
            self.lock_path,
            self.manifest,
            subject,
            how,
            declared,
            locked,
            self.importer.line,
        )

    def listed(self, name: str) -> str:
        """Where the manifest lists `name`, for messages: the section it counts under, and the
        sections pnpm then ignores."""
        section = self.counts.get(name, "")
        if name in self.peers:
            return "peerDependencies (installed as a dependency: autoInstallPeers)"
        written = self.doc.specs(section).get(name)
        if written is not None and written != self.sections[section][name]:
            section = f"{section} (written `{written}`, replaced by the overrides)"
        others = [s for s in PRECEDENCE if s != self.counts.get(name) and name in self.sections[s]]
        if not others:
            return section
        return f"{section} (and in {' and '.join(others)}, which pnpm then ignores)"

    def drifts(self) -> Iterator[Drift]:
        yield from self.specifier_drifts()
        yield from self.field_drifts()
        for section in PRECEDENCE:
            yield from self.section_drifts(section)

    def specifier_drifts(self) -> Iterator[Drift]:
        declared: dict[str, str] = {}
        for section in reversed(PRECEDENCE):
            declared.update(self.sections[section])
        declared = _not_link(declared, self.exclude_links)
        locked = _not_link(self.importer.specifiers, self.exclude_links)

        def label(name: str) -> str:
            return self.listed(name) if name in declared else self.importer.section_of(name) or ""

        for name, how, mine, theirs in compare(declared, locked, label):
            yield self.drift(name, how, mine, theirs)

    def field_drifts(self) -> Iterator[Drift]:
        publish = self.doc.data.get("publishConfig")
        directory = publish.get("directory") if isinstance(publish, dict) else None
        if directory != self.importer.publish_directory:
            yield self.drift(
                "publishConfig.directory",
                "field",
                "not set" if directory is None else f"`{directory}`",
                "no `publishDirectory`"
                if self.importer.publish_directory is None
                else f"`publishDirectory: {self.importer.publish_directory}`",
            )
        mine, theirs = self.doc.data.get("dependenciesMeta"), self.importer.dependencies_meta
        mine, theirs = {} if mine is None else mine, {} if theirs is None else theirs
        if _js_equal(mine, theirs):
            return
        if not isinstance(mine, dict) or not isinstance(theirs, dict):
            yield self.drift("dependenciesMeta", "field", _json(mine), _json(theirs))
            return
        for name in sorted(mine.keys() | theirs.keys()):
            if name not in mine or name not in theirs or not _js_equal(mine[name], theirs[name]):
                yield self.drift(
                    f"dependenciesMeta.{name}",
                    "field",
                    _json(mine[name]) if name in mine else "not set",
                    _json(theirs[name]) if name in theirs else "none",
                )

    def section_drifts(self, section: str) -> Iterator[Drift]:
        names = self.counted[section]
        specs = _not_link(self.sections[section], self.exclude_links)
        names = [n for n in names if n in specs]
        locked = self.importer.sections[section]
        linked = [r for r in locked.values() if "link:" in r or "file:" in r]
        count_ok = len(names) in (len(locked), len(locked) - len(linked))
        for name in names:
            if name in self.reported:
                continue
            if not locked.get(name):
                recorded = self.importer.section_of(name) or "no dependency section"
                yield self.drift(name, "section", self.listed(name), recorded)
            elif self.importer.specifiers.get(name) != specs[name]:
                for subject, how, mine, theirs in compare(
                    {name: specs[name]}, {name: self.importer.specifiers.get(name, "")}, section
                ):
                    yield self.drift(subject, how, mine, theirs)
        if count_ok:
            return
        for name in sorted(set(locked) - set(names) - self.reported):
            where = self.listed(name) if name in self.counts else "no dependency section"
            yield self.drift(name, "section", where, section)


def importer_drifts(
    doc: PackageJson,
    specs: dict[str, dict[str, str]],
    importer: pnpm.PnpmImporter,
    where: tuple[str, str],
    options: tuple[bool, bool],
) -> Iterator[Drift]:
    """What pnpm's `satisfiesPackageManifest` finds unsatisfied: `specs` are `doc`'s four
    dependency sections after pnpm's overrides, `where` is (lockfile path, package.json path),
    `options` (autoInstallPeers, excludeLinksFromLockfile) as configured."""
    return _Importer(doc, specs, importer, where, options).drifts()
