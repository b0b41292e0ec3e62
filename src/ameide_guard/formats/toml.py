"""TOML for lockfiles read in slices (uv.lock blocks, poetry.lock's `[metadata]`): the shared
`manifests.pyproject.load_toml`, with the error's line moved from the slice to the file."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ameide_guard.manifests.pyproject import load_toml as load_whole
from ameide_guard.scan.repo import ManifestError


def load_toml(text: str, path: str, first_line: int = 1) -> dict[str, Any]:
    """`text` parsed; `first_line` is the file line the slice starts on."""
    try:
        return load_whole(text, path)
    except ManifestError as exc:
        shift = first_line - 1
        span = replace(exc.span, line=exc.span.line + shift, end_line=exc.span.end_line + shift)
        raise ManifestError(exc.message, span) from None
