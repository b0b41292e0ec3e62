"""Fast, bounded YAML: the one loader (and the one alias limit) for lockfiles (pnpm-lock.yaml,
berry yarn.lock), Buf configs and, through `alias_count`, the position-keeping workflow reader.

Lockfile writers never emit anchors, aliases or merge keys, so a document that has them is either
hand-edited or hostile (an alias bomb). Aliases are shared references after loading, which is
harmless to the depth-bounded walks of the readers, but merge keys (`<<`) are *copied* by the
constructor and can grow exponentially; both are therefore bounded before loading.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import reader
from ameide_guard.model import Span

Loader: Any = (
    getattr(yaml, "CSafeLoader", yaml.SafeLoader) if yaml.__with_libyaml__ else (yaml.SafeLoader)
)
MAX_ALIASES = 200
"""More alias events than this in one document is refused as a likely alias bomb. No tool writes
aliases into a lockfile or a Buf config; a hand-written workflow that shares steps through
anchors needs a few dozen."""
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}'\"]+|<<\s*:", re.M)


def alias_count(text: str) -> tuple[int, bool]:
    """The exact number of alias events and whether a merge key occurs (event scan, C-speed;
    skipped when no `&`, `*` or `<<` could start one)."""
    if not _MAYBE_ANCHOR.search(text):
        return 0, False
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
        aliases, merge = alias_count(text)
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
        raise yaml_reader_error(exc, text, what) or ManifestError(
            f"invalid YAML in {what}: {' '.join(str(exc).split())}"
        ) from None


def yaml_reader_error(exc: yaml.YAMLError, text: str, what: str) -> ManifestError | None:
    """PyYAML's refusal of a character no YAML stream may hold (a NUL, a stray control
    character), as a one-line error at its line; None for any other error."""
    if not isinstance(exc, yaml.reader.ReaderError):
        return None
    position = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return ManifestError(
        f"invalid YAML in {what}: character U+{code:04X} at line {line}, column {column} is "
        "not allowed in YAML; remove it",
        Span(line, column, line, column + 1),
    )


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
