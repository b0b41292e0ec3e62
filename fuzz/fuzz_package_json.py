"""Fuzz target: package.json, jsonpos and package-lock.json readers.

Only ManifestError may escape (it becomes AG900)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import check_readers, main, resolve

    READERS = resolve(
        [
            "ameide_guard.formats.jsonpos:parse_json",
            "ameide_guard.manifests.package_json:parse_package_json",
            "ameide_guard.lockfiles.npm:parse_npm_lock",
        ]
    )


def TestOneInput(data: bytes) -> None:
    check_readers(READERS, data)


if __name__ == "__main__":
    main(TestOneInput, ["**/package.json", "**/package-lock.json"])
