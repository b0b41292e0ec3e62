"""AG303 deep mode: build the module's Buf image and compare it with the committed bundle.

This is the one place a scan runs an external program: `buf build -o - --exclude-source-info`,
read-only (the image goes to stdout), with a timeout, with `BUF_CACHE_DIR` in a throw-away
directory and the proxy variables pointing at a closed port so that nothing can reach the network,
and only for modules without dependencies (the caller checks buf.yaml/buf.lock first).

Images are decoded with the protobuf runtime. A Buf image is a `FileDescriptorSet` on the wire
whose files carry one more field, `buf_extension` (8042, its `is_import` marks imported files).
`_image_type` declares Buf's Image / ImageFile (FileDescriptorProto's fields plus that one) /
ImageFileExtension in a private `descriptor_pool` and gets their class from
`message_factory.GetMessageClass`: public API, the same from protobuf 4.25 to 7, and one type
that reads the binary image (`ParseFromString`) and the JSON one (`json_format.ParseDict`).
Parsed as a FileDescriptorSet instead, `buf_extension` would stay among each file's unknown fields
as raw bytes (`google.protobuf.unknown_fields`) still to decode, and json_format would reject or
drop a JSON image's `bufExtension`.
Both forms are reduced to the JSON image's shape, then to descriptor name → attributes, so a
`.binpb` bundle compares with a fresh build exactly as an `image.json` one does. Options and
source info are not compared: the stamp's digest of the sources covers options.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ameide_guard.errors import ManifestError
from ameide_guard.formats.reading import reader

BUILD_TIMEOUT = 120
BUF_EXTENSION = 8042
"""`buf.alpha.image.v1.ImageFile.buf_extension`, whose field 1 `is_import` marks imported files."""
MAX_DEPTH = 64
IMAGE_NAMES = ("image.bin", "image.json", "image.pb")
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


# ---------------------------------------------------------------- decoding
# `google.protobuf` is imported inside these functions, not at the top: only deep mode decodes
# images, and `python -X importtime -c "import google.protobuf.descriptor_pb2"` measures ~40 ms
# (median of 15 runs, 28-54 ms; protobuf 7.36 upb, CPython 3.11; json_format adds ~2 ms), which
# every other `ameide-guard` run would pay at start-up for nothing.

NOT_COMPARED = frozenset({"options", "source_code_info"})
NOT_UTF8 = "not a Buf image (a name is not UTF-8)"
DEPTH_ERRORS = ("MaxDepth", "levels of nesting", "Message too deep")
"""How upb, the pure-Python runtime and json_format report their own depth limit (100 levels)."""
PACKAGE = "buf.alpha.image.v1"


@functools.cache
def _image_type() -> Any:
    """The class of `buf.alpha.image.v1.Image` (Buf's image.proto is not part of protobuf)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    kind = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(
        name="buf/alpha/image/v1/image.proto", package=PACKAGE,
        dependency=[descriptor_pb2.DESCRIPTOR.name],
    )  # fmt: skip
    image, image_file, extension = (
        proto.message_type.add(name=name) for name in ("Image", "ImageFile", "ImageFileExtension")
    )
    descriptor_pb2.FileDescriptorProto.DESCRIPTOR.CopyToProto(image_file)  # the runtime's fields
    image_file.name = "ImageFile"
    image.field.add(
        name="file", number=1, label=kind.LABEL_REPEATED, type=kind.TYPE_MESSAGE,
        type_name=f".{PACKAGE}.ImageFile",
    )  # fmt: skip
    image_file.field.add(
        name="buf_extension", number=BUF_EXTENSION, label=kind.LABEL_OPTIONAL,
        type=kind.TYPE_MESSAGE, type_name=f".{PACKAGE}.ImageFileExtension",
    )  # fmt: skip
    extension.field.add(name="is_import", number=1, label=kind.LABEL_OPTIONAL, type=kind.TYPE_BOOL)
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(descriptor_pb2.DESCRIPTOR.serialized_pb)
    pool.AddSerializedFile(proto.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.Image"))


def _plain(message: Any, depth: int) -> dict[str, Any]:
    """A decoded message in the JSON image's shape: protojson names, enum values by name."""
    from google.protobuf.message import Message

    if depth > MAX_DEPTH:
        raise ManifestError(f"Buf image nests deeper than {MAX_DEPTH} levels")
    out: dict[str, Any] = {}
    for field, value in message.ListFields():
        if field.name in NOT_COMPARED:
            continue
        # repeated or not, told by the value: FieldDescriptor.label is gone in protobuf 7, and
        # FieldDescriptor.is_repeated is not in 4.25
        single = isinstance(value, (Message, str, bytes, int, float))
        items = [value] if single else list(value)
        if field.message_type is not None:
            items = [_plain(item, depth + 1) for item in items]
        elif field.enum_type is not None:
            known = field.enum_type.values_by_number
            items = [known[item].name if item in known else item for item in items]
        elif any(isinstance(item, bytes) for item in items) and field.type == field.TYPE_STRING:
            raise ManifestError(NOT_UTF8)  # upb returns a proto2 string that is not UTF-8 as bytes
        out[field.json_name] = items[0] if single else items
    return out


def _refused(what: str, exc: Exception) -> ManifestError:
    """A ManifestError with protobuf's reason, less upb's `Error parsing message with type '…': `
    and cut to its last 200 characters (json_format puts the cause last)."""
    text = str(exc)
    if any(marker in text for marker in DEPTH_ERRORS):
        return ManifestError(f"Buf image nests deeper than {MAX_DEPTH} levels")
    prefix, sep, rest = text.partition("': ")
    reason = rest if sep and prefix.startswith("Error parsing message") else text
    reason = reason if len(reason) <= 200 else "…" + reason[-199:]
    return ManifestError(f"{what} ({reason or type(exc).__name__})")


def decode_binary_image(data: bytes) -> list[dict[str, Any]]:
    """The files of a binary Buf image / FileDescriptorSet, in the JSON image's shape."""
    from google.protobuf.message import DecodeError

    image = _image_type()()
    try:
        image.ParseFromString(data)
    except DecodeError as exc:
        raise _refused("not a valid binary Buf image", exc) from None
    except UnicodeDecodeError:  # the pure-Python runtime checks UTF-8 while parsing, upb does not
        raise ManifestError(NOT_UTF8) from None
    return [_plain(file, 1) for file in image.file]


def decode_json_image(text: str) -> list[dict[str, Any]]:
    """The files of a JSON Buf image (protojson, camelCase or original field names)."""
    from google.protobuf import json_format

    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError(f"the bundle is not a valid JSON Buf image ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("file"), list):
        raise ManifestError("the bundle is not a Buf image (no `file` list)")
    image = _image_type()()
    try:
        # unknown fields are skipped as in a binary image: ImageFileExtension's others
        # (`moduleInfo`...), descriptor fields newer than the installed protobuf
        json_format.ParseDict(data, image, ignore_unknown_fields=True)
    except (json_format.ParseError, ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        # json_format lets some errors of Python's own through: `"label": 1e999` is OverflowError
        raise _refused("the bundle is not a valid JSON Buf image", exc) from None
    return [_plain(file, 1) for file in image.file]


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


def _json_enum_name(value: Any, prefix: str, table: dict[int, str]) -> str:
    if isinstance(value, int):
        return table.get(value, str(value))
    text = str(value or "")
    return text[len(prefix) :].lower() if text.startswith(prefix) else text.lower()


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
        out["file"] = (("package", package), ("syntax", syntax), ("edition", edition),
                       ("imports", ",".join(deps)))  # fmt: skip
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
        proxy = {"HTTPS_PROXY": CLOSED_PROXY, "HTTP_PROXY": CLOSED_PROXY, "NO_PROXY": ""}
        env = {**os.environ, "BUF_CACHE_DIR": cache, **proxy}
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
        if name.endswith((".binpb", ".image.json")) or name in IMAGE_NAMES:
            yield path
