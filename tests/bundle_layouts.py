"""Proto packages in the Buf layouts AG303 must understand, written into tmp_path by the stamp,
AG303 and deep-mode tests (each scenario mutates its own copy)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from harness import scan_dir

from ameide_guard.bundle.stamp import write_stamp
from ameide_guard.config.loader import load_config
from ameide_guard.model import Finding

PKG = "packages/ameide_core_proto"
STAMP = f"{PKG}/.ameide-guard-stamp.json"

ORDERS = """syntax = "proto3";

package ameide.orders.v1;

message Order {
  string id = 1;
  int64 total_cents = 2;
}

service OrderService {
  rpc GetOrder(GetOrderRequest) returns (Order);
}

message GetOrderRequest {
  string id = 1;
}
"""

BILLING = """syntax = "proto3";

package ameide.billing.v1;

message Invoice {
  string id = 1;
}
"""

GEN_YAML = """version: v2
plugins:
  - remote: buf.build/bufbuild/es
    out: gen/ts
"""

GEN_TS = 'export const OrderSchema = { typeName: "ameide.orders.v1.Order" };\n'
GEN_GO = "package ordersv1\n\ntype Order struct{ Id string }\n"

LAYOUTS: dict[str, dict[str, str]] = {
    # buf.yaml v2 at the package root, the module under proto/.
    "v2": {
        "buf.yaml": "version: v2\nmodules:\n  - path: proto\n",
        "buf.gen.yaml": GEN_YAML,
        "proto/ameide/orders/v1/orders.proto": ORDERS,
        "gen/ts/ameide/orders/v1/orders_pb.ts": GEN_TS,
        "gen/go/ameide/orders/v1/orders.pb.go": GEN_GO,
    },
    # buf.yaml v1 in proto/ (its directory is the module root); generation from the package root.
    "v1": {
        "proto/buf.yaml": "version: v1\nbreaking:\n  use: [FILE]\n",
        "buf.gen.yaml": GEN_YAML,
        "proto/ameide/orders/v1/orders.proto": ORDERS,
        "gen/ts/ameide/orders/v1/orders_pb.ts": GEN_TS,
        "gen/go/ameide/orders/v1/orders.pb.go": GEN_GO,
    },
    # A v1 workspace of two modules.
    "workspace": {
        "buf.work.yaml": "version: v1\ndirectories:\n  - orders\n  - billing\n",
        "orders/buf.yaml": "version: v1\n",
        "billing/buf.yaml": "version: v1\n",
        "buf.gen.yaml": GEN_YAML,
        "orders/ameide/orders/v1/orders.proto": ORDERS,
        "billing/ameide/billing/v1/billing.proto": BILLING,
        "gen/ts/ameide/orders/v1/orders_pb.ts": GEN_TS,
        "gen/go/ameide/orders/v1/orders.pb.go": GEN_GO,
    },
}
MAIN_PROTO = {
    "v2": "proto/ameide/orders/v1/orders.proto",
    "v1": "proto/ameide/orders/v1/orders.proto",
    "workspace": "orders/ameide/orders/v1/orders.proto",
}
GENERATED = "gen/ts/ameide/orders/v1/orders_pb.ts"


def make_repo(root: Path, layout: str = "v2", config: str = "# defaults\n") -> Path:
    """A monorepo with the proto package in `layout` and one runtime file beside it."""
    write(root, "ameide-guard.toml", config)
    for rel, text in LAYOUTS[layout].items():
        write(root, f"{PKG}/{rel}", text)
    write(root, "services/orders/main.go", "package main\n\nfunc main() {}\n")
    return root


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8", newline="")
    return path


def stamp(root: Path) -> Path:
    return write_stamp(root, load_config(root))


def ag303(root: Path, **options: object) -> list[Finding]:
    return [f for f in scan_dir(root, **options).findings if f.rule == "AG303"]


def tree_digest(root: Path) -> dict[str, str]:
    """Every file below root with its SHA-256, to prove a command wrote nothing (or one file)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
