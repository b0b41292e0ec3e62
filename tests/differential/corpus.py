"""Generated import corpora for the differential tests: every import form of each language in
awkward real-world formatting (comments in odd places, line breaks, aliases, quote styles),
mixed with decoys that only mention module names in strings and comments, and respelled as each
language also lets a name be written (`respell_*`: escapes in JS/TS and Go strings, `\\u` escapes
in JS identifiers, NFKC-equal Python identifiers), chosen afresh per seed.

Deterministic (seeded) so that a mismatch is reproducible; a new seed gives new variants
(`AMEIDE_GUARD_CORPUS_SEED`, see the differential tests)."""

from __future__ import annotations

import random
from pathlib import Path

TS_MODULES = [
    "@buf/acme_orders.bufbuild_es/acme/orders/v1/orders_pb.js",
    "@buf/acme_orders.connectrpc_es/acme/orders/v1/orders_connect",
    "@ameide/core-proto",
    "@ameideio/ameide-sdk-ts",
    "./local",
    "../up/one.js",
    "./@buf/not-a-package",
    "node:fs",
    "lodash/fp",
]

TS_FORMS = [
    "import {{ a{n} }} from {q}{m}{q};",
    "import {{\n  a{n},\n  b{n} as c{n}, // trailing comment\n"
    "  /* inner */ d{n},\n}} from {q}{m}{q};",
    "import type {{ T{n} }} from {q}{m}{q};",
    "import {{ type T{n}, type U{n} }} from {q}{m}{q};",
    "import {{ type T{n}, v{n} }} from {q}{m}{q};",
    "import def{n}, * as ns{n} from {q}{m}{q};",
    "import def{n}, {{ x{n} }} from {q}{m}{q}",
    "import {q}{m}{q};",
    "import /* side effect */ {q}{m}{q};",
    "export * from {q}{m}{q};",
    "export * as ns{n} from {q}{m}{q};",
    "export {{ a{n} as b{n} }} from {q}{m}{q};",
    "export type {{ T{n} }} from {q}{m}{q};",
    "export type * from {q}{m}{q};",
    "export type * as tns{n} from {q}{m}{q};",
    "export {{ a{n}, b{n} }}\n  from {q}{m}{q};",
    "export\n{{ c{n} }} from {q}{m}{q};",
    "export type {{ T{n} }}\nfrom {q}{m}{q};",
    "export {{ a{n} }}\nfrom\n{q}{m}{q};",
    "export {{\n  a{n},\n  b{n},\n}}\n  from\n  {q}{m}{q}",
    "export {{ type T{n} }} from {q}{m}{q};",
    "const r{n} = require({q}{m}{q});",
    "const r{n} = require(\n  // why this is here\n  {q}{m}{q}\n);",
    "const {{ a{n} }} = require(`{m}`);",
    "async function f{n}() {{ return await import({q}{m}{q}); }}",
    'const lazy{n} = () => import(/* webpackChunkName: "c{n}" */ {q}{m}{q});',
    "import eq{n} = require({q}{m}{q});",
    "import type teq{n} = require({q}{m}{q});",
    "export import xeq{n} = require({q}{m}{q});",
    "export import xeq{n}b =\n  require(/* why */ {q}{m}{q})\nconst after{n} = 1;",
    "type I{n} = typeof import({q}{m}{q});",
    "let v{n}: import({q}{m}{q}).Thing;",
    "// import fake{n} from {q}{m}{q};",
    "/* export * from {q}{m}{q}; */",
    "const s{n} = \"import x from '{m}'\";",  # a decoy: one string, never a clash of quotes
    'const t{n} = `require("{m}")`;',
    "const u{n} = require(`{m}${{suffix}}`);",
]

GO_MODULES = [
    "buf.build/gen/go/acme/orders/protocolbuffers/go/acme/orders/v1",
    "buf.build/gen/go/acme/orders/connectrpc/go/acme/orders/v1/ordersv1connect",
    "github.com/ameideio/ameide/packages/ameide_core_proto/gen/go/billing/v1",
    "github.com/ameideio/ameide-sdk-go",
    "fmt",
    "net/http",
]

GO_FORMS = [
    "import {q}{m}{q}",
    "import a{n} {q}{m}{q}",
    "import . {q}{m}{q}",
    "import _ {q}{m}{q} // registers codecs",
    "import (\n\t{q}{m}{q}\n)",
    "import (\n\t// leading comment\n\tb{n} {q}{m}{q} // trailing\n\t_ {q}{m}{q}\n)",
    "import /* odd */ c{n} /* places */ {q}{m}{q}",
    "import (\n\n\td{n} {q}{m}{q}\n\n\t. {q}{m}{q}\n)",
]

PY_MODULES = [
    "acme.orders.v1.orders_pb2",
    "acme.orders.v1.orders_pb2_grpc",
    "ameide_core_proto.orders.v1",
    "google.protobuf",
    "ameide_sdk",
    "os.path",
]

PY_FORMS = [
    "import {m}",
    "import {m} as alias{n}",
    "import {m}, json as j{n}",
    "from {m} import thing{n}",
    "from {m} import (\n    a{n},  # comment\n    b{n} as c{n},\n)",
    "from {m} import *",
    "from . import sibling{n}",
    "from .. import parent{n}",
    "from .pkg{n}.mod import name{n}",
    "from {m} \\\n    import cont{n}",
    "import acme.v{n}.\\\n    orders{n}_pb2",
    "from acme \\\n    .v{n} import (b{n}_pb2)",
    "def f{n}():\n    import {m}\n    return {n}",
    "try:\n    from {m} import x{n}\nexcept ImportError:\n    x{n} = None",
    "if TYPE_CHECKING:\n    from {m} import T{n}",
    "if typing.TYPE_CHECKING:\n    import {m}\nelse:\n    from {m} import R{n}",
    "if TYPE_CHECKING:\n    if sys.version_info >= (3, 11):\n        import {m}",
    "class C{n}:\n    import {m}",
    "import os; from {m} import semi{n}",
    "# import {m}",
    "s{n} = 'from {m} import x'",
    '"""\nimport {m}\n"""',
]


def _quote_ts(rng: random.Random) -> str:
    return rng.choice(['"', "'"])


def _escape_js(ch: str, rng: random.Random, octal: bool) -> str:
    """One character as a JS string escape, in a style picked at random."""
    styles = [f"\\u{ord(ch):04x}", f"\\u{{{ord(ch):x}}}", f"\\x{ord(ch):02X}"]
    if octal and ord(ch) < 0o400:
        styles.append(f"\\{ord(ch):o}")
    return rng.choice(styles)


def respell_js(
    text: str, rng: random.Random, octal: bool = False, continuations: bool = True
) -> str:
    """A JS/TS module string's body with some characters escaped and, now and then, a line
    continuation (`\\⏎`, which the string's value drops; not inside a comment, which a line
    break would end)."""
    out = []
    for ch in text:
        roll = rng.random()
        if roll < 0.15:
            out.append(_escape_js(ch, rng, octal))
        elif roll < 0.18 and continuations:
            out.append("\\\n" + ch)
        else:
            out.append(ch)
    return "".join(out)


def respell_js_name(name: str, rng: random.Random) -> str:
    """An identifier with one character written as a `\\u` escape (`requir\\u0065`)."""
    at = rng.randrange(len(name))
    code = ord(name[at])
    escape = rng.choice([f"\\u{code:04x}", f"\\u{{{code:x}}}"])
    return name[:at] + escape + name[at + 1 :]


def respell_go(text: str, rng: random.Random) -> str:
    """A Go import path's body with some characters escaped (`\\x2f`, `\\057`, `\\u002f`,
    `\\U0000002f`)."""
    out = []
    for ch in text:
        if rng.random() < 0.15:
            code = ord(ch)
            out.append(
                rng.choice([f"\\x{code:02x}", f"\\{code:03o}", f"\\u{code:04X}", f"\\U{code:08x}"])
            )
        else:
            out.append(ch)
    return "".join(out)


_NFKC_LETTERS = [
    (0xFF21, 0xFF41),  # fullwidth A, a
    (0x1D400, 0x1D41A),  # mathematical bold A, a
    (0x1D5A0, 0x1D5BA),  # mathematical sans-serif A, a
]


def respell_py(dotted: str, rng: random.Random) -> str:
    """A dotted Python name with some ASCII letters and digits replaced by characters NFKC maps
    back to them (fullwidth, mathematical alphanumerics); CPython reads the same name."""
    out = []
    for ch in dotted:
        if not ch.isascii() or not ch.isalnum() or rng.random() >= 0.2:
            out.append(ch)
        elif ch.isdigit():
            out.append(chr(rng.choice([0xFF10, 0x1D7CE]) + int(ch)))
        else:
            upper, lower = rng.choice(_NFKC_LETTERS)
            base = upper if ch.isupper() else lower
            out.append(chr(base + ord(ch.lower()) - ord("a")))
    return "".join(out)


def write_corpus(directory: Path, files_per_language: int = 12, seed: int = 7) -> list[Path]:
    """Write the corpus; returns the files. Each file mixes several forms and modules."""
    rng = random.Random(seed)
    written: list[Path] = []
    ts_suffixes = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".d.ts"]
    for index in range(files_per_language * 2):
        suffix = ts_suffixes[index % len(ts_suffixes)]
        typescript_only = (
            "type ",
            "import eq",
            "import type",
            "export import",
            ": import(",
            "typeof import",
        )
        lines = []
        for n, form in enumerate(rng.sample(TS_FORMS, 12)):
            if suffix in (".js", ".jsx", ".mjs", ".cjs") and any(
                t in form for t in typescript_only
            ):
                continue
            module, quote = rng.choice(TS_MODULES), _quote_ts(rng)
            if "`" not in form and rng.random() < 0.4:
                commented = form.startswith(("//", "/*"))
                module = respell_js(module, rng, suffix.endswith("js"), not commented)
            line = form.format(m=module, q=quote, n=n)
            if "require(" in line and rng.random() < 0.4:
                line = line.replace("require(", respell_js_name("require", rng) + "(")
            lines.append(line)
        path = directory / f"ts{index}{suffix}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    for index in range(files_per_language):
        lines = [f"package p{index}", ""]
        for n, form in enumerate(rng.sample(GO_FORMS, 5)):
            quote, module = rng.choice(['"', "`"]), rng.choice(GO_MODULES)
            if quote == '"' and rng.random() < 0.4:
                module = respell_go(module, rng)
            lines.append(form.format(m=module, q=quote, n=n))
        lines.append('\nvar s = "import \\"buf.build/gen/go/fake\\""\n// import "fmt"\n')
        path = directory / f"go{index}.go"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    for index in range(files_per_language):
        lines = ["import sys", "import typing", "from typing import TYPE_CHECKING", ""]
        for n, form in enumerate(rng.sample(PY_FORMS, 10)):
            module = rng.choice(PY_MODULES)
            if rng.random() < 0.3:
                module = respell_py(module, rng)
            lines.append(form.format(m=module, n=n))
        path = directory / f"py{index}.py"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written
