"""The one table that assigns rule ids (ruff's `codes.rs` is the model): id → the module and
class that implement it, under `ameide_guard.checks`. Adding a rule is one line here, one file in
its family's folder and one page in `rules/`; `tests/test_codes.py` holds the table, the classes
and the pages to each other.

Rule modules are imported from this table by name, when the rules are first asked for: the
engine, the config loader and the reporters depend on this table, never on a rule module, so
the rule families sit above the engine they plug into (see the layers in pyproject.toml).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ameide_guard.rule import Rule, RuleMeta

RULES: dict[str, str] = {
    "AG101": "imports.runtime_generated_import:RuntimeGeneratedImport",
    "AG102": "imports.runtime_proto_package_import:RuntimeProtoPackageImport",
    "AG103": "imports.raw_stub_client:RawStubClient",
    "AG104": "imports.sdk_internal_import:SdkInternalImport",
    "AG105": "imports.proto_barrel:ProtoBarrel",
    "AG201": "dependencies.go_mod_replace:GoModReplace",
    "AG202": "dependencies.go_module_path:GoModulePath",
    "AG203": "dependencies.generated_dependency:GeneratedDependency",
    "AG204": "dependencies.unpinned_sdk:UnpinnedSdk",
    "AG301": "layout.service_local_buf_gen:ServiceLocalBufGen",
    "AG302": "layout.stray_proto:StrayProto",
    "AG303": "layout.stale_buf_bundle:StaleBufBundle",
    "AG401": "lockfiles.missing_lockfile:MissingLockfile",
    "AG402": "lockfiles.stale_lockfile:StaleLockfile",
    "AG501": "ci.ci_go_private:CiGoPrivate",
    "AG900": "meta.parse_error:ParseError",
    "AG901": "meta.suppression:SuppressionProblem",
}


def load_rule(rule_id: str) -> type[Rule]:
    """The class the table names for `rule_id`, imported on first use."""
    module_name, _, class_name = RULES[rule_id].partition(":")
    module = importlib.import_module(f"ameide_guard.checks.{module_name}")
    rule: type[Rule] = getattr(module, class_name)
    return rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by id. Imported once per process."""
    return tuple(load_rule(rule_id) for rule_id in sorted(RULES))


def rule_metas() -> tuple[RuleMeta, ...]:
    return tuple(r.meta for r in all_rules())


def resolve_rule_id(name: str) -> str | None:
    """The id for an id or slug (case-insensitive for ids), or None if no rule has that name."""
    if name.upper() in RULES:
        return name.upper()
    for meta in rule_metas():
        if name == meta.slug:
            return meta.id
    return None
