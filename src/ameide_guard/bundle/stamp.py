"""The stamp file: what `ameide-guard stamp` writes (the digests of a proto package's inputs and
outputs, `bundle.layout` decides which files those are) and what AG303 compares with the tree."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ameide_guard._version import __version__
from ameide_guard.bundle.layout import Inventory, Layout, aggregate_digest, find_packages
from ameide_guard.errors import ManifestError, StampError
from ameide_guard.formats.reading import load_json, reader
from ameide_guard.scan.repo import RepoView
from ameide_guard.settings import Config

FORMAT_VERSION = 1


"""Bumped when the stamp's meaning changes; a stamp of another format is reported, not trusted."""


@dataclass(frozen=True)
class Stamp:
    format: int
    tool: str
    inputs: dict[str, str]
    outputs: dict[str, str]
    output_patterns: tuple[str, ...]


def render_stamp(layout: Layout, inventory: Inventory) -> str:
    """The stamp as sorted, indented JSON with no timestamp, so equal trees give equal bytes."""
    payload = {
        "format": FORMAT_VERSION,
        "tool": f"ameide-guard {__version__}",
        "about": "Written by `ameide-guard stamp` after `buf generate`; AG303 compares the proto "
        "package with it. Do not edit: regenerate, then rerun `ameide-guard stamp`.",
        "package": layout.package.label,
        "inputs": {
            "sha256": aggregate_digest(inventory.inputs),
            "files": dict(sorted(inventory.inputs.items())),
        },
        "outputs": {
            "patterns": list(layout.outputs),
            "sha256": aggregate_digest(inventory.outputs),
            "files": dict(sorted(inventory.outputs.items())),
        },
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _digest_map(value: Any, what: str) -> dict[str, str]:
    files = value.get("files") if isinstance(value, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise ManifestError(f"stamp `{what}.files` must map paths to digests; rerun the stamp")
    return files


@reader
def parse_stamp(text: str, path: str) -> Stamp:
    """The stamp's content; a stamp of another format keeps only its version (the rule reports
    it); anything unreadable is a `ManifestError` (AG900)."""
    data = load_json(text, "the stamp is not valid JSON ({reason}); rerun `ameide-guard stamp`")
    if not isinstance(data, dict):
        raise ManifestError("the stamp must be a JSON object; rerun `ameide-guard stamp`")
    version = data.get("format")
    raw_tool = data.get("tool")
    tool = raw_tool if isinstance(raw_tool, str) else "an unknown tool"
    if version != FORMAT_VERSION or isinstance(version, bool):
        return Stamp(version if isinstance(version, int) else 0, tool, {}, {}, ())
    outputs = data.get("outputs")
    patterns = outputs.get("patterns", []) if isinstance(outputs, dict) else []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ManifestError("stamp `outputs.patterns` must be a list of strings")
    return Stamp(
        FORMAT_VERSION,
        tool,
        _digest_map(data.get("inputs"), "inputs"),
        _digest_map(outputs, "outputs"),
        tuple(patterns),
    )


@dataclass(frozen=True)
class Change:
    """One file whose state differs from the stamp."""

    kind: str
    """`input` or `output`."""
    how: str
    """`changed`, `added` (not in the stamp) or `removed` (in the stamp, gone now)."""
    path: str
    """Package-relative."""


def diff_files(kind: str, recorded: Mapping[str, str], now: Mapping[str, str]) -> list[Change]:
    changes = []
    for path in sorted(recorded.keys() | now.keys()):
        before, after = recorded.get(path), now.get(path)
        if before == after:
            continue
        how = "added" if before is None else "removed" if after is None else "changed"
        changes.append(Change(kind, how, path))
    return changes


def repo_view(root: Path, config: Config) -> RepoView:
    """The scan's own view of the tree (its discovery and zone stages, without the analysis),
    so stamp and scan agree."""
    # lazy: only the `stamp` command discovers; AG303 imports this module light
    from ameide_guard.scan.zones import ZoneMap
    from ameide_guard.vcs.discovery import discover

    zones = ZoneMap.from_config(config)
    files, _ = zones.scanned(discover(root).files)
    return RepoView(root=root, config=config, zones=zones, files=files)


def _raise_problems(repo: RepoView) -> None:
    for problem in repo.problems:
        raise StampError(f"{problem.path}:{problem.span.line}", problem.reason)


def write_stamps(root: Path, config: Config) -> list[Path]:
    """Write the stamp of every proto package; only the stamp files are touched, and a stamp whose
    content is already right is left as it is."""
    repo = repo_view(root, config)
    packages = find_packages(repo)
    _raise_problems(repo)
    if not packages:
        patterns = ", ".join(config.zones["proto"]) or "(none)"
        raise StampError(
            config.source,
            f"no buf.yaml or buf.work.yaml in the proto zone (zones.proto = {patterns}); "
            "nothing to stamp",
        )
    options = config.rule("AG303").options
    written = []
    for package in packages:
        layout = Layout.of(package, options)
        text = render_stamp(layout, layout.inventory(repo))
        _raise_problems(repo)
        target = root / layout.stamp
        data = text.encode("utf-8")
        try:
            unchanged = target.read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        written.append(target)
    return written


def write_stamp(root: Path, config: Config) -> Path:
    """The CLI's `stamp`: writes every package's stamp, returns the first (usually the only)."""
    return write_stamps(root, config)[0]


def stamp_line(text: str | None, needles: Sequence[str]) -> int:
    """The 1-based line of the stamp where the first of `needles` appears (1 if none does), so a
    finding about a recorded file points at its entry."""
    if text:
        for needle in needles:
            for number, line in enumerate(text.splitlines(), 1):
                if needle in line:
                    return number
    return 1
