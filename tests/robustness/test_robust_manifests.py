"""Hostile manifests and configs: YAML alias bombs in lockfiles, deeply nested JSON, TOML with
duplicate keys. Lockfile and manifest problems are AG900 findings (the scan goes on); a broken
ameide-guard config is a one-line config error with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from robust_support import CANARY, problems, run_cli, scan_both, short, write_tree

PACKAGE_JSON = '{"name": "svc", "dependencies": {"left-pad": "1.3.0"}}\n'


def billion_laughs(levels: int = 9, fan: int = 9, indent: str = "") -> str:
    """The classic alias bomb: `fan**levels` scalars if expanded (9**9 ≈ 387 million)."""
    lines = [f'{indent}a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * fan)
        lines.append(f"{indent}a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int = 24) -> str:
    """Merge keys copy mappings: each level doubles the size of the one before."""
    lines = ["  m0: &m0 {k0: 1}"]
    for n in range(1, levels):
        lines.append(f"  m{n}: &m{n} {{<<: [*m{n - 1}], k{n}: *m{n - 1}}}")
    return "\n".join(lines) + "\n"


PNPM_HEAD = "lockfileVersion: '9.0'\nimporters:\n"
YARN_BERRY_HEAD = '__metadata:\n  version: 8\n  cacheKey: 10\n\n"left-pad@npm:1.3.0":\n  x: 1\n'


@pytest.mark.parametrize(
    ("lockfile", "content", "reason"),
    [
        # 72 aliases: under the alias limit, so loaded as shared references and walked without
        # expansion; the entries are no importer mappings
        ("pnpm-lock.yaml", PNPM_HEAD + billion_laughs(indent="  "), "is not a mapping"),
        # anchors outside the blocks the reader loads: their aliases are undefined there
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\n" + billion_laughs() + "importers:\n  .: *a8\n",
            "undefined alias",
        ),
        (
            "pnpm-lock.yaml",
            PNPM_HEAD + billion_laughs(levels=6, fan=400, indent="  "),
            "2000 aliases, which no package manager writes",
        ),
        ("pnpm-lock.yaml", PNPM_HEAD + merge_bomb(), "merge keys, which no package manager writes"),
        ("yarn.lock", YARN_BERRY_HEAD + billion_laughs(), "is not a mapping"),
        ("yarn.lock", YARN_BERRY_HEAD + billion_laughs(levels=6, fan=400), "2000 aliases"),
        ("pnpm-workspace.yaml", "packages: ['a']\n" + billion_laughs(), None),
    ],
    ids=["pnpm-shared", "pnpm-undefined", "pnpm-many", "pnpm-merge", "yarn", "yarn-many", "ws"],
)
def test_yaml_alias_bombs_finish_fast_in_little_memory(
    tmp_path: Path, lockfile: str, content: str, reason: str | None
) -> None:
    write_tree(tmp_path, {"svc/package.json": PACKAGE_JSON, f"svc/{lockfile}": content})
    run = run_cli(
        tmp_path,
        "--format",
        "json",
        "--no-cache",
        "--jobs",
        "1",
        timeout=30,
        memory_bytes=1536 * 2**20,
        cpu_seconds=20,
    )
    assert run.code == 1 and run.seconds < 10, run
    assert CANARY in run.short()
    errors = [e["message"] for e in run.json()["errors"] if e["path"] == f"svc/{lockfile}"]
    if reason is None:
        assert errors == []
    else:
        assert len(errors) == 1 and reason in errors[0], errors


def _nested_json(depth: int) -> str:
    return '{"name": "x", "deep": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("name", ["package.json", "package-lock.json"])
def test_deeply_nested_json(tmp_path: Path, name: str) -> None:
    files = {"svc/package.json": PACKAGE_JSON, "svc/pnpm-lock.yaml": "lockfileVersion: '9.0'\n"}
    if name == "package-lock.json":
        files = {"svc/package.json": PACKAGE_JSON}
    files[f"svc/{name}"] = _nested_json(100_000)
    write_tree(tmp_path, files)
    result, run = scan_both(tmp_path)
    assert CANARY in short(result)
    (error,) = [e for e in run.json()["errors"] if e["path"] == f"svc/{name}"]
    assert "nesting too deep" in error["message"]


def test_moderately_nested_json_is_read(tmp_path: Path) -> None:
    """Depth the JSON reader handles (well below the recursion limit) is no error at all."""
    write_tree(
        tmp_path,
        {"svc/package.json": _nested_json(200), "svc/pnpm-lock.yaml": "lockfileVersion: '9.0'\n"},
    )
    result, _ = scan_both(tmp_path)
    assert short(result) == [CANARY]


DUPLICATE = '[zones]\nproto = ["a/"]\nproto = ["b/"]\n'


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ameide-guard.toml", DUPLICATE),
        (".ameide-guard.toml", DUPLICATE),
        ("pyproject.toml", '[tool.ameide-guard]\nexclude = []\nexclude = ["x/"]\n'),
        ("pyproject.toml", "[tool.ameide-guard.zones]\n[tool.ameide-guard.zones]\n"),
    ],
)
def test_duplicate_keys_in_the_config_are_a_one_line_error(
    tmp_path: Path, name: str, content: str
) -> None:
    write_tree(tmp_path, {"ameide-guard.toml": content} if name == "ameide-guard.toml" else {})
    if name != "ameide-guard.toml":
        (tmp_path / "ameide-guard.toml").unlink()
        (tmp_path / name).write_text(content)
    run = run_cli(tmp_path, "--no-cache")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("ameide-guard: error: ") and name in run.stderr
    assert "invalid TOML" in run.stderr


def test_duplicate_keys_in_a_project_pyproject_are_ag900(tmp_path: Path) -> None:
    """With a config elsewhere, a member's broken pyproject.toml is a manifest, not the config."""
    write_tree(
        tmp_path,
        {
            "svc/pyproject.toml": '[project]\nname = "a"\nname = "b"\ndependencies = ["x"]\n',
            "svc/uv.lock": "version = 1\n",
        },
    )
    result, run = scan_both(tmp_path)
    assert CANARY in short(result)
    (error,) = [e for e in run.json()["errors"] if e["path"] == "svc/pyproject.toml"]
    assert "invalid TOML in svc/pyproject.toml" in error["message"]
    assert error["line"] == 3 or "line 3" in error["message"]


HUGE = "1" * 5000
"""More digits than CPython converts to int (4,300): json, tomllib and yaml raise a bare
ValueError for it, which once ended the scan with an internal error."""


def test_numbers_too_long_to_read_are_ag900_in_every_reader(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "svc/package.json": '{"name": "x", "version": ' + HUGE + ', "dependencies": {}}',
            "svc/package-lock.json": '{"lockfileVersion": ' + HUGE + ', "packages": {}}',
            "py/pyproject.toml": f'[project]\nname = "p"\nversion = "1"\n[tool.x]\nv = {HUGE}\n',
            "pnpm-lock.yaml": f"lockfileVersion: {HUGE}\nimporters: {{}}\n",
            "package.json": '{"name": "root", "dependencies": {"left-pad": "1.3.0"}}',
            ".github/workflows/ci.yml": f"on: push\njobs:\n  b:\n    runs-on: {HUGE}\n",
        },
    )
    result, run = scan_both(root)
    assert CANARY in run.short()
    for path in ("svc/package.json", "svc/package-lock.json", "py/pyproject.toml"):
        assert problems(result, path) == [
            "a number with more than 4,300 digits (more than Python reads as a number, and "
            "more than any tool writes); fix or regenerate the file"
        ], path
    assert any("4,300 digits" in m for m in problems(result, "pnpm-lock.yaml"))


@pytest.mark.parametrize("where", ["config", "baseline"])
def test_numbers_too_long_in_config_or_baseline_are_one_line_errors(
    tmp_path: Path, where: str
) -> None:
    root = write_tree(tmp_path / "repo", {})
    args: tuple[str, ...] = ()
    if where == "config":
        (root / "ameide-guard.toml").write_text(f"exclude = []\nx = {HUGE}\n")
    else:
        baseline = tmp_path / "baseline.json"
        baseline.write_text('{"version": 1, "findings": [' + HUGE + "]}")
        args = ("--baseline", str(baseline))
    run = run_cli(root, "--no-cache", *args, timeout=60)
    assert run.code == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "4,300 digits" in run.stderr
