"""AG303 deep mode: build the module's Buf image and compare it with the committed bundle.

This is the one place a scan runs an external program: `buf build -o - --exclude-source-info`,
read-only (the image goes to stdout), with a timeout, with `BUF_CACHE_DIR` in a throw-away
directory and the proxy variables pointing at a closed port so that nothing can reach the network,
and only for modules without dependencies (the caller checks buf.yaml/buf.lock first).

Images are decoded here without the protobuf runtime: a Buf image is wire-compatible with a
`FileDescriptorSet`, and the comparison needs a dozen descriptor fields, which a bounded
wire-format reader gets in a hundred lines with no dependency and full control over hostile input.
Binary and JSON images are both reduced to the same flat form (descriptor name → attributes), so a
`.binpb` bundle compares with a fresh build exactly as an `image.json` one does. Options and source
info are not compared: the stamp's digest of the sources covers options.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ameide_guard.scan.repo import ManifestError, reader

BUILD_TIMEOUT = 120
BUF_EXTENSION = 8042
"""`buf.alpha.image.v1.ImageFile.buf_extension`, whose field 1 `is_import` marks imported files."""
MAX_DEPTH = 64
CLOSED_PROXY = "http://127.0.0.1:9"
"""The discard port: any attempt of `buf` to reach the network fails at once."""

TYPES = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32",
    8: "bool", 9: "string", 10: "group", 11: "message", 12: "bytes", 13: "uint32", 14: "enum",
    15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
}  # fmt: skip
LABELS = {1: "optional", 2: "required", 3: "repeated"}
EDITIONS = {998: "proto2", 999: "proto3", 1000: "2023", 1001: "2024"}

Attrs = tuple[tuple[str, str], ...]
Flat = dict[str, dict[str, Attrs]]
"""file name → descriptor key (`field a.v1.M.id`) → attributes, in declaration order."""


# ---------------------------------------------------------------- wire format


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(10):
        if pos >= len(data):
            raise ManifestError("truncated Buf image (varint runs past the end)")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ManifestError("invalid Buf image (varint longer than 10 bytes)")


def wire_fields(data: bytes) -> dict[int, list[int | bytes]]:
    """Field number → values of one encoded message (varints as ints, length-delimited as bytes;
    fixed-width values are skipped: no compared field uses them)."""
    fields: dict[int, list[int | bytes]] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes | None = None
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ManifestError("truncated Buf image (a field runs past the end)")
            value, pos = data[pos : pos + size], pos + size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise ManifestError(f"not a Buf image (unexpected wire type {wire})")
        if number == 0 or pos > len(data):
            raise ManifestError("not a Buf image (bad field header)")
        if value is not None:
            fields.setdefault(number, []).append(value)
    return fields


class _Msg:
    """Typed access to a decoded message, turning binary descriptors into the JSON shape."""

    def __init__(self, data: bytes, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ManifestError(f"Buf image nests deeper than {MAX_DEPTH} levels")
        self.fields, self.depth = wire_fields(data), depth

    def text(self, number: int) -> str:
        values = self.fields.get(number)
        if not values:
            return ""
        value = values[-1]
        if not isinstance(value, bytes):
            raise ManifestError("not a Buf image (a name is not a string)")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ManifestError("not a Buf image (a name is not UTF-8)") from None

    def texts(self, number: int) -> list[str]:
        return [
            v.decode("utf-8", "replace")
            for v in self.fields.get(number, [])
            if isinstance(v, bytes)
        ]

    def num(self, number: int) -> int | None:
        values = [v for v in self.fields.get(number, []) if isinstance(v, int)]
        return values[-1] if values else None

    def subs(self, number: int) -> list[_Msg]:
        return [
            _Msg(v, self.depth + 1) for v in self.fields.get(number, []) if isinstance(v, bytes)
        ]


def _binary_field(m: _Msg) -> dict[str, Any]:
    return {
        "name": m.text(1), "number": m.num(3), "label": LABELS.get(m.num(4) or 0, ""),
        "type": TYPES.get(m.num(5) or 0, ""), "typeName": m.text(6), "extendee": m.text(2),
        "defaultValue": m.text(7), "oneofIndex": m.num(9), "jsonName": m.text(10),
        "proto3Optional": bool(m.num(17)),
    }  # fmt: skip


def _binary_enum(m: _Msg) -> dict[str, Any]:
    return {
        "name": m.text(1),
        "value": [{"name": v.text(1), "number": v.num(2)} for v in m.subs(2)],
    }


def _binary_message(m: _Msg) -> dict[str, Any]:
    return {
        "name": m.text(1),
        "field": [_binary_field(f) for f in m.subs(2)],
        "extension": [_binary_field(f) for f in m.subs(6)],
        "nestedType": [_binary_message(n) for n in m.subs(3)],
        "enumType": [_binary_enum(e) for e in m.subs(4)],
        "oneofDecl": [{"name": o.text(1)} for o in m.subs(8)],
    }


def _binary_file(m: _Msg) -> dict[str, Any]:
    ext = m.subs(BUF_EXTENSION)
    edition = m.num(14)
    return {
        "name": m.text(1), "package": m.text(2), "dependency": m.texts(3),
        "messageType": [_binary_message(x) for x in m.subs(4)],
        "enumType": [_binary_enum(x) for x in m.subs(5)],
        "service": [
            {"name": s.text(1), "method": [
                {"name": x.text(1), "inputType": x.text(2), "outputType": x.text(3),
                 "clientStreaming": bool(x.num(5)), "serverStreaming": bool(x.num(6))}
                for x in s.subs(2)]}
            for s in m.subs(6)
        ],
        "extension": [_binary_field(x) for x in m.subs(7)],
        "syntax": m.text(12), "edition": EDITIONS.get(edition, str(edition)) if edition else "",
        "isImport": bool(ext and ext[0].num(1)),
    }  # fmt: skip


def decode_binary_image(data: bytes) -> list[dict[str, Any]]:
    """The files of a binary Buf image / FileDescriptorSet, in the JSON image's shape."""
    return [_binary_file(f) for f in _Msg(data, 0).subs(1)]


def _json_enum_name(value: Any, prefix: str, table: dict[int, str]) -> str:
    if isinstance(value, int):
        return table.get(value, str(value))
    text = str(value or "")
    return text[len(prefix) :].lower() if text.startswith(prefix) else text.lower()


def decode_json_image(text: str) -> list[dict[str, Any]]:
    """The files of a JSON Buf image (protojson, camelCase or original field names)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError(f"the bundle is not a valid JSON Buf image ({exc})") from None
    files = data.get("file") if isinstance(data, dict) else None
    if not isinstance(files, list):
        raise ManifestError("the bundle is not a Buf image (no `file` list)")
    return [_camel(f) for f in files if isinstance(f, dict)]


def _camel(value: Any) -> Any:
    """protojson may use original (snake_case) names; the flattener reads camelCase."""
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        head, *rest = str(key).split("_")
        out[head + "".join(p[:1].upper() + p[1:] for p in rest)] = _camel(item)
    return out


@reader
def decode_image(data: bytes) -> list[dict[str, Any]]:
    """A binary or JSON image, told apart by its first byte (a binary image starts with field 1,
    byte 0x0a; JSON with `{`)."""
    try:
        if data.lstrip()[:1] == b"{":
            return decode_json_image(data.decode("utf-8"))
        return decode_binary_image(data)
    except UnicodeDecodeError:
        raise ManifestError("the JSON bundle is not UTF-8") from None
    except RecursionError:
        raise ManifestError(f"Buf image nests deeper than {MAX_DEPTH} levels") from None


# ---------------------------------------------------------------- flattening and comparing


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _field_attrs(field: dict[str, Any], oneofs: list[str]) -> Attrs:
    index = field.get("oneofIndex")
    oneof = oneofs[index] if isinstance(index, int) and 0 <= index < len(oneofs) else ""
    return (
        ("number", _scalar(field.get("number"))),
        ("label", _json_enum_name(field.get("label"), "LABEL_", LABELS)),
        ("type", _json_enum_name(field.get("type"), "TYPE_", TYPES)),
        ("type_name", _scalar(field.get("typeName"))),
        ("extendee", _scalar(field.get("extendee"))),
        ("oneof", oneof),
        ("json_name", _scalar(field.get("jsonName"))),
        ("proto3_optional", _scalar(bool(field.get("proto3Optional")))),
        ("default", _scalar(field.get("defaultValue"))),
    )


def _items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _enum(out: dict[str, Attrs], scope: str, enum: dict[str, Any]) -> None:
    name = f"{scope}.{enum.get('name', '')}".lstrip(".")
    out[f"enum {name}"] = ()
    for value in _items(enum.get("value")):
        out[f"enum value {name}.{value.get('name', '')}"] = (
            ("number", _scalar(value.get("number") or 0)),
        )


def _message(out: dict[str, Attrs], scope: str, msg: dict[str, Any], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ManifestError(f"Buf image nests deeper than {MAX_DEPTH} levels")
    name = f"{scope}.{msg.get('name', '')}".lstrip(".")
    oneofs = [str(o.get("name", "")) for o in _items(msg.get("oneofDecl"))]
    out[f"message {name}"] = (("oneofs", ",".join(oneofs)),)
    for field in _items(msg.get("field")):
        out[f"field {name}.{field.get('name', '')}"] = _field_attrs(field, oneofs)
    for field in _items(msg.get("extension")):
        out[f"extension {name}.{field.get('name', '')}"] = _field_attrs(field, [])
    for nested in _items(msg.get("nestedType")):
        _message(out, name, nested, depth + 1)
    for enum in _items(msg.get("enumType")):
        _enum(out, name, enum)


def flatten(files: list[dict[str, Any]]) -> Flat:
    """Descriptor key → attributes per non-import file, in declaration order."""
    flat: Flat = {}
    for file in files:
        extension = file.get("bufExtension")
        if file.get("isImport") or (isinstance(extension, dict) and extension.get("isImport")):
            continue
        out: dict[str, Attrs] = {}
        package = str(file.get("package") or "")
        syntax = str(file.get("syntax") or "proto2")
        edition = _json_enum_name(file.get("edition"), "EDITION_", EDITIONS)
        dependency = file.get("dependency")
        deps = [str(d) for d in dependency] if isinstance(dependency, list) else []
        out["file"] = (
            ("package", package),
            ("syntax", syntax),
            ("edition", edition),
            ("imports", ",".join(deps)),
        )
        for msg in _items(file.get("messageType")):
            _message(out, package, msg)
        for enum in _items(file.get("enumType")):
            _enum(out, package, enum)
        for field in _items(file.get("extension")):
            ext_name = f"{package}.{field.get('name', '')}".lstrip(".")
            out[f"extension {ext_name}"] = _field_attrs(field, [])
        for service in _items(file.get("service")):
            sname = f"{package}.{service.get('name', '')}".lstrip(".")
            out[f"service {sname}"] = ()
            for method in _items(service.get("method")):
                out[f"method {sname}.{method.get('name', '')}"] = (
                    ("input", _scalar(method.get("inputType"))),
                    ("output", _scalar(method.get("outputType"))),
                    ("client_streaming", _scalar(bool(method.get("clientStreaming")))),
                    ("server_streaming", _scalar(bool(method.get("serverStreaming")))),
                )
        flat[str(file.get("name", ""))] = out
    return flat


def _describe(key: str, file: str) -> str:
    if key == "file":
        return f"file `{file}`"
    kind, _, name = key.rpartition(" ")
    return f"{kind} `{name}` ({file})"


def _attrs_text(attrs: Attrs, names: list[str]) -> str:
    values = dict(attrs)
    return ", ".join(f"{n} {values.get(n) or '(none)'}" for n in names)


def first_difference(built: Flat, bundle: Flat) -> str | None:
    """What the first descriptor that differs is, in the sources' declaration order (then what
    the bundle has that the sources lost); None when the two agree."""
    for file, entries in built.items():
        theirs = bundle.get(file)
        if theirs is None:
            return f"file `{file}` is in the sources but not in the bundle"
        for key, attrs in entries.items():
            other = theirs.get(key)
            if other is None:
                return f"{_describe(key, file)} is in the sources but not in the bundle"
            if other != attrs:
                names = [n for (n, v), (_, w) in zip(attrs, other, strict=False) if v != w]
                return (
                    f"{_describe(key, file)} differs: the sources have "
                    f"{_attrs_text(attrs, names)}; the bundle has {_attrs_text(other, names)}"
                )
        for key in theirs:
            if key not in entries:
                return f"{_describe(key, file)} is in the bundle but no longer in the sources"
    for file in bundle:
        if file not in built:
            return f"file `{file}` is in the bundle but no longer in the sources"
    return None


# ---------------------------------------------------------------- running buf


@dataclass(frozen=True)
class Build:
    image: bytes | None
    error: str = ""


def find_buf() -> str | None:
    """The Buf CLI on PATH (never installed or fetched by ameide-guard)."""
    return shutil.which("buf")


def _first_line(text: bytes) -> str:
    lines = [x.strip() for x in text.decode("utf-8", "replace").splitlines() if x.strip()]
    return lines[0][:300] if lines else "no message"


def build_image(buf: str, directory: Path, timeout: float = BUILD_TIMEOUT) -> Build:
    """`buf build` of the module or workspace in `directory`, as image bytes on stdout."""
    with tempfile.TemporaryDirectory(prefix="ameide-guard-buf-") as cache:
        env = {
            **os.environ,
            "BUF_CACHE_DIR": cache,
            "HTTPS_PROXY": CLOSED_PROXY,
            "HTTP_PROXY": CLOSED_PROXY,
            "NO_PROXY": "",
        }
        try:
            done = subprocess.run(
                [buf, "build", "-o", "-#format=binpb", "--exclude-source-info"],
                cwd=directory,
                env=env,
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return Build(None, f"`buf build` took longer than {timeout:.0f} s")
        except OSError as exc:
            return Build(None, f"`buf build` could not run ({exc.strerror or exc})")
    if done.returncode != 0:
        return Build(None, f"`buf build` failed: {_first_line(done.stderr)}")
    return Build(done.stdout)


def iter_bundle_candidates(paths: list[str]) -> Iterator[str]:
    """Outputs that look like a committed Buf image (`*.binpb`, `image.bin`, `image.json`,
    `*.image.json`), for when the `bundle` option is not set."""
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        if name.endswith((".binpb", ".image.json")) or name in (
            "image.bin",
            "image.json",
            "image.pb",
        ):
            yield path
