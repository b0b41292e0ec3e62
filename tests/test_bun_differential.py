"""Differential test: AG402 on bun.lock against the real bun, offline.

Every case is a small bun workspace generated from a seed (a root and one to three members with
varied dependencies in every section, `workspace:` links between members), locked by bun itself
(`bun install --lockfile-only`) against a throwaway registry on 127.0.0.1 (`npm_registry.py`),
then mutated the way a developer edits package.json: a dependency added, removed, changed,
narrowed, respelled or moved between sections, a member added, removed or renamed, a version
bumped, a peer marked optional, or nothing but formatting.

The reference is bun's own: a case is stale when `bun install --lockfile-only` rewrites bun.lock
(as npm's `--package-lock-only` is the reference for package-lock.json). bun's
`--frozen-lockfile` is run too, and must refuse only cases that are stale; it is a weaker check
(it compares the resolved package tree, `Lockfile.eql`, not the recorded workspace entries), so
it accepts a range respelled (or narrowed, while the locked version still satisfies it), a
dependency moved between sections and a version bump, all of which the next `bun install`
writes into bun.lock.
`FROZEN_ACCEPTS` pins which mutations those are, so a bun that tightens its check is noticed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import scan_dir
from npm_registry import NpmPackage, NpmRegistry
from tools import require_tool

pytestmark = pytest.mark.differential

SEEDS = range(85)
"""Five cases per mutation."""
TIMEOUT = 60
FROZEN_REFUSED = "lockfile had changes, but lockfile is frozen"

PACKAGES = [
    NpmPackage("leaf", "1.0.0"),
    NpmPackage("leaf", "1.1.0"),
    NpmPackage("leaf", "2.0.0"),
    NpmPackage("mid", "1.0.0", {"leaf": "^1.0.0"}),
    NpmPackage("mid", "1.2.0", {"leaf": "^1.1.0"}),
    NpmPackage("other", "3.1.0"),
    NpmPackage("@scope/tool", "0.4.2"),
    NpmPackage("@scope/tool", "0.5.0"),
]
RANGES = {
    "leaf": ("^1.0.0", "^2.0.0", "1.1.0", "~1.0.0"),
    "mid": ("^1.0.0", "1.2.0"),
    "other": ("^3.0.0", "3.1.0", "*"),
    "@scope/tool": ("~0.4.0", "^0.5.0"),
}
"""Ranges a generated manifest declares: each resolves in the registry above."""
NARROWER = {
    ("leaf", "^1.0.0"): "~1.1.0",
    ("leaf", "^2.0.0"): "~2.0.0",
    ("mid", "^1.0.0"): "~1.2.0",
    ("other", "^3.0.0"): "~3.1.0",
    ("@scope/tool", "~0.4.0"): "0.4.2",
    ("@scope/tool", "^0.5.0"): "0.5.0",
}
"""A narrower range (whether the locked version still satisfies it depends on what bun chose)."""
SPELLINGS = {
    ("leaf", "^1.0.0"): ">=1.0.0 <2.0.0",
    ("leaf", "^2.0.0"): "2.x",
    ("other", "^3.0.0"): ">=3.0.0 <4",
    ("@scope/tool", "^0.5.0"): "0.5.x",
}
"""The same set of versions as the range, spelled another way (bun records the spelling)."""
INCOMPATIBLE = {"leaf": "^2.0.0", "mid": "1.0.0", "other": "^3.1.0", "@scope/tool": "0.5.0"}
SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")

Tree = dict[str, dict]
"""package.json path (relative) → its content."""


def bun_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "BUN_INSTALL_CACHE_DIR": str(cache), "DO_NOT_TRACK": "1", "CI": "true"}


def generate(seed: int) -> Tree:
    """A root (workspaces `packages/*`) and 1-3 members, each with 1-3 registry dependencies in
    random sections; a member may depend on a sibling through `workspace:*`."""
    rng = random.Random(seed)
    names = list(RANGES)
    tree: Tree = {"package.json": {"name": f"root{seed}", "workspaces": ["packages/*"]}}
    members = [f"m{i}" for i in range(rng.randint(1, 3))]
    for index, member in enumerate(["", *members]):
        doc = tree["package.json"] if not member else {"name": member, "version": "1.0.0"}
        for name in rng.sample(names, rng.randint(1, 3)):
            section = rng.choice(SECTIONS[:3] if rng.random() < 0.85 else SECTIONS)
            doc.setdefault(section, {})[name] = rng.choice(RANGES[name])
        if member and index > 1 and rng.random() < 0.5:
            doc.setdefault("dependencies", {})[members[0]] = "workspace:*"
        if member:
            tree[f"packages/{member}/package.json"] = doc
    if rng.random() < 0.3:
        tree["package.json"]["overrides"] = {"leaf": "1.1.0"}
    return tree


def write_tree(root: Path, tree: Tree) -> None:
    for rel, doc in tree.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(doc, indent=2) + "\n")


def entries(tree: Tree) -> Iterator[tuple[str, str, str]]:
    """(manifest, section, name) of every registry dependency."""
    for rel, doc in tree.items():
        for section in SECTIONS:
            for name, spec in doc.get(section, {}).items():
                if not spec.startswith("workspace:"):
                    yield rel, section, name


Mutation = Callable[[Tree, random.Random], bool]
"""Edits the tree in place; False when it does not apply to this tree (another is drawn)."""


def pick(tree: Tree, rng: random.Random) -> tuple[dict, str, str]:
    rel, section, name = rng.choice(sorted(entries(tree)))
    return tree[rel], section, name


def added(tree: Tree, rng: random.Random) -> bool:
    rel = rng.choice(sorted(tree))
    free = [n for n in RANGES if not any(n in tree[rel].get(s, {}) for s in SECTIONS)]
    if not free:
        return False
    name = rng.choice(free)
    tree[rel].setdefault(rng.choice(SECTIONS[:3]), {})[name] = rng.choice(RANGES[name])
    return True


def removed(tree: Tree, rng: random.Random) -> bool:
    doc, section, name = pick(tree, rng)
    del doc[section][name]
    return True


def changed(tree: Tree, rng: random.Random) -> bool:
    doc, section, name = pick(tree, rng)
    if doc[section][name] == INCOMPATIBLE[name]:
        return False
    doc[section][name] = INCOMPATIBLE[name]
    return True


def narrowed(tree: Tree, rng: random.Random) -> bool:
    doc, section, name = pick(tree, rng)
    narrower = NARROWER.get((name, doc[section][name]))
    if narrower is None or section == "peerDependencies":
        return False
    doc[section][name] = narrower
    return True


def respelled(tree: Tree, rng: random.Random) -> bool:
    """`^1.0.0` → `^1.0` or `>=1.0.0 <2.0.0`: the same range, another spelling."""
    doc, section, name = pick(tree, rng)
    spec = doc[section][name]
    spelling = SPELLINGS.get((name, spec))
    if spelling is None and re.fullmatch(r"\^\d+\.\d+\.0", spec):
        spelling = spec[:-2]
    if spelling is None:
        return False
    doc[section][name] = spelling
    return True


def moved(tree: Tree, rng: random.Random) -> bool:
    doc, section, name = pick(tree, rng)
    target = {"dependencies": "devDependencies"}.get(section, "dependencies")
    if name in doc.get(target, {}):
        return False
    doc.setdefault(target, {})[name] = doc[section].pop(name)
    return True


def member_added(tree: Tree, rng: random.Random) -> bool:
    name = rng.choice(list(RANGES))
    tree["packages/new/package.json"] = {
        "name": "new",
        "version": "0.1.0",
        "dependencies": {name: rng.choice(RANGES[name])},
    }
    return True


def member_removed(tree: Tree, rng: random.Random) -> bool:
    members = sorted(rel for rel in tree if rel != "package.json")
    if len(members) < 2:
        return False
    gone = members[-1]
    del tree[gone]
    name = gone.split("/")[1]
    return not any(name in d.get("dependencies", {}) for d in tree.values())


def version_bumped(tree: Tree, rng: random.Random) -> bool:
    rel = rng.choice(sorted(r for r in tree if r != "package.json"))
    tree[rel]["version"] = "1.0.1"
    return True


def optional_peer(tree: Tree, rng: random.Random) -> bool:
    """A peer marked optional in peerDependenciesMeta: a listed peer, or a name peerDependencies
    does not list (bun then records it as a peer on `*`), or a dependency made a peer too."""
    doc = tree[rng.choice(sorted(tree))]
    peers = doc.get("peerDependencies") or {}
    deps = doc.get("devDependencies") or doc.get("dependencies") or {}
    name = next((n for n, spec in deps.items() if not spec.startswith("workspace:")), None)
    choice = rng.random()
    if peers and choice < 0.4:
        name = next(iter(peers))
    elif choice < 0.7:
        name = rng.choice(list(RANGES))
    elif name is not None:
        doc["peerDependencies"] = {**peers, name: deps[name]}
    if name is None:
        return False
    doc["peerDependenciesMeta"] = {name: {"optional": True}}
    return True


def override_added(tree: Tree, rng: random.Random) -> bool:
    """One of the override spellings bun reads, on a root that had none."""
    root = tree["package.json"]
    if "overrides" in root:
        return False
    root_deps = {n for s in SECTIONS for n in root.get(s, {})}
    key, block = rng.choice(
        [
            ("overrides", {"other": "3.1.0"}),
            ("overrides", {"mid": {"leaf": "1.0.0"}}),
            ("resolutions", {"**/leaf": "1.0.0"}),
            ("resolutions", {"mid/leaf": "1.1.0"}),
            ("overrides", {"leaf": "$leaf"} if "leaf" in root_deps else {"leaf": "2.0.0"}),
        ]
    )
    root[key] = block
    return True


def override_respelled(tree: Tree, rng: random.Random) -> bool:
    """The same override another way: `{".": spec}`, or as a `**/` resolution."""
    root = tree["package.json"]
    if root.get("overrides") != {"leaf": "1.1.0"}:
        return False
    if rng.random() < 0.5:
        root["overrides"] = {"leaf": {".": "1.1.0"}}
    else:
        del root["overrides"]
        root["resolutions"] = {"**/leaf": "1.1.0"}
    return True


def override_removed(tree: Tree, rng: random.Random) -> bool:
    return tree["package.json"].pop("overrides", None) is not None


def installed(tree: Tree) -> set[str]:
    """The registry packages the lock holds: every declared one, and leaf through mid."""
    names = {name for _, _, name in entries(tree)}
    return names | {"leaf"} if "mid" in names else names


def trusted_added(tree: Tree, rng: random.Random) -> bool:
    tree["package.json"]["trustedDependencies"] = [rng.choice(sorted(installed(tree)))]
    return True


def trusted_absent(tree: Tree, rng: random.Random) -> bool:
    """A trusted package the lock holds no package for: bun writes only those it holds."""
    absent = sorted(set(RANGES) - installed(tree))
    if not absent:
        return False
    tree["package.json"]["trustedDependencies"] = [rng.choice(absent)]
    return True


def reformatted(tree: Tree, rng: random.Random) -> bool:
    """Keys reordered (sections and entries): nothing bun records changes."""
    for rel, doc in tree.items():
        tree[rel] = {k: dict(reversed(v.items())) if k in SECTIONS else v for k, v in doc.items()}
        tree[rel] = dict(reversed(tree[rel].items()))
    return True


MUTATIONS: dict[str, Mutation] = {
    "insync": lambda tree, rng: True,
    "reformatted": reformatted,
    "added": added,
    "removed": removed,
    "changed": changed,
    "narrowed": narrowed,
    "respelled": respelled,
    "moved": moved,
    "member-added": member_added,
    "member-removed": member_removed,
    "version-bumped": version_bumped,
    "optional-peer": optional_peer,
    "override-added": override_added,
    "override-respelled": override_respelled,
    "override-removed": override_removed,
    "trusted-added": trusted_added,
    "trusted-absent": trusted_absent,
}
FRESH = {"insync", "reformatted", "override-respelled", "trusted-absent"}
FROZEN_ACCEPTS = {"respelled", "moved", "version-bumped", "optional-peer", "trusted-added"}
"""Mutations bun's `--frozen-lockfile` lets through (the resolved tree is unchanged) although
`bun install` rewrites bun.lock for them; AG402 reports them, as it does for npm."""


@dataclass(frozen=True)
class Case:
    seed: int
    mutation: str
    base: Tree
    mutated: Tree


def make_case(seed: int) -> Case:
    """The seed picks the mutation (each gets every len(MUTATIONS)-th seed) and the tree; a
    tree the mutation does not apply to is drawn again from a derived seed."""
    name = list(MUTATIONS)[seed % len(MUTATIONS)]
    for attempt in range(100):
        base = generate(seed * 100 + attempt)
        mutated = json.loads(json.dumps(base))
        if MUTATIONS[name](mutated, random.Random(seed * 7919 + attempt)):
            return Case(seed, name, base, mutated)
    raise AssertionError(f"no tree for mutation {name} from seed {seed}")


@pytest.fixture(scope="module")
def bun() -> str:
    return require_tool("bun", "npm install --prefix .tools/node bun@1")


@pytest.fixture(scope="module")
def registry() -> Iterator[NpmRegistry]:
    with NpmRegistry(PACKAGES) as served:
        yield served


def run_bun(
    bun: str, args: list[str], work: Path, registry: NpmRegistry
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [bun, "install", "--lockfile-only", "--ignore-scripts", "--registry", registry.url, *args],
        cwd=work,
        env=bun_env(work.parent / "cache"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_bun_lock_verdict(seed: int, bun: str, registry: NpmRegistry, tmp_path: Path) -> None:
    case = make_case(seed)
    base = tmp_path / "base"
    write_tree(base, case.base)
    locked = run_bun(bun, [], base, registry)
    assert locked.returncode == 0, f"bun could not lock the base: {locked.stderr[-2000:]}"
    lock = (base / "bun.lock").read_text()
    for rel in case.base:
        (base / rel).unlink()
    write_tree(base, case.mutated)
    for gone in set(case.base) - set(case.mutated):
        shutil.rmtree((base / gone).parent, ignore_errors=True)
    (base / "ameide-guard.toml").write_text("# differential copy\n")
    ours = any(f.rule == "AG402" for f in scan_dir(base, select=("AG402",)).findings)

    frozen_dir, plain_dir = tmp_path / "frozen", tmp_path / "plain"
    for work in (frozen_dir, plain_dir):
        shutil.copytree(base, work)
    frozen = run_bun(bun, ["--frozen-lockfile"], frozen_dir, registry)
    plain = run_bun(bun, [], plain_dir, registry)
    assert plain.returncode == 0, plain.stderr[-2000:]
    rewritten = (plain_dir / "bun.lock").read_text() != lock
    refused = frozen.returncode != 0
    label = f"seed {seed} ({case.mutation})"
    output = f"--- frozen\n{frozen.stderr[-1500:]}\n--- bun.lock\n{lock[:1500]}"
    assert not refused or FROZEN_REFUSED in frozen.stderr, f"{label}: bun failed\n{output}"
    assert ours == rewritten, (
        f"{label}: ameide-guard says {'stale' if ours else 'fresh'}, `bun install` "
        f"{'rewrites' if rewritten else 'keeps'} bun.lock\n{output}"
    )
    assert rewritten == (case.mutation not in FRESH), f"{label}: the mutation is mis-classified"
    assert not refused or rewritten, f"{label}: --frozen-lockfile refused a lockfile bun keeps"
    if case.mutation in FROZEN_ACCEPTS:
        assert not refused, (
            f"{label}: bun's --frozen-lockfile now refuses it: drop it from FROZEN_ACCEPTS"
        )
