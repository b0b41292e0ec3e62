"""Fuzz target: YAML readers (pnpm-lock.yaml, yarn.lock v1 and berry, pnpm-workspace.yaml,
CI workflows); only ManifestError may escape (it becomes AG900)."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import check_readers, main, resolve

    READERS = resolve(
        [
            "ameide_guard.lockfiles.pnpm:parse_pnpm_lock",
            "ameide_guard.lockfiles.yarn:parse_yarn_lock",
            "ameide_guard.lockfiles.pnpm:parse_pnpm_workspace",
            "ameide_guard.lockfiles.pnpm:parse_npmrc",
            "ameide_guard.manifests.workflow:parse_workflow",
        ]
    )


def TestOneInput(data: bytes) -> None:
    check_readers(READERS, data)


if __name__ == "__main__":
    main(TestOneInput, ["**/pnpm-lock.yaml", "**/yarn.lock", "**/pnpm-workspace.yaml", "**/*.yml"])
