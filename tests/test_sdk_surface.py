"""AG103/AG104/AG105 beyond the fixture scenarios: relative-path resolution into the proto zone
and SDK internals, the name binding AG103 follows, AG105's options, config errors, messages and
suppressions. The `surface-*` fixtures hold the per-language positive and negative cases."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from harness import FIXTURES, scan_dir

from ameide_guard.checks.imports.barrels import BarrelLayout, compile_glob, is_entry, read_barrel
from ameide_guard.checks.imports.raw_stub_client import (
    go_package_names,
    python_origins,
    python_stub_origin,
)
from ameide_guard.config.loader import load_config
from ameide_guard.errors import ConfigError
from ameide_guard.model import CallRef, ImportRef, Span, Zone
from ameide_guard.parsers import parse_source
from ameide_guard.scan.repo import RepoView, SourceFile
from ameide_guard.scan.targets import TargetKind, is_under, resolve_ts_path
from ameide_guard.scan.zones import ZoneMap

SPAN = Span(1, 1, 1, 1)
IMPORT_RULES = {"AG101", "AG102", "AG104"}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def findings(root: Path, rule: str) -> list[tuple[str, int, str]]:
    result = scan_dir(root, select=frozenset({rule}))
    return [(f.path, f.span.line, f.message) for f in result.findings if f.rule == rule]


# --- relative resolution ------------------------------------------------------------------------


def view(root: Path, files: dict[str, str]) -> RepoView:
    write(root, {"ameide-guard.toml": "# defaults\n", **files})
    config = load_config(root)
    zones = ZoneMap.from_config(config)
    return RepoView(root, config, zones, {p: zones.classify(p) for p in files})


def classify(repo: RepoView, path: str, source: str) -> list[tuple[TargetKind, str | None]]:
    language = {"py": "python", "go": "go"}.get(path.rsplit(".", 1)[-1], "typescript")
    facts = parse_source(language, source.encode(), path)
    file = SourceFile(path, repo.zone(path), language, facts, repo)
    return [(t.kind, t.path) for t in file.targets]


LAYOUT = {
    "packages/ameide_core_proto/gen/ts/index.ts": "",
    "packages/ameide_core_proto/gen/ts/orders_pb.ts": "",
    "packages/ameide_sdk_ts/src/_proto/orders_connect.ts": "",
    "packages/ameide_sdk_ts/src/_proto/index.ts": "",
    "packages/ameide_sdk_ts/src/index.ts": "",
    "packages/ameide_sdk_python/src/ameide_sdk/_proto/__init__.py": "",
    "packages/ameide_sdk_python/src/ameide_sdk/_proto/orders_pb2.py": "",
    "packages/ameide_core_proto/gen/python/orders_pb2.py": "",
    "services/web/src/proto/index.ts": "",
    "services/web/src/app.ts": "",
    "services/stock/stock/app.py": "",
}


@pytest.mark.parametrize(
    ("specifier", "kind", "path"),
    [
        # ESM `.js` written for a `.ts` file, bare stems, directories with `index.*`
        (
            "../../../packages/ameide_core_proto/gen/ts/orders_pb.js",
            TargetKind.LOCAL,
            "packages/ameide_core_proto/gen/ts/orders_pb.ts",
        ),
        (
            "../../../packages/ameide_core_proto/gen/ts",
            TargetKind.LOCAL,
            "packages/ameide_core_proto/gen/ts/index.ts",
        ),
        (
            "../../../packages/ameide_sdk_ts/src/_proto/orders_connect",
            TargetKind.SDK_INTERNAL,
            "packages/ameide_sdk_ts/src/_proto/orders_connect.ts",
        ),
        (
            "../../../packages/ameide_sdk_ts/src/_proto",
            TargetKind.SDK_INTERNAL,
            "packages/ameide_sdk_ts/src/_proto/index.ts",
        ),
        # the public SDK entry reached by path is not an internal; the barrel is local runtime
        (
            "../../../packages/ameide_sdk_ts/src/index.js",
            TargetKind.LOCAL,
            "packages/ameide_sdk_ts/src/index.ts",
        ),
        ("./proto", TargetKind.LOCAL, "services/web/src/proto/index.ts"),
        ("./proto/index.js", TargetKind.LOCAL, "services/web/src/proto/index.ts"),
        # climbing above the repository root resolves to nothing
        ("../../../../outside/x", TargetKind.OTHER, None),
    ],
)
def test_ts_relative_specifiers_resolve_and_classify(tmp_path, specifier, kind, path):
    repo = view(tmp_path, LAYOUT)
    got = classify(repo, "services/web/src/app.ts", f'import x from "{specifier}";\n')
    assert got == [(kind, path)]


def test_relative_targets_carry_the_zone_they_land_in(tmp_path):
    repo = view(tmp_path, LAYOUT)
    facts = parse_source("typescript", b'import "../../../packages/ameide_core_proto/gen/ts";', "a")
    file = SourceFile("services/web/src/app.ts", Zone.RUNTIME, "typescript", facts, repo)
    assert file.targets[0].zone is Zone.PROTO


@pytest.mark.parametrize(
    ("statement", "kind", "path"),
    [
        (
            "from ....packages.ameide_sdk_python.src.ameide_sdk._proto import orders_pb2",
            TargetKind.SDK_INTERNAL,
            "packages/ameide_sdk_python/src/ameide_sdk/_proto/__init__.py",
        ),
        (
            "from ....packages.ameide_sdk_python.src.ameide_sdk import _proto",
            TargetKind.SDK_INTERNAL,
            "packages/ameide_sdk_python/src/ameide_sdk/_proto/__init__.py",
        ),
        (
            "from ....packages.ameide_core_proto.gen.python import orders_pb2",
            TargetKind.LOCAL,
            "packages/ameide_core_proto/gen/python",
        ),
        ("from ......... import nowhere", TargetKind.OTHER, None),
    ],
)
def test_python_relative_imports_climbing_out_of_the_package(tmp_path, statement, kind, path):
    repo = view(tmp_path, LAYOUT)
    assert classify(repo, "services/stock/stock/app.py", statement + "\n") == [(kind, path)]


def test_is_under_matches_whole_path_segments():
    assert is_under(
        "packages/ameide_sdk_go/internal/proto/x.go", "packages/ameide_sdk_go/internal/"
    )
    assert is_under("packages/ameide_sdk_go/internal", "packages/ameide_sdk_go/internal/")
    assert not is_under("packages/ameide_sdk_go/internalx/a.go", "packages/ameide_sdk_go/internal")
    assert not is_under("anything", "/")


def test_resolve_ts_path_prefers_the_exact_file():
    files = {"a/b.js", "a/b.ts", "a/c/index.tsx"}
    assert resolve_ts_path("a/b.js", files) == "a/b.js"
    assert resolve_ts_path("a/c", files) == "a/c/index.tsx"
    assert resolve_ts_path("a/missing", files) == "a/missing"


def test_internal_paths_option_drives_relative_classification(tmp_path):
    files = {**LAYOUT, "libs/sdk/gen/orders.ts": ""}
    write(tmp_path, {"ameide-guard.toml": '[rules.AG104]\ninternal-paths = ["libs/sdk/gen/"]\n'})
    config = load_config(tmp_path)
    zones = ZoneMap.from_config(config)
    write(tmp_path, files)
    repo = RepoView(tmp_path, config, zones, {p: zones.classify(p) for p in files})
    src = (
        'import "../../../libs/sdk/gen/orders";\n'
        'import "../../../packages/ameide_sdk_ts/src/_proto";\n'
    )
    kinds = [k for k, _ in classify(repo, "services/web/src/app.ts", src)]
    assert kinds == [TargetKind.SDK_INTERNAL, TargetKind.LOCAL]


# --- AG104 --------------------------------------------------------------------------------------


def test_sdk_internal_patterns_come_from_config(tmp_path):
    write(
        tmp_path,
        {
            "ameide-guard.toml": '[generated.sdk-internal]\nnpm = ["@acme/sdk/private"]\n',
            "services/a/x.ts": 'import "@acme/sdk/private/orders.js";\n'
            'import "@ameideio/ameide-sdk-ts/src/_proto/x.js";\n',
        },
    )
    got = findings(tmp_path, "AG104")
    assert [(p, line) for p, line, _ in got] == [("services/a/x.ts", 1)]
    assert "`@acme/sdk/private/orders.js`" in got[0][2]
    assert "@ameideio/ameide-sdk-ts" in got[0][2]  # what to import instead


DEEP = "from ameide_sdk._proto import x\n"


def test_sdk_zone_may_import_its_own_internals(tmp_path):
    write(
        tmp_path,
        {
            "ameide-guard.toml": "# defaults\n",
            "packages/ameide_sdk_python/src/ameide_sdk/client.py": DEEP,
            "services/a/app.py": DEEP,
        },
    )
    assert [p for p, _, _ in findings(tmp_path, "AG104")] == ["services/a/app.py"]


@pytest.mark.parametrize("scenario", ["surface-internal", "surface-stubs", "surface-barrel"])
def test_an_import_gets_at_most_one_import_rule_finding(scenario):
    result = scan_dir(FIXTURES / scenario)
    spots = Counter(
        (f.path, f.span.line, f.span.column) for f in result.findings if f.rule in IMPORT_RULES
    )
    assert spots and max(spots.values()) == 1


# --- AG103 --------------------------------------------------------------------------------------


def go_import(module: str, alias: str | None = None) -> ImportRef:
    return ImportRef(module, SPAN, "go", alias=alias)


@pytest.mark.parametrize(
    ("module", "alias", "names"),
    [
        ("buf.build/gen/go/x/orders/v1/ordersv1connect", None, ("ordersv1connect",)),
        ("buf.build/gen/go/x/orders/v1", None, ("v1", "orders", "ordersv1")),
        ("github.com/x/go-yaml.v3", None, ("yaml",)),
        ("buf.build/gen/go/x/orders/v1", "o", ("o",)),
        ("buf.build/gen/go/x/orders/v1", "_", ()),
        ("buf.build/gen/go/x/orders/v1", ".", ()),
    ],
)
def test_go_package_names(module, alias, names):
    assert go_package_names(go_import(module, alias)) == names


def py_imports(source: str) -> tuple[ImportRef, ...]:
    return parse_source("python", source.encode(), "a.py").imports


@pytest.mark.parametrize(
    ("source", "callee", "origin"),
    [
        ("from a.b import foo_pb2_grpc as g", "g.FooStub", "a.b.foo_pb2_grpc.FooStub"),
        ("from a.foo_pb2_grpc import FooStub", "FooStub", "a.foo_pb2_grpc.FooStub"),
        ("from a.foo_pb2_grpc import FooStub as S", "S", "a.foo_pb2_grpc.FooStub"),
        ("import a.foo_pb2_grpc", "a.foo_pb2_grpc.FooStub", "a.foo_pb2_grpc.FooStub"),
        ("import a.foo_pb2_grpc as g", "g.FooStub", "a.foo_pb2_grpc.FooStub"),
        ("from . import foo_pb2_grpc", "foo_pb2_grpc.FooStub", ".foo_pb2_grpc.FooStub"),
        ("from a.foo_pb2_grpc import *", "FooStub", "a.foo_pb2_grpc.FooStub"),
        ("from a.foo_pb2 import *", "FooStub", ""),
        ("import a", "b.FooStub", ""),
    ],
)
def test_python_stub_origin_follows_bindings(source, callee, origin):
    bound, wildcards = python_origins(py_imports(source))
    assert python_stub_origin(CallRef(callee, SPAN), bound, wildcards) == origin


def test_raw_clients_are_runtime_only_and_suppressible(tmp_path):
    stub = "from a.v1 import foo_pb2_grpc as g\n\ndef f(ch):\n    return g.FooStub(ch)\n"
    suppressed = stub.replace(
        "    return",
        "    # ameide-guard: ignore[raw-stub-client] legacy path, see ADR-7\n    return",
    )
    write(
        tmp_path,
        {
            "ameide-guard.toml": "# defaults\n",
            "services/a/app.py": stub,
            "services/a/quiet.py": suppressed,
            "services/a/tests/test_app.py": stub,
            "packages/ameide_sdk_python/src/ameide_sdk/client.py": stub,
        },
    )
    got = findings(tmp_path, "AG103")
    assert [(p, line) for p, line, _ in got] == [("services/a/app.py", 4)]
    assert "`g.FooStub(…)`" in got[0][2] and "`ameide-sdk`" in got[0][2]


def test_allow_list_exempts_stub_modules(tmp_path):
    write(
        tmp_path,
        {
            "ameide-guard.toml": '[generated]\nallow = { python = ["acme.health"] }\n',
            "services/a/app.py": "from acme.health import health_pb2_grpc as h\n"
            "from acme.orders import orders_pb2_grpc as o\n"
            "h.HealthStub(ch)\no.OrdersStub(ch)\n",
        },
    )
    assert [line for _, line, _ in findings(tmp_path, "AG103")] == [4]


# --- AG105 --------------------------------------------------------------------------------------


def test_glob_regex_segments():
    assert compile_glob("services/*/src/proto/index.ts").matches("services/a/src/proto/index.ts")
    assert not compile_glob("services/*").matches("services/a/b")
    assert compile_glob("apps/**/proto.ts").matches("apps/x/y/proto.ts")
    assert compile_glob("apps/**/proto.ts").matches("apps/proto.ts")
    assert compile_glob("s?c/*").matches("src/a")


def test_barrel_layout():
    layout = BarrelLayout("services/*/src/proto/index.ts", "services/*", "@x/sdk/proto.js")
    assert layout.service_of("services/web/src/a.ts") == "services/web"
    assert layout.service_of("tools/x.ts") is None
    assert layout.expected_barrel("services/web") == "services/web/src/proto/index.ts"
    other = BarrelLayout("lib/proto.ts", "apps/*", "@x/sdk/proto.js")
    assert other.expected_barrel("apps/a") == "lib/proto.ts"


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("@x/sdk/proto.js", True),
        ("@x/sdk/proto", True),
        ("@x/sdk/proto/orders.js", True),
        ("@x/sdk/protocol.js", False),
        ("@x/sdk", False),
    ],
)
def test_is_entry(module, expected):
    assert is_entry(module, "@x/sdk/proto.js") is expected


def test_read_barrel_statements():
    text = (
        '// comment\nexport * from "e";\nexport { a } from "e";\nimport b from "f";\n'
        "export { b };\nexport const c = 1;\n"
    )
    read = read_barrel(text, "index.ts")
    got = [(x.span.line, x.module, x.verb) for x in read.statements]
    assert read.error is None
    assert got == [
        (2, "e", "re-exports from"),
        (3, "e", "re-exports from"),
        (4, "f", "imports from"),
        (6, None, "declares"),
    ]


ENTRY = "@ameideio/ameide-sdk-ts/proto.js"
V2 = "@ameideio/ameide-sdk-ts/proto/v2.js"


def test_barrel_options_are_configurable(tmp_path):
    write(
        tmp_path,
        {
            "ameide-guard.toml": '[rules.AG105]\nbarrel = "apps/*/proto.ts"\n'
            f'entry = "{V2}"\nservices = "apps/*"\n',
            "apps/good/proto.ts": f'export * from "{V2}";\n',
            "apps/good/main.ts": f'import {{ a }} from "{V2}";\nimport "./proto";\n',
            "apps/bad/proto.ts": 'export * from "@ameideio/ameide-sdk-ts/proto.js";\n',
            "apps/none/main.ts": 'import { a } from "@ameideio/ameide-sdk-ts/proto/v2/orders";\n',
            "services/old/src/a.ts": 'import "@ameideio/ameide-sdk-ts/proto.js";\n',
        },
    )
    got = findings(tmp_path, "AG105")
    assert [(p, line) for p, line, _ in got] == [
        ("apps/bad/proto.ts", 1),
        ("apps/good/main.ts", 1),
        ("apps/none/main.ts", 1),
    ]
    assert "create `apps/none/proto.ts`" in got[2][2]


def test_barrel_suppression_and_unparsed_barrels(tmp_path):
    # A barrel with no prefilter literal at all is still read and judged.
    write(
        tmp_path,
        {
            "ameide-guard.toml": "# defaults\n",
            "services/a/src/proto/index.ts": 'export * from "./local";\n',
            "services/b/src/proto/index.ts": "// ameide-guard: ignore[AG105] migrating, see #12\n"
            'export * from "./local";\n',
        },
    )
    assert [(p, line) for p, line, _ in findings(tmp_path, "AG105")] == [
        ("services/a/src/proto/index.ts", 1)
    ]


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('[rules.AG105]\nbarrel = ""\n', "rules.AG105.barrel"),
        ('[rules.AG105]\nservices = "/abs/*"\n', "rules.AG105.services"),
        ("[rules.AG105]\nentry = 3\n", "rules.AG105.entry"),
        ('[rules.AG104]\ninternal-paths = "x"\n', "rules.AG104.internal-paths"),
    ],
)
def test_bad_options_are_config_errors(tmp_path, table, key):
    write(tmp_path, {"ameide-guard.toml": table})
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert key in str(error.value)


def test_broken_barrels_are_ag900_not_tracebacks(tmp_path):
    write(
        tmp_path,
        {
            "ameide-guard.toml": "# defaults\n",
            "services/a/src/proto/index.ts": 'export * from "./x";\nexport { from;\n',
            "services/c/src/proto/index.ts": f"export * from '{ENTRY}'\n{{{{\n",
        },
    )
    (tmp_path / "services/b/src/proto").mkdir(parents=True)
    (tmp_path / "services/b/src/proto/index.ts").write_bytes(b"export * from '\xff\xfe';\n")
    result = scan_dir(tmp_path)
    got = sorted((f.rule, f.path, f.span.line) for f in result.findings)
    # Invalid UTF-8 is scanned with replacement characters, as every source file is: the
    # barrel's re-export of `\ufffd\ufffd` is reported beside the AG900 that says so.
    assert got == [
        ("AG105", "services/a/src/proto/index.ts", 1),
        ("AG105", "services/b/src/proto/index.ts", 1),
        ("AG900", "services/a/src/proto/index.ts", 2),
        ("AG900", "services/b/src/proto/index.ts", 1),
        ("AG900", "services/c/src/proto/index.ts", 2),
    ]
    assert all(f.rule != "AG900" or "Traceback" not in f.message for f in result.findings)


def test_barrels_are_parsed_once(tmp_path, monkeypatch):
    """A barrel is analysed by the source pass with its outline (even one holding no policy
    literal); AG105 reads that outline and parses nothing itself. In a PATHS run that leaves
    the barrel out, AG105 parses it, once."""
    import ameide_guard.checks.imports.barrels as surface
    import ameide_guard.parsers.typescript as typescript

    barrel_a = f'export * from "{ENTRY}";\nexport * from "./local";\n'  # passes the prefilter
    barrel_b = 'export * from "./other";\n'  # holds no policy literal at all
    write(
        tmp_path,
        {
            "ameide-guard.toml": "# defaults\n",
            "services/a/src/proto/index.ts": barrel_a,
            "services/a/src/main.ts": 'import { x } from "./proto";\nexport const y = x;\n',
            "services/b/src/proto/index.ts": barrel_b,
        },
    )
    parsed: list[bytes] = []

    def counting(real):  # type: ignore[no-untyped-def]
        def parse_tree(name, source):  # type: ignore[no-untyped-def]
            parsed.append(bytes(source))
            return real(name, source)

        return parse_tree

    for module in (typescript, surface):  # wherever a TS tree could be built
        if hasattr(module, "parse_tree"):
            monkeypatch.setattr(module, "parse_tree", counting(module.parse_tree))
    found = [(f.rule, f.path) for f in scan_dir(tmp_path).findings]
    assert ("AG105", "services/a/src/proto/index.ts") in found
    assert ("AG105", "services/b/src/proto/index.ts") in found
    assert parsed.count(barrel_a.encode()) == 1
    assert parsed.count(barrel_b.encode()) == 1
    parsed.clear()
    scan_dir(tmp_path, paths=["services/a/src/main.ts"])
    assert parsed.count(barrel_a.encode()) == 1
