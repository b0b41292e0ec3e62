"""bun.lock reader and verdict details the fixtures (tests/fixtures/lock-bun) do not spell out."""

from __future__ import annotations

import pytest

from ameide_guard.errors import ManifestError
from ameide_guard.lockfiles.bun import manifest_overrides, parse_bun_lock, strip_jsonc

LOCK = """{
  // bun accepts comments; it writes a trailing comma after every entry
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "root",
      "dependencies": { "a": "workspace:*", "url": "https://x.test/a,b}" },
      /* a block
         comment */
    },
    "packages/a": { "name": "a", "version": "1.0.0", "optionalPeers": ["p"], },
  },
  "packages": {
    "a": ["a@workspace:packages/a"],
  },
}
"""


def test_reads_workspaces_comments_and_trailing_commas() -> None:
    lock = parse_bun_lock(LOCK, "bun.lock")
    assert lock.version == 1
    assert set(lock.workspaces) == {".", "packages/a"}
    root, member = lock.workspaces["."], lock.workspaces["packages/a"]
    assert root.sections["dependencies"] == {"a": "workspace:*", "url": "https://x.test/a,b}"}
    assert root.version is None and member.version == "1.0.0"
    assert member.optional_peers == ("p",)
    assert (root.line, member.line, lock.line) == (5, 11, 4)
    assert lock.packages == {"a": "a@workspace:packages/a"}


def test_stripping_keeps_positions() -> None:
    stripped = strip_jsonc(LOCK)
    assert len(stripped) == len(LOCK) and stripped.count("\n") == LOCK.count("\n")
    assert '"https://x.test/a,b}"' in stripped


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"workspaces": {}}', "`lockfileVersion` is missing"),
        ('{"lockfileVersion": 1}', "`workspaces` is missing"),
        ('{"lockfileVersion": 1, "workspaces": {"": []}}', "`workspaces['']` is not an object"),
        (
            '{"lockfileVersion": 1, "workspaces": {"": {"dependencies": {"a": 1}}}}',
            "is not an object of version strings",
        ),
        ('{"lockfileVersion": 1, "workspaces": {}, "packages": {"a": {}}}', "`packages['a']`"),
        ('{"lockfileVersion": 1, "workspaces": {}', "invalid JSON in bun.lock"),
        ("[]", "is not a JSON object"),
    ],
)
def test_malformed_is_one_manifest_error(text: str, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_bun_lock(text, "bun.lock")
    assert words in caught.value.message
    assert len(caught.value.message.splitlines()) == 1


def test_overrides_as_bun_reads_them() -> None:
    specs = {"leaf": "^1.0.0"}
    npm = {
        "overrides": {
            "a": "1.0.0",
            "b": {".": "2.0.0", "c": "3.0.0", "deep": {"x": "1"}},
            "ref": "$leaf",
            "missing-ref": "$nothing",
            "patched": "patch:x",
            "": "1",
        },
        "resolutions": {"ignored": "1"},
    }
    assert manifest_overrides(npm, specs) == {
        "a": "1.0.0",
        "b": "2.0.0",
        "b>c": "3.0.0",
        "ref": "^1.0.0",
    }
    yarn = {"resolutions": {"**/a": "1", "p/c": "2", "@s/p/@t/c": "3", "a/b/c": "4"}}
    assert manifest_overrides(yarn, specs) == {"a": "1", "p>c": "2", "@s/p>@t/c": "3"}
    assert manifest_overrides({"overrides": "nonsense", "resolutions": {"a": "1"}}, specs) == {}
