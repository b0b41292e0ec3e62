"""Reporters turn a `ScanResult` into text for one output format.

`REPORTERS` maps a `--format` name to the module that renders it; each module has
`render(result, *, color: bool) -> str`. Modules load lazily so that only the format asked for
is imported (sarif-om is heavy)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ameide_guard.scan.options import ScanResult

REPORTERS: dict[str, str] = {
    "text": "ameide_guard.reporters.text",
    "json": "ameide_guard.reporters.json_report",
    "sarif": "ameide_guard.reporters.sarif",
    "github": "ameide_guard.reporters.github",
}


def render(fmt: str, result: ScanResult, *, color: bool = False) -> str:
    module = importlib.import_module(REPORTERS[fmt])
    return module.render(result, color=color)
