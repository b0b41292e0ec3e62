"""AG203 generated-dependency and AG204 unpinned-sdk beyond the fixture scenarios: spec
classification, config-driven names, include graphs, zones, suppressions and fingerprints."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from harness import scan_dir

from ameide_guard.checks.dependencies.common import is_buf_python_index
from ameide_guard.checks.dependencies.generated_dependency import GeneratedDependency
from ameide_guard.checks.dependencies.unpinned_sdk import UnpinnedSdk, npm_unreleased

SELECT = frozenset({"AG203", "AG204", "AG900", "AG901"})


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), "utf-8")
    if "ameide-guard.toml" not in files:
        (root / "ameide-guard.toml").write_text("# defaults\n", "utf-8")
    return root


def results(root: Path, **options: object) -> list[tuple[str, int, str, str]]:
    found = scan_dir(root, select=SELECT, **options).findings
    return [(f.path, f.span.line, f.rule, f.message) for f in found]


def brief(root: Path) -> list[tuple[str, int, str]]:
    return [(p, line, rule) for p, line, rule, _ in results(root)]


UNRELEASED = [
        "workspace:*", "workspace:^", "workspace:~1.4.0", "file:../sdk", "link:../sdk",
        "portal:../sdk", "../sdk", "./vendor/sdk.tgz", "/abs/sdk", "~/sdk",
        "git+https://github.com/a/b.git", "git+ssh://git@github.com/a/b.git#v1", "git://x/y",
        "github:a/b", "gitlab:a/b#main", "bitbucket:a/b", "a/b", "a/b#semver:^1",
        "https://example.com/sdk-1.4.0.tgz", "http://x/y.tgz", "*", "", " ", "x", "X", "x.x",
        "*.*", ">=0.0.0", "latest", "next", "beta", "npm:@ameideio/ameide-sdk-ts@latest",
        "npm:@ameideio/ameide-sdk-ts@workspace:*", "1.0.0 || *", ">= 0.0.0", ">=0.0.0-0",
        "X.X.X", "*.x", "x.*.x", " || ^1.0.0",
]  # fmt: skip
RELEASED = [
        "1.4.0", "^1.4.0", "~1.4.2", ">=1.4.0 <2", "1.x", "1.4.x", "^1.4.0-rc.1", "=1.4.0",
        "v1.4.0", "1.4.0 - 1.6.0", "1.4.0 || ^2.0.0", "npm:@ameideio/ameide-sdk-ts@^1.4.0",
        "0", "0.x", "^0.0.0", ">=0.0.1", "< 2", "^1.0.0 ||  ~2.1", "catalog:", "catalog:default",
]  # fmt: skip


@pytest.mark.parametrize("spec", UNRELEASED)
def test_npm_specs_that_are_not_releases(spec):
    assert npm_unreleased(spec) is not None


@pytest.mark.parametrize("spec", RELEASED)
def test_npm_released_specs(spec):
    assert npm_unreleased(spec) is None


NPA_SCRIPT = r"""
const npa = require(process.argv[1] + "/npm-package-arg");
const semver = require(process.argv[1] + "/semver");
const released = (spec) => {
  let r;
  try { r = npa.resolve("@ameideio/ameide-sdk-ts", spec, "/"); }
  catch (e) { if (e.code === "EUNSUPPORTEDPROTOCOL") return false; throw e; }
  if (r.type === "alias") r = r.subSpec;
  if (r.type === "version") return true;
  if (r.type !== "range") return false;  // tag, git, remote, file, directory
  return !semver.subset(">=0.0.0", r.fetchSpec);  // a range that admits every version is "any"
};
const specs = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(specs.map(released)));
"""


@pytest.mark.differential
def test_npm_spec_classification_agrees_with_npm_package_arg():
    """npm's own spec parser (npm-package-arg, with semver for "any version" ranges) sorts every
    spec the same way; pnpm's `workspace:`/`catalog:` and yarn's `portal:`/`link:` are unknown
    to npm (EUNSUPPORTEDPROTOCOL) and count as not released, except `catalog:` (pnpm only)."""
    import json
    import subprocess

    from tools import missing_tool, node_module, require_tool

    node = require_tool("node", "install Node.js")
    if node_module("npm-package-arg") is None or node_module("semver") is None:
        missing_tool("npm-package-arg not available")
    specs = [s for s in UNRELEASED + RELEASED if not s.startswith("catalog:")]
    run = subprocess.run(
        [node, "-e", NPA_SCRIPT, str(node_module("npm-package-arg").parent)],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    theirs = dict(zip(specs, json.loads(run.stdout), strict=True))
    ours = {spec: npm_unreleased(spec) is None for spec in specs}
    assert ours == theirs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://buf.build/gen/python", True),
        ("https://buf.build/gen/python/", True),
        ("https://user:token@buf.build/gen/python/simple", True),
        ("buf.build/gen/python", True),
        ("https://buf.build/gen/pythonic", False),
        ("https://example.com/buf.build/gen/python", False),
        ("https://pypi.org/simple", False),
        ("https://buf.build/gen/npm/v1", False),
    ],
)
def test_buf_python_index(url, expected):
    assert is_buf_python_index(url) is expected


def test_messages_name_the_entry_and_the_fix(tmp_path):
    root = write(
        tmp_path,
        {
            "svc/package.json": """\
            {"dependencies": {
              "@ameideio/ameide-sdk-ts": "workspace:*",
              "@buf/acme_x.bufbuild_es": "1.0.0"}}
            """,
            "packages/ameide_sdk_ts/package.json": '{"name": "@ameideio/ameide-sdk-ts",'
            ' "version": "2.3.4"}',
        },
    )
    found = results(root)
    assert [(p, line, r) for p, line, r, _ in found] == [
        ("svc/package.json", 2, "AG204"),
        ("svc/package.json", 3, "AG203"),
    ]
    ag204, ag203 = found[0][3], found[1][3]
    assert "`workspace:*`" in ag204 and '"^2.3.4"' in ag204  # the SDK's own version
    assert "`@buf/acme_x.bufbuild_es`" in ag203 and "`@buf/*`" in ag203
    assert "@ameideio/ameide-sdk-ts" in ag203


def test_config_names_the_sdks_and_generated_patterns(tmp_path):
    root = write(
        tmp_path,
        {
            "ameide-guard.toml": """\
            [generated]
            npm = ["@gen/*"]
            pypi = ["*-stubs-gen"]
            go = ["gen.example.com/*"]
            [sdk-packages]
            npm = "@acme/sdk"
            python = "acme_sdk"
            go = "example.com/acme/sdk"
            """,
            "a/package.json": """\
            {"dependencies": {"@gen/x": "1", "@buf/y": "1", "@acme/sdk": "file:../sdk",
             "@ameideio/ameide-sdk-ts": "workspace:*"}}
            """,
            "b/requirements.txt": "Foo_Stubs.Gen==1\n-e ../sdk#egg=Acme.SDK\nameide-sdk @ file:///x\n",
            "c/go.mod": """\
            module example.com/acme/c

            go 1.22

            require (
            \tgen.example.com/x/y v1.0.0
            \texample.com/acme/sdk v0.0.0-20240101000000-abcdef123456
            \tbuf.build/gen/go/a/b v1.0.0
            )
            """,
        },
    )
    assert brief(root) == [
        ("a/package.json", 1, "AG203"),
        ("a/package.json", 1, "AG204"),
        ("b/requirements.txt", 1, "AG203"),
        ("b/requirements.txt", 2, "AG204"),
        ("c/go.mod", 6, "AG203"),
        ("c/go.mod", 7, "AG204"),
    ]


def test_requirements_includes_are_followed_once_with_their_own_lines(tmp_path):
    root = write(
        tmp_path,
        {
            "svc/requirements.txt": "-r common/base.lst\n-r common/base.lst\n",
            "svc/common/base.lst": "-c pins.lst\nameideio-x-grpc-python\n",
            "svc/common/pins.lst": "ameideio-y-grpc-python==1\nameide-sdk @ file:../../sdk\n",
        },
    )
    # base.lst is not a requirements file by name but is read because it is included; pins.lst
    # is a constraints file: no AG203 for the generated pin, but a path pin of the SDK is AG204.
    assert brief(root) == [
        ("svc/common/base.lst", 2, "AG203"),
        ("svc/common/pins.lst", 2, "AG204"),
    ]


def test_include_cycle_and_missing_include_are_ag900_once(tmp_path):
    root = write(
        tmp_path,
        {
            "s/requirements.txt": "-r requirements-dev.txt\n",
            "s/requirements-dev.txt": "pytest\n-r requirements.txt\n-r nope/missing.txt\n",
        },
    )
    found = results(root)
    # Files are walked in path order, so the cycle closes at requirements.txt's include.
    assert [(p, line, r) for p, line, r, _ in found] == [
        ("s/requirements-dev.txt", 3, "AG900"),
        ("s/requirements.txt", 1, "AG900"),
    ]
    assert "s/nope/missing.txt, which does not exist" in found[0][3]
    cycle = "s/requirements-dev.txt → s/requirements.txt → s/requirements-dev.txt"
    assert f"include cycle {cycle}" in found[1][3]


def test_python_path_requirements_into_the_sdk_zone_are_the_sdk(tmp_path):
    root = write(
        tmp_path,
        {
            "packages/ameide_sdk_python/pyproject.toml": '[project]\nname = "ameide-sdk"\n'
            'version = "3.1.0"\n',
            "svc/requirements.txt": "./vendor/other\n../packages/ameide_sdk_python\n"
            "-e ../packages/ameide_sdk_python/\n",
        },
    )
    found = results(root)
    assert [(p, line, r) for p, line, r, _ in found] == [
        ("svc/requirements.txt", 2, "AG204"),
        ("svc/requirements.txt", 3, "AG204"),
    ]
    assert "ameide-sdk>=3.1.0" in found[0][3]


def test_proto_and_sdk_zones_are_exempt_but_test_zone_is_not(tmp_path):
    dep = '{"devDependencies": {"@buf/a.b": "1", "@ameideio/ameide-sdk-ts": "workspace:*"}}'
    root = write(
        tmp_path,
        {
            "packages/ameide_core_proto/package.json": dep,
            "packages/ameide_sdk_ts/package.json": dep,
            "svc/tests/package.json": dep,
        },
    )
    assert brief(root) == [
        ("svc/tests/package.json", 1, "AG203"),
        ("svc/tests/package.json", 1, "AG204"),
    ]


def test_gitignored_node_modules_are_never_read(tmp_path):
    import subprocess

    root = write(
        tmp_path,
        {
            ".gitignore": "node_modules/\n",
            "svc/package.json": '{"dependencies": {"left-pad": "1.3.0"}}',
            "svc/node_modules/x/package.json": '{"dependencies": {"@buf/a.b": "1"}}',
            "svc/node_modules/y/package.json": "{ truncated",
        },
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert brief(root) == []


def test_suppressions_and_uv_constraints(tmp_path):
    root = write(
        tmp_path,
        {
            "a/pyproject.toml": """\
            [project]
            name = "a"
            dependencies = [
              "x-protocolbuffers-python",  # ameide-guard: ignore[AG203] being removed in PLAT-1
              "y-grpc-python",
            ]
            """,
            "b/pyproject.toml": """\
            [tool.uv]
            constraint-dependencies = ["x-protocolbuffers-python<29"]
            override-dependencies = ["y-protocolbuffers-python<29"]
            """,
            "a/requirements.txt": "# ameide-guard: ignore[generated-dependency] PLAT-2\n"
            "z-grpc-python\n--extra-index-url https://buf.build/gen/python\n",
        },
    )
    assert brief(root) == [
        ("a/pyproject.toml", 5, "AG203"),
        ("a/requirements.txt", 3, "AG203"),
        ("b/pyproject.toml", 3, "AG203"),  # an override adds the package; a constraint does not
    ]


def test_fingerprints_survive_lines_added_above(tmp_path):
    body = '"@buf/a.b": "1", "@ameideio/ameide-sdk-ts": "link:../sdk"'
    first = write(tmp_path / "one", {"s/package.json": '{"dependencies": {' + body + "}}"})
    second = write(
        tmp_path / "two",
        {"s/package.json": '{\n\n"name": "s",\n"dependencies": {\n' + body + "}}"},
    )
    prints = [
        sorted((f.rule, f.fingerprint) for f in scan_dir(r, select=SELECT).findings)
        for r in (first, second)
    ]
    assert prints[0] == prints[1] and len(prints[0]) == 2


def test_deeply_nested_manifests_are_one_ag900_each(tmp_path):
    root = write(
        tmp_path,
        {
            "a/pyproject.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n",
            "b/package.json": '{"x": ' + "[" * 5000 + "]" * 5000 + "}",
            "c/requirements.txt": "requests\n",
        },
    )
    found = results(root)
    assert [(p, r) for p, _, r, _ in found] == [
        ("a/pyproject.toml", "AG900"),
        ("b/package.json", "AG900"),
    ]
    assert all("nesting too deep" in message for *_, message in found)


def test_multiple_poetry_constraints_are_one_finding(tmp_path):
    root = write(
        tmp_path,
        {
            "p/pyproject.toml": """\
            [tool.poetry.dependencies]
            ameide-sdk = [
              { path = "../sdk", python = "<3.12" },
              { git = "https://github.com/ameideio/sdk", python = ">=3.12" },
            ]
            """
        },
    )
    assert brief(root) == [("p/pyproject.toml", 3, "AG204")]


FIXTURES = Path(__file__).parent / "fixtures"


def _at(root: Path, path: str, line: int, column: int) -> str:
    """The text of `path` from (line, column), both 1-based, to the end of that line."""
    return (root / path).read_text("utf-8").splitlines()[line - 1][column - 1 :]


def test_fixture_buf_peer_and_optional_entries_point_at_their_keys():
    """deps-npm/services/billing: `@buf/…` in peerDependencies (own line) and
    optionalDependencies (second entry of an inline object) are found at the key itself; the
    `@bufbuild/…` runtime next to them and the peerDependenciesMeta keys stay clean."""
    root = FIXTURES / "deps-npm"
    found = [
        f
        for f in scan_dir(root, select=SELECT).findings
        if f.path == "services/billing/package.json"
    ]
    assert [(f.rule, f.span.line, f.span.column) for f in found] == [
        ("AG203", 9, 5),
        ("AG203", 15, 60),
    ]
    peer, optional = found
    assert _at(root, peer.path, 9, 5).startswith('"@buf/ameideio_ameide.bufbuild_es"')
    assert _at(root, optional.path, 15, 60).startswith('"@buf/ameideio_ameide.connectrpc_es"')
    assert peer.message.startswith("`peerDependencies` entry `@buf/ameideio_ameide.bufbuild_es`")
    assert optional.message.startswith(
        "`optionalDependencies` entry `@buf/ameideio_ameide.connectrpc_es`"
    )


def test_fixture_buf_index_options_point_at_their_lines():
    """deps-python/services/ledger uses both spellings of pip's index option; services/audit holds
    the near misses (a look-alike path, PyPI, the Buf npm registry) and stays clean."""
    root = FIXTURES / "deps-python"
    found = [
        f
        for f in scan_dir(root, select=SELECT).findings
        if f.path.startswith(("services/ledger/", "services/audit/"))
    ]
    assert [(f.path, f.span.line, f.rule) for f in found] == [
        ("services/ledger/requirements-dev.txt", 3, "AG203"),
        ("services/ledger/requirements.txt", 2, "AG203"),
    ]
    dev, base = found
    assert _at(root, dev.path, 3, 1) == "-i https://buf.build/gen/python"
    assert _at(root, base.path, 2, 1) == "--index-url https://buf.build/gen/python"
    assert all("https://buf.build/gen/python" in f.message for f in found)


@pytest.mark.parametrize("section", ["peerDependencies", "optionalDependencies"])
def test_buf_entries_in_peer_and_optional_sections(tmp_path, section):
    root = write(
        tmp_path,
        {
            "svc/package.json": f"""\
            {{
              "name": "svc",
              "{section}": {{
                "@bufbuild/protobuf": "^2.2.0",
                "@bufbuild/connect": "^0.13.0",
                "@buf/acme_x.bufbuild_es": "1.0.0",
                "@buffer/utils": "1.0.0"
              }},
              "peerDependenciesMeta": {{"@buf/acme_y.bufbuild_es": {{"optional": true}}}}
            }}
            """,
        },
    )
    found = results(root)
    assert [(p, line, r) for p, line, r, _ in found] == [("svc/package.json", 6, "AG203")]
    assert f"`{section}` entry `@buf/acme_x.bufbuild_es`" in found[0][3]


@pytest.mark.parametrize(
    "option",
    [
        "--index-url https://buf.build/gen/python",
        "-i https://buf.build/gen/python",
        "-i\thttps://buf.build/gen/python/simple  # BSR",
        "--index-url=https://buf.build/gen/python",
        "--extra-index-url https://buf.build/gen/python",
        "-ihttps://buf.build/gen/python",
        "--index-url \\\n    https://buf.build/gen/python",
    ],
)
def test_buf_index_option_spellings(tmp_path, option):
    root = write(tmp_path, {"s/requirements.txt": f"requests\n{option}\nhttpx\n"})
    found = results(root)
    assert [(p, line, r) for p, line, r, _ in found] == [("s/requirements.txt", 2, "AG203")]
    assert "Buf generated-code index https://buf.build/gen/python" in found[0][3]


@pytest.mark.parametrize(
    "option",
    [
        "-i https://pypi.org/simple",
        "--index-url https://buf.build/gen/python-mirror/simple",
        "--index-url https://mirror.example.com/buf.build/gen/python",
        "-i https://buf.build/gen/npm/v1",
        "--extra-index-url https://buf.build/gen/pythonic",
        "# -i https://buf.build/gen/python",
    ],
)
def test_index_near_misses_are_clean(tmp_path, option):
    root = write(tmp_path, {"s/requirements.txt": f"requests\n{option}\n"})
    assert brief(root) == []


def test_each_repeated_buf_index_line_is_reported(tmp_path):
    """Two lines naming the same index are two problems (a file reached twice is still one)."""
    root = write(
        tmp_path,
        {
            "s/requirements.txt": "--index-url https://buf.build/gen/python\n"
            "-i https://buf.build/gen/python\n"
        },
    )
    assert brief(root) == [("s/requirements.txt", 1, "AG203"), ("s/requirements.txt", 2, "AG203")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("svc/package.json", True),
        ("svc/go.mod", True),
        ("svc/pyproject.toml", True),
        ("svc/requirements/base.in", True),
        ("svc/common/base.txt", True),
        ("svc/go.sum", False),
        ("svc/main.go", False),
    ],
)
def test_triggered_by(path, expected):
    assert GeneratedDependency().triggered_by(path) is expected
    assert UnpinnedSdk().triggered_by(path) is expected


@pytest.mark.parametrize(
    ("url", "buf"),
    [
        ("https://buf.build/gen/python", True),
        ("https://BUF.build/gen/python", True),
        ("HTTPS://Buf.Build/gen/python/simple", True),
        ("https://user:token@BUF.BUILD/gen/python", True),
        ("buf.build/gen/python", True),
        ("https://buf.build/gen/Python", False),  # paths are case-sensitive
        ("https://notbuf.build/gen/python", False),
        ("https://buf.build.example/gen/python", False),
        ("https://buf.build/gen/python-mirror", False),
    ],
)
def test_the_buf_host_is_matched_without_regard_to_case(url: str, buf: bool) -> None:
    """Hosts are case-insensitive (RFC 3986 3.2.2), paths are not; one host pattern serves the
    Python index and the npm registry."""
    from ameide_guard.checks.dependencies.common import BUF_NPM_URL, is_buf_python_index

    assert is_buf_python_index(url) is buf
    npm = url.replace("/gen/python", "/gen/npm/v1/").replace("-mirror", "")
    assert (BUF_NPM_URL.search(npm) is not None) is (buf or "mirror" in url)
