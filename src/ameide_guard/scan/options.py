"""What a scan is asked (`ScanOptions`) and what it answers (`ScanResult`): the engine's
interface to the CLI, the reporters and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ameide_guard.model import Finding, Level, Stats
from ameide_guard.rule import RuleMeta


@dataclass(frozen=True)
class ScanOptions:
    root: Path
    paths: tuple[str, ...] | None = None
    """Root-relative files to limit file rules to (pre-commit); None scans everything."""
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    jobs: int = 0
    use_cache: bool = True
    cache_dir: Path | None = None
    baseline: Path | None = None
    diff_base: str | None = None
    deep: bool = False


@dataclass
class ScanResult:
    findings: list[Finding]
    stats: Stats
    rules: tuple[RuleMeta, ...]
    levels: dict[str, Level]
    notes: list[str] = field(default_factory=list)
    baseline_fixed: int | None = None
    root: Path = Path(".")
