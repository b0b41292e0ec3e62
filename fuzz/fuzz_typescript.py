"""Fuzz target: the TypeScript/TSX/JavaScript source parsers via analysis.analyze_data
(decode, prefilter, parse)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import check_source, main


LANGUAGES = ("typescript", "tsx", "javascript")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    check_source(LANGUAGES[data[0] % len(LANGUAGES)], data[1:])


if __name__ == "__main__":
    main(TestOneInput, ["**/*.ts", "**/*.tsx", "**/*.js", "**/*.mjs"])
