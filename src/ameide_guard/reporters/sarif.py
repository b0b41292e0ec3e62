"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Built with the sarif-om object model and serialized with `jschema_to_python.to_json` (as bandit's
formatter does), which maps the om's snake_case attributes to the schema's camelCase names and
drops every attribute left at its default, so the log carries no `null`s or empty arrays.

Choices a reviewer may question:
- Paths are relative URIs under `%SRCROOT%` (declared in `originalUriBaseIds` with the scanned
  root's absolute `file:` URI), so GitHub resolves them against its checkout and local viewers
  against the scan root.
- `partialFingerprints["ameideGuard/v1"]` is the finding's line-independent fingerprint, so a
  result keeps its identity (and its dismissal in code scanning) when lines move above it.
- No `security-severity`: GitHub uses it to rank *security* alerts; these are architecture rules,
  and their error/warning/note level already says how much they matter.
- AG900 (a file that could not be read) is both a result, so that it blocks like any finding,
  and a tool execution notification, because SARIF consumers list those as analysis problems.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

# Neither sarif-om nor jschema-to-python ships type hints; `unused-ignore` keeps the comments
# quiet when mypy runs with --ignore-missing-imports (as CI does).
import sarif_om as om  # type: ignore[import-untyped, unused-ignore]  # no type hints
from jschema_to_python.to_json import to_json  # type: ignore[import-untyped, unused-ignore]  # no hints

from ameide_guard._version import __version__
from ameide_guard.checks.docs import help_uri, rule_page, rule_summary

if TYPE_CHECKING:
    from ameide_guard.model import Finding, Level
    from ameide_guard.rule import RuleMeta
    from ameide_guard.scan.options import ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "ameideGuard/v1"
AUTOMATION_CATEGORY = "ameide-guard/"
INFORMATION_URI = "https://github.com/ameideio/ameide-guard"
PARSE_ERROR = "AG900"


def artifact_uri(path: str) -> str:
    """A root-relative POSIX path as a relative URI reference: percent-encoded (spaces, `%`,
    `#`, `?`, non-ASCII as UTF-8) and never escaping the root (no leading `/`, no `..`)."""
    parts = [p for p in posixpath.normpath(path).split("/") if p]
    kept = [p for p in parts if p not in (".", "..")]
    return "/".join(quote(p, safe="") for p in kept) or "."


def sentence(text: str) -> str:
    """SARIF messages are sentences (the validator's SARIF2001 asks for a final period)."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _plain(markdown: str) -> str:
    """Markdown inline code and emphasis removed, for the `text` twin of a `markdown` string."""
    return re.sub(r"[`*]", "", markdown)


def _descriptor(meta: RuleMeta, level: Level) -> om.ReportingDescriptor:
    summary = rule_summary(meta.id)
    page = rule_page(meta.id)
    return om.ReportingDescriptor(
        id=meta.id,
        name=meta.name,
        short_description=om.MultiformatMessageString(text=sentence(meta.short)),
        full_description=om.MultiformatMessageString(
            text=sentence(_plain(summary)), markdown=summary
        ),
        help=om.MultiformatMessageString(text=page, markdown=page),
        help_uri=help_uri(meta.id),
        default_configuration=om.ReportingConfiguration(level=level.label),
        properties=om.PropertyBag(tags=[*meta.tags, meta.slug]),
    )


def _region(finding: Finding) -> om.Region:
    span = finding.span
    point = (span.end_line, span.end_column) <= (span.line, span.column)
    return om.Region(
        start_line=span.line,
        start_column=span.column,
        end_line=None if point else span.end_line,
        end_column=None if point else span.end_column,
    )


def _location(finding: Finding) -> om.Location:
    return om.Location(
        physical_location=om.PhysicalLocation(
            artifact_location=om.ArtifactLocation(
                uri=artifact_uri(finding.path), uri_base_id=SRCROOT
            ),
            region=_region(finding),
        )
    )


def _result(finding: Finding, index: int) -> om.Result:
    return om.Result(
        rule_id=finding.rule,
        rule_index=index,
        level=finding.level.label,
        message=om.Message(text=sentence(finding.message)),
        locations=[_location(finding)],
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
    )


def _notification(finding: Finding, index: int) -> om.Notification:
    return om.Notification(
        message=om.Message(text=sentence(finding.message)),
        level=finding.level.label,
        locations=[_location(finding)],
        associated_rule=om.ReportingDescriptorReference(id=finding.rule, index=index),
    )


def build_log(result: ScanResult) -> om.SarifLog:
    """The SARIF object model of a scan: one run, every enabled rule, every finding."""
    metas = list(result.rules)
    index = {meta.id: n for n, meta in enumerate(metas)}
    driver = om.ToolComponent(
        name="ameide-guard",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(meta, result.levels[meta.id]) for meta in metas],
    )
    problems = [f for f in result.findings if f.rule == PARSE_ERROR]
    invocation = om.Invocation(
        execution_successful=True,
        tool_execution_notifications=[_notification(f, index[f.rule]) for f in problems] or None,
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        invocations=[invocation],
        original_uri_base_ids={
            SRCROOT: om.ArtifactLocation(uri=result.root.resolve().as_uri().rstrip("/") + "/")
        },
        automation_details=om.RunAutomationDetails(id=AUTOMATION_CATEGORY),
        results=[_result(f, index[f.rule]) for f in result.findings],
        column_kind="unicodeCodePoints",
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def _restore_levels(log: dict[str, Any], result: ScanResult) -> None:
    """`to_json` drops values equal to the om's defaults, and `level` defaults to "warning";
    consumers infer it correctly, but an explicit level is what readers (and GitHub's UI)
    expect, so it is put back on every rule, result and notification."""
    run = log["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        rule["defaultConfiguration"]["level"] = result.levels[rule["id"]].label
    findings = result.findings
    for entry, finding in zip(run["results"], findings, strict=True):
        entry["level"] = finding.level.label
    problems = [f for f in findings if f.rule == PARSE_ERROR]
    notes = run["invocations"][0].get("toolExecutionNotifications", [])
    for entry, finding in zip(notes, problems, strict=True):
        entry["level"] = finding.level.label


def render(result: ScanResult, *, color: bool = False) -> str:
    log = json.loads(to_json(build_log(result)))
    _restore_levels(log, result)
    ordered = {"$schema": log.pop("$schema"), "version": log.pop("version"), **log}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
