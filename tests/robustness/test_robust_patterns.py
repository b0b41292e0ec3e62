"""User-supplied patterns cannot hang the scan: shapes whose matching would blow up are rejected
with a one-line config error naming the key; accepted shapes match in bounded time even against
hostile module strings (a megabyte-long import) and hostile paths (a 1,000-level directory)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from robust_support import CANARY, run_cli, write_tree

from ameide_guard.formats.globs import (
    MAX_DEEP_WILDCARDS,
    MAX_SEGMENT_WILDCARDS,
    MAX_WILDCARDS,
    ModuleMatcher,
)


@pytest.mark.parametrize(
    ("toml", "key", "why"),
    [
        ('[zones]\ntest = ["**/a*a*a*a*c"]', "zones.test", "`*` in one path segment"),
        ('exclude = ["a/**/b/**/c/**"]', "exclude", "`**`"),
        ('exclude = ["**/x/**"]\n[zones]\nsdk = ["x*y*z*w*v"]', "zones.sdk", "`*` in one path"),
        ('[zones]\nproto = ["*/**/x/**/y/**"]', "zones.proto", "`**`"),
        ('exclude = ["' + "*/" * 17 + '"]', "exclude", "more than 16 `*`"),
        ('exclude = ["' + "a" * 1025 + '"]', "exclude", "longer than 1024"),
        ('exclude = ["[z-a]"]', "exclude", "bad character range"),
        ('[per-file-ignores]\n"**/a/**/b/**/c" = ["AG101"]', "per-file-ignores", "`**`"),
        ('[generated]\nnpm = ["' + "a*" * (MAX_WILDCARDS + 1) + '"]', "generated.npm", "`*`"),
        ('[generated]\ngo = ["a**b"]', "generated.go", "`**` is not needed"),
        ('[generated]\npython = ["' + "x" * 600 + '"]', "generated.python", "longer"),
    ],
)
def test_pathological_patterns_are_one_line_config_errors(
    tmp_path: Path, toml: str, key: str, why: str
) -> None:
    write_tree(tmp_path, {})
    (tmp_path / "ameide-guard.toml").write_text(toml + "\n")
    run = run_cli(tmp_path, "--no-cache", timeout=30)
    assert run.code == 2 and run.stdout == "" and run.seconds < 10
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("ameide-guard: error: ")
    assert key in run.stderr and why in run.stderr, run.stderr


def test_module_patterns_match_in_linear_time() -> None:
    """Eight wildcards (the maximum) against a megabyte: the old `.*` join took seconds at 50
    characters."""
    matcher = ModuleMatcher(("@buf/*", "a*a*a*a*a*a*a*a*c", "*_pb2", "x*y"))
    for size in (50, 10_000, 1_000_000):
        for module, expected in (
            ("a" * size, None),
            ("a" * size + "c", "a*a*a*a*a*a*a*a*c"),
            ("x" * size, None),
            ("@buf/" + "a" * size, "@buf/*"),
        ):
            started = time.perf_counter()
            assert matcher.match(module) == expected
            assert time.perf_counter() - started < 0.5, (size, module[:10])


def test_hostile_import_string_with_many_wildcards_is_bounded(tmp_path: Path) -> None:
    long_module = "@buf/" + "a" * 1_000_000
    write_tree(
        tmp_path,
        {
            "svc/a.ts": f'import x from "{long_module}";\nimport y from "@buf/{"a" * 80}";\n',
            "svc/b.py": f"import {'a.' * 100_000}c\n",
        },
    )
    config = '[generated]\nnpm = ["@buf/*a*a*a*a*a*a*c", "@buf/*a*a*b"]\npython = ["a*a*a*a*b"]\n'
    (tmp_path / "ameide-guard.toml").write_text(config)
    run = run_cli(tmp_path, "--format", "json", "--no-cache", timeout=60)
    assert run.code == 0 and run.seconds < 20, run
    assert run.short() == []


def test_accepted_path_patterns_are_bounded_on_a_deep_tree(tmp_path: Path) -> None:
    """The most `**` and `*` a pattern may have, against 1,000 nested directories."""
    deep = "/".join(["a"] * 1000)
    name = "a" * 200 + ".ts"
    directories = [tmp_path]
    for part in deep.split("/"):  # pathlib's and os.makedirs' recursion would not reach it
        directories.append(directories[-1] / part)
        directories[-1].mkdir()
    (directories[-1] / name).write_text('import "@buf/x";\n')
    try:
        _scan_with_bounded_patterns(tmp_path, deep, name)
    finally:  # bottom-up: pytest's recursive rmtree would not reach it either
        (directories[-1] / name).unlink()
        for directory in reversed(directories[1:]):
            directory.rmdir()


def _scan_with_bounded_patterns(tmp_path: Path, deep: str, name: str) -> None:
    write_tree(tmp_path, {f"svc/{name}": ""})
    stars = "*".join(["a"] * (MAX_SEGMENT_WILDCARDS + 1))
    assert MAX_DEEP_WILDCARDS == 2
    config = (
        f'exclude = ["**/a/**/b/", "a/**/{stars}b"]\n'
        f'[zones]\ntest = ["**/{stars}c", "**/a/**/x/"]\nsdk = ["{stars}.tsx"]\n'
    )
    (tmp_path / "ameide-guard.toml").write_text(config)
    run = run_cli(tmp_path, "--format", "json", "--no-cache", timeout=60)
    assert run.seconds < 20, run.seconds
    assert f"{deep}/{name}:1: AG101" in run.short()
    assert CANARY in run.short()


def test_hostile_workspace_globs_are_bounded(tmp_path: Path) -> None:
    """Workspace globs come from the scanned repository itself (pnpm-workspace.yaml, package.json
    `workspaces`): eight `*` against 200-character directory names."""
    glob = "*".join(["a"] * 8) + "*c"
    member = "a" * 200
    write_tree(
        tmp_path,
        {
            "pnpm-workspace.yaml": f"packages:\n  - '{glob}'\n  - '**/{glob}/**'\n",
            "package.json": '{"name": "root", "workspaces": ["' + glob + '"]}',
            "pnpm-lock.yaml": "lockfileVersion: '9.0'\nimporters:\n  .: {}\n",
            f"{member}/package.json": '{"name": "m", "dependencies": {"x": "1.0.0"}}',
            f"{member}/{member}/package.json": '{"name": "n", "dependencies": {"x": "1.0.0"}}',
        },
    )
    run = run_cli(tmp_path, "--format", "json", "--no-cache", timeout=60)
    assert run.seconds < 20, run.seconds
    assert CANARY in run.short()


def test_hostile_go_mod_against_wildcard_replace_allow_patterns(tmp_path: Path) -> None:
    """AG201's `allow` globs (config) against module paths from a hostile go.mod."""
    long_path = "example.com/" + "a" * 5000
    write_tree(
        tmp_path,
        {
            "svc/go.mod": f"module example.com/svc\n\nreplace {long_path} => ../{'a' * 200}\n",
        },
    )
    allow = "example.com/*a*a*a*a*a*a*a*c => *a*a*a*a*a*a*c"
    config = f'[rules.AG201]\nlevel = "error"\nallow = ["{allow}"]\n'
    (tmp_path / "ameide-guard.toml").write_text(config)
    run = run_cli(tmp_path, "--format", "json", "--no-cache", timeout=60)
    assert run.seconds < 20, run.seconds
    assert CANARY in run.short()
    assert any(f["rule"] == "AG201" for f in run.json()["findings"]), run.stdout[:2000]


def test_many_globstars_match_in_linear_time() -> None:
    """A `**` per segment used to be one `.*` each: nine of them took half a minute on a
    five-file tree, each one more multiplying that. Now matched segment by segment."""
    from ameide_guard.formats.globs import path_glob

    deep = "/".join(["a"] * 2000)
    for glob, path, expected in (
        ("**/" * 30 + "z", deep, False),
        ("/".join(["**", "a"] * 30) + "/z", deep + "/z", True),
        ("/".join(["**", "a"] * 30) + "/z", deep + "/y", False),
        ("**/a*a*a*a*a*a*a*b/**", deep + "/" + "a" * 5000 + "/c", False),
    ):
        started = time.perf_counter()
        assert path_glob(glob).matches(path) is expected
        assert time.perf_counter() - started < 1.0, glob[:20]


def test_hostile_globstar_workspace_and_barrel_options_are_bounded(tmp_path: Path) -> None:
    """Nine-plus `**` from the scanned repository (pnpm-workspace.yaml) and from AG105's
    `services`/`barrel` options, against a file 40 directories deep."""
    many = "/".join(["**"] * 4 + ["a", "**"] * 6) + "/z"
    nested = "/".join(["a"] * 40)
    write_tree(
        tmp_path,
        {
            "pnpm-workspace.yaml": f"packages:\n  - '{many}'\n",
            "package.json": '{"name": "root", "workspaces": ["' + many + '"]}',
            "pnpm-lock.yaml": "lockfileVersion: '9.0'\nimporters:\n  .: {}\n",
            f"{nested}/package.json": '{"name": "m", "dependencies": {"x": "1.0.0"}}',
            f"{nested}/index.ts": 'export * from "./local";\n',
        },
    )
    (tmp_path / "ameide-guard.toml").write_text(
        f'[rules.AG105]\nservices = "{many}"\nbarrel = "{many}/index.ts"\n'
    )
    run = run_cli(tmp_path, "--format", "json", "--no-cache", timeout=60)
    assert run.seconds < 20, run.seconds
    assert CANARY in run.short()
