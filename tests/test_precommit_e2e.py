"""End to end: the real `pre-commit try-repo` runs this project's hook on a throw-away repository.

try-repo installs the hook's package from a git repository. It takes uncommitted changes of
tracked files along but not untracked ones, so the test snapshots this project's working tree
(the files a build needs) into a fresh git repository and points try-repo at that: the hook then
runs exactly the code under test, committed or not. pre-commit builds the hook's environment with
pip (dependencies from the package index), under PRE_COMMIT_HOME in tmp_path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from gitrepo import GIT_ENV, commit, git, init_repo, write
from tools import require_tool

PROJECT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "src", "rules")

VIOLATIONS = {
    "ameide-guard.toml": "# defaults: the Ameide layout\n",
    "services/orders/app.py": "import os\nimport acme.orders.v1.orders_pb2\n",
    "services/orders/go.mod": (
        "module github.com/ameideio/ameide/services/orders\n\ngo 1.22\n\n"
        "replace github.com/ameideio/ameide-sdk-go => ../../packages/ameide_sdk_go\n"
    ),
    "services/orders/clean.py": "import json\n",
}
FIXED = {
    "services/orders/app.py": "import os\nfrom ameide_sdk import OrdersClient\n",
    "services/orders/go.mod": "module github.com/ameideio/ameide/services/orders\n\ngo 1.22\n",
}


def snapshot_project(target: Path) -> Path:
    """This project's build inputs as a one-commit git repository."""
    target.mkdir()
    for name in BUILD_INPUTS:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(
                source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        elif source.exists():
            shutil.copy2(source, target / name)
    git(target, "init", "-q", "-b", "main")
    commit(target, "snapshot")
    return target


def try_repo(
    pre_commit: str, project: Path, repo: Path, home: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **GIT_ENV,
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "PRE_COMMIT_COLOR": "never",
        "AMEIDE_GUARD_NO_CACHE": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [pre_commit, "try-repo", str(project), "ameide-guard", "--verbose", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=900,
    )


@pytest.mark.differential
@pytest.mark.slow
def test_hook_blocks_violations_and_passes_once_fixed(tmp_path: Path) -> None:
    pre_commit = require_tool("pre-commit", "pip install pre-commit")
    project = snapshot_project(tmp_path / "project")
    repo = init_repo(tmp_path / "repo", VIOLATIONS)
    home = tmp_path / "home"
    home.mkdir()

    everything = try_repo(pre_commit, project, repo, home, "--all-files")
    out = everything.stdout + everything.stderr
    assert everything.returncode == 1, out
    assert re.search(r"services/orders/app\.py:2:\d+: AG101", out)
    assert re.search(r"services/orders/go\.mod:5:\d+: AG201", out)

    # A commit touching only the clean file: file rules see just it and the go.mod rule is not
    # triggered, so the hook passes although the repository still has violations.
    write(repo, {"services/orders/clean.py": "import json\nimport sys\n"})
    only_clean = try_repo(pre_commit, project, repo, home, "--files", "services/orders/clean.py")
    assert only_clean.returncode == 0, only_clean.stdout + only_clean.stderr

    # Staging go.mod triggers the repo-level rule.
    staged_gomod = try_repo(pre_commit, project, repo, home, "--files", "services/orders/go.mod")
    assert staged_gomod.returncode == 1
    assert "AG201" in staged_gomod.stdout and "AG101" not in staged_gomod.stdout

    write(repo, FIXED)
    git(repo, "add", "-A")
    fixed = try_repo(pre_commit, project, repo, home, "--all-files")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Found 0 findings" in fixed.stdout


def test_hook_manifest_is_valid_for_pre_commit() -> None:
    pre_commit = require_tool("pre-commit", "pip install pre-commit")
    manifest = PROJECT / ".pre-commit-hooks.yaml"
    done = subprocess.run(
        [pre_commit, "validate-manifest", str(manifest)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("services/a/src/index.ts", True),
        ("services/a/main.go", True),
        ("services/a/app.py", True),
        ("services/a/package.json", True),
        ("pnpm-lock.yaml", True),
        ("services/a/go.sum", True),
        ("go.work", True),
        ("services/a/requirements-dev.txt", True),
        ("uv.lock", True),
        ("services/a/bun.lock", True),
        ("bun.lockb", True),
        ("packages/ameide_core_proto/buf.gen.ts.yaml", True),
        ("packages/ameide_core_proto/proto/a/v1/a.proto", True),
        (".github/workflows/ci.yml", True),
        ("ameide-guard.toml", True),
        ("README.md", False),
        ("services/a/data.json", False),
    ],
)
def test_hook_runs_on_sources_and_on_every_repo_rule_input(path: str, runs: bool) -> None:
    hook = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    assert bool(re.search(hook["files"], path)) is runs
