"""`ameide-guard rules`, `explain` and `init`, and the rule pages in `rules/` they serve."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from gitrepo import write
from harness import run_cli

from ameide_guard.checks.docs import help_uri, rule_summary
from ameide_guard.codes import rule_metas
from ameide_guard.config.loader import load_config

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
SECTIONS = ("## Why", "## Examples", "## How to fix", "## How to suppress")


def headings(page: str) -> list[str]:
    """Markdown headings outside fenced code blocks (a `# comment` in a code block is none)."""
    found, fenced = [], False
    for line in page.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            found.append(line.rstrip())
    return found


def page_problems(meta_id: str, slug: str, has_options: bool) -> list[str]:
    path = RULES_DIR / f"{meta_id}.md"
    if not path.is_file():
        return [f"{meta_id}: rules/{meta_id}.md is missing"]
    page = path.read_text(encoding="utf-8")
    problems = []
    heads = headings(page)
    if not heads or heads[0] != f"# {meta_id} {slug}":
        problems.append(f"{meta_id}: first line must be `# {meta_id} {slug}`")
    wanted = [*SECTIONS, *(("## Options",) if has_options else ())]
    for section in wanted:
        if section not in heads:
            problems.append(f"{meta_id}: no `{section}` section")
    present = [h for h in heads if h in wanted]
    if present != [s for s in wanted if s in present]:
        problems.append(f"{meta_id}: sections out of order: {present}")
    paragraphs = [p for p in page.split("\n\n") if p.strip()]
    if len(paragraphs) < 2 or paragraphs[1].lstrip().startswith("#"):
        problems.append(
            f"{meta_id}: the paragraph after the title (the full description) is missing"
        )
    examples = page.split("## Examples", 1)[-1].split("\n## ", 1)[0].lower()
    if "non-compliant" not in examples or "compliant" not in examples.replace("non-compliant", ""):
        problems.append(f"{meta_id}: Examples must show non-compliant and compliant cases")
    if "```" not in examples:
        problems.append(f"{meta_id}: Examples hold no code block")
    return problems


def test_every_registered_rule_has_a_complete_page() -> None:
    problems = [
        problem
        for meta in rule_metas()
        for problem in page_problems(meta.id, meta.slug, bool(meta.options))
    ]
    assert problems == []


def test_page_checker_rejects_an_incomplete_page(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys.modules[__name__], "RULES_DIR", tmp_path)
    (tmp_path / "AG999.md").write_text("# AG999 x\n\nText.\n\n## Why\n\n```\n## Examples\n```\n")
    problems = page_problems("AG999", "x", has_options=True)
    assert any("`## Examples`" in p for p in problems)
    assert any("`## Options`" in p for p in problems)
    assert page_problems("AG998", "y", False) == ["AG998: rules/AG998.md is missing"]


def test_rules_lists_every_rule_with_level_and_summary(tmp_path: Path) -> None:
    write(tmp_path, {"ameide-guard.toml": '[rules]\nAG101 = "warning"\nAG303 = "off"\n'})
    done = run_cli("rules", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    assert set(rows) == {m.id for m in rule_metas()}
    assert rows["AG101"]["level"] == "warning" and rows["AG303"]["level"] == "off"
    assert rows["AG101"]["help_uri"] == help_uri("AG101")
    text = run_cli("rules", cwd=tmp_path).stdout.splitlines()
    assert len(text) == len(rows)
    assert re.match(r"AG101\s+runtime-generated-import\s+warning\s+\S", text[0])


@pytest.mark.parametrize("name", ["AG201", "ag201", "go-mod-replace"])
def test_explain_prints_the_page_by_id_or_slug(name: str) -> None:
    done = run_cli("explain", name)
    assert done.returncode == 0
    assert done.stdout.startswith("# AG201 go-mod-replace")
    assert "## How to suppress" in done.stdout
    assert rule_summary("AG201")[:40] in " ".join(done.stdout.split())


def test_explain_unknown_rule_is_a_usage_error() -> None:
    done = run_cli("explain", "AG999")
    assert done.returncode == 2
    assert "unknown rule 'AG999'" in done.stderr and "Traceback" not in done.stderr


def test_init_writes_a_valid_config_from_the_repository_layout(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "proto/acme/buf.yaml": "version: v2\n",
            "proto/acme/acme/v1/a.proto": 'syntax = "proto3";\n',
            "sdks/acme-sdk-go/go.mod": "module github.com/acme/acme-sdk-go\n",
            "sdks/acme_sdk_py/pyproject.toml": '[project]\nname = "acme-sdk"\n',
            "services/a/package.json": '{"name": "a"}\n',
            "services/a/node_modules/x/buf.yaml": "version: v2\n",
        },
    )
    (tmp_path / ".git").mkdir()
    done = run_cli("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "ameide-guard.toml"
    assert f"wrote {written}" in done.stderr
    text = written.read_text(encoding="utf-8")
    assert 'proto = ["proto/acme/"]' in text
    assert 'sdk = ["sdks/acme-sdk-go/", "sdks/acme_sdk_py/"]' in text
    assert 'go = "github.com/acme/acme-sdk-go"' in text and 'python = "acme-sdk"' in text
    assert "# Ecosystems found: go, npm, python." in text
    config = load_config(tmp_path)
    assert config.zones["proto"] == ("proto/acme/",)
    assert config.sdk_packages["go"] == "github.com/acme/acme-sdk-go"
    assert run_cli("scan", "--no-cache", cwd=tmp_path).returncode in (0, 1)


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    write(tmp_path, {"ameide-guard.toml": "# mine\n"})
    done = run_cli("init", "--root", str(tmp_path))
    assert done.returncode == 2
    assert "already exists; rerun with --force" in done.stderr
    assert (tmp_path / "ameide-guard.toml").read_text(encoding="utf-8") == "# mine\n"
    assert run_cli("init", "--root", str(tmp_path), "--force").returncode == 0
    assert (tmp_path / "ameide-guard.toml").read_text(encoding="utf-8") != "# mine\n"


def test_init_in_an_empty_directory_keeps_the_defaults(tmp_path: Path) -> None:
    assert run_cli("init", "--root", str(tmp_path)).returncode == 0
    text = (tmp_path / "ameide-guard.toml").read_text(encoding="utf-8")
    assert "# No buf.yaml found" in text and "# Ecosystems found: none." in text
    default = load_config(tmp_path / "nowhere-without-config")
    assert load_config(tmp_path).zones == default.zones
