"""Unit tests of the lockfile readers and of AG401/AG402 behaviour beyond the fixture scenarios:
malformed input, alias bombs, poetry's hash, workspace globs, pre-commit triggers and `related`."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest
from harness import FIXTURES, scan_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from ameide_guard.checks.lockfiles import (
    MissingLockfile,
    StaleLockfile,
    compare,
)
from ameide_guard.lockfiles import poetry
from ameide_guard.lockfiles._yaml import load_yaml, top_level_blocks
from ameide_guard.lockfiles.gosum import parse_gosum
from ameide_guard.lockfiles.pnpm import parse_pnpm_lock
from ameide_guard.lockfiles.python_manifest import lockfile_view, uv_requirement
from ameide_guard.lockfiles.workspace import glob_match
from ameide_guard.lockfiles.yarn import parse_yarn_lock, split_descriptor
from ameide_guard.manifests.pyproject import parse_pyproject
from ameide_guard.manifests.requirements import parse_requirement
from ameide_guard.repo import ManifestError


def read_pyproject(text: str, path: str):
    return lockfile_view(parse_pyproject(text, path))


def test_compare_names_each_difference():
    got = list(compare({"a": "^1", "b": "^2", "c": "1"}, {"a": "^1", "b": "^3", "d": "2"}))
    assert got == [
        ("b", "changed", "`^2`", "`^3`"),
        ("c", "added", "(`1`)", ""),
        ("d", "removed", "", "`2`"),
    ]


def test_poetry_hash_matches_every_generated_fixture():
    for lock_path in (FIXTURES / "lock-poetry").glob("*/poetry.lock"):
        manifest = lock_path.parent / "pyproject.toml"
        pyproject = read_pyproject(manifest.read_text(), str(manifest))
        lock = poetry.parse_poetry_lock(lock_path.read_text(), str(lock_path))
        stale = any(k in lock_path.parent.name for k in ("added", "removed", "-changed"))
        fresh_expected = not stale or "description" in lock_path.parent.name
        fresh = poetry.is_fresh(lock, *pyproject.content_hashes)
        assert fresh is fresh_expected, lock_path.parent.name


def test_poetry_accepts_group_less_hash_only_from_old_poetry():
    pyproject = {"project": {"dependencies": ["six"]}, "dependency-groups": {"dev": ["idna"]}}
    old_hash = poetry.content_hash(pyproject, with_dependency_groups=False)
    old = poetry.PoetryLock(old_hash, "2.1", (2, 2, 1), 1)
    new = poetry.PoetryLock(old_hash, "2.1", (2, 3, 0), 1)
    current = poetry.content_hash(pyproject)
    assert poetry.is_fresh(old, current, old_hash)
    assert not poetry.is_fresh(new, current, old_hash)


def test_pnpm_reader_skips_packages_and_snapshots():
    text = (FIXTURES / "lock-pnpm/v9-insync/pnpm-lock.yaml").read_text()
    lock = parse_pnpm_lock(text + "\nsnapshots2: [unparsed\n", "x")
    assert lock.importers["packages/a"].sections["dependencies"] == {"is-odd": "^3.0.1"}
    head, lines = top_level_blocks(text, ("importers",))
    assert "resolution" not in head and lines["importers"] == 7


def test_alias_bomb_is_bounded():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 200)]
    start = time.perf_counter()
    with pytest.raises(ManifestError, match="aliases"):
        load_yaml("\n".join(levels), "bomb.yaml")
    assert time.perf_counter() - start < 5


def test_merge_keys_are_refused():
    with pytest.raises(ManifestError, match="merge keys"):
        load_yaml("a: &a {x: 1}\nb: {<<: *a}\n", "m.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("github.com/x/y v1.0.0\n", "malformed"),
        ("a b c d\n", "malformed"),
    ],
)
def test_bad_gosum_is_a_manifest_error(text, message):
    with pytest.raises(ManifestError, match=message):
        parse_gosum(text, "go.sum")


def test_yarn_v1_and_berry_descriptors():
    v1 = parse_yarn_lock('"@s/x@^1", "@s/x@^1.1":\n  version "1.1.0"\n', "yarn.lock")
    assert v1.entries[0].descriptors == ("@s/x@^1", "@s/x@^1.1")
    assert split_descriptor("@s/x@npm:^1") == ("@s/x", "npm:^1")
    berry = parse_yarn_lock('__metadata:\n  version: 8\n\n"a@npm:^1":\n  version: 1.0.0\n', "y")
    assert berry.berry and berry.entries[0].descriptors == ("a@npm:^1",)


def test_workspace_globs():
    assert glob_match("packages/a", ["packages/*"])
    assert not glob_match("packages/a/b", ["packages/*"])
    assert glob_match("apps/x/y", ["apps/**"])
    assert not glob_match("packages/skip", ["packages/*", "!packages/skip"])


def test_pep508_normalised_as_uv_does():
    req = uv_requirement(
        parse_requirement('Six_Lib [Socks,HTTP] >= 1.16 , <2 ; python_version >= "3.9"')
    )
    assert (req.name, req.extras, req.specifier) == ("six-lib", ("http", "socks"), ">=1.16,<2")
    assert req.marker == "python_version >= '3.9'"


def test_rules_are_triggered_by_manifests_and_lockfiles():
    for rule in (MissingLockfile(), StaleLockfile()):
        assert rule.triggered_by("svc/package.json")
        assert rule.triggered_by("go.work.sum")
        assert not rule.triggered_by("svc/main.go")


def test_findings_are_related_to_the_other_file():
    result = scan_dir(FIXTURES / "lock-pnpm")
    stale = [f for f in result.findings if f.rule == "AG402" and f.path.startswith("v9-added/")]
    assert stale and stale[0].related == ("v9-added/package.json",)
    assert "is-even" in stale[0].message and "added" in stale[0].message
    missing = [f for f in result.findings if f.rule == "AG401"]
    assert missing and missing[0].path == "missing/package.json"


def test_pre_commit_run_on_the_manifest_keeps_the_lockfile_finding():
    result = scan_dir(FIXTURES / "lock-npm", paths=("v3-changed/package.json",))
    assert [f.path for f in result.findings if f.rule == "AG402"] == [
        "v3-changed/package-lock.json"
    ]


def test_edited_manifest_turns_fresh_lock_stale(tmp_path: Path):
    import shutil

    shutil.copytree(FIXTURES / "lock-npm" / "v3-insync", tmp_path / "p")
    (tmp_path / "p" / "ameide-guard.toml").write_text("")
    assert not scan_dir(tmp_path / "p").findings
    manifest = tmp_path / "p" / "packages" / "a" / "package.json"
    data = json.loads(manifest.read_text())
    data["devDependencies"] = {"left-pad": "1.3.0"}
    manifest.write_text(json.dumps(data))
    [finding] = scan_dir(tmp_path / "p").findings
    assert finding.rule == "AG402" and "left-pad" in finding.message
    assert finding.related == ("packages/a/package.json",)


def test_npm_v1_lockfile_checks_names_only(tmp_path: Path):
    (tmp_path / "ameide-guard.toml").write_text("")
    (tmp_path / "package.json").write_text(
        json.dumps({"name": "old", "dependencies": {"is-number": "^7.0.0", "left-pad": "^1"}})
    )
    lock = {"lockfileVersion": 1, "dependencies": {"is-number": {"version": "7.0.0"}}}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    [finding] = scan_dir(tmp_path).findings
    assert finding.rule == "AG402" and "`left-pad`" in finding.message


def test_poetry_names_a_dependency_missing_from_the_lock(tmp_path: Path):
    import shutil

    shutil.copytree(FIXTURES / "lock-poetry" / "pep621-insync", tmp_path / "p")
    (tmp_path / "p" / "ameide-guard.toml").write_text("")
    pyproject = tmp_path / "p" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('["six>=1.16"]', '["six>=1.16", "Left_Pad"]')
    )
    [finding] = scan_dir(tmp_path / "p").findings
    assert "dependency `left-pad`" in finding.message and "added" in finding.message


def test_uv_workspace_requires_python_is_the_intersection():
    from ameide_guard.checks.lockfiles import workspace_requires_python

    def project(bound: str):
        return read_pyproject(f'[project]\nname = "p"\nrequires-python = "{bound}"\n', "p")

    assert workspace_requires_python([project(">=3.9"), project(">= 3.10")]) == ">=3.10"
    assert workspace_requires_python([project(">=3.9"), project("~=3.11")]) is None
    assert workspace_requires_python([project(">=3.9,<4"), project(">=3.9,<4")]) == ">=3.9,<4"


def test_pnpm_auto_installed_peers_count_as_dependencies():
    from ameide_guard.checks.lockfiles import pnpm_sections
    from ameide_guard.manifests.package_json import parse_package_json

    manifest = {
        "dependencies": {"a": "^1"},
        "devDependencies": {"b": "^2"},
        "peerDependencies": {"b": "^2", "c": "^3"},
    }
    doc = parse_package_json(json.dumps(manifest), "package.json")
    assert pnpm_sections(doc, True)["dependencies"] == {"a": "^1", "c": "^3"}
    assert pnpm_sections(doc, False)["dependencies"] == {"a": "^1"}


def test_missing_lockfile_is_related_to_every_candidate_lockfile():
    result = scan_dir(FIXTURES / "lock-go")
    [missing] = [f for f in result.findings if f.rule == "AG401"]
    assert (missing.path, missing.related) == ("missing/go.mod", ("missing/go.sum",))
    npm_result = scan_dir(FIXTURES / "lock-npm")
    [node] = [f for f in npm_result.findings if f.rule == "AG401"]
    assert "missing/package-lock.json" in node.related and "missing/pnpm-lock.yaml" in node.related


def test_go_workspace_sums_and_replacements():
    result = scan_dir(FIXTURES / "lock-go")
    paths = {f.path.split("/")[0] for f in result.findings}
    assert "work-insync" not in paths and "extra-lines" not in paths
    assert "replaced" not in paths  # replacement's hashes present, directory replace needs none
    [stale] = [f for f in result.findings if f.path.startswith("replaced-stale/")]
    assert "replaced by github.com/google/uuid v1.5.0" in stale.message
    [member] = [f for f in result.findings if f.path.startswith("work-member-added/")]
    assert "github.com/pkg/errors" in member.message and "svc-c/go.mod" in member.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[project]\ndependencies = "six"\n', "array of requirement strings"),
        ("[project]\ndependencies = ['!six']\n", "PEP 508"),
        ("[tool.poetry.extras]\nx = 1979-05-27\n", "cannot hash"),
        ('[tool.uv.workspace]\nmembers = "packages/*"\n', "list of glob strings"),
        ("[tool.uv]\nworkspace = 3\n", "must be a table"),
    ],
)
def test_malformed_pyproject_is_a_manifest_error(text, message):
    with pytest.raises(ManifestError, match=message):
        read_pyproject(text, "pyproject.toml")


def test_malformed_pyproject_becomes_ag900_not_a_traceback(tmp_path: Path):
    (tmp_path / "ameide-guard.toml").write_text("")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = "six"\n')
    result = scan_dir(tmp_path)
    assert [f.rule for f in result.findings] == ["AG900"]


@pytest.mark.parametrize(
    "text",
    [
        'version = 1\nmanifest = "x"\n',
        'version = 1\n\n[[package]]\nname = "a"\nsource = { virtual = "." }\nmetadata = 3\n',
        'version = 1\n\n[[package]]\nname = "a"\nsource = { virtual = "." }\n\n'
        "[package.metadata]\nrequires-dist = 5\n",
    ],
)
def test_malformed_uv_lock_is_a_manifest_error(text):
    from ameide_guard.lockfiles.uv import parse_uv_lock

    with pytest.raises(ManifestError):
        parse_uv_lock(text, "uv.lock")


def _all_parsers():
    from ameide_guard.checks.lockfiles import read_pnpm_workspace
    from ameide_guard.lockfiles.npm import parse_npm_lock
    from ameide_guard.lockfiles.uv import parse_uv_lock
    from ameide_guard.manifests.package_json import parse_package_json

    return [
        parse_pnpm_lock,
        parse_npm_lock,
        parse_yarn_lock,
        parse_gosum,
        parse_uv_lock,
        poetry.parse_poetry_lock,
        read_pyproject,
        parse_pyproject,
        parse_package_json,
        read_pnpm_workspace,
    ]


SEEDS = [
    (FIXTURES / "lock-pnpm/v9-insync/pnpm-lock.yaml").read_text(),
    (FIXTURES / "lock-yarn/berry-insync/yarn.lock").read_text(),
    (FIXTURES / "lock-yarn/v1-insync/yarn.lock").read_text(),
    (FIXTURES / "lock-uv/insync/uv.lock").read_text(),
    (FIXTURES / "lock-poetry/classic-insync/poetry.lock").read_text(),
    (FIXTURES / "lock-poetry/classic-insync/pyproject.toml").read_text(),
    (FIXTURES / "lock-npm/v3-insync/package-lock.json").read_text(),
]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.text(max_size=20),
)
def test_readers_raise_only_manifest_errors_on_mangled_input(seed, cut, junk):
    """Truncated or spliced real lockfiles: every reader answers or raises ManifestError."""
    text = seed[:cut] + junk + seed[cut + len(junk) :]
    for parser in _all_parsers():
        with contextlib.suppress(ManifestError):
            parser(text, "x")


def test_missing_lockfile_points_at_the_first_dependency_and_can_be_suppressed(tmp_path: Path):
    (tmp_path / "ameide-guard.toml").write_text("")
    gomod = (
        "module github.com/ameideio/ameide/x\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n"
    )
    (tmp_path / "go.mod").write_text(gomod)
    [finding] = scan_dir(tmp_path).findings
    assert (finding.rule, finding.span.line) == ("AG401", 5)
    suppressed = gomod.replace("require", "// ameide-guard: ignore[AG401] built elsewhere\nrequire")
    (tmp_path / "go.mod").write_text(suppressed)
    assert scan_dir(tmp_path).findings == []


def test_indirect_requirements_need_a_module_hash_from_go_1_17(tmp_path):
    """Go 1.17+ module graphs are pruned: go needs the module hash of `// indirect` requirements
    too; a go 1.16 module only needs their /go.mod hash."""
    sums = "github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n"
    for go, stale in (("1.21", True), ("1.16", False)):
        root = tmp_path / go
        root.mkdir()
        (root / "ameide-guard.toml").write_text("", encoding="utf-8")
        (root / "go.mod").write_text(
            f"module github.com/ameideio/x\n\ngo {go}\n\n"
            "require github.com/google/uuid v1.6.0 // indirect\n",
            encoding="utf-8",
        )
        (root / "go.sum").write_text(sums, encoding="utf-8")
        rules = {f.rule for f in scan_dir(root, select=frozenset({"AG402"})).findings}
        assert (rules == {"AG402"}) is stale, go
