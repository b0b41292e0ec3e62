"""Regenerate the lockfile fixtures (tests/fixtures/lock-*) with the real package managers.

Every lockfile under `tests/fixtures/lock-{pnpm,npm,yarn,bun,uv,poetry}/` is written by the tool
itself: each case starts from a small workspace, the tool locks it in a scratch directory under
/tmp (never inside this repository), and then the case's mutation edits the *manifest* only, so a
stale case is a real lockfile next to a manifest that has moved on. Only the tiniest registry
packages are used and every tool runs in its lockfile-only mode where it has one.

    python tests/lockgen/generate.py [--only pnpm,npm,yarn,bun,uv,poetry] [--case NAME,...]

Tools: pnpm 10, 9 and 8, yarn 1, berry (4) and bun come from `.tools/node` (see
.ci/install-tools.sh; bun also from PATH);
uv and poetry from PATH or `$LOCKGEN_VENV/bin` (default /tmp/lockgen-venv). The Go fixtures are
hand-written (see `lock-go/README.md`): the Go module proxy was not reachable when they were made.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
NODE_MODULES = REPO / ".tools" / "node" / "node_modules"
VENV_BIN = Path(os.environ.get("LOCKGEN_VENV", "/tmp/lockgen-venv")) / "bin"
SCRATCH_SKIP = {"node_modules", ".yarn", ".pnp.cjs", ".pnp.loader.mjs", ".venv", ".yarnrc.yml"}
KEEP_FILES = {".yarnrc.yml"}

Files = dict[str, str]
Mutation = Callable[[Path], None]


def node_tool(package: str, script: str) -> list[str]:
    return ["node", str(NODE_MODULES / package / script)]


def py_tool(name: str) -> list[str]:
    local = VENV_BIN / name
    return [str(local)] if local.exists() else [shutil.which(name) or name]


TOOLS: dict[str, list[str]] = {
    "pnpm9": node_tool("pnpm", "bin/pnpm.cjs"),
    "pnpm8": node_tool("pnpm8", "bin/pnpm.cjs"),
    "pnpm10": node_tool("pnpm10", "bin/pnpm.cjs"),
    "yarn1": node_tool("yarn", "bin/yarn.js"),
    "berry": node_tool("@yarnpkg/cli-dist", "bin/yarn.js"),
    "npm": ["npm"],
    "bun": [str(NODE_MODULES / ".bin" / "bun")]
    if (NODE_MODULES / ".bin" / "bun").exists()
    else [shutil.which("bun") or "bun"],
    "uv": py_tool("uv"),
    "poetry": py_tool("poetry"),
}

LOCK_COMMANDS: dict[str, list[str]] = {
    "pnpm9": ["install", "--lockfile-only", "--ignore-scripts"],
    "pnpm8": ["install", "--lockfile-only", "--ignore-scripts"],
    "pnpm10": ["install", "--lockfile-only", "--ignore-scripts"],
    "npm3": ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
    "npm2": [
        "install",
        "--package-lock-only",
        "--lockfile-version",
        "2",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
    ],
    "yarn1": ["install", "--ignore-scripts", "--no-bin-links", "--non-interactive"],
    "berry": ["install", "--mode=update-lockfile"],
    "bun": ["install", "--lockfile-only", "--ignore-scripts"],
    "uv": ["lock"],
    "poetry": ["lock"],
}
TOOL_OF = {"npm3": "npm", "npm2": "npm"}


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CI="",
        YARN_ENABLE_TELEMETRY="0",
        YARN_ENABLE_IMMUTABLE_INSTALLS="0",
        YARN_ENABLE_GLOBAL_CACHE="0",
        YARN_CACHE_FOLDER="/tmp/lockgen-cache/berry",
        YARN_NODE_LINKER="node-modules",
        npm_config_cache="/tmp/lockgen-cache/npm",
        npm_config_store_dir="/tmp/lockgen-cache/pnpm-store",
        UV_CACHE_DIR="/tmp/lockgen-cache/uv",
        POETRY_CACHE_DIR="/tmp/lockgen-cache/poetry",
        POETRY_VIRTUALENVS_CREATE="false",
    )
    return env


# ---------------------------------------------------------------- manifests of the base cases


def pkg(name: str, **sections: object) -> str:
    data: dict[str, object] = {"name": name, "version": "1.0.0", "private": True}
    data.update(sections)
    return json.dumps(data, indent=2) + "\n"


def npm_base(workspaces_field: bool) -> Files:
    root: dict[str, object] = {
        "dependencies": {"is-number": "^7.0.0"},
        "devDependencies": {"left-pad": "^1.3.0"},
    }
    if workspaces_field:
        root["workspaces"] = ["packages/*"]
    files = {
        "package.json": pkg("lockdemo", **root),
        "packages/a/package.json": pkg("a", dependencies={"is-odd": "^3.0.1"}),
    }
    if not workspaces_field:
        files["pnpm-workspace.yaml"] = "packages:\n  - 'packages/*'\n"
    return files


def edit_json(rel: str, change: Callable[[dict], None]) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data, indent=2) + "\n")

    return apply


def write(rel: str, text: str) -> Mutation:
    def apply(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)

    return apply


def edit_text(rel: str, old: str, new: str) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text()
        if old not in text:
            raise SystemExit(f"mutation of {rel}: {old!r} not found")
        path.write_text(text.replace(old, new, 1))

    return apply


NPM_MUTATIONS: dict[str, Mutation | None] = {
    "insync": None,
    "added": edit_json("package.json", lambda d: d["dependencies"].update({"is-even": "^1.0.0"})),
    "removed": edit_json("package.json", lambda d: d.pop("devDependencies")),
    "changed": edit_json(
        "package.json", lambda d: d["dependencies"].update({"is-number": "^6.0.0"})
    ),
    "range-narrowed": edit_json(
        "package.json", lambda d: d["dependencies"].update({"is-number": "~7.0.0"})
    ),
    "member-added": write(
        "packages/b/package.json", pkg("b", dependencies={"is-number": "^7.0.0"})
    ),
    "member-removed": lambda root: (root / "packages/a/package.json").unlink(),
}

PY_ROOT = """\
[project]
name = "lockdemo"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["six>=1.16", "a"]

[dependency-groups]
dev = ["idna>=3.4"]

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skipped"]

[tool.uv.sources]
a = { workspace = true }
"""

PY_MEMBER = """\
[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = [{deps}]
"""

# Poetry resolves through the PyPI *simple* index declared as a source: the per-version JSON API
# it uses for the implicit PyPI source was not served where these fixtures were made, and a
# declared source also puts `source` into the content hash, which the check must then reproduce.
POETRY_SOURCE = """
[[tool.poetry.source]]
name = "pypi-simple"
url = "https://pypi.org/simple/"
priority = "primary"
"""

POETRY_CLASSIC = (
    """\
[tool.poetry]
name = "classic"
version = "0.1.0"
description = "poetry project with [tool.poetry] dependencies"
authors = ["Ameide <dev@example.com>"]
package-mode = false

[tool.poetry.dependencies]
python = "^3.9"
six = "^1.16"

[tool.poetry.group.dev.dependencies]
idna = "^3.4"
"""
    + POETRY_SOURCE
)

POETRY_PEP621 = (
    """\
[project]
name = "pep621"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["six>=1.16"]

[tool.poetry]
package-mode = false
"""
    + POETRY_SOURCE
)


@dataclass
class Case:
    """One fixture directory: base files, the tool that locks them, the edit made afterwards."""

    ecosystem: str
    name: str
    tool: str
    files: Files
    mutation: Mutation | None = None
    extra: Files = field(default_factory=dict)
    """Files written after locking that are not manifests (configuration, README)."""


def variants(
    ecosystem: str, tool: str, files: Files, rows: Iterable[tuple[str, Mutation | None]]
) -> list[Case]:
    """Cases that share a starting workspace and tool and differ in their mutation."""
    return [Case(ecosystem, name, tool, dict(files), mutation) for name, mutation in rows]


def npm_cases() -> list[Case]:
    cases: list[Case] = []
    for tool, prefix, names in (
        ("pnpm9", "pnpm", ("v9-" + n for n in NPM_MUTATIONS)),
        ("pnpm8", "pnpm", ("v6-insync", "v6-changed")),
        ("npm3", "npm", ("v3-" + n for n in NPM_MUTATIONS)),
        ("npm2", "npm", ("v2-insync", "v2-changed")),
        ("yarn1", "yarn", ("v1-" + n for n in NPM_MUTATIONS)),
        ("berry", "yarn", ("berry-" + n for n in NPM_MUTATIONS)),
        ("bun", "bun", ("v2-" + n for n in NPM_MUTATIONS)),
    ):
        for name in names:
            mutation = NPM_MUTATIONS[name.split("-", 1)[1]]
            files = npm_base(workspaces_field=not tool.startswith("pnpm"))
            cases.append(Case(prefix, name, tool, files, mutation))
    overrides = npm_base(workspaces_field=False)
    overrides["package.json"] = pkg(
        "lockdemo",
        dependencies={"is-number": "^7.0.0", "is-odd": "^3.0.1"},
        pnpm={"overrides": {"is-number@^6": "6.0.0"}},
    )
    single = {"package.json": pkg("single", dependencies={"is-number": "^7.0.0"})}
    peers = {
        "package.json": pkg(
            "peers", dependencies={"left-pad": "^1.3.0"}, peerDependencies={"is-number": "^7.0.0"}
        )
    }
    to_six = edit_json("package.json", lambda d: d["dependencies"].update({"is-number": "^6.0.0"}))
    peer_changed = edit_json(
        "package.json", lambda d: d["peerDependencies"].update({"is-number": "^6.0.0"})
    )
    for tool, name, files, mutation in (
        ("pnpm8", "v6-single-insync", single, None),
        ("pnpm8", "v6-single-changed", single, to_six),
        ("pnpm9", "v9-single-insync", single, None),
        ("pnpm9", "v9-peers-insync", peers, None),
        ("pnpm9", "v9-peers-changed", peers, peer_changed),
    ):
        cases.append(Case("pnpm", name, tool, dict(files), mutation))
    cases += optional_cases()
    cases.append(
        Case(
            "yarn",
            "v1-member-added-new-range",
            "yarn1",
            npm_base(workspaces_field=True),
            write("packages/b/package.json", pkg("b", dependencies={"is-even": "^1.0.0"})),
        )
    )
    bump = edit_json("packages/a/package.json", lambda d: d.update(version="1.1.0"))
    optional = edit_json(
        "packages/a/package.json",
        lambda d: d.update(
            peerDependencies={"is-number": "^7.0.0"},
            peerDependenciesMeta={"is-number": {"optional": True}},
        ),
    )
    trust = edit_json("package.json", lambda d: d.update(trustedDependencies=["is-odd"]))
    cases += variants(
        "bun",
        "bun",
        npm_base(workspaces_field=True),
        (
            ("v2-version-changed", bump),
            ("v2-optional-peer-added", optional),
            ("v2-trusted-added", trust),
        ),
    )
    bun_overrides = npm_base(workspaces_field=True)
    root = json.loads(bun_overrides["package.json"])
    root["overrides"] = {"is-odd": {"is-number": "6.0.0"}}
    bun_overrides["package.json"] = json.dumps(root, indent=2) + "\n"
    cases += variants(
        "bun",
        "bun",
        bun_overrides,
        (
            ("v2-overrides-insync", None),
            (
                "v2-overrides-changed",
                edit_json("package.json", lambda d: d.update(overrides={"is-number": "7.0.0"})),
            ),
            (
                "v2-overrides-as-resolutions",
                edit_json(
                    "package.json",
                    lambda d: d.update(
                        resolutions={"is-odd/is-number": d.pop("overrides")["is-odd"]["is-number"]}
                    ),
                ),
            ),
        ),
    )
    cases += variants(
        "pnpm",
        "pnpm9",
        overrides,
        (
            ("v9-overrides-insync", None),
            (
                "v9-overrides-changed",
                edit_json(
                    "package.json", lambda d: d["pnpm"].update(overrides={"is-number@^6": "6.0.1"})
                ),
            ),
        ),
    )
    # A member with no dependencies added after locking: pnpm's frozen install accepts the
    # lockfile without its importer (a plain install writes `packages/b: {}` back).
    unlisted = write("packages/b/package.json", pkg("b"))
    for tool, prefix in (("pnpm8", "v6"), ("pnpm9", "v9"), ("pnpm10", "p10")):
        name = f"{prefix}-empty-member-unlisted"
        cases += variants("pnpm", tool, npm_base(workspaces_field=False), ((name, unlisted),))
    return cases


OPTIONAL_MUTATIONS: dict[str, Mutation | None] = {
    "optional-insync": None,
    "optional-changed": edit_json(
        "package.json", lambda d: d["optionalDependencies"].update({"is-even": "~1.0.0"})
    ),
}
"""`optionalDependencies` of the root: locked, then its range changed (`~1.0.0` has no lockfile
entry, so even yarn 1's descriptor check must fail)."""


def optional_base(workspaces_field: bool) -> Files:
    files = npm_base(workspaces_field)
    root = json.loads(files["package.json"])
    root["optionalDependencies"] = {"is-even": "^1.0.0"}
    files["package.json"] = json.dumps(root, indent=2) + "\n"
    return files


def optional_cases() -> list[Case]:
    """Every dependency section: the npm base plus a root `optionalDependencies` entry."""
    return [
        Case(prefix, f"{version}-{name}", tool, optional_base(not tool.startswith("pnpm")), m)
        for tool, prefix, version in (
            ("pnpm9", "pnpm", "v9"),
            ("npm3", "npm", "v3"),
            ("yarn1", "yarn", "v1"),
            ("berry", "yarn", "berry"),
        )
        for name, m in OPTIONAL_MUTATIONS.items()
    ]


CATALOG_WORKSPACE = """\
packages:
  - 'packages/*'
catalog:
  is-number: ^7.0.0
catalogs:
  odd:
    is-odd: ^3.0.1
  unused:
    left-pad: ^1.3.0
"""


def catalog_base(package_manager: str | None) -> Files:
    """A pnpm workspace whose ranges come from catalogs (pnpm >= 9.5): `catalog:` (the default
    catalog), `catalog:default` and a named one; `unused` is locked by nobody."""
    extra = {"packageManager": package_manager} if package_manager else {}
    return {
        "package.json": pkg(
            "lockdemo",
            dependencies={"is-number": "catalog:", "is-odd": "catalog:odd"},
            devDependencies={"left-pad": "^1.3.0"},
            **extra,
        ),
        "packages/a/package.json": pkg(
            "a", dependencies={"is-odd": "catalog:odd", "is-number": "catalog:default"}
        ),
        "pnpm-workspace.yaml": CATALOG_WORKSPACE,
    }


def append(rel: str, text: str) -> Mutation:
    def apply(root: Path) -> None:
        with (root / rel).open("a") as handle:
            handle.write(text)

    return apply


def remove(rel: str) -> Mutation:
    return lambda root: (root / rel).unlink()


def pnpm_config_cases() -> list[Case]:
    """Catalogs and lockfile `settings:` against .npmrc / pnpm-workspace.yaml. pnpm 9 (pinned by
    `packageManager`) compares settings from .npmrc only and no catalogs; pnpm 10 also reads
    settings from pnpm-workspace.yaml and compares each locked catalog entry."""
    workspace = "pnpm-workspace.yaml"
    default_range = edit_text(workspace, "is-number: ^7.0.0", "is-number: ^6.0.0")
    npmrc_off = "auto-install-peers=false\n"
    v9: dict[str, tuple[Files, Mutation | None]] = {
        "v9-catalog-insync": ({}, None),
        "v9-catalog-changed": ({}, default_range),
        "v9-catalog-spec-changed": (
            {},
            edit_json("package.json", lambda d: d["dependencies"].update({"is-number": "^7.0.0"})),
        ),
        "v9-npmrc-insync": (
            {".npmrc": "auto-install-peers=true\nexclude-links-from-lockfile = false\n"},
            None,
        ),
        "v9-npmrc-peers-off": ({}, write(".npmrc", npmrc_off)),
        "v9-npmrc-exclude-links": ({}, write(".npmrc", "exclude-links-from-lockfile=true\n")),
        "v9-npmrc-suffix": ({}, write(".npmrc", "peers-suffix-max-length=500\n")),
        "v9-npmrc-removed": ({".npmrc": npmrc_off}, remove(".npmrc")),
        "v9-workspace-settings": ({}, append(workspace, "autoInstallPeers: false\n")),
    }
    cases = [
        Case("pnpm", name, "pnpm9", {**catalog_base("pnpm@9.15.9"), **files}, mutation)
        for name, (files, mutation) in v9.items()
    ]
    p10: dict[str, tuple[Files, Mutation | None]] = {
        "p10-catalog-insync": ({}, None),
        "p10-catalog-changed": ({}, default_range),
        "p10-catalog-named-changed": ({}, edit_text(workspace, "is-odd: ^3.0.1", "is-odd: ^3.0.0")),
        "p10-catalog-unused-changed": (
            {},
            edit_text(workspace, "left-pad: ^1.3.0", "left-pad: ^1.2.0"),
        ),
        "p10-catalog-added": (
            {},
            edit_text(workspace, "is-number: ^7.0.0", "is-number: ^7.0.0\n  is-even: ^1.0.0"),
        ),
        "p10-catalog-removed": ({}, edit_text(workspace, "catalog:\n  is-number: ^7.0.0\n", "")),
        "p10-workspace-settings": ({}, append(workspace, "autoInstallPeers: false\n")),
        "p10-workspace-over-npmrc": (
            {".npmrc": npmrc_off, workspace: CATALOG_WORKSPACE + "autoInstallPeers: true\n"},
            None,
        ),
        "p10-dedupe-peers": ({}, append(workspace, "dedupePeers: true\n")),
    }
    cases += [
        Case("pnpm", name, "pnpm10", {**catalog_base(None), **files}, mutation)
        for name, (files, mutation) in p10.items()
    ]
    v6 = npm_base(workspaces_field=False)
    cases.append(Case("pnpm", "v6-npmrc-peers-off", "pnpm8", v6, write(".npmrc", npmrc_off)))
    return cases


def set_section(section: str, name: str, spec: str | None) -> Mutation:
    """Set (None: delete) `name` in one section of the root package.json."""

    def change(data: dict) -> None:
        block = data.setdefault(section, {})
        if spec is None:
            del block[name]
        else:
            block[name] = spec

    return edit_json("package.json", change)


def pnpm_manifest_cases() -> list[Case]:
    """pnpm's `satisfiesPackageManifest` rules on one project: a name in several dependency
    sections is recorded once (under optionalDependencies, else dependencies) and only that
    section's range counts; `dependenciesMeta` and `publishConfig.directory` are recorded in the
    importer and compared. Locked by pnpm 9 (`v9-`), 8 (`v6-`) and 10 (`p10-`)."""
    dup = {
        "package.json": pkg(
            "dup",
            dependencies={"is-number": "^7.0.0"},
            devDependencies={"is-number": "^7.0.0", "left-pad": "^1.3.0"},
        )
    }
    every = {
        "package.json": pkg(
            "every",
            dependencies={"left-pad": "^1.3.0", "is-number": "^7.0.0"},
            devDependencies={"left-pad": "^1.3.0"},
            optionalDependencies={"left-pad": "^1.3.0"},
        )
    }
    meta = {
        "package.json": pkg(
            "meta",
            dependencies={"is-number": "^7.0.0"},
            dependenciesMeta={"is-number": {"injected": True}},
            publishConfig={"directory": "dist"},
        )
    }
    cases: dict[str, tuple[Files, Mutation | None]] = {
        "dup-insync": (dup, None),
        "dup-dev-range-changed": (dup, set_section("devDependencies", "is-number", "^6.0.0")),
        "dup-range-changed": (dup, set_section("dependencies", "is-number", "^6.0.0")),
        "dup-all-insync": (every, None),
        "dup-optional-dropped": (every, set_section("optionalDependencies", "left-pad", None)),
        "dup-optional-added": (dup, set_section("optionalDependencies", "is-number", "^7.0.0")),
        "dup-dependencies-added": (dup, set_section("dependencies", "left-pad", "^1.3.0")),
        "dup-dependencies-dropped": (dup, set_section("dependencies", "is-number", None)),
        "meta-insync": (meta, None),
        "meta-changed": (
            meta,
            edit_json("package.json", lambda d: d.update(dependenciesMeta={"is-number": {}})),
        ),
        "publish-dir-changed": (
            meta,
            edit_json("package.json", lambda d: d.update(publishConfig={"directory": "lib"})),
        ),
    }
    out = [Case("pnpm", f"v9-{n}", "pnpm9", dict(f), m) for n, (f, m) in cases.items()]
    for tool, prefix in (("pnpm8", "v6"), ("pnpm10", "p10")):
        for name in ("dup-insync", "dup-dev-range-changed", "dup-optional-added", "meta-changed"):
            files, mutation = cases[name]
            out.append(Case("pnpm", f"{prefix}-{name}", tool, dict(files), mutation))
    return out


def pnpm_override_cases() -> list[Case]:
    """What pnpm records as `overrides` (its `getOptionsFromRootManifest`): yarn's `resolutions`
    too, `pnpm.overrides` winning over them, a `$name` spec as the root's range for `name`."""
    refs = {
        "package.json": pkg(
            "refs",
            dependencies={"is-number": "^7.0.0", "is-odd": "^3.0.1"},
            devDependencies={"left-pad": "^1.3.0"},
            resolutions={"left-pad": "1.2.0"},
            pnpm={"overrides": {"is-number@^6": "$is-number"}},
        )
    }
    shadowed = {
        "package.json": pkg(
            "shadowed",
            devDependencies={"left-pad": "^1.3.0"},
            resolutions={"left-pad": "1.3.0"},
            pnpm={"overrides": {"left-pad": "1.2.0"}},
        )
    }
    resolution = edit_json("package.json", lambda d: d["resolutions"].update({"left-pad": "1.1.0"}))
    spelled = edit_json(
        "package.json", lambda d: d["pnpm"].update(overrides={"is-number@^6": "^7.0.0"})
    )
    cases: dict[str, tuple[Files, Mutation | None]] = {
        "v9-resolutions-insync": (refs, None),
        "v9-resolutions-changed": (refs, resolution),
        "v9-override-reference-spelled-out": (refs, spelled),
        "v9-resolutions-shadowed-changed": (shadowed, resolution),
        "v6-resolutions-insync": (refs, None),
        "p10-resolutions-insync": (refs, None),
    }
    tools = {"v9": "pnpm9", "v6": "pnpm8", "p10": "pnpm10"}
    return [
        Case("pnpm", name, tools[name.split("-", 1)[0]], dict(files), mutation)
        for name, (files, mutation) in cases.items()
    ]


BERRY_RESOLUTIONS = {"is-odd/is-number": "6.0.0", "left-pad": "1.2.0"}
"""A parent-scoped resolution (is-odd's own `is-number@^6.0.0`) and a name-wide one (the root's
`left-pad@^1.3.0`)."""


def edit_resolutions(change: Callable[[dict[str, str]], dict[str, str]]) -> Mutation:
    def apply(data: dict) -> None:
        data["resolutions"] = change(dict(data["resolutions"]))

    return edit_json("package.json", apply)


def renamed(old: str, new: str, value: str | None = None) -> Mutation:
    """The resolution `old` under the key `new` (same position), with `value` if given."""
    return edit_resolutions(
        lambda r: {(new if k == old else k): (value or v) if k == old else v for k, v in r.items()}
    )


def berry_resolution_cases() -> list[Case]:
    """package.json `resolutions` against what berry locked for them (yarn 4)."""
    files = npm_base(workspaces_field=True)
    root = {**json.loads(files["package.json"]), "resolutions": BERRY_RESOLUTIONS}
    files["package.json"] = json.dumps(root, indent=2) + "\n"
    mutations: dict[str, Mutation | None] = {
        "insync": None,
        "changed": renamed("left-pad", "left-pad", "1.3.0"),
        "added": edit_resolutions(lambda r: {**r, "is-number@^7.0.0": "7.0.0"}),
        "removed": edit_resolutions(lambda r: {k: v for k, v in r.items() if k != "left-pad"}),
        "unused-added": edit_resolutions(lambda r: {**r, "is-even": "1.0.0"}),
        "parent-miss": renamed("is-odd/is-number", "is-odd@3.0.0/is-number"),
        "glob": renamed("left-pad", "**/left-pad"),
        "equivalent": edit_resolutions(
            lambda r: {"is-odd@3.0.1/is-number": "6.0.0", "left-pad": "npm:1.2.0"}
        ),
    }
    return [
        Case("yarn", f"berry-resolutions-{name}", "berry", dict(files), mutation)
        for name, mutation in mutations.items()
    ]


def uv_cases() -> list[Case]:
    base = {
        "pyproject.toml": PY_ROOT,
        "packages/a/pyproject.toml": PY_MEMBER.format(name="a", deps='"idna>=3.4"'),
    }
    six = '"six>=1.16", "a"'
    mutations: dict[str, Mutation | None] = {
        "insync": None,
        "added": edit_text("pyproject.toml", six, six + ', "idna"'),
        "removed": edit_text("pyproject.toml", six, '"a"'),
        "changed": edit_text("pyproject.toml", six, '"six>=1.15", "a"'),
        "group-changed": edit_text("pyproject.toml", 'dev = ["idna>=3.4"]', 'dev = ["idna>=3.5"]'),
        "member-added": write(
            "packages/b/pyproject.toml", PY_MEMBER.format(name="b", deps='"six"')
        ),
        "excluded-member": write(
            "packages/skipped/pyproject.toml", PY_MEMBER.format(name="skipped", deps="")
        ),
        "normalised": edit_text("pyproject.toml", six, '"Six >= 1.16", "A"'),
        "requires-python-changed": edit_text(
            "pyproject.toml", 'requires-python = ">=3.9"', 'requires-python = ">=3.10"'
        ),
    }
    cases = [Case("uv", n, "uv", dict(base), m) for n, m in mutations.items()]
    return cases + uv_tool_cases(base) + uv_extra_cases(base)


UV_EXTRA = """\
[project.optional-dependencies]
fast = ["idna>=3.4"]

"""


def uv_extra_cases(base: Files) -> list[Case]:
    """`[project.optional-dependencies]` (an extra): uv.lock records it in requires-dist with an
    `extra == '...'` marker and in `provides-extras`."""
    files = dict(base)
    files["pyproject.toml"] = PY_ROOT.replace(
        "[dependency-groups]", UV_EXTRA + "[dependency-groups]"
    )
    mutations: dict[str, Mutation | None] = {
        "extra-insync": None,
        "extra-changed": edit_text(
            "pyproject.toml", 'fast = ["idna>=3.4"]', 'fast = ["idna>=3.5"]'
        ),
        "extra-added": edit_text(
            "pyproject.toml", 'fast = ["idna>=3.4"]', 'fast = ["idna>=3.4"]\nslow = ["six>=1.15"]'
        ),
    }
    return [Case("uv", n, "uv", dict(files), m) for n, m in mutations.items()]


UV_TOOL = """\
[tool.uv]
constraint-dependencies = ["idna<3.11", "six<2 ; python_version >= '3.9'"]
override-dependencies = ["six>=1.16,<1.17"]
build-constraint-dependencies = ["setuptools>=60"]

"""

UV_TOOL_EQUIVALENT = """\
[tool.uv]
constraint-dependencies = ["SIX < 2; python_full_version>=\\"3.9\\"", "idna <3.11"]
override-dependencies = ["six<1.17, >=1.16"]
build-constraint-dependencies = ["setuptools >= 60"]

"""
"""The same `[tool.uv]` lists as uv reads them: reordered, respaced, `python_version` spelled as
uv.lock spells it; `uv lock --check` accepts it, so AG402 must too."""


def uv_tool_cases(base: Files) -> list[Case]:
    """`[tool.uv]` lists that uv.lock records in `[manifest]` (constraints, overrides,
    build-constraints): uv reads them at the workspace root only."""
    files = dict(base)
    files["pyproject.toml"] = PY_ROOT.replace(
        "[tool.uv.workspace]", UV_TOOL + "[tool.uv.workspace]"
    )
    member = PY_MEMBER.format(name="a", deps='"idna>=3.4"')
    mutations: dict[str, Mutation | None] = {
        "tool-insync": None,
        "tool-normalised": edit_text("pyproject.toml", UV_TOOL, UV_TOOL_EQUIVALENT),
        "constraint-added": edit_text(
            "pyproject.toml", '"idna<3.11"', '"idna<3.11", "six!=1.15.0"'
        ),
        "constraint-removed": edit_text("pyproject.toml", '"idna<3.11", ', ""),
        "constraint-changed": edit_text("pyproject.toml", '"idna<3.11"', '"idna<3.12"'),
        "override-added": edit_text(
            "pyproject.toml", '"six>=1.16,<1.17"', '"six>=1.16,<1.17", "idna>=3.4"'
        ),
        "override-removed": edit_text(
            "pyproject.toml", 'override-dependencies = ["six>=1.16,<1.17"]\n', ""
        ),
        "build-constraint-changed": edit_text("pyproject.toml", "setuptools>=60", "setuptools>=61"),
        # uv ignores a member's own [tool.uv] lists: the lock stays fresh.
        "member-constraint": write(
            "packages/a/pyproject.toml",
            member + '\n[tool.uv]\nconstraint-dependencies = ["idna<3.5"]\n',
        ),
    }
    return [Case("uv", n, "uv", dict(files), m) for n, m in mutations.items()]


def poetry_cases() -> list[Case]:
    classic: dict[str, Mutation | None] = {
        "insync": None,
        "added": edit_text("pyproject.toml", 'six = "^1.16"', 'six = "^1.16"\nidna = "^3.4"'),
        "removed": edit_text("pyproject.toml", 'six = "^1.16"\n', ""),
        "changed": edit_text("pyproject.toml", 'six = "^1.16"', 'six = "^1.15"'),
        "group-changed": edit_text("pyproject.toml", 'idna = "^3.4"', 'idna = "^3.5"'),
        "description-changed": edit_text(
            "pyproject.toml", 'description = "poetry', 'description = "edited: poetry'
        ),
    }
    cases = [
        Case("poetry", f"classic-{n}", "poetry", {"pyproject.toml": POETRY_CLASSIC}, m)
        for n, m in classic.items()
    ]
    pep621: dict[str, Mutation | None] = {
        "insync": None,
        "changed": edit_text(
            "pyproject.toml", 'dependencies = ["six>=1.16"]', 'dependencies = ["six>=1.15"]'
        ),
        "added": edit_text(
            "pyproject.toml",
            'dependencies = ["six>=1.16"]',
            'dependencies = ["six>=1.16", "idna>=3.4"]',
        ),
        "removed": edit_text("pyproject.toml", 'dependencies = ["six>=1.16"]', "dependencies = []"),
    }
    cases += [
        Case("poetry", f"pep621-{n}", "poetry", {"pyproject.toml": POETRY_PEP621}, m)
        for n, m in pep621.items()
    ]
    return cases


# ---------------------------------------------------------------- running the tools


def run_tool(case: Case, cwd: Path) -> None:
    tool = TOOL_OF.get(case.tool, case.tool)
    if tool == "berry":
        (cwd / "yarn.lock").write_text("")
        (cwd / ".yarnrc.yml").write_text("nodeLinker: node-modules\nenableTelemetry: false\n")
    if tool == "yarn1":
        (cwd / "yarn.lock").write_text("")
    command = [*TOOLS[tool], *LOCK_COMMANDS[case.tool]]
    done = subprocess.run(
        command, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        joined = " ".join(command)
        raise SystemExit(f"{case.name}: {joined} failed\n{done.stdout}\n{done.stderr}")


def copy_tree(src: Path, dest: Path) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in SCRATCH_SKIP and part not in KEEP_FILES for part in rel.parts):
            continue
        if path.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def generate(case: Case) -> None:
    with tempfile.TemporaryDirectory(prefix=f"lockgen-{case.ecosystem}-") as tmp:
        work = Path(tmp)
        for rel, text in case.files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text)
        run_tool(case, work)
        if case.mutation is not None:
            case.mutation(work)
        for rel, text in case.extra.items():
            (work / rel).write_text(text)
        dest = FIXTURES / f"lock-{case.ecosystem}" / case.name
        if dest.exists():
            shutil.rmtree(dest)
        copy_tree(work, dest)
    print(f"lock-{case.ecosystem}/{case.name}: generated with {case.tool}")


def all_cases() -> list[Case]:
    return [
        *npm_cases(),
        *pnpm_config_cases(),
        *pnpm_manifest_cases(),
        *pnpm_override_cases(),
        *berry_resolution_cases(),
        *uv_cases(),
        *poetry_cases(),
    ]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated ecosystems")
    parser.add_argument("--case", default="", help="comma-separated case names")
    args = parser.parse_args(argv)
    only = set(filter(None, args.only.split(",")))
    names = set(filter(None, args.case.split(",")))
    for case in all_cases():
        if only and case.ecosystem not in only:
            continue
        if names and case.name not in names:
            continue
        generate(case)


if __name__ == "__main__":
    main(sys.argv[1:])
