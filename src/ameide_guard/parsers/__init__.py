"""Source-language parsers. Each turns one file's bytes into `SourceFacts`: the imports, the few
calls call-level rules need, the suppression comments and any parse problem.

`SOURCE_KINDS` maps file suffixes to a language; `parse_source` dispatches. Grammars load lazily
so that commands which parse nothing (`--version`, `rules`) stay fast.
"""

from __future__ import annotations

from ameide_guard.model import SourceFacts

SOURCE_KINDS: dict[str, str] = {
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".go": "go",
    ".py": "python",
    ".pyi": "python",
}


def source_kind(path: str) -> str | None:
    """The language of a source file by its suffix, or None if it is not source we parse."""
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return SOURCE_KINDS.get(path[dot:].lower())


def parse_source(
    language: str, source: bytes, path: str = "", *, outline: bool = False
) -> SourceFacts:
    """Parse UTF-8 `source` of `language`; never raises for bad input (problems are facts).
    `outline` keeps a TS/JS file's top-level statements too (`SourceFacts.outline`)."""
    if language in ("typescript", "tsx", "javascript"):
        # lazy: a language's grammar loads when a file of it is parsed
        from ameide_guard.parsers.typescript import parse as parse_typescript

        declaration = path.endswith((".d.ts", ".d.mts", ".d.cts"))
        return parse_typescript(language, source, declaration=declaration, outline=outline)
    if language == "go":
        # lazy: a language's grammar loads when a file of it is parsed
        from ameide_guard.parsers.golang import parse as parse_go

        return parse_go(source)
    if language == "python":
        # lazy: a language's grammar loads when a file of it is parsed
        from ameide_guard.parsers.python import parse as parse_python

        return parse_python(source, stub=path.endswith(".pyi"))
    raise ValueError(f"no parser for {language}")


WARM_UP: dict[str, bytes] = {
    "typescript": b'import { a } from "b";\nexport * from "c";\nrequire("d");\n',
    "tsx": b'import { a } from "b";\nconst x = <a />;\n',
    "javascript": b'import a from "b";\nrequire("c");\n',
    "go": b'package a\n\nimport "b"\n',
    "python": b"import a\nfrom b import c\n",
}
"""A statement or two per language: parsing them loads the grammar and compiles every query."""


def warm_up(language: str) -> None:
    """Load `language`'s grammar and compile its queries now, as the first parse would. The
    engine does this in the main process before forking its workers, which then inherit them
    instead of each paying for them."""
    parse_source(language, WARM_UP[language], "warm-up")
