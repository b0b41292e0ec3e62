"""Requirements files as pip reads them, and PEP 508 names held to `packaging` (differential)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ameide_guard.errors import ManifestError
from ameide_guard.manifests.requirements import (
    include_path,
    is_requirements_file,
    normalise_name,
    parse_requirement,
    parse_requirements,
)

PEP508 = [
    "requests",
    "requests>=2.31",
    "Requests [Security , Socks] >= 2.8.1, == 2.8.*",
    "zope.interface (>=5)",
    "ameide_sdk[grpc]==1.4.0 ; python_version >= '3.11'",
    "Ameide.SDK @ git+https://github.com/ameideio/ameide-sdk-python@v1.4.0",
    "ameide-sdk @ file:///srv/sdk ; sys_platform == 'linux'",
    "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
    "name;os_name=='a'",
    "A__B--C..D~=1.0",
    "x>1,<2,!=1.5",
]


@pytest.mark.parametrize("text", PEP508)
def test_pep508_agrees_with_packaging(text):
    packaging = pytest.importorskip("packaging.requirements")
    theirs = packaging.Requirement(text)
    ours = parse_requirement(text)
    assert ours is not None
    assert ours.name == normalise_name(theirs.name)
    assert ours.url == theirs.url
    assert set(ours.extras) == {normalise_name(e) for e in theirs.extras}
    assert (ours.marker is None) == (theirs.marker is None)
    if theirs.specifier:
        assert {str(s) for s in theirs.specifier} == {
            s.replace(" ", "") for s in ours.specifier.split(",")
        }


@pytest.mark.parametrize("text", ["", "-e .", "./pkg", "name bar", "[extra]", "na me>=1"])
def test_not_pep508(text):
    assert parse_requirement(text) is None


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("Ameide_SDK", "ameide-sdk"), ("a.-_b", "a-b"), ("A--B__C..D", "a-b-c-d")],
)
def test_pep503_normalisation(raw, normal):
    assert normalise_name(raw) == normal


def test_names_are_normalised_by_packaging_itself():
    from packaging.utils import canonicalize_name

    assert normalise_name is canonicalize_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Requests [Security , Socks] >= 2.8.1, == 2.8.*",
            ("requests", "Requests", ("security", "socks"), ">= 2.8.1, == 2.8.*", None, None),
        ),
        ("zope.interface (>=5)", ("zope-interface", "zope.interface", (), ">=5", None, None)),
        ("x[B_b,a] ; os_name=='a'", ("x", "x", ("b-b", "a"), "", None, "os_name=='a'")),
        (
            "x @ https://h/a;b.zip ; python_version >= '3.9'",
            ("x", "x", (), "", "https://h/a;b.zip", "python_version >= '3.9'"),
        ),
        ("x@file:///srv/x", ("x", "x", (), "", "file:///srv/x", None)),
    ],
)
def test_extras_specifier_and_marker_are_kept_as_written(text, expected):
    """packaging validates; the parts are the text's own (packaging sorts the specifiers, drops
    the extras' order and re-quotes markers, while uv.lock is compared after its own
    normalisation)."""
    req = parse_requirement(text)
    assert req is not None
    assert (req.name, req.raw_name, req.extras, req.specifier, req.url, req.marker) == expected


NOT_PEP508_ANY_MORE = [
    "x>=1.*",  # `.*` only after == and !=
    "x==latest",  # not a PEP 440 version
    "x~=1",  # ~= needs two release segments
    "x[a,]",
    "x>=1;",  # `;` with no marker
    "x; foo == 'a'",  # no such marker variable
    "x; os_name == 'a' junk",
    "x; " + "(" * 300 + "os_name == 'a'" + ")" * 300,
]
"""Strings the hand-written parser accepted and packaging (so pip) rejects."""


@pytest.mark.parametrize("text", NOT_PEP508_ANY_MORE)
def test_what_packaging_rejects_is_no_requirement(text):
    from packaging.requirements import InvalidRequirement, Requirement

    with pytest.raises(InvalidRequirement):
        Requirement(text)
    assert parse_requirement(text) is None


@pytest.mark.parametrize("text", NOT_PEP508_ANY_MORE)
def test_a_rejected_requirement_line_is_one_manifest_error_with_packagings_reason(text):
    with pytest.raises(ManifestError) as info:
        parse_requirements(f"ok>=1\n\n{text}  # why\nalso-ok\n", "svc/requirements.txt")
    error = info.value
    assert (error.span.line, error.span.column, error.span.end_line) == (3, 1, 3)
    assert error.span.end_column == len(text) + len("  # why") + 1
    assert error.message.startswith(f"svc/requirements.txt:3: cannot read `{text}` as a ")
    assert "\n" not in error.message
    reason = error.message.split(" as a requirement (", 1)[1]
    assert reason.endswith("; expected a name such as `pkg>=1.0`, a URL or a path")
    assert len(reason) > len("; expected a name such as `pkg>=1.0`, a URL or a path)")


TEXT = r"""# top comment
--index-url https://pypi.org/simple
--extra-index-url=https://buf.build/gen/python  # trailing comment
-ihttps://mirror.example.com/simple
-f ./wheels
-r base.txt
--requirement=../common/requirements.txt
-c constraints.txt
--constraint ../c2.txt
-e ../../packages/ameide_sdk_python
--editable=git+https://github.com/ameideio/ameide-sdk-python@main#egg=ameide_sdk
Ameide_SDK[grpc]==1.4.0 \
    --hash=sha256:0000 \
    --hash=sha256:1111
requests>=2 ; sys_platform == "linux"  # why
./local/pkg
ameide_sdk-1.4.0-py3-none-any.whl
ameide-sdk @ https://example.com/ameide_sdk.zip
file:../sdk#egg=ameide-sdk
--no-index
--pre
#not-a-continuation \
foo\
"""


def test_requirements_lines_kinds_and_positions():
    parsed = parse_requirements(TEXT, "svc/requirements.txt")
    got = [
        (x.kind, x.line, x.span.end_line, x.text, x.name, x.editable, x.constraint, x.option)
        for x in parsed.lines
    ]
    assert got == [
        ("index", 2, 2, "https://pypi.org/simple", None, False, False, "index-url"),
        ("index", 3, 3, "https://buf.build/gen/python", None, False, False, "extra-index-url"),
        ("index", 4, 4, "https://mirror.example.com/simple", None, False, False, "index-url"),
        ("index", 5, 5, "./wheels", None, False, False, "find-links"),
        ("include", 6, 6, "base.txt", None, False, False, ""),
        ("include", 7, 7, "../common/requirements.txt", None, False, False, ""),
        ("include", 8, 8, "constraints.txt", None, False, True, ""),
        ("include", 9, 9, "../c2.txt", None, False, True, ""),
        ("requirement", 10, 10, "../../packages/ameide_sdk_python", None, True, False, ""),
        (
            "requirement", 11, 11,
            "git+https://github.com/ameideio/ameide-sdk-python@main#egg=ameide_sdk",
            "ameide-sdk", True, False, "",
        ),
        ("requirement", 12, 14, "Ameide_SDK[grpc]==1.4.0", "ameide-sdk", False, False, ""),
        (
            "requirement", 15, 15, 'requests>=2 ; sys_platform == "linux"', "requests",
            False, False, "",
        ),
        ("requirement", 16, 16, "./local/pkg", None, False, False, ""),
        (
            "requirement", 17, 17, "ameide_sdk-1.4.0-py3-none-any.whl", "ameide-sdk",
            False, False, "",
        ),
        (
            "requirement", 18, 18, "ameide-sdk @ https://example.com/ameide_sdk.zip",
            "ameide-sdk", False, False, "",
        ),
        ("requirement", 19, 19, "file:../sdk#egg=ameide-sdk", "ameide-sdk", False, False, ""),
        ("requirement", 23, 23, "foo", "foo", False, False, ""),
    ]  # fmt: skip
    by_line = {x.line: x for x in parsed.lines}
    assert by_line[10].local_path == "../../packages/ameide_sdk_python"
    assert by_line[11].url is not None and by_line[11].local_path is None
    assert by_line[18].url == "https://example.com/ameide_sdk.zip"
    assert by_line[19].local_path == "../sdk"
    assert by_line[12].url is None and by_line[12].local_path is None
    assert [x.line for x in parsed.includes()] == [6, 7, 8, 9]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("ok>=1\n!!!\n", 2, "cannot read `!!!`"),
        ("ok\n-r\n", 2, "`-r` needs a value"),
        ("-e 'unterminated\n", 1, "cannot split"),
        ("a>=1 \\\n  b c\n", 1, "cannot read"),
    ],
)
def test_unreadable_lines_are_manifest_errors(text, line, words):
    with pytest.raises(ManifestError) as info:
        parse_requirements(text, "r.txt")
    assert info.value.span.line == line
    assert words in info.value.message


def test_unknown_options_are_tolerated():
    parsed = parse_requirements("--trusted-host x\n--use-feature=truststore\nrequests\n", "r.txt")
    assert [x.name for x in parsed.lines] == ["requests"]


@pytest.mark.parametrize(
    ("including", "target", "resolved"),
    [
        ("svc/requirements.txt", "base.txt", "svc/base.txt"),
        ("svc/requirements.txt", "../common/r.txt", "common/r.txt"),
        ("svc/requirements/dev.txt", "./base.in", "svc/requirements/base.in"),
        ("svc/requirements.txt", "file:base.txt", "svc/base.txt"),
        ("svc/requirements.txt", "../../outside.txt", None),
        ("svc/requirements.txt", "/etc/requirements.txt", None),
        ("svc/requirements.txt", "https://example.com/r.txt", None),
    ],
)
def test_include_paths(including, target, resolved):
    assert include_path(including, target) == resolved


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("requirements.txt", True),
        ("svc/requirements-dev.txt", True),
        ("svc/requirements_test.in", True),
        ("svc/dev.requirements.txt", True),
        ("svc/dev-requirements.txt", True),
        ("svc/requirements/base.txt", True),
        ("svc/requirements/base.in", True),
        ("svc/constraints.txt", False),
        ("svc/README.txt", False),
        ("svc/requirements.md", False),
    ],
)
def test_which_files_are_requirements_files(path, expected):
    assert is_requirements_file(path) is expected


# ---------------------------------------------------------------- differential: pip itself

PIP_CORPUS = {
    "requirements.txt": TEXT.replace("-r base.txt\n", "-r base.in\n")
    .replace("--requirement=../common/requirements.txt\n", "--requirement=common/reqs.txt\n")
    .replace("-c constraints.txt\n", "-c pins.txt\n")
    .replace("--constraint ../c2.txt\n", "")
    .replace("-f ./wheels\n", ""),
    "base.in": "uvicorn[standard]>=0.32 ; sys_platform != 'win32'\n-r common/reqs.txt\n",
    "common/reqs.txt": "# shared\nhttpx>=0.27 \\\n  ; python_version >= '3.9'\n",
    "pins.txt": "grpcio==1.67.1\n-r common/pins2.txt\n",
    "common/pins2.txt": "protobuf==5.28.3\n",
}


def _ours(root: Path, name: str, constraint: bool = False, seen: tuple = ()) -> set[tuple]:
    """Follow includes the way the AG203/AG204 graph does, collecting what pip would install."""
    rel = name
    parsed = parse_requirements((root / rel).read_text("utf-8"), rel)
    out = set()
    for line in parsed.lines:
        if line.kind == "requirement":
            out.add((rel, line.line, line.text, line.editable, constraint))
        elif line.kind == "include":
            target = include_path(rel, line.text)
            assert target is not None and target not in seen
            out |= _ours(root, target, line.constraint, (*seen, rel))
    return out


def _pips(root: Path, name: str) -> set[tuple]:
    req_file = pytest.importorskip("pip._internal.req.req_file")
    session = pytest.importorskip("pip._internal.network.session")
    out = set()
    for req in req_file.parse_requirements(str(root / name), session=session.PipSession()):
        where, _, line = req.comes_from.rpartition(" (line ")
        # pip before 24 keeps `..` segments in the includer's path; newer pip normalises it
        path = Path(os.path.normpath(where.split(" ", 1)[1])).relative_to(root).as_posix()
        out.add((path, int(line.rstrip(")")), req.requirement.strip(), req.is_editable,
                 req.constraint))  # fmt: skip
    return out


@pytest.mark.differential
def test_requirements_agree_with_pip(tmp_path):
    """pip's own parser (the one `pip install -r` runs) sees the same requirement at the same
    line, editable and constraint flags included, after following the same -r/-c includes."""
    for name, text in PIP_CORPUS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    ours, pips = _ours(tmp_path, "requirements.txt"), _pips(tmp_path, "requirements.txt")
    assert ours == pips
    assert len(ours) >= 12


@pytest.mark.differential
def test_fixture_requirements_agree_with_pip():
    root = Path(__file__).parent / "fixtures" / "deps-python"
    names = (
        "services/search/requirements.txt",
        "services/search/dev-requirements.txt",
        "services/ledger/requirements-dev.txt",
        "services/audit/requirements.txt",
    )
    for name in names:
        assert _ours(root, name) == _pips(root, name)


INDEX_CORPUS = (
    "--index-url https://buf.build/gen/python\n"
    "-i https://buf.build/gen/python\n"
    "-ihttps://buf.build/gen/python/simple\n"
    "--index-url=https://pypi.org/simple\n"
    "-i\thttps://buf.build/gen/python-mirror/simple   # look-alike\n"
    "requests>=2\n"
    "--extra-index-url https://buf.build/gen/python\n"
    "--extra-index-url=https://example.com/buf.build/gen/python\n"
    "--index-url \\\n"
    "    https://buf.build/gen/python\n"
    "-f https://example.com/wheels\n"
)


def _our_indexes(root: Path, name: str) -> set[tuple]:
    parsed = parse_requirements((root / name).read_text("utf-8"), name)
    out = {(name, x.line, x.option, x.text) for x in parsed.lines if x.kind == "index"}
    for line in parsed.lines:
        if line.kind == "include":
            target = include_path(name, line.text)
            assert target is not None
            out |= _our_indexes(root, target)
    return out


def _pip_indexes(root: Path, name: str) -> set[tuple]:
    req_file = pytest.importorskip("pip._internal.req.req_file")
    session = pytest.importorskip("pip._internal.network.session")
    parser = req_file.RequirementsFileParser(session.PipSession(), req_file.get_line_parser(None))
    out = set()
    for parsed in parser.parse(str(root / name), constraint=False):
        # pip < 24 sets `requirement` only on requirement lines; newer pip makes it a property
        if getattr(parsed, "requirement", None):
            continue
        path = Path(os.path.normpath(parsed.filename)).relative_to(root).as_posix()
        opts = parsed.opts
        urls = [("index-url", opts.index_url)] if opts.index_url else []
        urls += [("extra-index-url", u) for u in opts.extra_index_urls or ()]
        urls += [("find-links", u) for u in opts.find_links or ()]
        out |= {(path, parsed.lineno, option, url) for option, url in urls}
    return out


@pytest.mark.differential
def test_index_options_agree_with_pip(tmp_path):
    """Every spelling of `-i`/`--index-url`/`--extra-index-url`/`-f` (the AG203 index check reads
    these) gives the same option, URL and starting line as pip's own parser, in a corpus and in
    the deps-python fixture files that use them."""
    (tmp_path / "requirements.txt").write_text(INDEX_CORPUS, "utf-8")
    ours = _our_indexes(tmp_path, "requirements.txt")
    assert ours == _pip_indexes(tmp_path, "requirements.txt")
    assert len(ours) == 9
    root = Path(__file__).parent / "fixtures" / "deps-python"
    for name in (
        "services/search/requirements.txt",
        "services/ledger/requirements-dev.txt",
        "services/audit/requirements.txt",
        "packages/ameide_sdk_python/requirements.txt",
    ):
        found = _our_indexes(root, name)
        assert found and found == _pip_indexes(root, name), name
