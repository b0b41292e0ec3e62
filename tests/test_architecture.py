"""The package's shape, checked rather than remembered (issue 13): module and function sizes,
lazy imports that say why, and the import-linter contracts in pyproject.toml."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ameide_guard"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_TOP_LEVEL_MODULES = 8


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _reason_above(lines: list[str], lineno: int) -> bool:
    """A `#` comment on the import's line, or above the run of imports it belongs to."""
    index = lineno - 1
    if "#" in lines[index]:
        return True
    while index > 0:
        index -= 1
        stripped = lines[index].strip()
        if stripped.startswith("#"):
            return True
        if not stripped.startswith(("from ", "import ")):
            return False
    return False


def test_at_most_eight_modules_at_the_package_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_size(path: Path) -> None:
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) <= MAX_MODULE_LINES, f"{path.name}: {len(lines)} lines"


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_long_functions_say_why(path: Path) -> None:
    text = path.read_text("utf-8")
    lines = text.splitlines()
    for node in _functions(ast.parse(text)):
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if size > MAX_FUNCTION_LINES:
            assert lines[first - 2].strip().startswith("#"), (
                f"{path.name}:{node.lineno} {node.name} has {size} lines and no reason above it"
            )


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in ast.walk(node):
                if hasattr(inner, "lineno"):
                    lines.add(inner.lineno)
    return lines


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_lazy_imports_of_the_package_say_why(path: Path) -> None:
    """An import of the package's own modules inside a function is there for start-up cost;
    the comment beside it (or right above) says which."""
    text = path.read_text("utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    typing_only = _type_checking_blocks(tree)
    for function in _functions(tree):
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in typing_only:
                continue
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n == "ameide_guard" or n.startswith("ameide_guard.") for n in names):
                assert _reason_above(lines, node.lineno), (
                    f"{path.name}:{node.lineno}: in-function import without a reason"
                )


def test_import_contracts_are_kept() -> None:
    """The layers and the readers' independence (pyproject.toml `[tool.importlinter]`)."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a test dependency: pip install -e '.[test]'"
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" in done.stdout and "0 broken" in done.stdout


def test_no_import_cycles() -> None:
    """No module reaches itself through the package's imports (imports under `if
    TYPE_CHECKING:` excepted): the layers contract alone would allow a cycle inside a layer."""
    import grimp  # comes with import-linter, a test dependency

    graph = grimp.build_graph("ameide_guard", exclude_type_checking_imports=True)
    cycles = [
        (module, imported)
        for module in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(module))
        if graph.chain_exists(imported, module)
    ]
    assert cycles == []
