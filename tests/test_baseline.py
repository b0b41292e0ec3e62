"""`ameide-guard baseline` and `scan --baseline`: a stable, sorted, reviewable file; only new
findings reported; fixed entries counted; bad files rejected in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import write
from harness import FIXTURES, run_cli, scan_dir

from ameide_guard.errors import BaselineError
from ameide_guard.scan.baseline import apply_baseline, write_baseline

VIOLATIONS = {
    "ameide-guard.toml": "# defaults\n",
    "services/a/main.py": "import acme.orders.v1.orders_pb2\nimport acme.billing.v1.b_pb2\n",
    "services/b/main.py": "from acme.users.v1 import users_pb2\n",
}


def test_file_is_sorted_stable_and_reviewable(tmp_path: Path) -> None:
    findings = scan_dir(FIXTURES / "example").findings
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert write_baseline(findings, first) == len(findings)
    write_baseline(list(reversed(findings)), second)
    assert first.read_bytes() == second.read_bytes()
    payload = json.loads(first.read_text(encoding="utf-8"))
    entries = payload["findings"]
    assert [set(e) for e in entries] == [{"fingerprint", "rule", "path", "message"}] * len(entries)
    keys = [(e["path"], e["rule"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys)
    assert first.read_text(encoding="utf-8").endswith("}\n")


def test_only_new_findings_are_reported_and_fixed_ones_counted(tmp_path: Path) -> None:
    write(tmp_path, VIOLATIONS)
    baseline = tmp_path / "baseline.json"
    write_baseline(scan_dir(tmp_path).findings, baseline)
    assert scan_dir(tmp_path, baseline=baseline).findings == []

    # One old finding fixed, one new one added, an unrelated line inserted above the rest.
    write(
        tmp_path,
        {
            "services/a/main.py": "import os\nimport acme.orders.v1.orders_pb2\n",
            "services/c/main.py": "import acme.new.v1.n_pb2\n",
        },
    )
    result = scan_dir(tmp_path, baseline=baseline)
    assert [(f.path, f.rule) for f in result.findings] == [("services/c/main.py", "AG101")]
    assert result.baseline_fixed == 1


def test_cli_round_trip_and_summary(tmp_path: Path) -> None:
    write(tmp_path, VIOLATIONS)
    done = run_cli("baseline", "--no-cache", "--output", "bl.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote 3 findings to bl.json" in done.stderr
    assert run_cli("scan", "--no-cache", "--baseline", "bl.json", cwd=tmp_path).returncode == 0
    write(tmp_path, {"services/b/main.py": "\n"})
    done = run_cli("scan", "--no-cache", "--baseline", "bl.json", cwd=tmp_path)
    assert done.returncode == 0
    assert "1 baseline entry fixed" in done.stdout


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[1, 2]", "not an ameide-guard baseline"),
        ('{"findings": [{"rule": "AG101"}]}', "findings[0] has no `fingerprint`"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_baseline_is_one_clear_line(tmp_path: Path, text: str | bytes, needle: str) -> None:
    bad = tmp_path / "bl.json"
    if isinstance(text, bytes):
        bad.write_bytes(text)
    else:
        bad.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError, match=r".*") as caught:
        apply_baseline([], bad)
    assert needle in str(caught.value) and str(bad) in str(caught.value)
    write(tmp_path, VIOLATIONS)
    done = run_cli("scan", "--no-cache", "--baseline", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and needle in done.stderr
    assert "Traceback" not in done.stderr


def test_fixed_count_ignores_the_diff_filter_and_is_unknown_for_paths(tmp_path: Path) -> None:
    from gitrepo import init_repo

    init_repo(tmp_path, VIOLATIONS)
    baseline = tmp_path / "baseline.json"
    write_baseline(scan_dir(tmp_path).findings, baseline)
    # Nothing changed since HEAD: the diff filter drops every finding, yet none is fixed.
    result = scan_dir(tmp_path, baseline=baseline, diff_base="HEAD")
    assert (result.findings, result.baseline_fixed) == ([], 0)
    # A pre-commit run sees one file only: it cannot say how many entries elsewhere are fixed.
    result = scan_dir(tmp_path, baseline=baseline, paths=("services/b/main.py",))
    assert (result.findings, result.baseline_fixed) == ([], None)
