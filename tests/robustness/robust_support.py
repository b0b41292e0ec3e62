"""Shared helpers of the robustness suite: build hostile trees in tmp_path, scan them in-process
and through the real CLI (a subprocess, optionally under resource limits), and check the
invariants every hostile input must keep: no traceback, a documented exit code, one-line errors.

A *canary* (a runtime TS file importing BSR-generated code, so AG101 at a known line) sits next to
every hostile file: a hostile neighbour must never make the scan lose it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import scan_dir

CANARY_PATH = "services/canary/src/main.ts"
CANARY_SOURCE = (
    'import { x } from "lodash";\nimport { Orders } from "@buf/acme_orders.bufbuild_es";\n'
)
CANARY_LINE = 2
CANARY = f"{CANARY_PATH}:{CANARY_LINE}: AG101"


def write_tree(root: Path, files: dict[str, str | bytes], *, canary: bool = True) -> Path:
    """Create `files` (relative path → text or bytes) below root, plus the canary and a config
    marking the root. Returns root."""
    root.mkdir(parents=True, exist_ok=True)
    everything: dict[str, str | bytes] = {"ameide-guard.toml": "# defaults\n"}
    if canary:
        everything[CANARY_PATH] = CANARY_SOURCE
    everything.update(files)
    for rel, content in everything.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
    return root


def git(root: Path, *args: str) -> None:
    """Run git in root with a fixed identity (no global config is assumed)."""
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=60,
    )


HUGE = "1" * 5000
"""More digits than CPython converts to int (4,300): json, tomllib and yaml raise a bare
ValueError for it, which once ended the scan with an internal error."""


WATCHED = frozenset({"AG101", "AG900"})
"""The rules this suite's trees are built around (the canary's AG101, and AG900); findings of
other rules on the same trees are their own tests' business."""


def short(result: Any) -> list[str]:
    """`path:line: RULE` per AG101/AG900 finding of an in-process ScanResult."""
    return [f"{f.path}:{f.span.line}: {f.rule}" for f in result.findings if f.rule in WATCHED]


def problems(result: Any, path: str) -> list[str]:
    """The AG900 messages reported on `path`."""
    return [f.message for f in result.findings if f.rule == "AG900" and f.path == path]


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def short(self) -> list[str]:
        findings = self.json()["findings"]
        return [f"{f['path']}:{f['line']}: {f['rule']}" for f in findings if f["rule"] in WATCHED]


def cli_command() -> list[str]:
    """The installed console script when present (as CI calls it), else `python -m`."""
    script = Path(sys.executable).parent / "ameide-guard"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ameide_guard"]


def _limits(memory_bytes: int | None, cpu_seconds: int | None):  # type: ignore[no-untyped-def]
    def apply() -> None:
        import resource

        if memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


def run_cli(
    root: Path,
    *args: str,
    timeout: float = 120,
    memory_bytes: int | None = None,
    cpu_seconds: int | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> CliRun:
    """`ameide-guard scan --root ROOT ARGS` in a subprocess (cache off unless args say so), with
    optional address-space and CPU limits; asserts the invariants every run must keep."""
    import time

    command = [*cli_command(), "scan", "--root", str(root), *args]
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("AMEIDE_GUARD_DEBUG", None)
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd or root,
        env=full_env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        preexec_fn=_limits(memory_bytes, cpu_seconds) if memory_bytes or cpu_seconds else None,
        check=False,
    )
    run = CliRun(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.code in (0, 1, 2), run
    return run


def scan_json(root: Path, *args: str, **kwargs: Any) -> CliRun:
    """A CLI JSON scan with the cache off; exit 0 or 1 (never 2: a hostile tree is no error)."""
    run = run_cli(root, "--format", "json", "--no-cache", *args, **kwargs)
    assert run.code in (0, 1), run
    return run


def scan_both(root: Path, **options: Any) -> tuple[Any, CliRun]:
    """In-process scan and CLI JSON scan of root; their findings must agree."""
    result = scan_dir(root, **options)
    run = scan_json(root)
    assert run.short() == short(result)
    assert run.code == (1 if any(f.level.label == "error" for f in result.findings) else 0)
    return result, run
