"""`--format github`: GitHub Actions workflow commands, which the runner turns into annotations
on the pull request's diff (`::error file=…,line=…,col=…,endColumn=…,title=…::message`).

Escaping follows @actions/core (`toCommandValue`/`escapeData`/`escapeProperty`): `%`, CR and LF
in the message; those plus `:` and `,` in property values, which would otherwise end the value.

GitHub resolves `file=` against the workspace (the checkout), so when ameide-guard scans a
sub-directory of it (the action's `path` input) the paths are prefixed with that directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ameide_guard.model import Finding, Level

if TYPE_CHECKING:
    from ameide_guard.scan.options import ScanResult

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workspace_prefix(root: Path, workspace: str | None) -> str:
    """The scan root relative to the Actions workspace ("" outside Actions or outside it)."""
    if not workspace:
        return ""
    try:
        inside = root.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if inside == "." else f"{inside}/"


def command(finding: Finding, prefix: str = "") -> str:
    """One workflow command. GitHub honours `col`/`endColumn` only on a single-line span."""
    span = finding.span
    props = [("file", prefix + finding.path), ("line", str(span.line))]
    if span.end_line > span.line:
        props.append(("endLine", str(span.end_line)))
    else:
        props.append(("col", str(span.column)))
        if span.end_column > span.column:
            props.append(("endColumn", str(span.end_column)))
    props.append(("title", f"{finding.rule} {finding.slug}"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[finding.level]} {rendered}::{escape_data(finding.message)}"


def render(result: ScanResult, *, color: bool = False, workspace: str | None = None) -> str:
    prefix = workspace_prefix(result.root, workspace or os.environ.get("GITHUB_WORKSPACE"))
    return "".join(f"{command(f, prefix)}\n" for f in result.findings)
