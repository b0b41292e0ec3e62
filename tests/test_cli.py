"""The command line: exit codes, JSON schema, --select/--ignore, --fail-on, PATHS, explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import run_cli

EXAMPLE = Path(__file__).parent / "fixtures" / "imports-ts"


def test_version_prints_the_version() -> None:
    from ameide_guard import __version__

    done = run_cli("--version")
    assert done.returncode == 0
    assert __version__ in done.stdout


def test_json_output_matches_the_design_schema() -> None:
    done = run_cli("scan", "--no-cache", "--format", "json", str(EXAMPLE))
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert set(payload) >= {"version", "findings", "errors", "stats"}
    assert set(payload["stats"]) >= {"files", "parsed", "seconds"}
    keys = {
        "rule",
        "slug",
        "level",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "fingerprint",
    }
    assert payload["findings"]
    for finding in payload["findings"]:
        assert set(finding) == keys
        assert not finding["path"].startswith("/") and "\\" not in finding["path"]
        assert finding["line"] >= 1 and finding["column"] >= 1
        assert finding["end_line"] >= finding["line"]
        assert len(finding["fingerprint"]) == 32


def test_fail_on_decides_the_exit_code() -> None:
    assert run_cli("scan", "--no-cache", "--select", "AG101", str(EXAMPLE)).returncode == 1
    assert run_cli("scan", "--no-cache", "--fail-on", "never", str(EXAMPLE)).returncode == 0
    # Only warnings left once errors are ignored: exit 0 at the default threshold, 1 at warning.
    only_warnings = ("scan", "--no-cache", "--select", "AG901", str(EXAMPLE))
    assert run_cli(*only_warnings).returncode == 0
    assert run_cli(*only_warnings, "--fail-on", "warning").returncode == 1


def test_select_and_ignore_take_ids_and_slugs() -> None:
    done = run_cli(
        "scan",
        "--no-cache",
        "--format",
        "json",
        "--select",
        "runtime-proto-package-import",
        str(EXAMPLE),
    )
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]}
    assert rules == {"AG102"}
    done = run_cli(
        "scan", "--no-cache", "--format", "json", "--ignore", "AG101,AG901", str(EXAMPLE)
    )
    assert {f["rule"] for f in json.loads(done.stdout)["findings"]} == {"AG102"}


def test_unknown_rule_in_select_is_a_usage_error() -> None:
    done = run_cli("scan", "--no-cache", "--select", "AG999", str(EXAMPLE))
    assert done.returncode == 2
    assert done.stderr.startswith("ameide-guard: error: unknown rule 'AG999'")


def test_paths_limit_file_rules_to_those_files() -> None:
    target = EXAMPLE / "services" / "web" / "src" / "legacy.cjs"
    done = run_cli("scan", "--no-cache", "--format", "json", str(target))
    paths = {f["path"] for f in json.loads(done.stdout)["findings"]}
    assert paths == {"services/web/src/legacy.cjs"}


def test_text_output_lists_path_line_col_rule_and_summary() -> None:
    done = run_cli("scan", "--no-cache", str(EXAMPLE))
    lines = done.stdout.splitlines()
    assert "services/web/src/legacy.cjs:1:20: AG101 [error] import of Buf-generated module" in (
        done.stdout
    )
    assert lines[-1].startswith("Found 26 findings (18 errors, 8 warnings, 0 notes)")


@pytest.mark.parametrize("rule", ["AG101", "runtime-proto-package-import"])
def test_explain_prints_the_rule_page(rule: str) -> None:
    done = run_cli("explain", rule)
    assert done.returncode == 0
    assert done.stdout.startswith("# AG10")
    assert "## How to suppress" in done.stdout


def test_scan_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("scan", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_a_directory_path_limits_the_scan_to_files_below_it() -> None:
    target = EXAMPLE / "services" / "web" / "tests"
    done = run_cli("scan", "--no-cache", "--format", "json", str(target))
    paths = {f["path"] for f in json.loads(done.stdout)["findings"]}
    assert paths == {"services/web/tests/orders.spec.ts"}


def test_loading_the_rules_leaves_the_readers_unloaded() -> None:
    """A scan answered from the memo loads the config (so every rule's metadata) and nothing
    else: the lockfile, manifest and YAML readers are imported only when a rule runs, and
    `--version` imports no rule at all. (Import times are a benchmark matter; what is imported is
    behaviour.)"""
    probe = (
        "import sys\n"
        "from ameide_guard.codes import all_rules\n"
        "assert len(all_rules()) >= 17\n"
        "heavy = ['yaml', 'ameide_guard.checks.lockfiles.verdicts',\n"
        "         'ameide_guard.lockfiles.pnpm',\n"
        "         'ameide_guard.checks.lockfiles.verdicts.base',\n"
        "         'ameide_guard.checks.lockfiles.verdicts.node',\n"
        "         'ameide_guard.manifests.gomod', 'ameide_guard.manifests.gomod.model',\n"
        "         'ameide_guard.manifests.gomod.semver', 'ameide_guard.manifests.workflow',\n"
        "         'ameide_guard.manifests.pyproject', 'ameide_guard.formats.tomlpos',\n"
        "         'ameide_guard.manifests.package_json',\n"
        "         'packaging', 'google.protobuf', 'tree_sitter', 'multiprocessing']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    assert _python(probe) == "[]"
    cli = "import sys\nimport ameide_guard.cli.commands\nprint('ameide_guard.codes' in sys.modules)"
    assert _python(cli) == "False"


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()
