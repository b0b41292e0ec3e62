"""The go.mod / go.work reader: structure, spans, comments, versions, and Go's rejections."""

from __future__ import annotations

import pytest

from ameide_guard.errors import ManifestError
from ameide_guard.manifests.gomod import (
    GoReplace,
    canonical_version,
    is_directory_path,
    is_pseudo_version,
    parse_gomod,
    split_path_version,
)
from ameide_guard.model import Span

GOMOD = """\
// Deprecated: use example.com/v2.
module github.com/ameideio/x // trailing

go 1.22
toolchain go1.22.3

require (
\tgithub.com/a/b v1.2 // indirect
\t// whole-line comment inside the block

\t"github.com/c/d/v2" v2.0.0 // indirect; kept for a tool
\tgithub.com/e/f v3.1.0+incompatible
)
require github.com/g/h v0.0.0-20240101000000-abcdefabcdef //indirect

replace github.com/a/b => ../b
replace (
\tgithub.com/c/d/v2 v2.0.0 => github.com/fork/d/v2 v2.0.1
\tgithub.com/e/f => C:\\\\src\\\\f
)
"""


def test_reads_every_directive_with_its_line() -> None:
    parsed = parse_gomod(GOMOD.replace("C:\\\\src\\\\f", "/src/f"), "services/x/go.mod")
    assert parsed.kind == "go.mod"
    assert parsed.module == "github.com/ameideio/x"
    assert parsed.module_span == Span(2, 1, 2, 29)
    assert parsed.deprecated == "use example.com/v2.\ntrailing"
    assert (parsed.go, parsed.toolchain) == ("1.22", "go1.22.3")
    assert [(r.path, r.version, r.indirect, r.span.line) for r in parsed.requires] == [
        ("github.com/a/b", "v1.2.0", True, 8),
        ("github.com/c/d/v2", "v2.0.0", True, 11),
        ("github.com/e/f", "v3.1.0+incompatible", False, 12),
        ("github.com/g/h", "v0.0.0-20240101000000-abcdefabcdef", True, 14),
    ]
    assert [
        (r.old, r.old_version, r.new, r.new_version, r.local, r.span.line) for r in parsed.replaces
    ] == [
        ("github.com/a/b", None, "../b", None, True, 16),
        ("github.com/c/d/v2", "v2.0.0", "github.com/fork/d/v2", "v2.0.1", False, 18),
        ("github.com/e/f", None, "/src/f", None, True, 19),
    ]
    # a block line's span starts at its first token (tab-indented: column 2), not at `replace`
    assert parsed.replaces[1].span.column == 2
    assert parsed.requires[3].span == Span(14, 1, 14, 58)


def test_windows_replacement_path_is_rejected_like_go() -> None:
    with pytest.raises(ManifestError, match="Windows path"):
        parse_gomod(GOMOD.replace("C:\\\\src\\\\f", "..\\\\f"), "go.mod")


def test_go_work() -> None:
    text = 'go 1.23\n\nuse (\n\t. // root\n\t"./a b"\n)\nuse ./c\nreplace x.org/y => ./y\n'
    parsed = parse_gomod(text, "go.work")
    assert parsed.kind == "go.work"
    assert [u for u, _ in parsed.uses] == [".", "./a b", "./c"]
    assert [s.line for _, s in parsed.uses] == [4, 5, 7]
    assert parsed.replaces[0].local
    assert parsed.module is None and parsed.requires == ()


def test_retract_forms_and_rationale() -> None:
    text = (
        "module example.com/m\n\nretract [v1.0.0, v1.0.5] // broken\nretract (\n"
        "\t// bad tag\n\tv1.1.0\n\n\tv1.2.0\n)\n"
    )
    parsed = parse_gomod(text, "go.mod")
    assert [(r.low, r.high, r.rationale) for r in parsed.retracts] == [
        ("v1.0.0", "v1.0.5", "broken"),
        ("v1.1.0", "v1.1.0", "bad tag"),
        ("v1.2.0", "v1.2.0", ""),
    ]


def test_godebug_tool_ignore_exclude() -> None:
    text = (
        "module example.com/m\ngodebug (\n\tdefault=go1.21\n)\ngodebug panicnil=1\n"
        "tool golang.org/x/tools/cmd/stringer\nignore ./node_modules\n"
        "exclude (\n\tgithub.com/a/b v1.0.0\n)\n"
    )
    parsed = parse_gomod(text, "go.mod")
    assert [(d.key, d.value) for d in parsed.godebug] == [("default", "go1.21"), ("panicnil", "1")]
    assert [t for t, _ in parsed.tools] == ["golang.org/x/tools/cmd/stringer"]
    assert [i for i, _ in parsed.ignores] == ["./node_modules"]
    assert [(e.path, e.version) for e in parsed.excludes] == [("github.com/a/b", "v1.0.0")]


def test_comment_markers_inside_strings_and_identifiers() -> None:
    text = 'module "example.com/a//b"\nreplace x.org/y => "../odd // dir"\n'
    parsed = parse_gomod(text, "go.mod")
    assert parsed.module == "example.com/a//b"
    assert parsed.replaces[0].new == "../odd // dir"


def test_escapes_in_quoted_strings() -> None:
    parsed = parse_gomod('module "example.com/\\u0061\\x62\\143"\n', "go.mod")
    assert parsed.module == "example.com/abc"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("module a\nrequire (\n\tx.org/y v1.0.0\n", 2, "unterminated block"),
        ("module a\nrequires x.org/y v1.0.0\n", 2, "unknown directive: requires"),
        ("module `a`\n", 1, "cannot contain quote"),
        ("module a /* no */\n", 1, "// comments"),
        ("module a\nrequire x.org/y latest\n", 2, "must be of the form v1.2.3"),
        ("module a\nrequire x.org/y/v2 v1.0.0\n", 2, "should be v2, not v1"),
        ("module a\nrequire x.org/y v2.0.0\n", 2, "should be v0 or v1"),
        ("module a\nmodule b\n", 2, "repeated module"),
        ("module a\ngo 1\n", 2, "invalid go version"),
        ("module a\ntoolchain 1.22\n", 2, "invalid toolchain"),
        ("module a\nreplace x.org/y => z.org/w\n", 2, "must be directory path"),
        ("module a\nreplace x.org/y => ../w v1.0.0\n", 2, "cannot have version"),
        ("module a\nreplace x.org/y => z.org/w@v1.0.0\n", 2, "not 'path@version'"),
        ("module a\nretract [v1.0.0 v1.1.0]\n", 2, "expected ','"),
        ("module a\ngodebug x\n", 2, "usage: godebug"),
        ('module "a\n"\n', 1, "newline in string"),
        ("module a\n\x00\n", 2, "unexpected input character"),
        ("module a\nrequire (\n\tx.org/y v1.0.0\n) x\n", 4, "expected newline after closing paren"),
        ("module a\nrequire foo (\n)\n", 2, "unknown block type"),
    ],
)
def test_garbage_is_rejected_at_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_gomod(text, "go.mod")
    assert message in caught.value.message
    assert caught.value.span.line == line
    assert f"line {line}" in caught.value.message


def test_go_mod_directives_are_not_go_work_directives() -> None:
    with pytest.raises(ManifestError, match="unknown directive: require"):
        parse_gomod("go 1.22\nrequire x.org/y v1.0.0\n", "go.work")
    with pytest.raises(ManifestError, match="unknown block type: require"):
        parse_gomod("go 1.22\nrequire (\n\tx.org/y v1.0.0\n)\n", "go.work")


def test_empty_and_comment_only_files() -> None:
    assert parse_gomod("", "go.mod").module is None
    assert parse_gomod("// just a comment\n\n", "go.mod").requires == ()


@pytest.mark.parametrize(
    ("version", "canonical"),
    [
        ("v1", "v1.0.0"),
        ("v1.2", "v1.2.0"),
        ("v1.2.3-rc.1", "v1.2.3-rc.1"),
        ("v1.2.3+meta", "v1.2.3"),
        ("v2.0.0+incompatible", "v2.0.0+incompatible"),
        ("v1.2.3-01", ""),
        ("1.2.3", ""),
        ("v1.2-pre", ""),
        ("latest", ""),
    ],
)
def test_canonical_version(version: str, canonical: str) -> None:
    assert canonical_version(version) == canonical


def test_path_and_version_helpers() -> None:
    assert split_path_version("github.com/a/b/v2") == ("github.com/a/b", "/v2", True)
    assert split_path_version("gopkg.in/yaml.v3") == ("gopkg.in/yaml", ".v3", True)
    assert split_path_version("github.com/a/b/v1")[2] is False
    assert is_pseudo_version("v0.0.0-20240101000000-abcdefabcdef")
    assert is_pseudo_version("v1.2.4-0.20240101000000-abcdefabcdef")
    assert not is_pseudo_version("v1.2.3")
    assert all(is_directory_path(p) for p in (".", "..", "./x", "../x", "/x", "C:x", ".\\x"))
    assert not any(is_directory_path(p) for p in ("x", "github.com/a", ".x"))
    assert GoReplace("a", None, "./b", None, Span(1, 1, 1, 2)).local
