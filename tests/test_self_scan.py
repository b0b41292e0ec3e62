"""ameide-guard's own repository passes its own scan (its fixtures, deliberately violating
monorepos with configs of their own, are excluded by the root ameide-guard.toml)."""

from __future__ import annotations

from pathlib import Path

from harness import scan_dir

REPO = Path(__file__).resolve().parents[1]


def test_this_repository_is_clean() -> None:
    result = scan_dir(REPO)
    assert [f"{f.path}:{f.span.line}: {f.rule} {f.message}" for f in result.findings] == []
    assert result.stats.parsed > 0
