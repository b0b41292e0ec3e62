"""The frozen settings every stage reads: what the configuration says once it is loaded and
validated (`config/` loads it; nothing below the CLI knows where it came from)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ameide_guard.model import Level

ECOSYSTEMS = ("go", "npm", "python")


@dataclass(frozen=True)
class RuleSetting:
    """A rule's effective level (None: off) and its options, defaults filled in."""

    level: Level | None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    source: str
    exclude: tuple[str, ...]
    zones: Mapping[str, tuple[str, ...]]
    generated: Mapping[str, tuple[str, ...]]
    generated_allow: Mapping[str, tuple[str, ...]]
    proto_package: Mapping[str, tuple[str, ...]]
    sdk_internal: Mapping[str, tuple[str, ...]]
    sdk_packages: Mapping[str, str]
    rules: Mapping[str, RuleSetting]
    per_file_ignores: Mapping[str, tuple[str, ...]]
    digest: str = ""

    def rule(self, rule_id: str) -> RuleSetting:
        return self.rules[rule_id]
