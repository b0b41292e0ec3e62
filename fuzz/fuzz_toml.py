"""Fuzz target: TOML readers (pyproject.toml, uv.lock, poetry.lock) and requirements files.

Only ManifestError may escape (it becomes AG900)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import check_readers, main, resolve

    READERS = resolve(
        [
            "ameide_guard.manifests.pyproject:parse_pyproject",
            "ameide_guard.lockfiles.uv:parse_uv_lock",
            "ameide_guard.lockfiles.poetry:parse_poetry_lock",
            "ameide_guard.manifests.requirements:parse_requirements",
        ]
    )


def TestOneInput(data: bytes) -> None:
    check_readers(READERS, data)


if __name__ == "__main__":
    main(
        TestOneInput, ["**/pyproject.toml", "**/uv.lock", "**/poetry.lock", "**/requirements*.txt"]
    )
