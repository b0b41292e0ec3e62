"""Inline suppression comments found in a file's text: `// ameide-guard: ignore[AG101] reason`
(or `#`, `/* */`, `--`, `;`). Applying them to findings is `scan.suppressions`' job."""

from __future__ import annotations

import re

from ameide_guard.model import Suppression

MARKER = "ameide-guard:"
_COMMENT = re.compile(
    r"(?P<lead>#|//|/\*|--|;)\s*ameide-guard:\s*ignore\[(?P<ids>[^\]\n]*)\](?P<reason>[^\n]*)"
)


def scan_suppressions(text: str) -> tuple[Suppression, ...]:
    """Every suppression comment in `text`; cheap when the marker is absent."""
    if MARKER not in text:
        return ()
    found: list[Suppression] = []
    line_no = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        hit = _COMMENT.search(line)
        if hit is None:
            continue
        standalone = not line[: hit.start()].strip()
        ids = tuple(x.strip() for x in hit.group("ids").split(",") if x.strip())
        reason = hit.group("reason").strip()
        for closer in ("*/", "-->"):
            if reason.endswith(closer):
                reason = reason[: -len(closer)].strip()
        reason = reason.lstrip(":-— ").strip()
        found.append(
            Suppression(
                line=line_no,
                column=hit.start() + 1,
                target_line=line_no + 1 if standalone else line_no,
                ids=ids,
                reason=reason,
            )
        )
    return tuple(found)
