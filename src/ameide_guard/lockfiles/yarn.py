"""yarn.lock, both the classic v1 format (yarn 1) and berry's YAML (yarn 2+, `__metadata:`).

A yarn.lock is keyed by *descriptors*: `name@range` (v1) or `name@npm:range` (berry), several
sharing one entry. Yarn's frozen/immutable install fails when a manifest's descriptor has no
entry; berry also records each workspace (`name@workspace:dir`) with its dependency list and
rewrites the file when an entry became unreachable. The reader keeps, per entry, its
descriptors and dependency descriptors so both questions can be answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ameide_guard.errors import ManifestError
from ameide_guard.formats.yaml import load_yaml
from ameide_guard.model import Span


@dataclass(frozen=True)
class YarnEntry:
    descriptors: tuple[str, ...]
    dependencies: tuple[str, ...]
    """Descriptors this entry depends on (dependencies and optional dependencies)."""
    line: int
    resolution: str = ""
    """berry: the locator the descriptors resolved to (`is-odd@npm:3.0.1`); '' for yarn 1."""
    peers: tuple[str, ...] = ()
    """berry: its peer dependencies as declared (`is-odd@^3.0.0`): provided by a parent, so
    they need no entry of their own; a workspace's are compared with its manifest."""

    def workspace(self) -> str | None:
        """berry: the directory of the workspace this entry is (its resolution
        `name@workspace:<dir>`; descriptors like `name@workspace:*` are only ranges), else None."""
        reference = split_descriptor(self.resolution)[1]
        return reference.removeprefix("workspace:") if reference.startswith("workspace:") else None


@dataclass(frozen=True)
class YarnLock:
    berry: bool
    entries: tuple[YarnEntry, ...]

    def by_descriptor(self) -> dict[str, YarnEntry]:
        return {d: e for e in self.entries for d in e.descriptors}


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """`@scope/name@range` → (`@scope/name`, `range`)."""
    at = descriptor.find("@", 1)
    return (descriptor, "") if at < 0 else (descriptor[:at], descriptor[at + 1 :])


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


_V1_DEP = re.compile(r'^\s{4}("(?:[^"\\]|\\.)*"|\S+)\s+("(?:[^"\\]|\\.)*"|\S+)\s*$')
DEP_BLOCKS = ("dependencies:", "optionalDependencies:")


def parse_v1(text: str, path: str) -> YarnLock:
    """yarn 1's own indentation format: `key, key:` headers, two-space fields, four-space
    dependency lines."""
    entries: list[YarnEntry] = []
    descriptors: tuple[str, ...] = ()
    deps: list[str] = []
    start = 0
    in_deps = False

    def flush() -> None:
        if descriptors:
            entries.append(YarnEntry(descriptors, tuple(deps), start))

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if not line.rstrip().endswith(":"):
                raise ManifestError(
                    f"{path}: line {number} is not a `descriptor:` header",
                    Span.whole_line(number, line),
                )
            flush()
            descriptors = tuple(_unquote(d) for d in line.rstrip()[:-1].split(","))
            deps, start, in_deps = [], number, False
        elif line.startswith("  ") and not line.startswith("    "):
            in_deps = line.strip() in DEP_BLOCKS
        elif in_deps:
            match = _V1_DEP.match(line)
            if match is None:
                raise ManifestError(
                    f"{path}: unreadable dependency line {number}", Span.whole_line(number, line)
                )
            deps.append(f"{_unquote(match.group(1))}@{_unquote(match.group(2))}")
    flush()
    return YarnLock(False, tuple(entries))


def _entry_line(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            lines[_unquote(line.rstrip()[:-1])] = number
    return lines


def parse_berry(text: str, path: str) -> YarnLock:
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise ManifestError(f"{path} is not a mapping of descriptors")
    lines = _entry_line(text)
    entries: list[YarnEntry] = []
    for key, entry in data.items():
        if key == "__metadata":
            continue
        if not isinstance(entry, dict):
            raise ManifestError(
                f"{path}: entry `{key}` is not a mapping",
                Span(lines.get(str(key), 1), 1, lines.get(str(key), 1), 2),
            )
        blocks: dict[str, list[str]] = {}
        for block in ("dependencies", "peerDependencies"):
            found = entry.get(block) or {}
            if not isinstance(found, dict):
                raise ManifestError(f"{path}: `{key}.{block}` is not a mapping")
            blocks[block] = [f"{name}@{rng}" for name, rng in found.items()]
        descriptors = tuple(d.strip() for d in str(key).split(","))
        entries.append(
            YarnEntry(
                descriptors,
                tuple(blocks["dependencies"]),
                lines.get(str(key), 1),
                str(entry.get("resolution") or ""),
                tuple(blocks["peerDependencies"]),
            )
        )
    return YarnLock(True, tuple(entries))


# ---------------------------------------------------------------- berry `resolutions`


@dataclass(frozen=True)
class Resolution:
    """One package.json `resolutions` entry as berry parses it: `[from[@range]/]name[@range]`
    → `reference`."""

    key: str
    """The selector as written."""
    name: str
    range: str | None
    parent: str | None
    parent_range: str | None
    reference: str


def _specifiers(key: str) -> list[str]:
    """`@s/a@1/@t/b` → [`@s/a@1`, `@t/b`]: a segment starting with `@` is a scope."""
    parts = [p for p in key.strip().split("/") if p]
    out: list[str] = []
    while parts:
        take = 2 if parts[0].startswith("@") and len(parts) > 1 else 1
        out.append("/".join(parts[:take]))
        parts = parts[take:]
    return out


def parse_resolution(key: str, reference: str) -> Resolution | None:
    """The entry, or None for a glob pattern (`**/name`): berry 4 ignores those (YN0057)."""
    if "*" in key:
        return None
    specs = _specifiers(key)
    if not 1 <= len(specs) <= 2:
        raise ManifestError(
            f"`resolutions` key {key!r} is not a pattern berry reads "
            "(`name`, `name@range`, `parent/name` or `parent@range/name`)"
        )
    name, rng = split_descriptor(specs[-1])
    parent, parent_range = split_descriptor(specs[0]) if len(specs) == 2 else (None, None)
    return Resolution(key, name, rng or None, parent, parent_range or None, reference)


def parse_yarn_lock(text: str, path: str) -> YarnLock:
    if re.search(r"^__metadata:", text, re.M):
        return parse_berry(text, path)
    return parse_v1(text, path)
