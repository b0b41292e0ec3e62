"""The reader contract, one parameter per (reader, hostile input) pair: every manifest and
lockfile reader against every hostile input that fits its format.

The contract: a reader (`parse_x(text, path)`) either returns or raises `ManifestError` with a
non-empty one-line message, within the bounds below. In a scan, in-process and through the CLI
(under an address-space and a CPU limit), that is at most one AG900 on the file, with that
message, the same findings both ways, and the canary next to the file still found. Where a
hostile input has a known answer (an alias bomb's "2000 aliases", the 4,300-digit message), the
pair says so in `EXPECTED`. Every pair holds to the contract: deep nesting that makes json or
tomllib recurse past the stack and a control character PyYAML refuses both end in one one-line
`ManifestError` (they were a RecursionError and a multi-line message when this test arrived).

Input the scan refuses before a reader sees it (invalid UTF-8, a file over the manifest size
limit) is held to the same one-line AG900; the reader is not called, as `RepoView` does not
call it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from harness import scan_dir
from robust_support import CANARY, HUGE, problems, run_cli, short, write_tree

from ameide_guard.errors import ManifestError
from ameide_guard.lockfiles.bun import parse_bun_lock
from ameide_guard.lockfiles.gosum import parse_gosum
from ameide_guard.lockfiles.npm import parse_npm_lock
from ameide_guard.lockfiles.pnpm import parse_npmrc, parse_pnpm_lock, parse_pnpm_workspace
from ameide_guard.lockfiles.poetry import parse_poetry_lock
from ameide_guard.lockfiles.uv import parse_uv_lock
from ameide_guard.lockfiles.yarn import parse_yarn_lock
from ameide_guard.manifests.gomod import parse_gomod
from ameide_guard.manifests.npmrc import parse_npmrc_registries
from ameide_guard.manifests.package_json import parse_package_json
from ameide_guard.manifests.pyproject import parse_pyproject
from ameide_guard.manifests.requirements import parse_requirements
from ameide_guard.manifests.workflow import parse_workflow
from ameide_guard.scan.repo import MAX_MANIFEST_BYTES

SECONDS = 10
"""Wall-clock bound of a CLI scan of one hostile tree, and of one direct reader call."""
MEMORY_BYTES = 1536 * 2**20
CPU_SECONDS = 20
"""The CLI scan's address-space and CPU limits: an expanded alias bomb, or a file held whole
many times over, hits them and fails the run."""

TOO_MANY_DIGITS = (
    "a number with more than 4,300 digits (more than Python reads as a number, and more than "
    "any tool writes); fix or regenerate the file"
)
"""Word for word what every JSON, TOML and YAML reader says about `HUGE`."""

PACKAGE_JSON = '{"name": "svc", "dependencies": {"left-pad": "1.3.0"}}\n'
PNPM_LOCK = "lockfileVersion: '9.0'\n"
GO_MOD = "module example.com/svc\n\ngo 1.22\n"


@dataclass(frozen=True)
class Reader:
    """A reader, the file it reads in the hostile tree, and what else the tree needs for a scan
    to read that file."""

    parse: Callable[[str, str], Any]
    path: str
    format: str
    """`json`, `yaml`, `toml` or `text`: which hostile inputs fit."""
    frame: str
    """The file with `{}` where a hostile value goes, at a place the reader reads; a `toml`
    frame ends with the key `v` (the duplicate-key input repeats it)."""
    head: str = ""
    """`yaml`: what comes before a hostile block of keys, and the block's indent (the key the
    block lands under)."""
    indent: str = ""
    companions: dict[str, str] = field(default_factory=dict)


READERS = {
    "package.json": Reader(
        parse_package_json,
        "svc/package.json",
        "json",
        '{{"name": "x", "deep": {}}}',
        companions={"svc/pnpm-lock.yaml": PNPM_LOCK},
    ),
    "package-lock.json": Reader(
        parse_npm_lock,
        "svc/package-lock.json",
        "json",
        '{{"name": "x", "lockfileVersion": 3, "packages": {{}}, "deep": {}}}',
        companions={"svc/package.json": PACKAGE_JSON},
    ),
    "bun.lock": Reader(
        parse_bun_lock,
        "svc/bun.lock",
        "json",
        '{{"lockfileVersion": 1, "workspaces": {{"": {{"name": "svc",}},}}, "deep": {},}}',
        companions={"svc/package.json": PACKAGE_JSON},
    ),
    "pnpm-lock.yaml": Reader(
        parse_pnpm_lock,
        "svc/pnpm-lock.yaml",
        "yaml",
        "lockfileVersion: {}\nimporters: {{}}\n",
        head="lockfileVersion: '9.0'\nimporters:\n",
        indent="  ",
        companions={"svc/package.json": PACKAGE_JSON},
    ),
    "yarn.lock": Reader(
        parse_yarn_lock,
        "svc/yarn.lock",
        "yaml",
        "__metadata:\n  version: {}\n  cacheKey: 10\n",
        head='__metadata:\n  version: 8\n  cacheKey: 10\n\n"left-pad@npm:1.3.0":\n  x: 1\n',
        companions={"svc/package.json": PACKAGE_JSON},
    ),
    "yarn.lock-v1": Reader(
        parse_yarn_lock,
        "svc/yarn.lock",
        "text",
        '# yarn lockfile v1\n\nleft-pad@1.3.0:\n  version "{}"\n',
        companions={"svc/package.json": PACKAGE_JSON},
    ),
    "pnpm-workspace.yaml": Reader(
        parse_pnpm_workspace,
        "svc/pnpm-workspace.yaml",
        "yaml",
        "packages: {}\n",
        head="packages: ['a']\n",
        companions={"svc/package.json": PACKAGE_JSON},
    ),
    ".npmrc": Reader(
        parse_npmrc,
        "svc/.npmrc",
        "text",
        "auto-install-peers={}\n",
        companions={"svc/package.json": PACKAGE_JSON, "svc/pnpm-lock.yaml": PNPM_LOCK},
    ),
    ".npmrc-registries": Reader(
        parse_npmrc_registries,
        "web/.npmrc",
        "text",
        "@buf:registry={}\n",
        companions={"web/package.json": PACKAGE_JSON},
    ),
    "workflow": Reader(
        parse_workflow,
        ".github/workflows/ci.yml",
        "yaml",
        "on: push\njobs:\n  b:\n    runs-on: {}\n",
        head="on: push\njobs:\n",
        indent="  ",
    ),
    "pyproject.toml": Reader(
        parse_pyproject,
        "svc/pyproject.toml",
        "toml",
        '[project]\nname = "p"\nversion = "1"\n[tool.x]\nv = {}\n',
        companions={"svc/uv.lock": "version = 1\n"},
    ),
    "uv.lock": Reader(
        parse_uv_lock,
        "svc/uv.lock",
        "toml",
        "version = 1\nrevision = 3\n[manifest]\nv = {}\n",
        companions={"svc/pyproject.toml": '[project]\nname = "p"\nversion = "1"\n'},
    ),
    "poetry.lock": Reader(
        parse_poetry_lock,
        "svc/poetry.lock",
        "toml",
        '# @generated by Poetry 2.1.0\n\n[metadata]\nlock-version = "2.1"\n'
        'content-hash = "0"\nv = {}\n',
        companions={"svc/pyproject.toml": '[tool.poetry]\nname = "p"\n'},
    ),
    "requirements.txt": Reader(parse_requirements, "svc/requirements.txt", "text", "x=={}\n"),
    "go.mod": Reader(parse_gomod, "svc/go.mod", "text", "module example.com/svc\n\ngo {}\n"),
    "go.work": Reader(
        parse_gomod, "go.work", "text", "go {}\n\nuse ./svc\n", companions={"svc/go.mod": GO_MOD}
    ),
    "go.sum": Reader(
        parse_gosum,
        "svc/go.sum",
        "text",
        "example.com/a v{} h1:AAAA=\n",
        companions={"svc/go.mod": GO_MOD + "\nrequire example.com/a v1.0.0\n"},
    ),
}


# ---------------------------------------------------------------- hostile inputs


def billion_laughs(levels: int = 9, fan: int = 9, indent: str = "") -> str:
    """The classic alias bomb: `fan**levels` scalars if expanded (9**9 ≈ 387 million)."""
    lines = [f'{indent}a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * fan)
        lines.append(f"{indent}a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int = 24, indent: str = "") -> str:
    """Merge keys copy mappings: each level doubles the size of the one before."""
    lines = [f"{indent}m0: &m0 {{k0: 1}}"]
    for n in range(1, levels):
        lines.append(f"{indent}m{n}: &m{n} {{<<: [*m{n - 1}], k{n}: *m{n - 1}}}")
    return "\n".join(lines) + "\n"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass(frozen=True)
class Hostile:
    build: Callable[[Reader], str | bytes | int]
    """The hostile file for a reader: its text or bytes, or (an int) the size of a sparse file."""
    formats: frozenset[str]
    only: frozenset[str] = frozenset()
    """If set, the readers (by id) it is meant for."""


ANY = frozenset({"json", "yaml", "toml", "text"})
NESTED = frozenset({"json", "yaml", "toml"})
YAML = frozenset({"yaml"})

HOSTILE = {
    # more digits than CPython converts to int: a bare ValueError out of json, tomllib and yaml
    "huge-number": Hostile(lambda r: r.frame.format(HUGE), ANY),
    "deep-nesting": Hostile(lambda r: r.frame.format(nested(100_000)), NESTED),
    # depth the JSON reader handles (well below the recursion limit) is no error at all
    "moderate-nesting": Hostile(lambda r: r.frame.format(nested(200)), frozenset({"json"})),
    # 72 aliases: under the alias limits, so loaded as shared references and walked unexpanded
    "alias-bomb": Hostile(lambda r: r.head + billion_laughs(indent=r.indent), YAML),
    "alias-many": Hostile(lambda r: r.head + billion_laughs(6, 400, r.indent), YAML),
    "merge-bomb": Hostile(lambda r: r.head + merge_bomb(indent=r.indent), YAML),
    # anchors outside the blocks the pnpm reader loads: their aliases are undefined there
    "alias-undefined": Hostile(
        lambda r: "lockfileVersion: '9.0'\n" + billion_laughs() + "importers:\n  .: *a8\n",
        YAML,
        only=frozenset({"pnpm-lock.yaml"}),
    ),
    "duplicate-key": Hostile(lambda r: r.frame.format("1") + "v = 2\n", frozenset({"toml"})),
    "invalid-utf8": Hostile(lambda r: r.frame.format("1").encode() + b"# caf\xe9 \xff\n", ANY),
    "nul-byte": Hostile(lambda r: r.frame.format("1") + "\0\n", ANY),
    "too-large": Hostile(lambda r: MAX_MANIFEST_BYTES + 1, ANY),
}


# ---------------------------------------------------------------- known answers and gaps


@dataclass(frozen=True)
class Answer:
    """What the scan says about the hostile file: no AG900 at all (`words=None`), or one AG900
    containing `words` (the whole message with `exact`), at `line` when given."""

    words: str | None
    exact: bool = False
    line: int | None = None
    only_canary: bool = False
    """The canary's is the only AG101/AG900 finding of the whole tree."""


NO_ERROR = Answer(None)
NOT_UTF8 = Answer("not valid UTF-8 (byte ")
TOO_LARGE = Answer(f"larger than {MAX_MANIFEST_BYTES // 2**20} MiB; not read", exact=True)

EXPECTED = {
    ("pnpm-lock.yaml", "alias-bomb"): Answer("is not a mapping"),
    ("pnpm-lock.yaml", "alias-undefined"): Answer("undefined alias"),
    ("pnpm-lock.yaml", "alias-many"): Answer("2000 aliases, which no package manager writes"),
    ("pnpm-lock.yaml", "merge-bomb"): Answer("merge keys, which no package manager writes"),
    ("yarn.lock", "alias-bomb"): Answer("is not a mapping"),
    ("yarn.lock", "alias-many"): Answer("2000 aliases"),
    ("pnpm-workspace.yaml", "alias-bomb"): NO_ERROR,
    ("package.json", "deep-nesting"): Answer("nesting too deep"),
    ("package-lock.json", "deep-nesting"): Answer("nesting too deep"),
    ("bun.lock", "deep-nesting"): Answer("nesting too deep"),
    ("bun.lock", "huge-number"): Answer(TOO_MANY_DIGITS, exact=True),
    ("package.json", "moderate-nesting"): Answer(None, only_canary=True),
    ("pyproject.toml", "duplicate-key"): Answer("invalid TOML in svc/pyproject.toml", line=6),
    ("package.json", "huge-number"): Answer(TOO_MANY_DIGITS, exact=True),
    ("package-lock.json", "huge-number"): Answer(TOO_MANY_DIGITS, exact=True),
    ("pyproject.toml", "huge-number"): Answer(TOO_MANY_DIGITS, exact=True),
    ("pnpm-lock.yaml", "huge-number"): Answer("4,300 digits"),
    **{(reader, "invalid-utf8"): NOT_UTF8 for reader in READERS},
    **{(reader, "too-large"): TOO_LARGE for reader in READERS},
}

PAIRS = [
    (reader_id, case_id)
    for reader_id, reader in READERS.items()
    for case_id, hostile in HOSTILE.items()
    if reader.format in hostile.formats and (not hostile.only or reader_id in hostile.only)
]


def _one_line(message: str) -> bool:
    return bool(message.strip()) and len(message.splitlines()) == 1


def _readable(content: str | bytes) -> str | None:
    """The text a reader is handed, as `RepoView.read_text` decodes it; None if it is not."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return None


def _call(reader: Reader, text: str) -> None:
    """The contract for one direct call."""
    started = time.perf_counter()
    try:
        reader.parse(text, reader.path)
    except ManifestError as exc:
        assert exc.message.strip(), "empty message"
        assert _one_line(exc.message), exc.message
    assert time.perf_counter() - started < SECONDS


@pytest.mark.parametrize(("reader_id", "case_id"), PAIRS, ids=[f"{r}:{c}" for r, c in PAIRS])
def test_reader_contract(tmp_path: Path, reader_id: str, case_id: str) -> None:
    reader, hostile = READERS[reader_id], HOSTILE[case_id]
    content = hostile.build(reader)

    text = None if isinstance(content, int) else _readable(content)
    if text is not None:
        _call(reader, text)

    files: dict[str, str | bytes] = dict(reader.companions)
    if not isinstance(content, int):
        files[reader.path] = content
    root = write_tree(tmp_path, files)
    if isinstance(content, int):  # a sparse file: the size is all the scan may look at
        (root / reader.path).parent.mkdir(parents=True, exist_ok=True)
        (root / reader.path).touch()
        os.truncate(root / reader.path, content)

    # The CLI, bounded, first: a reader that expands a bomb must not take the test process down.
    run = run_cli(
        root,
        "--format",
        "json",
        "--no-cache",
        "--jobs",
        "1",
        timeout=3 * SECONDS,
        memory_bytes=MEMORY_BYTES,
        cpu_seconds=CPU_SECONDS,
    )
    assert run.code == 1 and run.seconds < SECONDS, run
    result = scan_dir(root)
    assert run.short() == short(result)
    assert CANARY in run.short()

    errors = [e for e in run.json()["errors"] if e["path"] == reader.path]
    assert [e["message"] for e in errors] == problems(result, reader.path)
    assert len(errors) <= 1, errors
    for error in errors:
        assert _one_line(error["message"]), error["message"]

    answer = EXPECTED.get((reader_id, case_id))
    if answer is None:
        return
    if answer.words is None:
        assert errors == []
    else:
        assert len(errors) == 1, errors
        message = errors[0]["message"]
        assert message == answer.words if answer.exact else answer.words in message, message
        if answer.line is not None:
            assert errors[0]["line"] == answer.line or f"line {answer.line}" in message
    if answer.only_canary:
        assert short(result) == [CANARY]


def test_every_reader_meets_every_hostile_input_it_can_read() -> None:
    """No reader without a pair, no hostile input without one, and every known answer and gap
    names a pair that runs."""
    assert {r for r, _ in PAIRS} == set(READERS)
    assert {c for _, c in PAIRS} == set(HOSTILE)
    assert set(EXPECTED) <= set(PAIRS)
