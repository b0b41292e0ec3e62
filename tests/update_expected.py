"""Regenerate `expected.txt` for fixtures: `python tests/update_expected.py [NAME ...]`.

With no NAME it rewrites every `tests/fixtures/*/expected.txt`; with names, only those scenarios.
Each line is `path:line:col: RULE level message` (the message with backslashes and line breaks
escaped, see `harness.escape_message`), so changing a rule's message fails
`tests/test_fixtures.py` until this command is run.

Review the diff: an expected file is a claim about behaviour, not a snapshot to accept blindly."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import FIXTURES, finding_lines, fixture_dirs, scan_dir

HEADER = (
    "# Expected findings (path:line:col: RULE level message)."
    " Regenerate with: python tests/update_expected.py\n"
)


def main(names: list[str]) -> None:
    targets = [FIXTURES / n for n in names] if names else fixture_dirs()
    for root in targets:
        lines = finding_lines(scan_dir(root))
        (root / "expected.txt").write_text(HEADER + "".join(f"{x}\n" for x in lines), "utf-8")
        print(f"{root.name}: {len(lines)} findings")


if __name__ == "__main__":
    main(sys.argv[1:])
