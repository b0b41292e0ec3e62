"""Rule documentation pages: `rules/<ID>.md`, shipped in the wheel as `ameide_guard/rule_docs`.

In a source checkout (editable install) the pages are read from the repository's `rules/`."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

DOCS_BASE_URL = "https://github.com/ameideio/ameide-guard/blob/main/rules"


def help_uri(rule_id: str) -> str:
    return f"{DOCS_BASE_URL}/{rule_id}.md"


@cache
def _docs_dir() -> Path | None:
    packaged = resources.files("ameide_guard").joinpath("rule_docs")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "rules"
    return checkout if checkout.is_dir() else None


def rule_page(rule_id: str) -> str:
    """The Markdown page of a rule; a clear placeholder if the page is missing from the install."""
    directory = _docs_dir()
    if directory is not None:
        page = directory / f"{rule_id}.md"
        if page.is_file():
            return page.read_text(encoding="utf-8")
    return (
        f"# {rule_id}\n\nNo documentation page is installed for {rule_id}; "
        f"see {help_uri(rule_id)}.\n"
    )


def rule_summary(rule_id: str) -> str:
    """The page's first paragraph after the title: the rule's full description."""
    paragraphs = [p.strip() for p in rule_page(rule_id).split("\n\n")]
    body = [p for p in paragraphs if p and not p.startswith("#")]
    return " ".join(body[0].split()) if body else rule_id
