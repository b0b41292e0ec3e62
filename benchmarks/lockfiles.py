"""Benchmark the lockfile readers on synthetic large lockfiles: a ~20 MB pnpm-lock.yaml (v9, 200
importers, ~80k packages) and a ~5 MB package-lock.json (v3, ~13k packages).

    .venv/bin/python benchmarks/lockfiles.py

Prints the size, the reader's time (best of 3) and, for comparison, a full YAML/JSON load.
Nothing is written outside a temporary directory.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ameide_guard.lockfiles.npm import parse_npm_lock
from ameide_guard.lockfiles.pnpm import parse_pnpm_lock

INTEGRITY = "sha512-" + "A" * 86 + "=="


def pnpm_lock(importers: int, packages: int) -> str:
    out = ["lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true", ""]
    out.append("importers:\n")
    for i in range(importers):
        out.append(f"  packages/p{i}:\n    dependencies:")
        for j in range(20):
            out.append(f"      dep-{(i * 7 + j) % packages}:\n        specifier: ^1.{j}.0")
            out.append(f"        version: 1.{j}.3")
        out.append("")
    out.append("packages:\n")
    for k in range(packages):
        out.append(f"  dep-{k}@1.{k % 20}.3:")
        out.append(f"    resolution: {{integrity: {INTEGRITY}}}")
        out.append("    engines: {node: '>=14'}\n")
    out.append("snapshots:\n")
    for k in range(packages):
        out.append(f"  dep-{k}@1.{k % 20}.3:")
        out.append("    dependencies:")
        out.append(f"      dep-{(k + 1) % packages}: 1.{(k + 1) % 20}.3")
        out.append(f"      dep-{(k + 2) % packages}: 1.{(k + 2) % 20}.3\n")
    return "\n".join(out)


def package_lock(packages: int) -> str:
    entries: dict[str, object] = {
        "": {
            "name": "big",
            "version": "1.0.0",
            "dependencies": {f"dep-{k}": f"^1.{k % 20}.0" for k in range(200)},
        }
    }
    for k in range(packages):
        entries[f"node_modules/dep-{k}"] = {
            "version": f"1.{k % 20}.3",
            "resolved": f"https://registry.npmjs.org/dep-{k}/-/dep-{k}-1.{k % 20}.3.tgz",
            "integrity": INTEGRITY,
            "license": "MIT",
            "dependencies": {f"dep-{(k + 1) % packages}": "^1.0.0"},
            "engines": {"node": ">=14"},
        }
    data = {"name": "big", "version": "1.0.0", "lockfileVersion": 3, "requires": True}
    data["packages"] = entries
    return json.dumps(data, indent=2)


def best(func: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    print(f"PyYAML {yaml.__version__}, libyaml: {yaml.__with_libyaml__}")
    text = pnpm_lock(importers=200, packages=80_000)
    mb = len(text.encode()) / 2**20
    ours = best(lambda: parse_pnpm_lock(text, "pnpm-lock.yaml"))
    full = best(lambda: yaml.load(text, Loader=loader), runs=1)
    print(
        f"pnpm-lock.yaml {mb:.1f} MB: ameide-guard reader {ours * 1000:.0f} ms; "
        f"full {loader.__name__} load {full * 1000:.0f} ms"
    )
    lock = package_lock(packages=13_000)
    mb = len(lock.encode()) / 2**20
    ours = best(lambda: parse_npm_lock(lock, "package-lock.json"))
    print(f"package-lock.json {mb:.1f} MB: ameide-guard reader {ours * 1000:.0f} ms")


if __name__ == "__main__":
    main()
