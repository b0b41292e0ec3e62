"""Output does not depend on the cache or on the number of worker processes (issue 7, point 4).

Every fixture scenario is scanned without cache on one job, then with 2 and 3 worker processes
(the parallel threshold lowered so the pool really runs, in several batches), then with a cache
cold and warm. The rendered reports must be byte-identical once the timing/cache counters are set
aside: JSON without `stats`, text without its summary line, and SARIF where that reporter exists.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from harness import all_reports as rendered
from harness import fixture_dirs, scan_dir

from ameide_guard.scan import warmup

FIXTURES = fixture_dirs()


@pytest.mark.parametrize("root", FIXTURES, ids=[p.name for p in FIXTURES])
def test_jobs_do_not_change_output(root: Path, forced_pool: None) -> None:
    reference = scan_dir(root, jobs=1)
    assert reference.stats.files > 0
    for jobs in (2, 3):
        assert rendered(scan_dir(root, jobs=jobs)) == rendered(reference), f"--jobs {jobs}"


@pytest.mark.parametrize("root", FIXTURES, ids=[p.name for p in FIXTURES])
def test_cache_does_not_change_output(root: Path, tmp_path: Path, forced_pool: None) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(root, tree)
    past = time.time() - 60  # as in a checkout: no file is "racy" (too fresh to trust by stat)
    for path in tree.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)
    cache_dir = tmp_path / "cache"
    reference = rendered(scan_dir(tree))
    cold = scan_dir(tree, use_cache=True, cache_dir=cache_dir, jobs=2)
    warm = scan_dir(tree, use_cache=True, cache_dir=cache_dir, jobs=1)
    sources = sum(1 for path in warm_sources(tree))
    assert (cold.stats.cached, warm.stats.cached) == (0, sources)
    assert rendered(cold) == reference
    assert rendered(warm) == reference


def warm_sources(tree: Path) -> list[str]:
    """Source files the scan analyses (discovered, not excluded, a parsed language)."""
    from ameide_guard.config.loader import load_config
    from ameide_guard.parsers import source_kind
    from ameide_guard.scan.zones import ZoneMap
    from ameide_guard.vcs.discovery import discover

    zones = ZoneMap.from_config(load_config(tree))
    return [
        p for p in discover(tree).files if source_kind(p) and zones.classify(p).value != "excluded"
    ]


def test_fast_zone_classification_agrees_with_zonemap() -> None:
    """The engine classifies with one merged regex; it must decide exactly as ZoneMap does."""
    from ameide_guard.config.loader import build_config
    from ameide_guard.scan.zones import ZoneMap
    from ameide_guard.vcs.discovery import discover

    probes = [
        "services/a/node_modules/x/index.ts",
        "node_modules/y.js",
        "packages/ameide_core_proto/gen/go/x.pb.go",
        "packages/ameide_sdk_ts/src/_proto/x.ts",
        "packages/ameide_sdk_ts/tests/x.test.ts",
        "services/a/tests/packages/ameide_core_proto/x.py",
        "services/a/x_test.go",
        "services/a/test_x.py",
        "services/a/src/app.spec.tsx",
        "services/a/src/app.ts",
        "a/dist/b/vendor/c.go",
        "conftest.py",
    ]
    configs = [
        build_config("<default>", {}),
        build_config("<custom>", {"exclude": ["*.gen.ts", "/build/"], "zones": {"test": []}}),
    ]
    for config in configs:
        zones = ZoneMap.from_config(config)
        paths = probes + [p for root in FIXTURES for p in discover(root).files]
        assert zones.combined is not None
        assert zones.classify_many(paths) == {p: zones.classify(p) for p in paths}
    negated = ZoneMap.from_config(build_config("<neg>", {"exclude": ["gen/", "!gen/keep.ts"]}))
    assert negated.combined is None
    keep = ["gen/keep.ts", "gen/drop.ts", "src/a.ts"]
    assert negated.classify_many(keep) == {p: negated.classify(p) for p in keep}


def test_fixtures_cover_every_language() -> None:
    """The comparison above is only meaningful if the fixtures hold parsed sources of each
    language and some findings."""
    suffixes = {p.suffix for root in FIXTURES for p in root.rglob("*") if p.is_file()}
    assert {".ts", ".go", ".py"} <= suffixes
    assert any(scan_dir(root).findings for root in FIXTURES)


_SEGMENTS = ("a", "b", "ab", "tests", "x.ts", "x_test.go", "a.b", "*", "?", "*.ts", "a*", "[ab]")
_NAMES = ("a", "b", "ab", "tests", "x.ts", "x_test.go", "a.b", "b.ts", "aa", "ba")


def _random_pattern(rng: random.Random) -> str:
    """A gitignore pattern of every shape: anchored or not, directory-only or not, with `**`,
    `*`, `?` and classes, sometimes negated (which forces the slow path)."""
    parts = [rng.choice(_SEGMENTS) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        parts.insert(rng.randint(0, len(parts)), "**")
    pattern = "/".join(parts)
    if rng.random() < 0.3:
        pattern = "/" + pattern
    if rng.random() < 0.4:
        pattern += "/"
    if rng.random() < 0.05:
        pattern = "!" + pattern
    return pattern


def test_zone_classification_agrees_on_random_patterns() -> None:
    """The per-directory split, the merged regex and pathspec decide alike on random patterns
    and paths (seeded: a failure reproduces)."""
    from ameide_guard.config.loader import build_config
    from ameide_guard.scan.zones import ZoneMap

    rng = random.Random(20261125)
    used = {"split": 0, "combined": 0, "pathspec": 0}
    for _ in range(300):
        table = {
            key: [_random_pattern(rng) for _ in range(rng.randint(0, 3))]
            for key in ("exclude", "proto", "sdk", "test")
        }
        config = build_config(
            "<random>",
            {"exclude": table["exclude"], "zones": {z: table[z] for z in ("proto", "sdk", "test")}},
        )
        zones = ZoneMap.from_config(config)
        used["split" if zones.split else "combined" if zones.combined else "pathspec"] += 1
        paths = sorted(
            {"/".join(rng.choice(_NAMES) for _ in range(rng.randint(1, 4))) for _ in range(60)}
        )
        assert zones.classify_many(paths) == {p: zones.classify(p) for p in paths}, table
    assert all(used.values()), used  # every path of classify_many was exercised


def test_grammars_load_ahead_only_as_asked() -> None:
    """WarmUps: ahead of discovery only when asked (no memo likely), and before the pool forks
    only for the languages present."""
    assert list(warmup.WarmUps(ahead=False).pending()) == []
    ahead = warmup.WarmUps(ahead=True)
    assert len(list(ahead.pending())) == len(warmup.LANGUAGES) + len(warmup.RULE_MODULES)
    first = next(ahead.pending())
    first()
    assert ahead.done == {warmup.LANGUAGES[0]}
    later = warmup.WarmUps(ahead=False)
    later.finish({"go", "python"})
    assert later.done == {"go", "python"}
