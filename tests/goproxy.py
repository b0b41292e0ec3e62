"""A local, file-based Go module proxy built at test time, so Go's own go.sum checks can run with
no network (proxy.golang.org is reachable neither here nor in CI).

`write_proxy(root, modules)` lays synthetic modules out as the GOPROXY protocol expects
(`<escaped module>/@v/list`, `<version>.info`, `<version>.mod`, `<version>.zip` whose entries sit
under `<module>@<version>/`); `GOPROXY=file://<root>` then serves them to `go mod tidy` and
`go mod download` like any proxy. The modules' hashes are whatever Go computes from these zips:
nothing here needs to know the `h1:` algorithm.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# A fixed timestamp: the proxy's .info files and zip entries are then reproducible.
TIME = "2024-01-02T03:04:05Z"
ZIP_TIME = (2024, 1, 2, 3, 4, 6)


@dataclass(frozen=True)
class GoModule:
    """One version of a synthetic module: its requirements and its (single) package's files.

    `has_gomod=False` makes a pre-modules release (a `+incompatible` version): the zip holds no
    go.mod and the proxy serves the synthesised `module <path>` file, as proxy.golang.org does.
    """

    path: str
    version: str
    requires: tuple[tuple[str, str], ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    go: str = "1.21"
    has_gomod: bool = True

    def gomod(self) -> str:
        if not self.has_gomod:
            return f"module {self.path}\n"
        lines = [f"module {self.path}", "", f"go {self.go}"]
        if self.requires:
            lines += ["", "require (", *(f"\t{p} {v}" for p, v in self.requires), ")"]
        return "\n".join(lines) + "\n"


def escape(path: str) -> str:
    """The proxy protocol's case encoding: an upper-case letter becomes `!` + its lower case."""
    return "".join(f"!{c.lower()}" if c.isupper() else c for c in path)


def write_proxy(root: Path, modules: Iterable[GoModule]) -> str:
    """Write every module version under `root`; return the GOPROXY value that serves them."""
    versions: dict[str, list[str]] = {}
    for mod in modules:
        base = root / escape(mod.path) / "@v"
        base.mkdir(parents=True, exist_ok=True)
        stem = base / escape(mod.version)
        stem.with_name(stem.name + ".info").write_text(
            json.dumps({"Version": mod.version, "Time": TIME})
        )
        stem.with_name(stem.name + ".mod").write_text(mod.gomod())
        _write_zip(stem.with_name(stem.name + ".zip"), mod)
        versions.setdefault(mod.path, []).append(mod.version)
    for path, listed in versions.items():
        (root / escape(path) / "@v" / "list").write_text("".join(f"{v}\n" for v in listed))
    return root.resolve().as_uri()


def _write_zip(target: Path, mod: GoModule) -> None:
    prefix = f"{mod.path}@{mod.version}/"
    entries = dict(mod.files)
    if mod.has_gomod:
        entries["go.mod"] = mod.gomod()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            archive.writestr(zipfile.ZipInfo(prefix + name, ZIP_TIME), entries[name])


@dataclass(frozen=True)
class GoSandbox:
    """A Go toolchain confined to one directory: its own GOPATH, module cache, build cache and
    config, the local proxy as its only source, no checksum database, no toolchain switch."""

    go: str
    root: Path
    proxy: str

    def env(self, *, offline: bool) -> dict[str, str]:
        """Online means "the local proxy"; offline means GOPROXY=off, so a go.sum line that is
        missing cannot be fetched and go must say so (every version is already in the cache)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
        env.update(
            GOPROXY="off" if offline else self.proxy,
            GOSUMDB="off",
            GONOSUMDB="",
            GOPRIVATE="",
            GOTOOLCHAIN="local",
            GOENV="off",
            GOPATH=str(self.root / "gopath"),
            GOMODCACHE=str(self.root / "gopath" / "pkg" / "mod"),
            GOCACHE=str(self.root / "gocache"),
            XDG_CONFIG_HOME=str(self.root / "config"),
            # -modcacherw: the cache stays deletable by pytest's tmp_path clean-up.
            GOFLAGS="-mod=readonly -modcacherw" if offline else "-modcacherw",
        )
        return env

    def run(
        self, args: Sequence[str], cwd: Path, *, offline: bool, workspace: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = self.env(offline=offline)
        if not workspace:
            env["GOWORK"] = "off"
        return subprocess.run(
            [self.go, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )

    def must(self, args: Sequence[str], cwd: Path, *, workspace: bool = True) -> None:
        """Run online; a failure here is a broken test setup, never a verdict."""
        done = self.run(args, cwd, offline=False, workspace=workspace)
        if done.returncode != 0:
            raise RuntimeError(f"go {' '.join(args)} failed in {cwd}:\n{done.stderr}")


def make_sandbox(go: str, root: Path, modules: Sequence[GoModule]) -> GoSandbox:
    """Write the proxy and download every module version into the sandbox's module cache, from a
    throw-away module (its own go.mod keeps go from picking up a go.mod above tmp_path)."""
    sandbox = GoSandbox(go, root, write_proxy(root / "proxy", modules))
    scratch = root / "scratch"
    scratch.mkdir()
    (scratch / "go.mod").write_text("module scratch\n\ngo 1.21\n")
    sandbox.must(["mod", "download", *(f"{m.path}@{m.version}" for m in modules)], scratch)
    return sandbox


def go_version(go: str) -> tuple[int, int] | None:
    """(major, minor) of a Go toolchain, None when it does not answer as Go does."""
    done = subprocess.run(
        [go, "env", "GOVERSION"], capture_output=True, text=True, timeout=60, check=False
    )
    found = re.match(r"go(\d+)\.(\d+)", done.stdout.strip())
    return (int(found[1]), int(found[2])) if found else None
