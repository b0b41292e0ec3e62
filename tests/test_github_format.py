"""`--format github`: workflow commands GitHub turns into annotations, and several outputs in
one run (`--output sarif=FILE --output github=- --output text=-`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from harness import FIXTURES, scan_dir

from ameide_guard.model import Finding, Level, Span
from ameide_guard.reporters import render
from ameide_guard.reporters.github import (
    command,
    escape_data,
    escape_property,
    workspace_prefix,
)

COMMAND = re.compile(
    r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:]*)(?:,[A-Za-z]+=[^,:]*)*)::(.*)$"
)


def finding(**changes: object) -> Finding:
    base = {
        "rule": "AG101",
        "slug": "runtime-generated-import",
        "level": Level.ERROR,
        "path": "services/a/main.py",
        "span": Span(3, 5, 3, 20),
        "message": "imports generated code",
    }
    return Finding(**{**base, **changes})  # type: ignore[arg-type]


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), props, match.group(3)


def unescape(text: str) -> str:
    """What the runner does (@actions/core's escaping, reversed)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_single_line_span_has_columns_and_a_title() -> None:
    kind, props, message = parse(command(finding()))
    assert kind == "error"
    assert props == {
        "file": "services/a/main.py",
        "line": "3",
        "col": "5",
        "endColumn": "20",
        "title": "AG101 runtime-generated-import",
    }
    assert message == "imports generated code"


def test_multi_line_span_has_an_end_line_and_no_columns() -> None:
    _, props, _ = parse(command(finding(span=Span(3, 5, 6, 2))))
    assert props["endLine"] == "6" and "col" not in props and "endColumn" not in props


def test_levels_map_to_error_warning_notice() -> None:
    kinds = [parse(command(finding(level=lvl)))[0] for lvl in Level]
    assert sorted(kinds) == ["error", "notice", "warning"]


def test_escaping_round_trips_through_the_runner_rules() -> None:
    awkward = "50% done,\r\nnext: a::b"
    assert escape_data(awkward) == "50%25 done,%0D%0Anext: a::b"
    assert escape_property(awkward) == "50%25 done%2C%0D%0Anext%3A a%3A%3Ab"
    line = command(finding(path="dir,with:odd%/x.py", message=awkward))
    assert "\n" not in line and "\r" not in line
    _, props, message = parse(line)
    assert unescape(props["file"]) == "dir,with:odd%/x.py"
    assert unescape(message) == awkward


def test_paths_are_prefixed_with_the_root_inside_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "repo" / "sub"
    root.mkdir(parents=True)
    assert workspace_prefix(root, str(tmp_path / "repo")) == "sub/"
    assert workspace_prefix(root, str(root)) == ""
    assert workspace_prefix(root, str(tmp_path / "elsewhere")) == ""
    assert workspace_prefix(root, None) == ""


def test_render_emits_one_command_per_finding() -> None:
    result = scan_dir(FIXTURES / "imports-ts")
    lines = render("github", result).splitlines()
    assert len(lines) == len(result.findings) > 0
    for line, f in zip(lines, result.findings, strict=True):
        _, props, _ = parse(line)
        assert props["file"].endswith(f.path) and props["line"] == str(f.span.line)


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    sarif, report = tmp_path / "out.sarif", tmp_path / "out.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ameide_guard",
            "scan",
            "--no-cache",
            "--output",
            f"sarif={sarif}",
            "--output",
            f"json={report}",
            "--output",
            "github=-",
            "--output",
            "text=-",
            str(FIXTURES / "imports-ts"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "GITHUB_WORKSPACE": ""},
    )
    assert done.returncode == 1, done.stderr
    count = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
    assert len(json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]) == count
    commands = [x for x in done.stdout.splitlines() if x.startswith("::")]
    assert len(commands) == count
    assert re.search(r"^Found \d+ findings", done.stdout, re.MULTILINE)
