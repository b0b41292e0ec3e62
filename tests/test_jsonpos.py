"""The positional JSON reader: same values as `json.loads`, a span for every key, value and item,
strict errors at the right line, and no RecursionError however deep the input nests."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ameide_guard.errors import ManifestError
from ameide_guard.formats.jsonpos import (
    DEPTH_REASON,
    MAX_DEPTH,
    JsonArray,
    JsonObject,
    parse_json,
)
from ameide_guard.model import Span

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


def text_at(text: str, span: Span) -> str:
    """The text a span covers (1-based, end exclusive). Lines end at LF, CRLF or CR only, as
    in editors and on GitHub (`str.splitlines` would also split at U+0085 and U+2028)."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n|$)", text)
    start = sum(len(x) for x in lines[: span.line - 1]) + span.column - 1
    end = sum(len(x) for x in lines[: span.end_line - 1]) + span.end_column - 1
    return text[start:end]


def check_spans(text: str, value: object) -> None:
    """Every recorded span covers exactly the JSON text of its key, value or item."""
    if isinstance(value, JsonObject):
        for key, item in value.items():
            assert json.loads(text_at(text, value.key_span(key))) == key
            assert json.loads(text_at(text, value.value_span(key))) == item
            check_spans(text, item)
    elif isinstance(value, JsonArray):
        for n, item in enumerate(value):
            assert json.loads(text_at(text, value.item_span(n))) == item
            check_spans(text, item)


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from([None, 0, 2, "\t"]))
def test_values_and_spans_agree_with_json_loads(doc, indent):
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    parsed = parse_json(text, "x.json")
    assert parsed == json.loads(text)
    check_spans(text, parsed)


def test_entry_span_runs_from_key_to_value_end():
    text = '{\n  "deps": {\n    "@buf/x": "^1.0.0",\n    "b": {"c": [1, 2]}\n  }\n}\n'
    deps = parse_json(text, "package.json")["deps"]
    assert deps.entry_span("@buf/x") == Span(3, 5, 3, 23)
    assert deps.entry_span("b") == Span(4, 5, 4, 23)
    assert deps["b"]["c"].item_span(1) == Span(4, 20, 4, 21)


def test_duplicate_keys_keep_the_last_value_like_json_parse():
    doc = parse_json('{"a": 1,\n "a": 2}', "p.json")
    assert doc == {"a": 2}
    assert doc.key_span("a").line == 2


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, 1, "empty document"),
        ('{\n  "a": 1,\n}', 3, 1, "trailing comma before `}`"),
        ("[1,\n2,\n]", 3, 1, "trailing comma before `]`"),
        ('{\n  "dependencies": {\n    "x": "1"\n', 4, 1, "object opened at line 2 is never closed"),
        ('{"a": 1 "b": 2}', 1, 9, "expected `,` or `}`"),
        ('{"a" 1}', 1, 6, "expected `:`"),
        ("{'a': 1}", 1, 2, "string key in double quotes"),
        ('{"a": NaN}', 1, 7, "expected a value"),
        ('{"a": Infinity}', 1, 7, "expected a value"),
        ("[-Infinity]", 1, 2, "invalid number"),
        ('{"a": 1} // comment', 1, 10, "after the JSON value"),
        ('{"a": "line\nbreak"}', 1, 12, "invalid control character"),
        ('"unterminated', 1, 1, "unterminated string"),
        ('{"a": "\\x41"}', 1, 8, "invalid \\escape"),
        ('{"a":', 1, 6, "truncated"),
    ],
)
def test_strict_errors_name_line_column_and_cause(text, line, column, words):
    with pytest.raises(ManifestError) as info:
        parse_json(text, "bad.json")
    assert info.value.span.line == line
    assert info.value.span.column == column
    assert words in info.value.message
    assert f"line {line}, column {column}" in info.value.message
    assert "bad.json" in info.value.message


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_is_a_manifest_error_not_recursion(opener):
    closer = "]" if opener == "[" else "}"
    text = opener * 100_000 + "1" + closer * 100_000
    with pytest.raises(ManifestError) as info:
        parse_json(text, "deep.json")
    assert info.value.message == DEPTH_REASON
    assert info.value.span.column == (MAX_DEPTH + 1 if opener == "[" else 5 * MAX_DEPTH + 1)


def test_nesting_up_to_the_limit_parses():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    value = parse_json(text, "ok.json")
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []


def test_crlf_line_endings_count_lines_once():
    doc = parse_json('{\r\n  "a": 1,\r\n  "b": 2\r\n}', "crlf.json")
    assert doc.key_span("b") == Span(3, 3, 3, 6)


def test_containers_behave_as_dict_and_list():
    doc = parse_json('{"a": [1, {"b": null}]}', "x.json")
    assert isinstance(doc, dict) and isinstance(doc["a"], list)
    assert json.dumps(doc) == '{"a": [1, {"b": null}]}'
    assert doc.span == Span(1, 1, 1, 24)
