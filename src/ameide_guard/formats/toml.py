"""TOML, read one way everywhere: tomllib (tomli before 3.11) for the config, pyproject.toml and
lockfiles read whole or in slices (uv.lock blocks, poetry.lock's `[metadata]`), with a syntax
error turned into a `ManifestError` at tomllib's line, moved from the slice to the file."""

from __future__ import annotations

import re
import sys
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import reader
from ameide_guard.model import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
loads = tomllib.loads
_AT_LINE = re.compile(r"line (\d+), column (\d+)")


@reader
def load_toml(text: str, path: str, first_line: int = 1) -> dict[str, Any]:
    """`text` parsed; `first_line` is the file line the text starts on (a slice of a lockfile)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        line += first_line - 1
        raise ManifestError(
            f"invalid TOML in {path}: {exc}", Span(line, column, line, column + 1)
        ) from None
