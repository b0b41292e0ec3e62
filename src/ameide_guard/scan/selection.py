"""Which rules run, and the literals that make a source file worth parsing for them (the
prefilter is sound: a file without any of its zone's literals cannot give a source finding)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ameide_guard.codes import all_rules
from ameide_guard.formats.globs import literal_of
from ameide_guard.parsers.suppressions import MARKER
from ameide_guard.rule import SOURCE_ZONES, Rule, RuleContext
from ameide_guard.scan.analysis import Prefilter
from ameide_guard.scan.options import ScanOptions
from ameide_guard.settings import Config


def enabled_rules(config: Config, options: ScanOptions) -> list[tuple[Rule, RuleContext]]:
    """Instantiate the rules that are on in config and pass --select/--ignore."""
    chosen = []
    for rule_cls in all_rules():
        meta = rule_cls.meta
        setting = config.rule(meta.id)
        if setting.level is None:
            continue
        if options.select is not None and meta.id not in options.select:
            continue
        if meta.id in options.ignore:
            continue
        chosen.append((rule_cls(), RuleContext(meta, setting.level, setting.options, config)))
    return chosen


def _literal_groups(config: Config) -> dict[str, set[str]]:
    """The config-derived literals by group (see `RuleMeta.pattern_groups`)."""

    def of(table: Mapping[str, tuple[str, ...]]) -> set[str]:
        return {literal_of(p) for eco, patterns in table.items() if eco != "pypi" for p in patterns}

    def zone_dirs(zone: str) -> set[str]:
        names = set()
        for pattern in config.zones[zone]:
            last = pattern.rstrip("/").rsplit("/", 1)[-1]
            names.add(last if last and not set(last) & set("*?[") else "../")
        return names

    return {
        "generated": of(config.generated),
        "proto-package": of(config.proto_package),
        "sdk-internal": of(config.sdk_internal),
        "proto-zone": zone_dirs("proto"),
        "sdk-zone": zone_dirs("sdk"),
    }


def prefilter_literals(config: Config, rules: Iterable[Rule]) -> Prefilter:
    """Per zone, the literals a source file must contain to be worth parsing: the suppression
    marker everywhere, and for each rule that judges that zone's sources its declared literals
    plus the config literals of its pattern groups. A test file importing the proto package
    (allowed) is therefore read but never parsed."""
    groups = _literal_groups(config)
    per_zone: dict[str, set[str]] = {z: {MARKER.rstrip(":")} for z in SOURCE_ZONES}
    for rule in rules:
        meta = rule.meta
        wanted = set(meta.literals)
        if type(rule).check_source is not Rule.check_source:
            for group in meta.pattern_groups:
                wanted |= groups[group]
        for zone in meta.source_zones:
            per_zone[zone] |= wanted
    return {
        zone: tuple(sorted(x.encode() for x in literals if x))
        for zone, literals in per_zone.items()
    }
