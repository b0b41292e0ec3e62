"""Fast, bounded YAML loading for lockfiles (pnpm-lock.yaml, berry yarn.lock).

Lockfile writers never emit anchors, aliases or merge keys, so a document that has them is either
hand-edited or hostile (an alias bomb). Aliases are shared references after loading, which is
harmless to the depth-bounded walks of the readers, but merge keys (`<<`) are *copied* by the
constructor and can grow exponentially; both are therefore bounded before loading.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ameide_guard.model import Span
from ameide_guard.scan.repo import ManifestError, reader

Loader: Any = (
    getattr(yaml, "CSafeLoader", yaml.SafeLoader) if yaml.__with_libyaml__ else (yaml.SafeLoader)
)
MAX_ALIASES = 1000
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}'\"]+|<<\s*:", re.M)


def _count_aliases(text: str) -> tuple[int, bool]:
    """The exact number of alias events and whether a merge key occurs (event scan, C-speed)."""
    aliases, merge = 0, False
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
        elif isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.implicit[0]:
            merge = True
    return aliases, merge


@reader
def load_yaml(text: str, what: str) -> Any:
    """`text` parsed with the C loader when available; `ManifestError` for invalid YAML and for
    documents whose aliases or merge keys could blow up."""
    try:
        if _MAYBE_ANCHOR.search(text):
            aliases, merge = _count_aliases(text)
            if merge or aliases > MAX_ALIASES:
                raise ManifestError(
                    f"{what} uses YAML {'merge keys' if merge else f'{aliases} aliases'}, which "
                    "no package manager writes; regenerate the lockfile"
                )
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        span = (
            Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)
            if mark
            else (Span(1, 1, 1, 1))
        )
        raise ManifestError(f"invalid YAML in {what}: {exc.problem}", span) from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"invalid YAML in {what}: {exc}") from None


def top_level_blocks(text: str, wanted: tuple[str, ...]) -> tuple[str, dict[str, int]]:
    """The part of a block-style YAML document made of the top-level keys in `wanted` (other
    top-level blocks, such as pnpm's huge `packages:`/`snapshots:`, are skipped unparsed), and the
    1-based line of each kept key. Blank and comment lines are preserved so line numbers hold."""
    first = _TOP_KEY.match(text)
    starts = [(0, first.group(1))] if first else []
    # Searching for "\n" + key is about 4x faster than a MULTILINE `^` scan of 20 MB.
    starts += [(m.start() + 1, m.group(1)) for m in _NEXT_TOP_KEY.finditer(text)]
    keep: list[str] = []
    lines: dict[str, int] = {}
    for index, (start, key) in enumerate(starts):
        key = key.strip("'\"")
        if key not in wanted:
            continue
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        line = text.count("\n", 0, start) + 1
        lines[key] = line
        keep.append("\n" * (line - 1 - sum(k.count("\n") for k in keep)) + text[start:end])
    return "".join(keep), lines


_KEY = r"([^\s#\-][^:\n]*|'[^'\n]*'|\"[^\"\n]*\"):(?=\s|$)"
_TOP_KEY = re.compile(_KEY, re.M)
_NEXT_TOP_KEY = re.compile("\n" + _KEY, re.M)
