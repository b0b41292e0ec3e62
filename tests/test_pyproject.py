"""pyproject.toml reader: PEP 621/735, uv and poetry sections, each entry at its exact line, and
the TOML locator that recovers those lines (tomllib keeps none)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ameide_guard.errors import ManifestError
from ameide_guard.formats.tomlpos import span_of, toml_spans
from ameide_guard.manifests.pyproject import parse_pyproject

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).parent / "fixtures"

AWKWARD = '''\
# "dependencies" = ["not", "this"]
[project]
name = "svc"  # trailing comment with = and [brackets] and "quotes"
dependencies = [ # comment after the bracket
  "requests>=2",   # a comment with "ameide-sdk" inside
  'ameide_sdk @ file:///srv/sdk',
  """zope.interface>=5""",
  \'\'\'
multi>=1\'\'\',
]

[project.optional-dependencies]
grpc = ["grpcio>=1.67"]
"web.ui" = [
  "fastapi",
]

[dependency-groups]
dev = [{include-group = "test"}, "ruff"]
test = ["pytest>=8"]

[tool.uv]
dev-dependencies = ["mypy"]
override-dependencies = ["ameide-sdk @ git+https://example.com/sdk.git"]
index-url = "https://pypi.org/simple"

[tool.uv.sources]
ameide-sdk = { path = "../sdk", editable = true }
"Other_Pkg" = [
  { index = "mirror", marker = "sys_platform == 'linux'" },
  { git = "https://github.com/x/y", rev = "abc" },
]

[tool.uv.sources.third]
workspace = true

[[tool.uv.index]]
name = "mirror"
url = "https://mirror.example.com/simple"

[[tool.uv.index]]
name = "second"
  url = "https://second.example.com/simple"

[tool.poetry.dependencies]
python = "^3.11"
when = 1979-05-27 07:32:00Z
ameide-sdk = { path = "../sdk", develop = true }
multi = [{ version = "^1", python = "<3.12" }, { url = "https://x/y.whl", python = ">=3.12" }]

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[[tool.poetry.source]]
name = "buf"
url = "https://buf.build/gen/python"
'''


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_awkward_pyproject_entries_have_exact_lines():
    text = AWKWARD.replace("when = 1979-05-27 07:32:00Z\n", "")
    doc = parse_pyproject(text, "pyproject.toml")
    got = {(d.section, d.name, d.span.line) for d in doc.dependencies}
    assert got == {
        ("project.dependencies", "requests", line_of(text, '"requests>=2"')),
        ("project.dependencies", "ameide-sdk", line_of(text, "ameide_sdk @")),
        ("project.dependencies", "zope-interface", line_of(text, "zope.interface")),
        ("project.dependencies", "multi", line_of(text, "'''")),
        ("project.optional-dependencies.grpc", "grpcio", line_of(text, "grpcio>=1.67")),
        ("project.optional-dependencies.web.ui", "fastapi", line_of(text, '"fastapi"')),
        ("dependency-groups.dev", "ruff", line_of(text, '"ruff"')),
        ("dependency-groups.test", "pytest", line_of(text, '"pytest>=8"')),
        ("tool.uv.dev-dependencies", "mypy", line_of(text, '"mypy"')),
        ("tool.uv.override-dependencies", "ameide-sdk", line_of(text, "override-dep")),
        ("tool.poetry.dependencies", "ameide-sdk", line_of(text, "develop = true")),
        ("tool.poetry.dependencies", "multi", line_of(text, "multi = [")),
        ("tool.poetry.group.dev.dependencies", "pytest", line_of(text, 'pytest = "^8"')),
    }
    poetry_sdk = next(d for d in doc.dependencies if d.section == "tool.poetry.dependencies")
    assert poetry_sdk.source is not None
    assert (poetry_sdk.source.kind, poetry_sdk.source.editable) == ("path", True)
    multi = [d for d in doc.dependencies if d.name == "multi" and d.section.startswith("tool")]
    assert [m.source.kind if m.source else None for m in multi] == [None, "url"]
    url_req = next(d for d in doc.dependencies if d.section == "project.dependencies")
    assert url_req.requirement is not None


def test_uv_sources_and_indexes():
    text = AWKWARD.replace("when = 1979-05-27 07:32:00Z\n", "")
    doc = parse_pyproject(text, "pyproject.toml")
    sources = {(s.name, s.kind, s.location, s.editable, s.span.line) for s in doc.sources}
    assert sources == {
        ("ameide-sdk", "path", "../sdk", True, line_of(text, "ameide-sdk = { path")),
        ("other-pkg", "index", "mirror", False, line_of(text, '{ index = "mirror"')),
        ("other-pkg", "git", "https://github.com/x/y", False, line_of(text, "{ git =")),
        ("third", "workspace", "", False, line_of(text, "workspace = true")),
    }
    indexes = {(i.section, i.url, i.span.line) for i in doc.indexes}
    assert indexes == {
        ("tool.uv.index", "https://mirror.example.com/simple", line_of(text, "mirror.example")),
        ("tool.uv.index", "https://second.example.com/simple", line_of(text, "second.example")),
        ("tool.uv.index-url", "https://pypi.org/simple", line_of(text, "index-url =")),
        ("tool.poetry.source", "https://buf.build/gen/python", line_of(text, "buf.build")),
    }
    assert doc.name == "svc"


def leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from leaf_paths(item, (*prefix, n))
    yield prefix


def well_formed(path: Path) -> bool:
    try:
        tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False  # the malformed fixtures are AG900 cases, tested elsewhere
    return True


@pytest.mark.parametrize(
    "path",
    [AWKWARD, *(p for p in sorted(FIXTURES.glob("*/**/pyproject.toml")) if well_formed(p))],
    ids=lambda p: "awkward" if isinstance(p, str) else str(p.relative_to(FIXTURES)),
)
def test_locator_finds_every_value_tomllib_reads(path):
    """Differential: every path in tomllib's data has a recorded span (none falls back)."""
    text = path if isinstance(path, str) else path.read_text("utf-8")
    spans = toml_spans(text)
    missing = [p for p in leaf_paths(tomllib.loads(text)) if p and p not in spans]
    assert missing == []


def test_span_of_falls_back_to_the_nearest_ancestor():
    spans = toml_spans("[a]\nb = { c = 1 }\n")
    assert span_of(spans, ("a", "b", "c", "nope")).line == 2
    assert span_of(spans, ("zzz",)).line == 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[project]\ndependencies = [\n  "a"\n  "b",\n]\n', 4, "invalid TOML"),
        ('[project]\nname = "x"\nname = "y"\n', 3, "invalid TOML"),
        ('[project]\ndependencies = [\n  "ok",\n  "not a requirement!",\n]\n', 4, "PEP 508"),
        ("[project]\ndependencies = [\n  1,\n]\n", 3, "`project.dependencies[0]`"),
        ('[project]\ndependencies = "requests"\n', 2, "must be an array"),
        ("[tool.poetry.dependencies]\nx = 1\n", 2, "constraint string or a table"),
        ('[tool.uv.sources]\nx = { branch = "main" }\n', 2, "names no `path`"),
    ],
)
def test_malformed_pyprojects_are_manifest_errors_at_the_line(text, line, words):
    with pytest.raises(ManifestError) as info:
        parse_pyproject(text, "svc/pyproject.toml")
    assert info.value.span.line == line
    assert words in info.value.message
    assert "svc/pyproject.toml" in info.value.message
