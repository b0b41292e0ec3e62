"""Fuzz target: the Go source parser via analysis.analyze_data (decode, prefilter, parse)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import check_source, main


LANGUAGES = ("go",)


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    check_source(LANGUAGES[data[0] % len(LANGUAGES)], data[1:])


if __name__ == "__main__":
    main(TestOneInput, ["**/*.go"])
