"""AG103 raw-stub-client: runtime code builds an outbound client straight from generated stubs
instead of the SDK; serving (Go `Register…Server`, Python `add_…Servicer_to_server`) stays
allowed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ameide_guard.checks.imports.common import LANGUAGE_NAMES, is_generated_target
from ameide_guard.model import CallRef, Finding, ImportRef, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta
from ameide_guard.scan.repo import SourceFile
from ameide_guard.scan.targets import ImportTarget, TargetKind, strip_js_extension

_MAJOR_VERSION = re.compile(r"v[0-9]+")


_TS_GENERATED_STEMS = ("_connect", "_pb", "_grpc_pb")


def go_package_names(imp: ImportRef) -> tuple[str, ...]:
    """Names a Go import can be referred to by. An alias wins; otherwise the package name is
    unknown without reading the package, so every name Go code generators use is accepted: the
    last element (`ordersv1connect`), and for a `v1`-style last element the one before it
    (`orders`) and the two joined (`ordersv1`, what buf's managed mode names packages)."""
    if imp.alias is not None:
        return () if imp.alias in ("_", ".") else (imp.alias,)
    elements = [e for e in imp.module.split("/") if e]
    if not elements:
        return ()
    names = [_go_identifier(elements[-1])]
    if _MAJOR_VERSION.fullmatch(elements[-1]) and len(elements) > 1:
        previous = _go_identifier(elements[-2])
        names += [previous, previous + elements[-1]]
    return tuple(n for n in names if n)


def _go_identifier(element: str) -> str:
    """The package name `goimports` guesses from a path element (`go-yaml.v3` → `yaml`)."""
    return re.sub(r"[^A-Za-z0-9_]", "", element.removeprefix("go-").split(".")[0])


def python_origins(imports: tuple[ImportRef, ...]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Local name → the dotted path it stands for, plus the modules `*`-imported. Imports under
    `if TYPE_CHECKING:` bind nothing at run time and are skipped."""
    bound: dict[str, str] = {}
    wildcards: list[str] = []
    for imp in imports:
        if imp.type_only:
            continue
        if imp.kind == "py-import":
            for local in imp.bindings:
                bound[local] = imp.module if imp.alias else local
        elif imp.kind == "py-from":
            real = [n for n in imp.names if n != "*"]
            for name, local in zip(real, imp.bindings, strict=False):
                bound[local] = (
                    f"{imp.module}.{name}" if not imp.module.endswith(".") else (imp.module + name)
                )
            if "*" in imp.names:
                wildcards.append(imp.module)
    return bound, tuple(wildcards)


def python_stub_origin(call: CallRef, bound: dict[str, str], wildcards: tuple[str, ...]) -> str:
    """The full dotted path a `…Stub(` callee names (`g.FooStub` with `g` bound to
    `x.foo_pb2_grpc` → `x.foo_pb2_grpc.FooStub`), or "" if its leading name is unbound."""
    head, _, rest = call.callee.partition(".")
    if head in bound:
        return f"{bound[head]}.{rest}" if rest else bound[head]
    if not rest:
        for module in wildcards:
            if _grpc_module(module):
                return f"{module}.{head}" if not module.endswith(".") else module + head
    return ""


def _grpc_module(dotted: str) -> str:
    """The `*_pb2_grpc` module in a dotted path (its prefix up to that segment), or ""."""
    parts = dotted.split(".")
    for index, part in enumerate(parts):
        if part.endswith("_pb2_grpc"):
            return ".".join(parts[: index + 1])
    return ""


def _ts_generated_local(target: ImportTarget) -> bool:
    """A relative import of a service's own generated file (`./gen/orders_connect.js`)."""
    if target.kind is not TargetKind.LOCAL or target.path is None:
        return False
    stem = strip_js_extension(posixpath.basename(target.path))
    return stem.endswith(_TS_GENERATED_STEMS)


class RawStubClient(Rule):
    meta = RuleMeta(
        id="AG103",
        slug="raw-stub-client",
        name="RawStubClient",
        short="Runtime code builds an outbound client straight from generated stubs instead of "
        "using the SDK's client.",
        default_level=Level.ERROR,
        tags=("architecture", "sdk"),
        source_zones=("runtime",),
    )

    def check_source(self, file: SourceFile, ctx: RuleContext) -> Iterator[Finding]:
        # Runtime only: tests may stand up raw clients against in-process test servers (their
        # generated imports are judged by AG101/AG102 already).
        if file.zone is not Zone.RUNTIME or not file.facts.calls:
            return
        hits = {"go": self._go, "python": self._python}.get(file.ecosystem, self._ts)(file)
        for call, origin in hits:
            shown = f"{call.args[0].strip()}, …" if file.ecosystem == "npm" else "…"
            yield ctx.finding(
                file.path,
                call.span,
                f"`{call.callee}({shown})` builds a client straight from generated stubs "
                f"(`{origin}`): services call APIs only through the SDK. Use the client "
                f"{_sdk_client_hint(file)} instead; serving with generated code stays allowed.",
                key=f"{call.callee}:{origin}",
            )

    @staticmethod
    def _go(file: SourceFile) -> Iterator[tuple[CallRef, str]]:
        bound: dict[str, str] = {}
        dotted: list[str] = []  # generated packages imported with `.`: their names unqualified
        for imp, target in zip(file.facts.imports, file.targets, strict=True):
            if is_generated_target(target):
                if imp.alias == ".":
                    dotted.append(imp.module)
                for name in go_package_names(imp):
                    bound.setdefault(name, imp.module)
        for call in file.facts.calls:
            package, qualified, _ = call.callee.partition(".")
            if qualified and package in bound:
                yield call, bound[package]
            elif not qualified and dotted:
                yield call, dotted[0]

    @staticmethod
    def _python(file: SourceFile) -> Iterator[tuple[CallRef, str]]:
        bound, wildcards = python_origins(file.facts.imports)
        allow = file.repo.policy.allow["python"]
        for call in file.facts.calls:
            module = _grpc_module(python_stub_origin(call, bound, wildcards))
            if module and allow.match(module.lstrip(".")) is None:
                yield call, module

    @staticmethod
    def _ts(file: SourceFile) -> Iterator[tuple[CallRef, str]]:
        bound: dict[str, str] = {}
        for imp, target in zip(file.facts.imports, file.targets, strict=True):
            if imp.type_only:  # a type-only import binds no value a client could be built on
                continue
            if is_generated_target(target) or _ts_generated_local(target):
                for name in imp.bindings:
                    bound.setdefault(name, imp.module)
        for call in file.facts.calls:
            if not call.args:
                continue
            head = re.split(r"[.\s\[(]", call.args[0].strip(), maxsplit=1)[0]
            if head in bound:
                yield call, bound[head]


def _sdk_client_hint(file: SourceFile) -> str:
    eco = file.ecosystem
    return f"of the {LANGUAGE_NAMES[eco]} SDK `{file.repo.config.sdk_packages[eco]}`"
