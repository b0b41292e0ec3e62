"""Generated import corpora for the differential tests: every import form of each language in
awkward real-world formatting (comments in odd places, line breaks, aliases, quote styles),
mixed with decoys that only mention module names in strings and comments.

Deterministic (seeded) so that a mismatch is reproducible."""

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
    "const s{n} = {q}import x from '{m}'{q};",
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
            lines.append(form.format(m=rng.choice(TS_MODULES), q=_quote_ts(rng), n=n))
        path = directory / f"ts{index}{suffix}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    for index in range(files_per_language):
        lines = [f"package p{index}", ""]
        for n, form in enumerate(rng.sample(GO_FORMS, 5)):
            quote = rng.choice(['"', "`"])
            lines.append(form.format(m=rng.choice(GO_MODULES), q=quote, n=n))
        lines.append('\nvar s = "import \\"buf.build/gen/go/fake\\""\n// import "fmt"\n')
        path = directory / f"go{index}.go"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    for index in range(files_per_language):
        lines = ["import sys", "import typing", "from typing import TYPE_CHECKING", ""]
        for n, form in enumerate(rng.sample(PY_FORMS, 10)):
            lines.append(form.format(m=rng.choice(PY_MODULES), n=n))
        path = directory / f"py{index}.py"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written
