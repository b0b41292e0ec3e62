"""Seeded pnpm manifest variants for the differential test of pnpm's `satisfiesPackageManifest`
(test_lockfiles_differential.py, `test_pnpm_seeded_variants`).

`base(rng)` draws a package.json over the synthetic packages of `PACKAGES` (served by
tests/npm_registry.py, so pnpm locks it offline): names placed in one, two or all three
dependency sections (with the same or different ranges), peers alone or next to a
devDependency, a `link:` dependency, sometimes `dependenciesMeta`, `publishConfig.directory` and
overrides, sometimes an `.npmrc` turning autoInstallPeers off or excludeLinksFromLockfile on.
After pnpm has locked it, `mutate(rng, manifest)` edits the manifest only, one or two edits a
variant: a range changed in the section that counts or in one pnpm ignores, a name added to,
dropped from or moved between sections, a new name, a peer added, `dependenciesMeta`,
`publishConfig.directory` or an override (`pnpm.overrides` or `resolutions`) set, changed or
dropped. Every draw comes from `rng`, so a seed reproduces a variant exactly, and another seed
draws other variants.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
PACKAGES = {
    "alpha": ("1.0.0", "1.1.0", "2.0.0"),
    "beta": ("1.0.0", "1.2.0"),
    "gamma": ("1.0.0", "1.5.0"),
    "delta": ("0.1.0", "0.2.0"),
    "eps": ("3.0.0",),
}
"""Name → versions of the synthetic registry (beta depends on alpha ^1.0.0)."""
PACKAGE_DEPENDENCIES = {"beta": {"alpha": "^1.0.0"}}
RANGES = {
    "alpha": ("^1.0.0", "~1.1.0", "^2.0.0", "1.0.0", ">=1.0.0 <2.0.0"),
    "beta": ("^1.0.0", "1.2.0", "~1.0.0"),
    "gamma": ("^1.0.0", "1.5.0", "*"),
    "delta": ("^0.1.0", "0.2.0", "~0.2.0"),
    "eps": ("^3.0.0", "3.0.0", "latest"),
}
PLACEMENTS = (
    ("dependencies",),
    ("devDependencies",),
    ("optionalDependencies",),
    ("dependencies", "devDependencies"),
    ("dependencies", "optionalDependencies"),
    ("devDependencies", "optionalDependencies"),
    ("dependencies", "devDependencies", "optionalDependencies"),
    ("peerDependencies",),
    ("peerDependencies", "devDependencies"),
)
LINK = "local"
"""A `link:./local` dependency (the directory is written next to package.json)."""
NPMRC = ("", "auto-install-peers=false\n", "exclude-links-from-lockfile=true\n")

Manifest = dict[str, Any]


def _range(rng: random.Random, name: str, section: str) -> str:
    """A range for `name`; peers take semver ranges only (pnpm 10 refuses a dist-tag there)."""
    ranges = RANGES[name]
    if section == "peerDependencies":
        ranges = tuple(r for r in ranges if r != "latest")
    return rng.choice(ranges)


def base(rng: random.Random) -> tuple[Manifest, str]:
    """A package.json and the .npmrc written with it (maybe empty)."""
    manifest: Manifest = {"name": "variant", "version": "1.0.0", "private": True}
    for name in rng.sample(sorted(RANGES), k=rng.randint(2, 4)):
        first = _range(rng, name, "peerDependencies")
        for section in rng.choice(PLACEMENTS):
            same = rng.random() < 0.6
            manifest.setdefault(section, {})[name] = first if same else _range(rng, name, section)
    if rng.random() < 0.35:
        manifest.setdefault(rng.choice(SECTIONS), {})[LINK] = f"link:./{LINK}"
    if rng.random() < 0.3:
        manifest["dependenciesMeta"] = {rng.choice(sorted(RANGES)): {"injected": True}}
    if rng.random() < 0.3:
        manifest["publishConfig"] = {"directory": "dist"}
    if rng.random() < 0.4:
        _override(rng, manifest)
    return manifest, rng.choice(NPMRC)


def _listed(manifest: Manifest) -> list[tuple[str, str]]:
    return [
        (section, name)
        for section in (*SECTIONS, "peerDependencies")
        for name in manifest.get(section, {})
        if name != LINK
    ]


def _drop(manifest: Manifest, section: str, name: str) -> None:
    del manifest[section][name]
    if not manifest[section]:
        del manifest[section]


def _change_range(rng: random.Random, m: Manifest) -> str:
    section, name = rng.choice(_listed(m))
    others = [r for r in RANGES[name] if r != m[section][name]]
    if section == "peerDependencies":
        others = [r for r in others if r != "latest"]
    m[section][name] = rng.choice(others)
    return f"{section}.{name} → {m[section][name]}"


def _add_to_section(rng: random.Random, m: Manifest) -> str:
    section, name = rng.choice(_listed(m))
    target = rng.choice([s for s in SECTIONS if name not in m.get(s, {})] or [section])
    spec = m[section][name] if rng.random() < 0.6 else _range(rng, name, target)
    m.setdefault(target, {})[name] = spec
    return f"{name} also in {target} ({spec})"


def _drop_from_section(rng: random.Random, m: Manifest) -> str:
    section, name = rng.choice(_listed(m))
    _drop(m, section, name)
    return f"{name} dropped from {section}"


def _move(rng: random.Random, m: Manifest) -> str:
    section, name = rng.choice(_listed(m))
    target = rng.choice([s for s in SECTIONS if s != section])
    spec = m[section][name]
    _drop(m, section, name)
    m.setdefault(target, {})[name] = spec
    return f"{name} moved {section} → {target}"


def _add_new(rng: random.Random, m: Manifest) -> str:
    listed = {n for _, n in _listed(m)}
    name = rng.choice([n for n in sorted(RANGES) if n not in listed] or sorted(RANGES))
    section = rng.choice((*SECTIONS, "peerDependencies"))
    m.setdefault(section, {})[name] = _range(rng, name, section)
    return f"{name} added to {section}"


def _peer(rng: random.Random, m: Manifest) -> str:
    name = rng.choice(sorted(RANGES))
    m.setdefault("peerDependencies", {})[name] = _range(rng, name, "peerDependencies")
    return f"peer {name}"


def _meta(rng: random.Random, m: Manifest) -> str:
    choice = rng.choice(("set", "injected false", "drop"))
    if choice == "drop":
        m.pop("dependenciesMeta", None)
    elif choice == "set":
        m.setdefault("dependenciesMeta", {})[rng.choice(sorted(RANGES))] = {"injected": True}
    else:
        names = list(m.get("dependenciesMeta", {})) or [rng.choice(sorted(RANGES))]
        m["dependenciesMeta"] = {name: {"injected": False} for name in names}
    return f"dependenciesMeta {choice}"


def _publish(rng: random.Random, m: Manifest) -> str:
    directory = rng.choice((None, "dist", "lib"))
    if directory is None:
        m.pop("publishConfig", None)
    else:
        m["publishConfig"] = {"directory": directory}
    return f"publishConfig.directory {directory}"


OVERRIDES = (
    ("alpha", "1.0.0"),
    ("alpha@^1.0.0", "1.1.0"),
    ("alpha@^2.0.0", "1.0.0"),
    ("beta>alpha", "1.0.0"),
    ("variant>gamma", "1.0.0"),
    ("gamma", "^1.0.0"),
    ("delta", "-"),
    ("eps", "3.0.0"),
)
"""Override selectors: a name, a name with a range (intersecting the project's or not), a parent
(a package, or the project itself), a deletion."""


def _override(rng: random.Random, m: Manifest) -> str:
    """Set, change or drop an entry of `pnpm.overrides` or yarn's `resolutions` (pnpm reads
    both), which pnpm applies to the project's own dependencies too."""
    field = rng.choice(("pnpm", "resolutions"))
    block = m.setdefault("pnpm", {}).setdefault("overrides", {}) if field == "pnpm" else None
    if block is None:
        block = m.setdefault("resolutions", {})
    selector, spec = rng.choice(OVERRIDES)
    if field == "resolutions":
        selector = selector.split(">")[-1].split("@")[0]
    if selector in block and rng.random() < 0.5:
        del block[selector]
        return f"{field} {selector} dropped"
    block[selector] = spec
    return f"{field} {selector}: {spec}"


def _nothing(rng: random.Random, m: Manifest) -> str:
    return "unchanged"


MUTATIONS: tuple[Callable[[random.Random, Manifest], str], ...] = (
    _change_range,
    _add_to_section,
    _drop_from_section,
    _move,
    _add_new,
    _peer,
    _meta,
    _publish,
    _override,
    _nothing,
)


def mutate(rng: random.Random, manifest: Manifest) -> tuple[Manifest, str]:
    """A copy of `manifest` with one or two edits, and what they were."""
    out = copy.deepcopy(manifest)
    done = [rng.choice(MUTATIONS)(rng, out) for _ in range(rng.choice((1, 1, 2)))]
    return out, "; ".join(done)
