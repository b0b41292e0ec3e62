"""`.npmrc` registry mappings: which registry each scope (or the default) installs from.

npm and pnpm read `.npmrc` as ini: `key=value` lines, `;` or `#` comments, optional spaces
around `=`, and values optionally in quotes. Only `registry` and `@scope:registry` keys are kept,
each with its line, so AG203 can point at the line that sends the `@buf` scope to the Buf
registry. Values naming an environment variable (`${VAR}`) are kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ameide_guard.model import Span

_REGISTRY_LINE = re.compile(
    r"^\s*(?P<key>(?:@[^\s=:]+:)?registry)\s*=\s*(?P<value>.*?)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class NpmrcRegistry:
    scope: str | None
    """`@buf` for `@buf:registry=`, None for the default `registry=`."""
    url: str
    span: Span


def parse_npmrc_registries(text: str, path: str) -> tuple[NpmrcRegistry, ...]:
    """Every registry mapping in an `.npmrc`, in file order."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith((";", "#")):
            continue
        hit = _REGISTRY_LINE.match(line)
        if hit is None:
            continue
        key, value = hit.group("key"), hit.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        scope = key.rsplit(":", 1)[0].lower() if ":" in key else None
        span = Span(number, hit.start("key") + 1, number, len(line.rstrip()) + 1)
        found.append(NpmrcRegistry(scope, value, span))
    return tuple(found)
