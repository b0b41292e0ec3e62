"""Write a deterministic synthetic Ameide-style monorepo for the benchmark (issue 7).

    python benchmarks/generate.py /tmp/ag-bench [--files 20000] [--seed 7] [--expected FILE]

The tree has the Ameide layout the embedded default config describes: the shared proto package
(Buf module, .proto sources, committed generated Go/TS/Python code), the three SDKs, and services
in TypeScript (pnpm workspace: package.json, one root pnpm-lock.yaml), Go (go.mod, go.sum) and
Python (pyproject.toml, uv.lock), with tests, READMEs and configs. Manifests and lockfiles agree
with each other, so the lockfile rules do their full work and report nothing. Exactly 1% of the
runtime source files (rounded, at least one) carry one banned import (AG101 or AG102, in the
forms semgrep's rules in `semgrep-rules.yml` also recognise); `--expected` writes their
`(path, line, rule)` list as JSON.

The output is a pure function of (files, seed): same arguments, same bytes. The directory is
initialised as a git repository with one commit (fixed author and dates) so that ameide-guard
discovers files with `git ls-files`, as in a real checkout. The directory must not exist or be
empty, and must not be inside this repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SDK_VERSION = "1.4.2"
PROTO_ROOT = "packages/ameide_core_proto"
DOMAINS = (
    "users",
    "billing",
    "orders",
    "catalog",
    "inventory",
    "identity",
    "payments",
    "search",
    "notify",
    "reports",
    "tenants",
    "workflow",
)
WORDS = (
    "account",
    "batch",
    "cursor",
    "delta",
    "entry",
    "filter",
    "grant",
    "handle",
    "index",
    "job",
    "key",
    "ledger",
    "metric",
    "node",
    "owner",
    "page",
    "quota",
    "record",
    "scope",
    "token",
    "usage",
    "value",
    "window",
)
SERVICE_FILES = 60
"""Files per service: manifests, sources, tests and a README."""


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str


@dataclass
class Tree:
    """Files to write (path → text) and the violations planted in them."""

    files: dict[str, str] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    def add(self, path: str, text: str) -> None:
        self.files[path] = text


def fake_hash(*parts: str) -> str:
    return b64encode(hashlib.sha256("\0".join(parts).encode()).digest()).decode()


def sha512(*parts: str) -> str:
    return "sha512-" + b64encode(hashlib.sha512("\0".join(parts).encode()).digest()).decode()


def sha256_hex(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# ---------------------------------------------------------------- source bodies


def ts_body(rng: random.Random, stem: str, tsx: bool) -> list[str]:
    """A plausible TS module body: an interface, a few functions, maybe a component."""
    name = stem.replace("-", "_").title().replace("_", "")
    lines = [f"export interface {name}Options {{"]
    for word in rng.sample(WORDS, 4):
        lines.append(f"  {word}: {rng.choice(('string', 'number', 'boolean'))};")
    lines += ["}", ""]
    for i in range(rng.randint(2, 6)):
        word = rng.choice(WORDS)
        lines += [
            f"export async function {word}{name}{i}(opts: {name}Options): Promise<number> {{",
            f"  const {word} = opts.{word} ?? {rng.randint(1, 99)};",
            f"  if (!{word}) {{",
            f'    throw new Error("{word} missing in {stem}");',
            "  }",
            f"  return Number({word}) * {rng.randint(2, 9)};",
            "}",
            "",
        ]
    if tsx:
        lines += [
            f"export function {name}View(props: {{ title: string }}) {{",
            f'  return <section className="{stem}"><h2>{{props.title}}</h2></section>;',
            "}",
            "",
        ]
    return lines


def go_body(rng: random.Random, stem: str) -> list[str]:
    name = stem.replace("-", "_").title().replace("_", "")
    lines = [f"type {name} struct {{"]
    for word in rng.sample(WORDS, 4):
        lines.append(f"\t{word.title()} {rng.choice(('string', 'int64', 'bool'))}")
    lines += ["}", ""]
    for i in range(rng.randint(2, 6)):
        word = rng.choice(WORDS)
        lines += [
            f"func (x *{name}) {word.title()}{i}(ctx context.Context) (int, error) {{",
            "\tif ctx.Err() != nil {",
            f'\t\treturn 0, fmt.Errorf("{stem}: %w", ctx.Err())',
            "\t}",
            f"\treturn {rng.randint(1, 99)} * len(strings.TrimSpace(x.String())), nil",
            "}",
            "",
        ]
    lines += [
        f"func (x *{name}) String() string {{",
        f'\treturn fmt.Sprintf("{name}(%v)", *x)',
        "}",
        "",
    ]
    return lines


def py_body(rng: random.Random, stem: str) -> list[str]:
    name = stem.replace("-", "_").title().replace("_", "")
    lines = ["", "", "@dataclass", f"class {name}:"]
    for word in rng.sample(WORDS, 4):
        lines.append(f"    {word}: {rng.choice(('str', 'int', 'bool'))}")
    lines.append("")
    for i in range(rng.randint(2, 6)):
        word = rng.choice(WORDS)
        lines += [
            f"    def {word}_{i}(self, factor: int = {rng.randint(1, 9)}) -> int:",
            f'        """Scale {word} for {stem}."""',
            f"        if not self.{word}:",
            f'            raise ValueError("{word} missing in {stem}")',
            f"        return len(str(self.{word})) * factor",
            "",
        ]
    return lines


# ---------------------------------------------------------------- banned imports (planted)


def ts_violation(rng: random.Random) -> tuple[str, str]:
    domain = rng.choice(DOMAINS)
    if rng.random() < 0.5:
        return "AG101", (
            f"import {{ {domain.title()}Service }} from "
            f'"@buf/ameideio_ameide.bufbuild_es/ameide/{domain}/v1/{domain}_pb.js";'
        )
    return "AG102", f'import {{ {domain.title()}Schema }} from "@ameide/core-proto";'


def go_violation(rng: random.Random) -> tuple[str, str]:
    domain = rng.choice(DOMAINS)
    if rng.random() < 0.5:
        return "AG101", (
            f'\t{domain}v1 "buf.build/gen/go/ameideio/ameide/protocolbuffers/go/ameide/{domain}/v1"'
        )
    return "AG102", (
        f'\t{domain}pb "github.com/ameideio/ameide/packages/ameide_core_proto/gen/go/ameide/'
        f'{domain}/v1"'
    )


def py_violation(rng: random.Random) -> tuple[str, str]:
    domain = rng.choice(DOMAINS)
    if rng.random() < 0.5:
        return "AG101", f"from ameide.{domain}.v1 import {domain}_pb2"
    return "AG102", f"from ameide_core_proto.{domain}.v1 import {domain}_client"


# ---------------------------------------------------------------- one source file per language


@dataclass(frozen=True)
class SourcePlan:
    path: str
    language: str
    """ts, tsx, go or py."""
    zone: str
    """runtime, test, sdk or proto (only runtime files get violations)."""
    service: str


def ts_source(plan: SourcePlan, rng: random.Random, banned: str | None) -> tuple[list[str], int]:
    stem = Path(plan.path).stem.split(".")[0]
    imports = [
        'import { createAmeideClient, type AmeideClient } from "@ameideio/ameide-sdk-ts";',
        'import { z } from "zod";',
    ]
    if plan.zone == "test":
        imports.insert(0, 'import { describe, expect, it } from "vitest";')
        if rng.random() < 0.3:
            imports.append('import { UsersSchema } from "@ameide/core-proto";')
    if rng.random() < 0.5:
        imports.append(f'import {{ helper }} from "../lib/{rng.choice(WORDS)}";')
    if plan.language == "tsx":
        imports.insert(0, 'import React from "react";')
    line = 0
    if banned is not None:
        imports.insert(1, banned)
        line = 2
    head = [f"// {plan.service}: {stem}"]
    if rng.random() < 0.02:
        head.append("// generated types live in ameide_core_proto; never import them here")
    body = ts_body(rng, stem, plan.language == "tsx")
    return [*head, *imports, "", *body], (line + len(head) if line else 0)


def go_source(plan: SourcePlan, rng: random.Random, banned: str | None) -> tuple[list[str], int]:
    stem = Path(plan.path).stem
    package = "main" if "/cmd/" in plan.path else Path(plan.path).parent.name.replace("-", "")
    imports = ['\t"context"', '\t"fmt"', '\t"strings"', ""]
    imports.append('\tameide "github.com/ameideio/ameide-sdk-go"')
    if plan.zone == "test":
        imports.insert(3, '\t"testing"')
        if rng.random() < 0.3:
            imports.append(
                '\tuserspb "github.com/ameideio/ameide/packages/ameide_core_proto/gen/go/ameide/'
                'users/v1"'
            )
    head = [f"// Package {package}: {plan.service}.", f"package {package}", "", "import ("]
    line = 0
    if banned is not None:
        imports.append(banned)
        line = len(head) + len(imports)
    lines = [*head, *imports, ")", "", "var _ = ameide.Version", ""]
    if rng.random() < 0.02:
        lines.append("// Types from ameide_core_proto are reached through the SDK only.")
    return [*lines, *go_body(rng, stem)], line


def py_source(plan: SourcePlan, rng: random.Random, banned: str | None) -> tuple[list[str], int]:
    stem = Path(plan.path).stem
    head = [f'"""{plan.service}: {stem}."""', "", "from __future__ import annotations", ""]
    imports = ["import logging", "from dataclasses import dataclass", "", "import ameide_sdk"]
    if plan.zone == "test":
        imports.insert(0, "import pytest")
        if rng.random() < 0.3:
            imports.append("from ameide_core_proto.users.v1 import users_pb2")
    line = 0
    if banned is not None:
        imports.append(banned)
        line = len(head) + len(imports)
    tail = ["", "log = logging.getLogger(__name__)"]
    if rng.random() < 0.02:
        tail.append("# ameide_core_proto types are reached through ameide_sdk only")
    return [*head, *imports, *tail, *py_body(rng, stem)], line


SOURCE_WRITERS: dict[str, Callable[..., tuple[list[str], int]]] = {
    "ts": ts_source,
    "tsx": ts_source,
    "go": go_source,
    "py": py_source,
}
VIOLATIONS: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "ts": ts_violation,
    "tsx": ts_violation,
    "go": go_violation,
    "py": py_violation,
}


# ---------------------------------------------------------------- services


@dataclass
class Service:
    name: str
    language: str
    """ts, go or py."""
    sources: list[SourcePlan] = field(default_factory=list)
    others: dict[str, str] = field(default_factory=dict)


def plan_service(name: str, language: str, budget: int, rng: random.Random) -> Service:
    """Lay out a service's files within `budget` files (manifests and README included)."""
    base = f"services/{name}"
    svc = Service(name, language)
    svc.others[f"{base}/README.md"] = f"# {name}\n\nThe {name} service.\n"
    if language == "ts":
        svc.others[f"{base}/package.json"] = ""  # filled by the workspace writer
        svc.others[f"{base}/tsconfig.json"] = json.dumps(
            {"compilerOptions": {"strict": True, "jsx": "react-jsx", "module": "nodenext"}},
            indent=2,
        )
    elif language == "go":
        svc.others[f"{base}/go.mod"] = ""
        svc.others[f"{base}/go.sum"] = ""
    else:
        svc.others[f"{base}/pyproject.toml"] = ""
        svc.others[f"{base}/uv.lock"] = ""
    count = max(0, budget - len(svc.others))
    module = name.replace("-", "_")
    for i in range(count):
        word = WORDS[i % len(WORDS)]
        is_test = i % 5 == 4
        if language == "ts":
            ext = "tsx" if i % 7 == 3 else "ts"
            if is_test:
                path, ext = f"{base}/src/__tests__/{word}{i}.test.ts", "ts"
            else:
                folder = ("handlers", "lib", "components")[i % 3]
                path = f"{base}/src/{folder}/{word}{i}.{ext}"
        elif language == "go":
            ext = "go"
            folder = "cmd/server" if i == 0 else f"internal/{word}"
            suffix = "_test" if is_test else ""
            path = f"{base}/{folder}/{word}{i}{suffix}.go"
        else:
            ext = "py"
            path = (
                f"{base}/tests/test_{word}{i}.py"
                if is_test
                else f"{base}/src/{module}/{word}{i}.py"
            )
        zone = "test" if is_test else "runtime"
        svc.sources.append(SourcePlan(path, ext, zone, name))
    return svc


NPM_DEPS = {"zod": ("^3.23.8", "3.23.8"), "react": ("^18.3.1", "18.3.1")}
NPM_DEV = {"typescript": ("^5.4.5", "5.4.5"), "vitest": ("^1.6.0", "1.6.0")}
GO_DEPS = {
    "github.com/ameideio/ameide-sdk-go": f"v{SDK_VERSION}",
    "github.com/google/uuid": "v1.6.0",
    "golang.org/x/sync": "v0.7.0",
}
PY_DEPS = {"ameide-sdk": SDK_VERSION, "pydantic": "2.7.1", "httpx": "0.27.0"}


def package_json(name: str, deps: dict[str, str], dev: dict[str, str]) -> str:
    doc = {"name": name, "version": "1.0.0", "private": True, "dependencies": deps}
    if dev:
        doc["devDependencies"] = dev
    return json.dumps(doc, indent=2) + "\n"


def pnpm_lock(importers: dict[str, tuple[dict[str, str], dict[str, str]]]) -> str:
    """A pnpm v9 lockfile agreeing with every importer's package.json."""
    out = [
        "lockfileVersion: '9.0'",
        "",
        "settings:",
        "  autoInstallPeers: true",
        "  excludeLinksFromLockfile: false",
        "",
        "importers:",
        "",
    ]
    resolved: dict[str, str] = {}
    for path, (deps, dev) in sorted(importers.items()):
        out.append(f"  {path}:")
        for section, table in (("dependencies", deps), ("devDependencies", dev)):
            if not table:
                continue
            out.append(f"    {section}:")
            for dep, spec in sorted(table.items()):
                version = spec.lstrip("^~")
                resolved[f"{dep}@{version}"] = dep
                out += [f"      {quote_yaml(dep)}:", f"        specifier: {spec}"]
                out.append(f"        version: {version}")
        out.append("")
    out += ["packages:", ""]
    for key in sorted(resolved):
        out += [f"  {quote_yaml(key)}:", f"    resolution: {{integrity: {sha512(key)}}}", ""]
    out += ["snapshots:", ""]
    for key in sorted(resolved):
        out += [f"  {quote_yaml(key)}: {{}}", ""]
    return "\n".join(out)


def quote_yaml(key: str) -> str:
    return f"'{key}'" if key.startswith("@") else key


def go_mod(module: str, deps: dict[str, str]) -> str:
    lines = [f"module {module}", "", "go 1.22", "", "require ("]
    lines += [f"\t{dep} {version}" for dep, version in sorted(deps.items())]
    return "\n".join([*lines, ")", ""])


def go_sum(deps: dict[str, str]) -> str:
    lines = []
    for dep, version in sorted(deps.items()):
        lines.append(f"{dep} {version} h1:{fake_hash(dep, version)}")
        lines.append(f"{dep} {version}/go.mod h1:{fake_hash(dep, version, 'mod')}")
    return "\n".join(lines) + "\n"


def pyproject(name: str, deps: dict[str, str]) -> str:
    listed = ", ".join(f'"{dep}=={version}"' for dep, version in sorted(deps.items()))
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{listed}]\n"
    )


def uv_lock(name: str, deps: dict[str, str]) -> str:
    """A uv lockfile for a single (non-workspace) project with `deps` pinned exactly."""
    out = ["version = 1", "revision = 2", 'requires-python = ">=3.11"', ""]
    packages = {name: None, **{dep: version for dep, version in deps.items()}}
    for pkg in sorted(packages):
        version = packages[pkg]
        out += ["[[package]]", f'name = "{pkg}"']
        if version is None:
            out += ['version = "0.1.0"', 'source = { virtual = "." }', "dependencies = ["]
            out += [f'    {{ name = "{dep}" }},' for dep in sorted(deps)]
            out += ["]", "", "[package.metadata]", "requires-dist = ["]
            out += [
                f'    {{ name = "{dep}", specifier = "=={v}" }},' for dep, v in sorted(deps.items())
            ]
            out += ["]", ""]
            continue
        wheel = f"{pkg.replace('-', '_')}-{version}-py3-none-any.whl"
        out += [
            f'version = "{version}"',
            'source = { registry = "https://pypi.org/simple" }',
            f'wheels = [{{ url = "https://files.pythonhosted.org/packages/{wheel}", '
            f'hash = "sha256:{sha256_hex(pkg, version)}", size = 1024 }}]',
            "",
        ]
    return "\n".join(out)


# ---------------------------------------------------------------- the proto package and SDKs


def proto_package(tree: Tree, count: int) -> None:
    """Buf module, .proto sources and committed generated code (Go, TS, Python)."""
    tree.add(
        f"{PROTO_ROOT}/buf.yaml",
        "version: v2\nmodules:\n  - path: proto\n    name: buf.build/ameideio/ameide\n"
        "lint:\n  use: [STANDARD]\nbreaking:\n  use: [FILE]\n",
    )
    tree.add(
        f"{PROTO_ROOT}/buf.gen.yaml",
        "version: v2\nplugins:\n  - remote: buf.build/protocolbuffers/go\n    out: gen/go\n"
        "  - remote: buf.build/bufbuild/es\n    out: gen/ts\n"
        "  - remote: buf.build/protocolbuffers/python\n    out: gen/python\n",
    )
    tree.add(f"{PROTO_ROOT}/buf.lock", "# Generated by buf. DO NOT EDIT.\nversion: v2\n")
    tree.add(f"{PROTO_ROOT}/package.json", package_json("@ameide/core-proto", {}, {}))
    for i in range(count):
        domain = DOMAINS[i % len(DOMAINS)]
        stem = f"{domain}{i}"
        proto = f"proto/ameide/{domain}/v1/{stem}.proto"
        tree.add(
            f"{PROTO_ROOT}/{proto}",
            f'syntax = "proto3";\n\npackage ameide.{domain}.v1;\n\n'
            f"message {stem.title()}Request {{\n  string id = 1;\n}}\n\n"
            f"message {stem.title()}Response {{\n  string id = 1;\n  int64 count = 2;\n}}\n\n"
            f"service {stem.title()}Service {{\n"
            f"  rpc Get({stem.title()}Request) returns ({stem.title()}Response);\n}}\n",
        )
        tree.add(
            f"{PROTO_ROOT}/gen/go/ameide/{domain}/v1/{stem}.pb.go",
            f"// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: {proto}\n\n"
            f"package {domain}v1\n\nimport (\n"
            '\tprotoreflect "google.golang.org/protobuf/reflect/protoreflect"\n'
            '\tprotoimpl "google.golang.org/protobuf/runtime/protoimpl"\n)\n\n'
            f"type {stem.title()}Request struct {{\n\tstate protoimpl.MessageState\n"
            "\tId string\n}\n\n"
            f"func (x *{stem.title()}Request) ProtoReflect() protoreflect.Message "
            "{ return nil }\n",
        )
        tree.add(
            f"{PROTO_ROOT}/gen/ts/ameide/{domain}/v1/{stem}_pb.ts",
            '// @generated by protoc-gen-es v2 with parameter "target=ts"\n'
            'import type { GenFile, GenMessage } from "@bufbuild/protobuf/codegenv1";\n'
            'import { fileDesc, messageDesc } from "@bufbuild/protobuf/codegenv1";\n\n'
            f'export const file_{stem}: GenFile = fileDesc("{fake_hash(stem)}");\n'
            f"export const {stem.title()}RequestSchema: GenMessage<unknown> = "
            f"messageDesc(file_{stem}, 0);\n",
        )
        tree.add(
            f"{PROTO_ROOT}/gen/python/ameide/{domain}/v1/{stem}_pb2.py",
            "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
            "from google.protobuf import descriptor as _descriptor\n"
            "from google.protobuf import descriptor_pool as _descriptor_pool\n"
            "from google.protobuf.internal import builder as _builder\n\n"
            f"DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'{stem}')\n"
            "_globals = globals()\n"
            f"_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, '{stem}_pb2', _globals)\n",
        )


def sdks(tree: Tree, count: int) -> None:
    """The three SDKs, each re-exporting generated code (their job; nothing to report)."""
    ts_root, go_root, py_root = (
        "packages/ameide_sdk_ts",
        "packages/ameide_sdk_go",
        "packages/ameide_sdk_python",
    )
    tree.add(f"{go_root}/go.mod", go_mod("github.com/ameideio/ameide-sdk-go", {}))
    tree.add(f"{py_root}/pyproject.toml", pyproject("ameide-sdk", {}))
    tree.add(f"{py_root}/uv.lock", uv_lock("ameide-sdk", {}))
    for i in range(count):
        domain = DOMAINS[i % len(DOMAINS)]
        tree.add(
            f"{ts_root}/src/{domain}{i}.ts",
            f'export * from "@ameide/core-proto/{domain}/v1/{domain}_pb.js";\n'
            f'import {{ createClient }} from "@connectrpc/connect";\n'
            f"export const {domain}{i} = createClient;\n",
        )
        tree.add(
            f"{go_root}/{domain}{i}.go",
            f"package ameide\n\nimport (\n\t{domain}v1 "
            f'"buf.build/gen/go/ameideio/ameide/protocolbuffers/go/ameide/{domain}/v1"\n)\n\n'
            f"type {domain.title()}{i} = {domain}v1.Request\n",
        )
        tree.add(
            f"{py_root}/src/ameide_sdk/{domain}{i}.py",
            f"from ameide_core_proto.{domain}.v1 import {domain}_pb2\n\n"
            f"{domain.upper()}{i} = {domain}_pb2\n",
        )
    tree.add(f"{go_root}/version.go", 'package ameide\n\nconst Version = "1.4.2"\n')


# ---------------------------------------------------------------- the whole tree


LANGS = ("ts", "go", "py")


def build(total: int, seed: int) -> Tree:
    """Plan and render every file; exactly `total` files (or a few more for tiny totals)."""
    rng = random.Random(seed)
    tree = Tree()
    tree.add("README.md", "# ameide (synthetic benchmark monorepo)\n")
    tree.add(".gitignore", "node_modules/\ndist/\n.venv/\n")
    tree.add("pnpm-workspace.yaml", "packages:\n  - 'services/*'\n  - 'packages/ameide_sdk_ts'\n")
    proto_count = max(2, total // 200)
    proto_package(tree, proto_count)
    sdk_count = max(2, total // 400)
    sdks(tree, sdk_count)
    fixed = len(tree.files) + 3  # root package.json, pnpm-lock.yaml, sdk package.json
    services: list[Service] = []
    remaining = max(0, total - fixed)
    index = 0
    while remaining > 0:
        budget = min(SERVICE_FILES, remaining)
        language = LANGS[index % len(LANGS)]
        services.append(plan_service(f"{language}-svc-{index:04d}", language, budget, rng))
        remaining -= budget
        index += 1

    runtime = [p for svc in services for p in svc.sources if p.zone == "runtime"]
    all_sources = sum(len(svc.sources) for svc in services)
    wanted = max(1, round(all_sources / 100))
    violators = {p.path for p in rng.sample(runtime, min(wanted, len(runtime)))}

    importers: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    root_dev = {k: v[0] for k, v in NPM_DEV.items()}
    tree.add("package.json", package_json("ameide", {}, root_dev))
    importers["."] = ({}, root_dev)
    sdk_deps = {"@connectrpc/connect": "^2.0.0"}
    tree.add(
        "packages/ameide_sdk_ts/package.json", package_json("@ameideio/ameide-sdk-ts", sdk_deps, {})
    )
    importers["packages/ameide_sdk_ts"] = (sdk_deps, {})
    for svc in services:
        base = f"services/{svc.name}"
        for path, text in svc.others.items():
            tree.add(path, text)
        if svc.language == "ts":
            deps = {
                "@ameideio/ameide-sdk-ts": SDK_VERSION,
                **{k: v[0] for k, v in NPM_DEPS.items()},
            }
            dev = {k: v[0] for k, v in NPM_DEV.items()}
            tree.add(f"{base}/package.json", package_json(f"@ameide/{svc.name}", deps, dev))
            importers[base] = (deps, dev)
        elif svc.language == "go":
            module = f"github.com/ameideio/ameide/services/{svc.name}"
            tree.add(f"{base}/go.mod", go_mod(module, GO_DEPS))
            tree.add(f"{base}/go.sum", go_sum(GO_DEPS))
        else:
            tree.add(f"{base}/pyproject.toml", pyproject(svc.name, PY_DEPS))
            tree.add(f"{base}/uv.lock", uv_lock(svc.name, PY_DEPS))
        for plan in svc.sources:
            banned = None
            rule = ""
            if plan.path in violators:
                rule, banned = VIOLATIONS[plan.language](rng)
            lines, line = SOURCE_WRITERS[plan.language](plan, rng, banned)
            tree.add(plan.path, "\n".join(lines) + "\n")
            if banned is not None:
                tree.violations.append(Violation(plan.path, line, rule))
    tree.add("pnpm-lock.yaml", pnpm_lock(importers))
    tree.violations.sort(key=lambda v: (v.path, v.line))
    return tree


def write(tree: Tree, out: Path) -> None:
    for path, text in sorted(tree.files.items()):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def git_commit(out: Path) -> None:
    """One commit with a fixed identity and date, so the repository is the same every time."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    }
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "synthetic monorepo"],
    ):
        subprocess.run(["git", *args], cwd=out, env=env, check=True)


def check_target(out: Path) -> None:
    resolved = out.resolve()
    if resolved == REPO or REPO in resolved.parents:
        raise SystemExit(f"{out}: refusing to write inside the ameide-guard repository")
    if resolved.exists() and any(resolved.iterdir()):
        raise SystemExit(f"{out}: exists and is not empty; pass a new directory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="where to write (new or empty; e.g. /tmp/x)")
    parser.add_argument("--files", type=int, default=20_000, help="number of files (20000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--expected", type=Path, help="write the planted violations here (JSON)")
    parser.add_argument("--no-git", action="store_true", help="do not init/commit a git repo")
    args = parser.parse_args(argv)
    check_target(args.directory)
    tree = build(args.files, args.seed)
    args.directory.mkdir(parents=True, exist_ok=True)
    write(tree, args.directory)
    if not args.no_git:
        git_commit(args.directory)
    if args.expected is not None:
        args.expected.write_text(
            json.dumps([vars(v) for v in tree.violations], indent=1) + "\n", encoding="utf-8"
        )
    sources = sum(1 for p in tree.files if p.endswith((".ts", ".tsx", ".go", ".py")))
    print(
        f"wrote {len(tree.files)} files ({sources} sources, {len(tree.violations)} violations) "
        f"to {args.directory}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
