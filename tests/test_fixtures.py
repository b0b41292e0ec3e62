"""Every fixture monorepo under tests/fixtures/ gives exactly the findings written beside it."""

from __future__ import annotations

import pytest
from harness import expected_lines, finding_lines, fixture_dirs, scan_dir


@pytest.mark.parametrize("root", fixture_dirs(), ids=lambda p: p.name)
def test_fixture_findings_match_expected(root):
    assert finding_lines(scan_dir(root)) == expected_lines(root)


def test_there_are_fixtures():
    assert len(fixture_dirs()) >= 1
