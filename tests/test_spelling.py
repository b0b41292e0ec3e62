"""The other spellings of a name (parsers/spelling.py): string escapes decoded exactly as Node and
Go decode them, JS identifier escapes, Python's NFKC, and the prefilter's soundness on text the
escapes were resolved in."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tools import missing_tool, require_tool

from ameide_guard.parsers.spelling import js_name, python_name, spelled_out, unescape
from ameide_guard.scan.analysis import prefilter_regexes, respelled, worth_parsing

HERE = Path(__file__).parent


@pytest.mark.parametrize(
    ("body", "value"),
    [
        (r"\u0040buf/x", "@buf/x"),
        (r"\u{40}buf/x", "@buf/x"),
        (r"\x40buf/x", "@buf/x"),
        (r"\100buf", "@buf"),
        (r"\0", "\0"),
        (r"\08", "\x008"),
        (r"\477", "'7"),
        (r"\8\9", "89"),
        ("@bu\\\nf", "@buf"),
        ("@bu\\\r\nf", "@buf"),
        ("@bu\\\u2028f", "@buf"),
        (r"\\u0040", r"\u0040"),
        (r"\q\'\"", "q'\""),
        (r"\b\f\n\r\t\v", "\b\f\n\r\t\v"),
        (r"\ud83d\ude00", "\ud83d\ude00"),
    ],
)
def test_js_string_escapes(body: str, value: str) -> None:
    assert unescape(body, "typescript") == value


@pytest.mark.parametrize(
    ("body", "value"),
    [
        (r"buf.build\x2fgen", "buf.build/gen"),
        (r"buf.build\057gen", "buf.build/gen"),
        (r"buf.build\u002fgen", "buf.build/gen"),
        (r"buf.build\U0000002fgen", "buf.build/gen"),
        (r"\xc3\xa9", "é"),
        (r"\1011", "A1"),
        (r"\\x2f", r"\x2f"),
        (r"\a\t\"", '\a\t"'),
    ],
)
def test_go_string_escapes(body: str, value: str) -> None:
    assert unescape(body, "go") == value


def test_identifier_names() -> None:
    assert js_name(r"requir\u0065") == "require"
    assert js_name(r"\u{72}equire") == "require"
    assert js_name("plain") == "plain"
    assert python_name("orders_\uff50b2") == "orders_pb2"
    assert python_name("\U0001d41final") == "final"


_ALPHABET = "ab@/._-x u{}0123456789AF\\\"'\n"


@settings(max_examples=400, deadline=None)
@given(body=st.text(_ALPHABET, max_size=30), language=st.sampled_from(["typescript", "go"]))
def test_spelled_out_holds_every_string_value(body: str, language: str) -> None:
    """Resolving escapes over a whole file keeps each string's value: the text before the string
    cannot swallow its escapes (whatever backslashes precede it), so the prefilter searching the
    spelled-out text finds whatever the parser decodes."""
    if body.endswith("\\") and (len(body) - len(body.rstrip("\\"))) % 2:
        body += "\\"  # an odd trailing backslash would escape the closing quote
    for before in ("x = ", "x = \\", "// \\\\", "/\\x/ + "):
        text = f'{before}"{body}";'
        out = spelled_out(text, language)
        assert out is not None or "\\" not in text
        assert unescape(body, language) in (out if out is not None else text)


def test_prefilter_reads_escaped_literals_and_normalised_names() -> None:
    literals = (b"@buf/", b"buf.build/gen", b"_pb2")
    searches = [regex.search for regex in prefilter_regexes(literals)]
    assert worth_parsing(b'import x from "\\u0040buf/a";', searches, "typescript")
    assert worth_parsing(b'import "buf.build\\x2fgen/go/a"', searches, "go")
    assert worth_parsing("import orders_\uff50b2\n".encode(), searches, "python")
    assert not worth_parsing(b'import x from "\\\\u0040buf/a";', searches, "typescript")
    assert not worth_parsing(b'const s = "a\\nb";', searches, "typescript")
    assert respelled(b'const s = "a\\nb\\t";', "typescript") is None  # no escape to resolve
    assert respelled(b"import os\n", "python") is None


def _random_js_body(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 12)):
        ch = chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0x3000)]))
        if ch in '\\"':
            ch = "\\" + ch
        style = rng.randrange(8)
        code = ord(ch[-1])
        parts.append(
            [
                ch,
                f"\\u{code:04x}",
                f"\\u{{{code:X}}}",
                f"\\x{code:02x}" if code < 0x100 else ch,
                f"\\{code:o}" if code < 0o400 else ch,
                "\\\n" + ch,
                "\\" + rng.choice("bfnrtv'q8"),
                ch,
            ][style]
        )
    return "".join(parts)


def test_js_unescape_matches_node() -> None:
    """Seeded random string bodies mixing every escape form, decoded by Node (sloppy mode, so
    legacy octal escapes count) and by `unescape`."""
    node = require_tool("node", "Node.js")
    seed = int(os.environ.get("AMEIDE_GUARD_CORPUS_SEED", "20261203"))
    rng = random.Random(seed)
    bodies = [_random_js_body(rng) for _ in range(400)]
    script = "const b = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
    script += "console.log(JSON.stringify(b.map((s) => eval('\"' + s + '\"'))));"
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(bodies), capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        missing_tool(f"node failed: {done.stderr[:200]}")
    expected = json.loads(done.stdout)
    assert [unescape(b, "javascript") for b in bodies] == expected, f"seed {seed}"
