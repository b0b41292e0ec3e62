"""Fuzz target: go.mod / go.work / go.sum readers.

Only ManifestError may escape (it becomes AG900)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import check_readers, main, resolve

    READERS = resolve(
        [
            "ameide_guard.manifests.gomod:parse_gomod",
            "ameide_guard.manifests.gomod:parse_gomod|go.work",
            "ameide_guard.lockfiles.gosum:parse_gosum",
        ]
    )


def TestOneInput(data: bytes) -> None:
    check_readers(READERS, data)


if __name__ == "__main__":
    main(TestOneInput, ["**/go.mod", "**/go.work", "**/go.sum"])
