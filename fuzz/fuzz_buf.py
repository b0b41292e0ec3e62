"""Fuzz target: AG303's Buf readers. The Buf image decoder (`bufimage.decode_image` on a
committed bundle's bytes, binary wire format or JSON, decoded by the protobuf runtime, then
`flatten`, exactly as deep mode reads it) and the buf.yaml / buf.work.yaml / buf.lock / stamp
readers of `stamp.py`.

Only ManifestError may escape (it becomes AG900); for the text readers also RecursionError, which
`RepoView.document` turns into an AG900 too. Deep mode catches nothing but ManifestError around
`flatten(decode_image(...))` and nothing at all around `first_difference`, so there anything else
is a crash. The seed corpus gets, besides the fixtures' buf files and JSON images, the binary
encoding of each JSON image (so the wire-format decoder starts from a real image, not noise).
protobuf's json_format is instrumented too (bufimage imports protobuf lazily, on first use); its
upb core is C, which atheris does not instrument."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import atheris

with atheris.instrument_imports():
    import google.protobuf.json_format  # noqa: F401
    from _harness import FIXTURES, check_readers, main, resolve, seed_corpus

    from ameide_guard.bundle import bufimage
    from ameide_guard.errors import ManifestError

    READERS = resolve(
        [
            "ameide_guard.bundle.stamp:parse_buf_config|buf.yaml",
            "ameide_guard.bundle.stamp:parse_buf_config|pkg/proto/buf.yaml",
            "ameide_guard.bundle.stamp:parse_buf_config|pkg/buf.work.yaml",
            "ameide_guard.bundle.stamp:parse_buf_lock|pkg/buf.lock",
            "ameide_guard.bundle.stamp:parse_stamp|pkg/.ameide-guard-stamp.json",
        ]
    )

SEEDS = [
    "**/buf.yaml",
    "**/buf.work.yaml",
    "**/buf.lock",
    "**/buf.gen.yaml",
    "**/.ameide-guard-stamp.json",
    "**/image.json",
    "**/*.image.json",
    "**/*.binpb",
]

# ---------------------------------------------------------------- JSON image → binary seed
# Field numbers of google/protobuf/descriptor.proto (and Buf's ImageFile extension), for the
# fields flatten reads: an encoder written independently of the protobuf runtime that decodes.

_FIELD: dict[str, Any] = {
    "name": (1, "str"), "extendee": (2, "str"), "number": (3, "int"),
    "label": (4, ("LABEL_", bufimage.LABELS)), "type": (5, ("TYPE_", bufimage.TYPES)),
    "typeName": (6, "str"), "defaultValue": (7, "str"), "oneofIndex": (9, "int"),
    "jsonName": (10, "str"), "proto3Optional": (17, "int"),
}  # fmt: skip
_ENUM: dict[str, Any] = {
    "name": (1, "str"),
    "value": (2, {"name": (1, "str"), "number": (2, "int")}),
}
_MESSAGE: dict[str, Any] = {
    "name": (1, "str"), "field": (2, _FIELD), "enumType": (4, _ENUM), "extension": (6, _FIELD),
    "oneofDecl": (8, {"name": (1, "str")}),
}  # fmt: skip
_MESSAGE["nestedType"] = (3, _MESSAGE)
_METHOD = {
    "name": (1, "str"), "inputType": (2, "str"), "outputType": (3, "str"),
    "clientStreaming": (5, "int"), "serverStreaming": (6, "int"),
}  # fmt: skip
_FILE: dict[str, Any] = {
    "name": (1, "str"), "package": (2, "str"), "dependency": (3, "str"),
    "messageType": (4, _MESSAGE), "enumType": (5, _ENUM),
    "service": (6, {"name": (1, "str"), "method": (2, _METHOD)}), "extension": (7, _FIELD),
    "syntax": (12, "str"), "edition": (14, ("EDITION_", bufimage.EDITIONS)),
    "bufExtension": (bufimage.BUF_EXTENSION, {"isImport": (1, "int")}),
}  # fmt: skip


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _encode(message: dict[str, Any], schema: dict[str, Any]) -> bytes:
    out = bytearray()
    for key, value in message.items():
        if key not in schema:
            continue
        number, kind = schema[key]
        for item in value if isinstance(value, list) else [value]:
            if isinstance(kind, dict):
                payload = _encode(item, kind)
                out += _varint(number << 3 | 2) + _varint(len(payload)) + payload
            elif kind == "str":
                payload = str(item).encode("utf-8")
                out += _varint(number << 3 | 2) + _varint(len(payload)) + payload
            else:
                if isinstance(kind, tuple):  # an enum by name: `LABEL_OPTIONAL` → 1
                    prefix, table = kind
                    names = {v: k for k, v in table.items()}
                    item = names.get(str(item).removeprefix(prefix).lower(), 0)
                out += _varint(number << 3) + _varint(int(item))
    return bytes(out)


def binary_image(json_image: bytes) -> bytes:
    """The binary encoding of a JSON Buf image (the descriptor fields the decoder reads)."""
    files = bufimage.decode_image(json_image)
    return _encode({"file": files}, {"file": (1, _FILE)})


def add_binary_seeds(corpus: Path) -> None:
    """A binary twin of every JSON image fixture, checked to flatten like its JSON original."""
    for index, path in enumerate(sorted(FIXTURES.glob("**/*image.json"))):
        target = corpus / f"seed-binary-{index:04d}"
        if target.exists():
            continue
        data = path.read_bytes()
        binary = binary_image(data)
        same = bufimage.flatten(bufimage.decode_image(binary))
        assert same == bufimage.flatten(bufimage.decode_image(data)), path
        target.write_bytes(binary)


# ---------------------------------------------------------------- structured documents
# Byte mutations of a JSON seed rarely turn a list into a number or a name into a table, and never
# reach a 4,300-digit integer in libFuzzer's default 4 KB inputs; the same bytes are therefore
# also read as choices that build a JSON document (which is YAML too) from the keys and values
# these readers look at, of any type, for the image decoder and every text reader.

_KEYS = sorted(
    {*_FIELD, *_ENUM, *_MESSAGE, *_METHOD, *_FILE, "file", "isImport", "message_type"}
    | {"version", "modules", "path", "excludes", "deps", "build", "roots", "directories"}
    | {"format", "tool", "inputs", "outputs", "files", "patterns", "sha256", "package"}
)
_WORDS = [
    "", ".", "..", "../x", "/abs", "a\\b", "proto", "a/b", "v1", "v2", "v1beta1", "proto3",
    "proto2", "LABEL_REPEATED", "TYPE_MESSAGE", "EDITION_2023", ".a.v1.M", "buf.build/a/b",
]  # fmt: skip
_NUMBERS = [-1, 0, 1, 2, 3, 999, 1000, 8042, 2**63]
HUGE = "1" * 5000
"""Over CPython's 4,300-digit limit of int(str): `json.loads` and YAML's int resolver raise
ValueError on it."""


def _json(fdp: atheris.FuzzedDataProvider, depth: int) -> str:
    kind = fdp.ConsumeIntInRange(0, 9 if depth < 8 else 4)
    if kind == 0:
        return fdp.PickValueInList(["null", "true", "false"])
    if kind == 1:
        return str(fdp.PickValueInList([*_NUMBERS, fdp.ConsumeInt(4)]))
    if kind == 2:
        return fdp.PickValueInList([HUGE, "1e999", "-0.5", "1.0"])
    if kind in (3, 4):
        word = fdp.PickValueInList([*_WORDS, *_KEYS, fdp.ConsumeUnicodeNoSurrogates(8)])
        return json.dumps(word)
    if kind in (5, 6):
        return (
            "[" + ",".join(_json(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))) + "]"
        )
    pairs = (
        f"{json.dumps(fdp.PickValueInList(_KEYS))}:{_json(fdp, depth + 1)}"
        for _ in range(fdp.ConsumeIntInRange(0, 4))
    )
    return "{" + ",".join(pairs) + "}"


def structured_document(data: bytes) -> bytes:
    fdp = atheris.FuzzedDataProvider(data)
    return _json(fdp, 0).encode("utf-8")


# ---------------------------------------------------------------- the target

REFERENCE = bufimage.flatten(
    bufimage.decode_image(
        b'{"file": [{"name": "a/v1/a.proto", "package": "a.v1", "syntax": "proto3",'
        b' "messageType": [{"name": "M", "field": [{"name": "id", "number": 1,'
        b' "label": "LABEL_OPTIONAL", "type": "TYPE_STRING", "jsonName": "id"}]}]}]}'
    )
)


def check_image(data: bytes) -> None:
    """As deep mode reads a committed bundle, then compares it with a build."""
    try:
        flat = bufimage.flatten(bufimage.decode_image(data))
    except ManifestError:
        return
    assert isinstance(flat, dict)
    assert bufimage.first_difference(flat, flat) is None
    for built, bundle in ((flat, REFERENCE), (REFERENCE, flat)):
        difference = bufimage.first_difference(built, bundle)
        assert difference is None or isinstance(difference, str)


def TestOneInput(data: bytes) -> None:
    check_image(data)
    check_readers(READERS, data)
    document = structured_document(data)
    check_image(document)
    check_readers(READERS, document)


if __name__ == "__main__":
    if not any(not a.startswith("-") for a in sys.argv[1:]):
        add_binary_seeds(Path(seed_corpus(Path(sys.argv[0]).stem, SEEDS)))
    main(TestOneInput, SEEDS)
