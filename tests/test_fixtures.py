"""Every fixture monorepo under tests/fixtures/ gives exactly the findings written beside it,
messages included: `python tests/update_expected.py [NAME ...]` rewrites the files."""

from __future__ import annotations

import dataclasses

import pytest
from harness import (
    FIXTURES,
    escape_message,
    expected_diff,
    expected_lines,
    finding_lines,
    fixture_dirs,
    scan_dir,
)


def assert_matches_expected(root, actual: list[str]) -> None:
    """The comparison every fixture goes through: a mismatch fails with a unified diff."""
    diff = expected_diff(root, actual)
    assert not diff, (
        f"findings of {root.name} differ from its expected.txt (- expected, + scan). If the change"
        f" is intended, run `python tests/update_expected.py {root.name}` and review the diff.\n"
        f"{diff}"
    )


@pytest.mark.parametrize("root", fixture_dirs(), ids=lambda p: p.name)
def test_fixture_findings_match_expected(root):
    assert_matches_expected(root, finding_lines(scan_dir(root)))


def test_there_are_fixtures():
    assert len(fixture_dirs()) >= 1


def test_a_changed_message_fails_the_comparison(tmp_path):
    """Only the message differs, in the scan or in the file: both fail, showing both lines."""
    root = FIXTURES / "example"
    result = scan_dir(root)
    actual = finding_lines(result)
    assert_matches_expected(root, actual)

    first = result.findings[0]
    reworded = dataclasses.replace(first, message=f"{first.message} (reworded)")
    changed = dataclasses.replace(result, findings=[reworded, *result.findings[1:]])
    with pytest.raises(AssertionError) as failure:
        assert_matches_expected(root, finding_lines(changed))
    # (pytest indents a multi-line assertion message, so the lines are not matched from "\n".)
    assert f"-{actual[0]}\n" in str(failure.value)
    assert f"+{finding_lines(changed)[0]}\n" in str(failure.value)

    # The same with the expected file edited instead of the rule's output.
    edited = tmp_path / "example"
    edited.mkdir()
    text = (root / "expected.txt").read_text("utf-8")
    assert text.count(actual[-1]) == 1
    (edited / "expected.txt").write_text(text.replace(actual[-1], f"{actual[-1]}!"), "utf-8")
    assert expected_lines(edited)[:-1] == actual[:-1]
    with pytest.raises(AssertionError, match=r"update_expected\.py example"):
        assert_matches_expected(edited, actual)


def test_a_message_stays_on_one_line_and_distinct():
    breaks = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
    for ch in breaks:
        assert len(escape_message(f"a{ch}b").splitlines()) == 1
    assert escape_message("a\nb") == "a\\nb"
    assert escape_message("a\\nb") == "a\\\\nb"
    assert len({escape_message(m) for m in ("a\nb", "a\\nb", "a\\\nb", "a\r\nb")}) == 4
    assert escape_message("no `escapes` needed: ok") == "no `escapes` needed: ok"
