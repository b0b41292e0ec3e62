"""What the lockfile rules report, shared by every ecosystem: a `Drift` (the lockfile and a
manifest disagree) or a `Missing` (no lockfile covers a manifest), and `compare`, the difference
of two name → range maps that most drifts come from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ameide_guard.lockfiles import FIX
from ameide_guard.model import FILE_SPAN, Span


@dataclass(frozen=True)
class Drift:
    """One difference between a lockfile and a manifest, as the package manager would see it."""

    tool: str
    lockfile: str
    manifest: str
    subject: str
    """The dependency (or workspace member, or `overrides`) that differs."""
    how: str
    """`added`, `removed`, `changed`, `member-added`, `member-removed`, `unused` (a yarn entry
    nothing reaches), `hash` (poetry's content hash) or `setting` (a pnpm lockfile setting)."""
    declared: str = ""
    locked: str = ""
    line: int = 1

    def message(self) -> str:
        what = {
            "added": f"dependency `{self.subject}`{f' {self.declared}' if self.declared else ''} "
            f"was added to {self.manifest} "
            "but is not in the lockfile",
            "removed": f"dependency `{self.subject}` was removed from {self.manifest} but the "
            f"lockfile still records it{f' ({self.locked})' if self.locked else ''}",
            "changed": f"`{self.subject}` changed in {self.manifest}: it declares "
            f"{self.declared}, the lockfile records {self.locked}",
            "member-added": f"workspace member {self.manifest} (`{self.subject}`) is not in the "
            "lockfile",
            "member-removed": f"the lockfile records workspace member `{self.subject}`, which no "
            "longer exists",
            "unused": f"the entry for `{self.subject}` ({self.locked}) is needed by no "
            f"workspace any more{f' ({self.declared})' if self.declared else ''}",
            "hash": f"its {self.locked} does not match {self.manifest}: {self.declared} changed "
            "since it was locked",
            "section": f"`{self.subject}` is listed in {self.declared} of {self.manifest}, but "
            f"the lockfile records it under {self.locked}",
            "field": f"`{self.subject}` is {self.declared} in {self.manifest}, but the lockfile "
            f"records {self.locked}",
            "setting": f"pnpm setting `{self.subject}` is {self.declared} now, but the lockfile "
            f"was written with {self.locked}",
        }[self.how]
        return f"{self.lockfile} is out of sync: {what}. {FIX[self.tool].capitalize()}."


@dataclass(frozen=True)
class Missing:
    tool: str
    manifest: str
    expected: tuple[str, ...]
    """Where a lockfile would cover the manifest (any one of them)."""
    span: Span = FILE_SPAN
    """The manifest's first dependency: a suppression comment goes on the line above it."""

    def where(self) -> str:
        if len(self.expected) == 1:
            return self.expected[0]
        return ", ".join(self.expected[:-1]) + " or " + self.expected[-1]


def compare(
    declared: dict[str, str], locked: dict[str, str], label: str | Callable[[str], str] = ""
) -> Iterator[tuple[str, str, str, str]]:
    """(name, how, declared, locked) for each difference of two name → range maps; `label` (a
    section name, or one per name) qualifies the ranges in messages."""
    for name in sorted(declared.keys() | locked.keys()):
        mine, theirs = declared.get(name), locked.get(name)
        if mine == theirs:
            continue
        section = label(name) if callable(label) else label
        where = f" in {section}" if section else ""
        if theirs is None:
            yield name, "added", f"(`{mine or 'any version'}`{where})", ""
        elif mine is None:
            yield name, "removed", "", f"`{theirs}`{where}"
        else:
            yield name, "changed", f"`{mine}`{where}", f"`{theirs}`"
