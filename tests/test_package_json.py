"""package.json reader: every section, nested npm overrides, yarn resolutions, pnpm overrides,
workspaces, aliases, and errors for what npm itself rejects."""

from __future__ import annotations

import pytest

from ameide_guard.errors import ManifestError
from ameide_guard.manifests.package_json import (
    DEPENDENCY_SECTIONS,
    alias_range,
    alias_target,
    override_target,
    parse_package_json,
)

MANIFEST = """{
  "name": "@ameide/orders",
  "dependencies": {
    "@ameideio/ameide-sdk-ts": "workspace:*",
    "proto": "npm:@buf/ameideio_ameide.bufbuild_es@^2.2.0"
  },
  "devDependencies": {"vitest": "^2.1.0"},
  "peerDependencies": {"react": ">=18"},
  "optionalDependencies": {"fsevents": "2.3.3"},
  "overrides": {
    "left-pad": {
      ".": "1.3.0",
      "@buf/x": "2.0.0",
      "deeper": {"@buf/y": "3.0.0"}
    },
    "foo@1.x": "1.2.3"
  },
  "resolutions": {"**/@buf/z": "1.0.0", "a/@scope/b@^2": "2.1.0"},
  "pnpm": {"overrides": {"parent@1>@buf/w@2": "2.0.1"}},
  "workspaces": ["services/*", "packages/*"]
}
"""


def test_sections_keep_names_specs_and_lines():
    doc = parse_package_json(MANIFEST, "package.json")
    assert doc.name == "@ameide/orders"
    assert set(doc.sections) == set(DEPENDENCY_SECTIONS)
    sdk = doc.sections["dependencies"]["@ameideio/ameide-sdk-ts"]
    assert (sdk.spec, sdk.span.line, sdk.span.column) == ("workspace:*", 4, 5)
    assert doc.specs("devDependencies") == {"vitest": "^2.1.0"}
    assert doc.specs("bundledDependencies") == {}
    assert doc.has_dependencies
    assert doc.workspaces == ("services/*", "packages/*")


def test_overrides_are_flattened_with_targets_parents_and_lines():
    doc = parse_package_json(MANIFEST, "package.json")
    seen = {(e.section, e.key, e.name, e.spec, e.parents, e.span.line) for e in doc.overrides}
    assert seen == {
        ("overrides", "left-pad", "left-pad", "1.3.0", (), 12),
        ("overrides", "@buf/x", "@buf/x", "2.0.0", ("left-pad",), 13),
        ("overrides", "@buf/y", "@buf/y", "3.0.0", ("left-pad", "deeper"), 14),
        ("overrides", "foo@1.x", "foo", "1.2.3", (), 16),
        ("resolutions", "**/@buf/z", "@buf/z", "1.0.0", (), 18),
        ("resolutions", "a/@scope/b@^2", "@scope/b", "2.1.0", (), 18),
        ("pnpm.overrides", "parent@1>@buf/w@2", "@buf/w", "2.0.1", (), 19),
    }
    assert len(list(doc.entries())) == 5 + 7


@pytest.mark.parametrize(
    ("key", "section", "target"),
    [
        ("@buf/x", "overrides", "@buf/x"),
        ("@buf/x@^1", "overrides", "@buf/x"),
        ("plain@1", "overrides", "plain"),
        ("**/@buf/x", "resolutions", "@buf/x"),
        ("outer/**/inner@1", "resolutions", "inner"),
        ("@s/outer/@s/inner", "resolutions", "@s/inner"),
        ("a@1>b@2", "pnpm.overrides", "b"),
        ("a>@s/b", "pnpm.overrides", "@s/b"),
    ],
)
def test_override_targets(key, section, target):
    assert override_target(key, section) == target


def test_npm_aliases():
    assert alias_target("npm:@buf/a.b@^1") == "@buf/a.b"
    assert alias_range("npm:@buf/a.b@^1") == "^1"
    assert alias_target("npm:left-pad") == "left-pad"
    assert alias_range("npm:left-pad") == ""
    assert alias_target("^1.0.0") is None


def test_yarn1_workspaces_object_form():
    doc = parse_package_json('{"workspaces": {"packages": ["a/*"], "nohoist": []}}', "p.json")
    assert doc.workspaces == ("a/*",)
    assert doc.name is None
    assert not doc.has_dependencies


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{\n"dependencies": ["a"]\n}', 2, "`dependencies` must be an object"),
        ('{"dependencies": {\n "a": 1\n}}', 2, "must be a version string, not a number"),
        ('{"overrides": {"a": {\n".": true}}}', 2, "must be a version string, not a boolean"),
        ('{"pnpm": {"overrides": []}}', 1, "`pnpm.overrides` must be an object"),
        ('{\n"workspaces": "a/*"}', 2, "`workspaces` must be an array"),
        ("[]", 1, "must hold a JSON object"),
        ('{"dependencies": {"a": "1",}}', 1, "trailing comma"),
    ],
)
def test_what_npm_rejects_is_a_manifest_error_at_its_line(text, line, words):
    with pytest.raises(ManifestError) as info:
        parse_package_json(text, "services/x/package.json")
    assert info.value.span.line == line
    assert words in info.value.message
    assert "services/x/package.json" in info.value.message


def test_deeply_nested_overrides_are_an_error_not_a_crash():
    text = '{"overrides": ' + '{"a": ' * 100 + '"1"' + "}" * 100 + "}"
    with pytest.raises(ManifestError, match="nested too deep"):
        parse_package_json(text, "package.json")
