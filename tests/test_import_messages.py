"""What the import rules say, and how `type-only-level` grades type-only imports.

`expected.txt` pins where findings are and their exact text; these tests pin, part by part, what
they must tell the user: the module that was imported (as written at that line), why it is banned,
and the SDK to use instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from harness import FIXTURES, scan_dir

SDKS = {
    "imports-ts": "the TypeScript SDK `@ameideio/ameide-sdk-ts`",
    "imports-go": "the Go SDK `github.com/ameideio/ameide-sdk-go`",
    "imports-python": "the Python SDK `ameide-sdk`",
}
WHY = {
    "AG101": "must not depend on generated stubs",
    "AG102": "runtime code reaches APIs only through the SDKs",
}


def _quoted_module(message: str) -> str:
    return message.split("`", 2)[1]


@pytest.mark.parametrize("name", sorted(SDKS))
def test_import_messages_name_the_module_the_reason_and_the_sdk(name: str) -> None:
    root = FIXTURES / name
    findings = [f for f in scan_dir(root).findings if f.rule in WHY]
    assert len(findings) >= 5
    for f in findings:
        assert WHY[f.rule] in f.message, f
        assert f.message.endswith(f"Use {SDKS[name]} instead.") or "Type-only" in f.message, f
        module = _quoted_module(f.message.removeprefix("type-only "))
        lines = (root / f.path).read_text("utf-8").splitlines()
        text = "".join(lines[f.span.line - 1 : f.span.end_line])
        # Python's span is the statement, which may name the parent and the leaf apart
        parent, _, leaf = module.rpartition(".")
        assert module in text or (parent in text and leaf in text), (f, text)


def test_type_only_message_says_why_it_still_matters() -> None:
    typed = [f for f in scan_dir(FIXTURES / "imports-ts").findings if f.path.endswith(".d.ts")]
    assert [f.level.label for f in typed] == ["warning"]
    assert typed[0].message.startswith("type-only import of Buf-generated module")
    assert "vanish at runtime but still couple" in typed[0].message


def _with_config(tmp_path: Path, fixture: str, config: str) -> Path:
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    (root / "ameide-guard.toml").write_text(config, "utf-8")
    return root


def _levels(root: Path) -> dict[tuple[str, int], str]:
    return {(f.path, f.span.line): f.level.label for f in scan_dir(root).findings}


@pytest.mark.parametrize("fixture", ["imports-ts", "imports-python"])
def test_type_only_level_option_grades_type_only_imports(tmp_path: Path, fixture: str) -> None:
    default = _levels(FIXTURES / fixture)
    typed = {where for where, level in default.items() if level == "warning"}
    typed -= {where for where in typed if "suppressed" in where[0]}  # AG901 are warnings too
    assert typed, "the fixture must hold type-only imports"
    config = '[rules.AG101]\ntype-only-level = "{0}"\n[rules.AG102]\ntype-only-level = "{0}"\n'
    off = _levels(_with_config(tmp_path / "off", fixture, config.format("off")))
    assert not typed & off.keys()
    assert off.keys() == default.keys() - typed
    error = _levels(_with_config(tmp_path / "error", fixture, config.format("error")))
    assert {error[where] for where in typed} == {"error"}
    assert error.keys() == default.keys()
