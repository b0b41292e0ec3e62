"""The scan pipeline: discover → zone → analyse (prefilter, parse; cached, parallel) → rules →
AG900/AG901 → per-file ignores, path/baseline/diff filters → fingerprints, sorted findings.

The engine owns orchestration only; what a finding is lives in the rules, how it is printed in
the reporters.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from ameide_guard.analysis import Outcome, analyze_batch
from ameide_guard.cache import CACHE_DIR_NAME, Entry, FactsCache
from ameide_guard.config import Config
from ameide_guard.discovery import discover
from ameide_guard.fingerprints import assign_fingerprints
from ameide_guard.model import Finding, Level, Stats, Zone
from ameide_guard.parsers import source_kind
from ameide_guard.patterns import literal_of
from ameide_guard.registry import Rule, RuleContext, RuleMeta, all_rules, resolve_rule_id
from ameide_guard.repo import RepoView, SourceFile
from ameide_guard.suppressions import MARKER, apply_suppressions
from ameide_guard.zones import ZoneMap

PARALLEL_THRESHOLD = 400
"""Below this many files to read, a process pool costs more than it saves."""
BATCH = 256


@dataclass(frozen=True)
class ScanOptions:
    root: Path
    paths: tuple[str, ...] | None = None
    """Root-relative files to limit file rules to (pre-commit); None scans everything."""
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    jobs: int = 0
    use_cache: bool = True
    cache_dir: Path | None = None
    baseline: Path | None = None
    diff_base: str | None = None
    deep: bool = False


@dataclass
class ScanResult:
    findings: list[Finding]
    stats: Stats
    rules: tuple[RuleMeta, ...]
    levels: dict[str, Level]
    notes: list[str] = field(default_factory=list)
    baseline_fixed: int | None = None
    root: Path = Path(".")


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


def prefilter_literals(config: Config, metas: Iterable[RuleMeta]) -> tuple[bytes, ...]:
    """Literals a source file must contain to be worth parsing: every module pattern's literal
    part, the suppression marker, rule-declared literals, and the names of the proto and SDK zone
    directories (a relative import into them must spell the directory's name)."""
    literals: set[str] = {MARKER.rstrip(":")}
    for table in (config.generated, config.proto_package, config.sdk_internal):
        for eco, patterns in table.items():
            if eco == "pypi":
                continue
            literals.update(literal_of(p) for p in patterns)
    for meta in metas:
        literals.update(meta.literals)
    for zone in ("proto", "sdk"):
        for pattern in config.zones[zone]:
            last = pattern.rstrip("/").rsplit("/", 1)[-1]
            literals.add(last if last and not set(last) & set("*?[") else "../")
    literals.discard("")
    return tuple(sorted(x.encode() for x in literals))


def _chunks(items: list[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _analyze(
    root: Path,
    items: list[tuple[str, str]],
    literals: tuple[bytes, ...],
    cache: FactsCache | None,
    jobs: int,
    stats: Stats,
) -> dict[str, Outcome]:
    """Outcomes for every source file, from the cache where unchanged, else computed (in a pool
    when there are enough files). Merged in path order whatever the job count."""
    outcomes: dict[str, Outcome] = {}
    todo: list[tuple[str, str]] = []
    stat_of: dict[str, os.stat_result] = {}
    for path, language in items:
        if cache is not None:
            try:
                st = os.stat(root / path)
            except OSError:
                todo.append((path, language))
                continue
            stat_of[path] = st
            hit = cache.lookup(path, st)
            if hit is not None:
                digest, entry = hit
                outcomes[path] = Outcome(path, digest, entry.facts, entry.problem, entry.parsed)
                stats.cached += 1
                continue
        todo.append((path, language))
    if jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
        size = max(16, min(BATCH, len(todo) // (jobs * 4) or 16))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            batches = pool.map(
                analyze_batch,
                [str(root)] * ((len(todo) + size - 1) // size),
                _chunks(todo, size),
                [literals] * ((len(todo) + size - 1) // size),
            )
            computed = [o for batch in batches for o in batch]
    else:
        computed = analyze_batch(str(root), todo, literals)
    for outcome in computed:
        outcomes[outcome.path] = outcome
        if cache is not None:
            entry = Entry(outcome.facts, outcome.problem, outcome.parsed)
            cache.store(outcome.path, stat_of.get(outcome.path), outcome.digest, entry)
    return outcomes


def _problem_findings(repo: RepoView, ctx: RuleContext | None) -> list[Finding]:
    if ctx is None:
        return []
    seen: set[tuple[str, int, str]] = set()
    out = []
    for problem in repo.problems:
        key = (problem.path, problem.span.line, problem.reason)
        if key in seen:
            continue
        seen.add(key)
        out.append(ctx.finding(problem.path, problem.span, problem.reason, key=problem.reason))
    return out


def _per_file_ignored(config: Config, findings: list[Finding]) -> list[Finding]:
    if not config.per_file_ignores:
        return findings
    specs = [
        (pathspec.GitIgnoreSpec.from_lines([pattern]), set(ids))
        for pattern, ids in config.per_file_ignores.items()
    ]
    return [
        f
        for f in findings
        if not any(f.rule in ids and spec.match_file(f.path) for spec, ids in specs)
    ]


def _limit_to_paths(findings: list[Finding], paths: tuple[str, ...]) -> list[Finding]:
    wanted = set(paths)
    return [f for f in findings if f.path in wanted or wanted.intersection(f.related)]


def scan(config: Config, options: ScanOptions) -> ScanResult:
    started = time.perf_counter()
    root = options.root
    stats = Stats()
    zones = ZoneMap.from_config(config)
    discovery = discover(root)
    notes: list[str] = []
    if discovery.warning:
        notes.append(discovery.warning)
    files: dict[str, Zone] = {}
    for path in discovery.files:
        zone = zones.classify(path)
        if zone is Zone.EXCLUDED:
            stats.excluded += 1
        else:
            files[path] = zone
    stats.files = len(files)
    stats.skipped = len(discovery.skipped)

    rules = enabled_rules(config, options)
    contexts = {ctx.meta.id: ctx for _, ctx in rules}
    literals = prefilter_literals(config, (ctx.meta for _, ctx in rules))
    wanted = set(options.paths) if options.paths is not None else None
    items = [
        (path, lang)
        for path in files
        if (lang := source_kind(path)) is not None and (wanted is None or path in wanted)
    ]
    cache = None
    if options.use_cache:
        cache = FactsCache.open(options.cache_dir or root / CACHE_DIR_NAME, config.digest, literals)
    jobs = options.jobs or os.cpu_count() or 1
    outcomes = _analyze(root, items, literals, cache, jobs, stats)
    if cache is not None:
        cache.save(set(files))

    repo = RepoView(root=root, config=config, zones=zones, files=files, deep=options.deep)
    for path, outcome in sorted(outcomes.items()):
        if outcome.parsed:
            stats.parsed += 1
        if outcome.problem is not None:
            repo.problem(path, outcome.problem[1], outcome.problem[0])
            if outcome.facts is None:
                stats.failed += 1
        if outcome.facts is not None:
            for span, reason in outcome.facts.problems:
                repo.problem(path, reason, span)
            if outcome.facts.suppressions:
                repo.suppressions[path] = outcome.facts.suppressions
            repo.sources[path] = SourceFile(
                path, files[path], outcome.facts.language, outcome.facts, repo
            )

    findings: list[Finding] = []
    for rule, ctx in rules:
        for source in repo.sources.values():
            findings.extend(rule.check_source(source, ctx))
    for rule, ctx in rules:
        if wanted is not None and not _triggered(rule, wanted):
            continue
        findings.extend(rule.check_repo(repo, ctx))
    findings.extend(_problem_findings(repo, contexts.get("AG900")))

    active = frozenset(contexts)
    findings, supp_problems = apply_suppressions(
        findings, repo.suppressions, resolve_rule_id, active
    )
    ag901 = contexts.get("AG901")
    if ag901 is not None:
        findings.extend(ag901.finding(p.path, p.span, p.message, key=p.key) for p in supp_problems)
    findings = _per_file_ignored(config, findings)
    if options.paths is not None:
        findings = _limit_to_paths(findings, options.paths)
    findings = assign_fingerprints(findings)

    baseline_fixed = None
    if options.diff_base is not None:
        from ameide_guard.diffbase import filter_to_changed_lines

        findings = filter_to_changed_lines(findings, root, options.diff_base)
    if options.baseline is not None:
        from ameide_guard.baseline import apply_baseline

        findings, baseline_fixed = apply_baseline(findings, options.baseline)

    findings.sort(key=Finding.sort_key)
    notes.extend(repo.notes)
    stats.seconds = round(time.perf_counter() - started, 3)
    return ScanResult(
        findings=findings,
        stats=stats,
        rules=tuple(ctx.meta for _, ctx in rules),
        levels={rid: ctx.level for rid, ctx in contexts.items()},
        notes=notes,
        baseline_fixed=baseline_fixed,
        root=root,
    )


def _triggered(rule: Rule, paths: set[str]) -> bool:
    """In a pre-commit run, a repo rule runs only if one of the staged files is its input."""
    trigger = getattr(rule, "triggered_by", None)
    if trigger is None:
        return True
    return any(trigger(posixpath.normpath(p)) for p in paths)
