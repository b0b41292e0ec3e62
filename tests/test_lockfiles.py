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

from ameide_guard.checks.lockfiles.missing_lockfile import MissingLockfile
from ameide_guard.checks.lockfiles.stale_lockfile import StaleLockfile
from ameide_guard.checks.lockfiles.verdicts.base import compare
from ameide_guard.errors import ManifestError
from ameide_guard.formats.yaml import load_yaml, top_level_blocks
from ameide_guard.lockfiles import poetry
from ameide_guard.lockfiles.gosum import parse_gosum
from ameide_guard.lockfiles.pnpm import parse_pnpm_lock
from ameide_guard.lockfiles.python_manifest import (
    lockfile_view,
    normalise_marker,
    uv_requirement,
)
from ameide_guard.lockfiles.workspace import glob_match
from ameide_guard.lockfiles.yarn import parse_yarn_lock, split_descriptor
from ameide_guard.manifests.pyproject import parse_pyproject
from ameide_guard.manifests.requirements import parse_requirement


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
    assert lock.importers["packages/a"].specifiers == {"is-odd": "^3.0.1"}
    assert lock.importers["packages/a"].sections["dependencies"] == {"is-odd": "3.0.1"}
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
    assert (req.name, req.extras) == ("six-lib", ("http", "socks"))
    assert req.specifier == uv_requirement(parse_requirement("six-lib<2,>=1.16")).specifier
    assert req.marker == "python_full_version >= '3.9'"


@pytest.mark.parametrize(
    ("written", "uv_writes"),
    [
        ("python_version > '3.9'", "python_full_version >= '3.10'"),
        ("python_version <= '3.11'", "python_full_version < '3.12'"),
        ("python_version == '3.10'", "python_full_version == '3.10.*'"),
        ("python_version != '3.12'", "python_full_version != '3.12.*'"),
        ("python_version < '3.13'", "python_full_version < '3.13'"),
        (
            'sys_platform == "linux" and python_version > "3.9" and os_name == "posix"',
            "python_full_version >= '3.10' and os_name == 'posix' and sys_platform == 'linux'",
        ),
    ],
)
def test_markers_normalised_as_uv_writes_them(written, uv_writes):
    """Pairs taken from uv 0.13.9's uv.lock (`[manifest] constraints`, `requires-dist`)."""
    assert normalise_marker(written) == normalise_marker(uv_writes)
    assert normalise_marker(written) != normalise_marker("python_full_version >= '3.9'")


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
    from ameide_guard.checks.lockfiles.verdicts.python import workspace_requires_python

    def project(bound: str):
        return read_pyproject(f'[project]\nname = "p"\nrequires-python = "{bound}"\n', "p")

    assert workspace_requires_python([project(">=3.9"), project(">= 3.10")]) == ">=3.10"
    assert workspace_requires_python([project(">=3.9"), project("~=3.11")]) is None
    assert workspace_requires_python([project(">=3.9,<4"), project(">=3.9,<4")]) == ">=3.9,<4"


def test_pnpm_auto_installed_peers_count_as_dependencies():
    from ameide_guard.checks.lockfiles.verdicts.pnpm_importer import manifest_sections
    from ameide_guard.manifests.package_json import parse_package_json

    manifest = {
        "dependencies": {"a": "^1"},
        "devDependencies": {"b": "^2"},
        "peerDependencies": {"b": "^2", "c": "^3"},
    }
    doc = parse_package_json(json.dumps(manifest), "package.json")
    specs = {s: doc.specs(s) for s in manifest}
    assert manifest_sections(specs, True)["dependencies"] == {"a": "^1", "c": "^3"}
    assert manifest_sections(specs, False)["dependencies"] == {"a": "^1"}


def test_pnpm_name_counts_in_the_first_section_that_lists_it():
    """satisfiesPackageManifest's precedence: optional, then dependencies, then dev; a higher
    section's empty range (falsy in JavaScript) does not take the name away."""
    from ameide_guard.checks.lockfiles.verdicts.pnpm_importer import counted_names

    sections = {
        "dependencies": {"a": "^1", "b": "^2", "e": ""},
        "devDependencies": {"a": "^1", "c": "^3", "e": "^5"},
        "optionalDependencies": {"b": "^2", "d": "^4"},
    }
    assert counted_names(sections, "optionalDependencies") == ["b", "d"]
    assert counted_names(sections, "dependencies") == ["a", "e"]
    assert counted_names(sections, "devDependencies") == ["c", "e"]


def test_pnpm_reader_refuses_conflicting_specifiers_as_pnpm_does():
    text = (
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n"
        "        specifier: ^1.0.0\n        version: 1.0.0\n    devDependencies:\n      a:\n"
        "        specifier: ^2.0.0\n        version: 2.0.0\n"
    )
    with pytest.raises(ManifestError, match="conflicting specifiers"):
        parse_pnpm_lock(text, "pnpm-lock.yaml")
    same = parse_pnpm_lock(text.replace("^2.0.0", "^1.0.0"), "pnpm-lock.yaml")
    assert same.importers["."].specifiers == {"a": "^1.0.0"}
    assert same.importers["."].section_of("a") == "dependencies"


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
        ("[tool.uv]\nbuild-constraint-dependencies = 'x'\n", "list of requirement strings"),
        ("[tool.uv]\nbuild-constraint-dependencies = ['!x']\n", "invalid PEP 508"),
        ("[tool.uv]\nconstraint-dependencies = ['!x']\n", "PEP 508"),
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
        "version = 1\n\n[manifest]\nconstraints = 3\n",
        'version = 1\n\n[manifest]\noverrides = [{ specifier = "<1" }]\n',
    ],
)
def test_malformed_uv_lock_is_a_manifest_error(text):
    from ameide_guard.lockfiles.uv import parse_uv_lock

    with pytest.raises(ManifestError):
        parse_uv_lock(text, "uv.lock")


def _all_parsers():
    from ameide_guard.lockfiles.bun import parse_bun_lock
    from ameide_guard.lockfiles.npm import parse_npm_lock
    from ameide_guard.lockfiles.pnpm import parse_npmrc, parse_pnpm_workspace
    from ameide_guard.lockfiles.uv import parse_uv_lock
    from ameide_guard.manifests.package_json import parse_package_json

    return [
        parse_pnpm_lock,
        parse_npm_lock,
        parse_bun_lock,
        parse_yarn_lock,
        parse_gosum,
        parse_uv_lock,
        poetry.parse_poetry_lock,
        read_pyproject,
        parse_pyproject,
        parse_package_json,
        parse_pnpm_workspace,
        parse_npmrc,
    ]


SEEDS = [
    (FIXTURES / "lock-pnpm/v9-insync/pnpm-lock.yaml").read_text(),
    (FIXTURES / "lock-yarn/berry-insync/yarn.lock").read_text(),
    (FIXTURES / "lock-yarn/v1-insync/yarn.lock").read_text(),
    (FIXTURES / "lock-uv/insync/uv.lock").read_text(),
    (FIXTURES / "lock-poetry/classic-insync/poetry.lock").read_text(),
    (FIXTURES / "lock-poetry/classic-insync/pyproject.toml").read_text(),
    (FIXTURES / "lock-npm/v3-insync/package-lock.json").read_text(),
    (FIXTURES / "lock-bun/v2-insync/bun.lock").read_text(),
    (FIXTURES / "lock-pnpm/p10-catalog-insync/pnpm-lock.yaml").read_text(),
    (FIXTURES / "lock-pnpm/p10-catalog-insync/pnpm-workspace.yaml").read_text(),
    (FIXTURES / "lock-pnpm/v9-npmrc-insync/.npmrc").read_text(),
    (FIXTURES / "lock-uv/tool-insync/uv.lock").read_text(),
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


UV_TOOL_STALE = {
    "constraint-added": ("constraint-dependencies: six", "was added", "`!=1.15.0`"),
    "constraint-removed": ("constraint-dependencies: idna", "was removed", "`<3.11`"),
    "constraint-changed": ("constraint-dependencies: idna", "declares `<3.12`", "records `<3.11`"),
    "override-added": ("override-dependencies: idna", "was added", "`>=3.4`"),
    "override-removed": ("override-dependencies: six", "was removed", "`<1.17,>=1.16`"),
    "build-constraint-changed": ("build-constraint-dependencies: setuptools", ">=61", ">=60"),
}


def test_uv_manifest_lists_name_the_entry_and_how_it_differs():
    """`[tool.uv]` constraint / override / build-constraint dependencies against uv.lock's
    `[manifest]`: one finding per entry, on the `[manifest]` line, naming entry and change."""
    result = scan_dir(FIXTURES / "lock-uv", select=frozenset({"AG402"}))
    by_case: dict[str, list] = {}
    for finding in result.findings:
        by_case.setdefault(finding.path.split("/")[0], []).append(finding)
    for case, words in UV_TOOL_STALE.items():
        [finding] = by_case[case]
        lock_lines = (FIXTURES / "lock-uv" / case / "uv.lock").read_text().splitlines()
        assert lock_lines[finding.span.line - 1] == "[manifest]", case
        assert finding.related == (f"{case}/pyproject.toml",)
        for word in words:
            assert word in finding.message, (case, word, finding.message)
    # Reordered / respaced / `python_version` spelled as uv spells it, and a member's own
    # [tool.uv] lists (uv reads only the root's): fresh for uv, so no finding.
    for case in ("tool-insync", "tool-normalised", "member-constraint"):
        assert case not in by_case, by_case.get(case)


def test_uv_manifest_lists_compare_as_sets(tmp_path: Path):
    """A duplicated constraint is one entry to uv; a second range for the same name is not."""
    import shutil

    shutil.copytree(FIXTURES / "lock-uv" / "tool-insync", tmp_path / "p")
    (tmp_path / "p" / "ameide-guard.toml").write_text("")
    pyproject = tmp_path / "p" / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('["idna<3.11",', '["idna<3.11", "idna < 3.11",'))
    assert scan_dir(tmp_path / "p").findings == []
    pyproject.write_text(text.replace('["idna<3.11",', '["idna<3.11", "idna!=3.5",'))
    [finding] = scan_dir(tmp_path / "p").findings
    assert "`constraint-dependencies: idna` changed" in finding.message
    assert "`!=3.5 | <3.11`" in finding.message


# ---------------------------------------------------------------- pnpm settings and catalogs


def test_npmrc_settings_are_read_as_pnpm_reads_them():
    from ameide_guard.lockfiles.pnpm import parse_npmrc

    text = (
        "; comment\n# another\nregistry=https://registry.npmjs.org/\n"
        "auto-install-peers = false ; inline comment\n"
        'exclude-links-from-lockfile="true"\n'
        "peers-suffix-max-length=${SUFFIX}\n"
        "dedupePeers=true\n"  # camelCase keys are not pnpm settings in .npmrc
    )
    assert parse_npmrc(text, ".npmrc") == {
        "autoInstallPeers": False,
        "excludeLinksFromLockfile": True,
        "peersSuffixMaxLength": None,
    }


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("\nauto-install-peers=yes\n", "must be true or false", 2),
        ("peers-suffix-max-length=big\n", "whole number", 1),
    ],
)
def test_bad_npmrc_setting_is_a_manifest_error(text, message, line):
    from ameide_guard.lockfiles.pnpm import parse_npmrc

    with pytest.raises(ManifestError, match=message) as caught:
        parse_npmrc(text, ".npmrc")
    assert caught.value.span.line == line


def test_pnpm_workspace_catalogs():
    from ameide_guard.lockfiles.pnpm import parse_pnpm_workspace

    found = parse_pnpm_workspace(
        "packages: [a]\ncatalog:\n  x: ^1\ncatalogs:\n  n:\n    y: ~2\nautoInstallPeers: false\n",
        "pnpm-workspace.yaml",
    )
    assert found.packages == ("a",)
    assert found.catalogs == {"default": {"x": "^1"}, "n": {"y": "~2"}}
    assert found.settings == {"autoInstallPeers": False}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("catalog:\n  x: ^1\ncatalogs:\n  default:\n    x: ^2\n", "defined twice"),
        ("catalog:\n  x: [1]\n", "version range string"),
        ("catalogs: [a]\n", "not a mapping"),
    ],
)
def test_malformed_pnpm_workspace_catalogs(text, message):
    from ameide_guard.lockfiles.pnpm import parse_pnpm_workspace

    with pytest.raises(ManifestError, match=message):
        parse_pnpm_workspace(text, "pnpm-workspace.yaml")


def test_outdated_settings_follow_each_pnpm_major():
    from ameide_guard.lockfiles.pnpm import outdated_settings

    def names(recorded, configured, major):
        return [s.name for s, _mine, _theirs in outdated_settings(recorded, configured, major)]

    written = {"autoInstallPeers": True, "excludeLinksFromLockfile": False}
    assert names(written, {}, 10) == []
    assert names(written, {"autoInstallPeers": False}, 9) == ["autoInstallPeers"]
    # recorded-only settings: a lockfile without them accepts any configuration
    assert names({}, {"autoInstallPeers": False}, 9) == []
    # peersSuffixMaxLength: absent means the default 1000 (pnpm 9+, not pnpm 8)
    assert names(written, {"peersSuffixMaxLength": 500}, 9) == ["peersSuffixMaxLength"]
    assert names(written, {"peersSuffixMaxLength": 500}, 8) == []
    assert names(written, {"peersSuffixMaxLength": 1000}, 9) == []
    # dedupePeers / injectWorkspacePackages: booleans, pnpm 10 only
    assert names(written, {"dedupePeers": True}, 10) == ["dedupePeers"]
    assert names(written, {"dedupePeers": True}, 9) == []
    assert names({**written, "injectWorkspacePackages": True}, {}, 10) == [
        "injectWorkspacePackages"
    ]
    # JavaScript `!==`: a YAML string or number is not the boolean
    assert names(written, {"autoInstallPeers": "true"}, 10) == ["autoInstallPeers"]
    assert names(written, {"autoInstallPeers": 1}, 10) == ["autoInstallPeers"]
    # a value only the environment knows is not compared
    assert names(written, {"autoInstallPeers": None}, 10) == []


def test_outdated_catalogs_compare_only_locked_entries():
    from ameide_guard.lockfiles.pnpm import outdated_catalogs

    locked = {"default": {"a": "^1"}, "n": {"b": "^2"}}
    assert outdated_catalogs({"default": {"a": "^1", "new": "^9"}, "n": {"b": "^2"}}, locked) == []
    assert outdated_catalogs({"default": {"a": "^1.1"}}, locked) == [
        ("default", "a", "^1.1", "^1"),
        ("n", "b", None, "^2"),
    ]


@pytest.mark.parametrize(
    ("lock_version", "package_manager", "major"),
    [
        ("6.0", "pnpm@9.15.9", 8),
        ("9.0", "pnpm@9.15.9+sha512.abc", 9),
        ("9.0", "pnpm@10.34.9", 10),
        ("9.0", "yarn@4.1.0", 10),
        ("9.0", None, 10),
    ],
)
def test_pnpm_major_decides_whose_rules_apply(lock_version, package_manager, major):
    from ameide_guard.checks.lockfiles.verdicts.pnpm import pnpm_major
    from ameide_guard.manifests.package_json import parse_package_json

    data = {"name": "x"} | ({"packageManager": package_manager} if package_manager else {})
    assert pnpm_major(lock_version, parse_package_json(json.dumps(data), "package.json")) == major


PNPM_CONFIG_STALE = {
    "p10-catalog-changed": ("`catalogs.default: is-number` changed", "`^6.0.0`", "`^7.0.0`"),
    "p10-catalog-named-changed": ("`catalogs.odd: is-odd` changed", "`^3.0.0`", "`^3.0.1`"),
    "p10-catalog-removed": ("`catalogs.default: is-number` was removed", "`^7.0.0`"),
    "p10-workspace-settings": ("`autoInstallPeers` is `false`", "pnpm-workspace.yaml", "`true`"),
    "p10-dedupe-peers": ("`dedupePeers` is `true`", "no value (pnpm's default `false`)"),
    "v9-npmrc-peers-off": ("`autoInstallPeers` is `false`", "`auto-install-peers` in", "`true`"),
    "v9-npmrc-exclude-links": ("`excludeLinksFromLockfile` is `true`", "`false`"),
    "v9-npmrc-suffix": ("`peersSuffixMaxLength` is `500`", "pnpm's default `1000`"),
    "v9-npmrc-removed": ("`autoInstallPeers` is `true` (pnpm's default `true`)", "`false`"),
    "v6-npmrc-peers-off": ("`autoInstallPeers` is `false`", ".npmrc", "`true`"),
    "v9-catalog-spec-changed": ("`is-number` changed", "`^7.0.0`", "`catalog:`"),
}
PNPM_CONFIG_FRESH = (
    "v9-catalog-insync",
    "v9-catalog-changed",  # pnpm 9 (packageManager) accepts a changed catalog range
    "v9-npmrc-insync",
    "v9-workspace-settings",  # pnpm 9 reads no settings from pnpm-workspace.yaml
    "p10-catalog-insync",
    "p10-catalog-unused-changed",
    "p10-catalog-added",
    "p10-workspace-over-npmrc",  # pnpm-workspace.yaml wins over .npmrc
)


def test_pnpm_settings_and_catalogs_name_what_differs():
    result = scan_dir(FIXTURES / "lock-pnpm", select=frozenset({"AG402"}))
    by_case: dict[str, list] = {}
    for finding in result.findings:
        by_case.setdefault(finding.path.split("/")[0], []).append(finding)
    for case, words in PNPM_CONFIG_STALE.items():
        [finding] = by_case[case]
        for word in words:
            assert word in finding.message, (case, word, finding.message)
    for case in PNPM_CONFIG_FRESH:
        assert case not in by_case, by_case.get(case)
    [catalog] = by_case["p10-catalog-changed"]
    lines = (FIXTURES / "lock-pnpm/p10-catalog-changed/pnpm-lock.yaml").read_text().splitlines()
    assert lines[catalog.span.line - 1] == "catalogs:"
    assert catalog.related == ("p10-catalog-changed/pnpm-workspace.yaml",)


def test_staging_only_the_npmrc_keeps_the_lockfile_finding():
    assert StaleLockfile().triggered_by("web/.npmrc")
    result = scan_dir(FIXTURES / "lock-pnpm", paths=("v9-npmrc-peers-off/.npmrc",))
    assert [f.path for f in result.findings if f.rule == "AG402"] == [
        "v9-npmrc-peers-off/pnpm-lock.yaml"
    ]


def test_malformed_npmrc_is_ag900_not_a_traceback(tmp_path: Path):
    import shutil

    shutil.copytree(FIXTURES / "lock-pnpm" / "v9-npmrc-insync", tmp_path / "p")
    (tmp_path / "p" / "ameide-guard.toml").write_text("")
    (tmp_path / "p" / ".npmrc").write_text("auto-install-peers=maybe\n")
    [finding] = scan_dir(tmp_path / "p").findings
    assert (finding.rule, finding.path, finding.span.line) == ("AG900", ".npmrc", 1)


# ---------------------------------------------------------------- berry `resolutions`


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("left-pad", ("left-pad", None, None, None)),
        ("is-number@^6.0.0", ("is-number", "^6.0.0", None, None)),
        ("is-odd/is-number", ("is-number", None, "is-odd", None)),
        ("is-odd@3.0.1/is-number", ("is-number", None, "is-odd", "3.0.1")),
        ("@s/a@1.0.0/@t/b@^2", ("@t/b", "^2", "@s/a", "1.0.0")),
        ("@t/b", ("@t/b", None, None, None)),
    ],
)
def test_berry_resolution_patterns(key, expected):
    from ameide_guard.lockfiles.yarn import parse_resolution

    rule = parse_resolution(key, "1.0.0")
    assert rule is not None
    assert (rule.name, rule.range, rule.parent, rule.parent_range) == expected


def test_berry_ignores_glob_resolutions_and_refuses_deep_paths():
    from ameide_guard.lockfiles.yarn import parse_resolution

    assert parse_resolution("**/left-pad", "1.2.0") is None
    with pytest.raises(ManifestError, match="not a pattern berry reads"):
        parse_resolution("a/b/left-pad", "1.2.0")


def test_berry_resolve_applies_the_first_matching_resolution():
    from ameide_guard.checks.lockfiles.verdicts.yarn import berry_resolve
    from ameide_guard.lockfiles.yarn import YarnEntry, parse_resolution

    parent = YarnEntry(("is-odd@npm:^3.0.1",), (), 1, "is-odd@npm:3.0.1")
    rules = tuple(
        r
        for r in (
            parse_resolution("other/is-number", "1.0.0"),
            parse_resolution("is-odd@3.0.0/is-number", "2.0.0"),
            parse_resolution("is-number@^6.0.0", "6.0.0"),
            parse_resolution("is-number", "7.0.0"),
        )
        if r is not None
    )
    target, rule = berry_resolve("is-number@npm:^6.0.0", parent, rules)
    assert (target, rule and rule.key) == ("is-number@npm:6.0.0", "is-number@^6.0.0")
    target, rule = berry_resolve("is-number@npm:^5", parent, rules)
    assert (target, rule and rule.key) == ("is-number@npm:7.0.0", "is-number")
    assert berry_resolve("left-pad@npm:^1", parent, rules) == ("left-pad@npm:^1", None)


BERRY_STALE = {
    "berry-resolutions-added": (
        "`resolutions: is-number@^7.0.0` changed",
        "`7.0.0`",
        "`npm:^7.0.0`",
    ),
    "berry-resolutions-changed": ("`resolutions: left-pad` changed", "`1.3.0`", "`npm:1.2.0`"),
    "berry-resolutions-removed": ("`left-pad` (`npm:1.2.0`)", "`left-pad@npm:^1.3.0` has no entry"),
    "berry-resolutions-glob": ("`left-pad` (`npm:1.2.0`)", "a `resolutions` entry for `left-pad`"),
    "berry-resolutions-parent-miss": ("`is-number` (`npm:6.0.0`)", "`is-number@npm:^6.0.0`"),
}


def test_berry_resolutions_name_what_differs():
    result = scan_dir(FIXTURES / "lock-yarn", select=frozenset({"AG402"}))
    by_case: dict[str, list] = {}
    for finding in result.findings:
        by_case.setdefault(finding.path.split("/")[0], []).append(finding)
    for case, words in BERRY_STALE.items():
        [finding] = by_case[case]
        assert finding.related == (f"{case}/package.json",)
        for word in words:
            assert word in finding.message, (case, word, finding.message)
    # the same resolutions spelled differently, and one for a package nobody uses: fresh
    for case in ("insync", "equivalent", "unused-added"):
        assert f"berry-resolutions-{case}" not in by_case


def test_unreadable_resolution_is_ag900_and_ignored_as_berry_ignores_it(tmp_path: Path):
    import shutil

    shutil.copytree(FIXTURES / "lock-yarn" / "berry-resolutions-insync", tmp_path / "p")
    (tmp_path / "p" / "ameide-guard.toml").write_text("")
    manifest = tmp_path / "p" / "package.json"
    data = json.loads(manifest.read_text())
    data["resolutions"] = {"is-odd/is-number": "6.0.0", "a/b/left-pad": "1.2.0"}
    manifest.write_text(json.dumps(data, indent=2))
    findings = scan_dir(tmp_path / "p").findings
    assert sorted(f.rule for f in findings) == ["AG402", "AG900"]
    [problem] = [f for f in findings if f.rule == "AG900"]
    assert problem.path == "package.json" and "a/b/left-pad" in problem.message


SECTION_CASES = {
    "lock-npm/v3-optional-changed": ("`is-even` changed", "`~1.0.0` in optionalDependencies"),
    "lock-pnpm/v9-optional-changed": ("`is-even` changed", "`~1.0.0` in optionalDependencies"),
    "lock-yarn/v1-optional-changed": ("`is-even` changed", "`~1.0.0`", "records `^1.0.0`"),
    "lock-yarn/berry-optional-changed": ("`is-even` changed", "`npm:~1.0.0`", "`npm:^1.0.0`"),
    "lock-yarn/v1-member-added-new-range": (
        "`is-even` `^1.0.0` was added to v1-member-added-new-range/packages/b/package.json",
    ),
    "lock-uv/extra-changed": ("`idna; extra == 'fast'` changed", "`>=3.5`", "`>=3.4`"),
    "lock-uv/extra-added": ("`six; extra == 'slow'` (`>=1.15`) was added",),
    "lock-poetry/pep621-added": ("`idna` was added",),
    "lock-poetry/pep621-removed": ("content-hash",),
}
"""Every dependency section (optionalDependencies, a uv extra, PEP 621 `[project]` dependencies
under poetry, a new workspace member's range): one AG402 naming the entry and how it moved."""


@pytest.mark.parametrize("case", sorted(SECTION_CASES))
def test_every_dependency_section_names_what_differs(case: str):
    ecosystem, name = case.split("/")
    result = scan_dir(FIXTURES / ecosystem, select=frozenset({"AG402"}))
    [finding] = [f for f in result.findings if f.path.split("/")[0] == name]
    for words in SECTION_CASES[case]:
        assert words in finding.message, (case, words, finding.message)
    insync = name.rsplit("-", 1)[0] + "-insync"
    if (FIXTURES / ecosystem / insync).is_dir():
        assert not [f for f in result.findings if f.path.split("/")[0] == insync]


def test_pnpm_overrides_rewrite_the_project_as_pnpm_does():
    from ameide_guard.checks.lockfiles.verdicts.pnpm_overrides import (
        Project,
        override_sections,
        parse_overrides,
        pnpm_overrides,
    )
    from ameide_guard.manifests.package_json import parse_package_json

    manifest = {
        "name": "app",
        "dependencies": {"a": "^1.0.0", "b": "^2.0.0", "c": "^3.0.0", "d": "latest"},
        "devDependencies": {"e": "^1.0.0", "f": "^1.0.0"},
        "resolutions": {"a": "1.0.0", "e": "2.0.0"},
        "pnpm": {
            "overrides": {
                "e": "$a",
                "b": "-",
                "app>c": "link:./vendor/c",
                "d@^1": "1.0.0",
                "f@^2": "2.0.0",
            }
        },
    }
    doc = parse_package_json(json.dumps(manifest), "packages/app/package.json")
    assert pnpm_overrides(doc) == {
        "a": "1.0.0",
        "e": "^1.0.0",
        "b": "-",
        "app>c": "link:./vendor/c",
        "d@^1": "1.0.0",
        "f@^2": "2.0.0",
    }
    overrides = parse_overrides(pnpm_overrides(doc), {})
    assert [(o.parent, o.target, o.target_range) for o in overrides][3:] == [
        ("app", "c", ""),
        (None, "d", "^1"),
        (None, "f", "^2"),
    ]
    project = Project("app", None, "packages/app", "")
    for locked, f in (({"f": "^1.0.0"}, "^1.0.0"), ({"f": "2.0.0"}, "2.0.0")):
        specs = override_sections(doc, overrides, project, locked)
        # a dist-tag never intersects a range; `f@^2` vs `^1.0.0` needs semver: the lockfile's
        assert specs["dependencies"] == {"a": "1.0.0", "c": "link:../../vendor/c", "d": "latest"}
        assert specs["devDependencies"] == {"e": "^1.0.0", "f": f}
