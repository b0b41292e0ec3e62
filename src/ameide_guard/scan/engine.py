"""The scan pipeline: discover → zone → analyse (prefilter, parse; cached, parallel) → rules →
AG900/AG901 → per-file ignores, path/baseline/diff filters → fingerprints, sorted findings.

The engine owns orchestration only; what a finding is lives in the rules, how it is printed in
the reporters.
"""

from __future__ import annotations

import functools
import importlib
import os
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from ameide_guard.config.loader import Config
from ameide_guard.formats.globs import literal_of
from ameide_guard.model import Finding, Level, Stats, Zone
from ameide_guard.parsers import source_kind
from ameide_guard.rule import (
    SOURCE_ZONES,
    Rule,
    RuleContext,
    RuleMeta,
    all_rules,
    resolve_rule_id,
)
from ameide_guard.scan import memo
from ameide_guard.scan.analysis import OUTLINE, Item, Outcome, Prefilter, Skipped, analyze_batch
from ameide_guard.scan.cache import CACHE_DIR_NAME, SKIPPED, Entry, FactsCache
from ameide_guard.scan.fingerprints import assign_fingerprints
from ameide_guard.scan.repo import RepoView, SourceFile
from ameide_guard.scan.suppressions import MARKER, apply_suppressions
from ameide_guard.scan.zones import ZoneMap
from ameide_guard.vcs.background import DiscoveryRun
from ameide_guard.vcs.discovery import StatKey, stat_key

if TYPE_CHECKING:
    from ameide_guard.scan.pool import PendingAnalysis

PARALLEL_THRESHOLD = 1500
"""Below this many files to read, a process pool costs more than it saves (measured: forking
two workers and shipping results back costs about as much as reading ~1,500 files serially)."""
MIN_BATCH = 64
CACHE_THRESHOLD = 200
"""A path-limited (pre-commit) run of fewer paths than this neither loads nor writes the cache:
reading and parsing ten files is faster than loading a 20,000-file cache."""


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


LANGUAGES = ("typescript", "go", "python", "tsx", "javascript")
JS_FAMILY = frozenset({"typescript", "tsx", "javascript"})
"""The languages whose files have an outline (`SourceFacts.outline`)."""
"""The parsed languages, most common first (the order grammars are loaded in ahead of time)."""
RULE_MODULES = (
    "ameide_guard.manifests.gomod",
    "ameide_guard.manifests.pyproject",
    "ameide_guard.manifests.package_json",
    "ameide_guard.formats.yaml",
    "ameide_guard.lockfiles.pnpm",
    "ameide_guard.lockfiles.verdicts",
    "ameide_guard.manifests.workflow",
    "ameide_guard.bundle.stamp",
    "ameide_guard.scan.targets",
)
"""What the repo rules import when they first run, imported ahead too if discovery is still
busy once the grammars are loaded (one module at a time, each a few milliseconds)."""


@dataclass
class WarmUps:
    """Grammars to load in the main process ahead of the analysis (`parsers.warm_up`): some
    while discovery runs (unless `ahead` is off), the rest, of the languages present, before
    the pool forks, so that the workers inherit them instead of each loading them."""

    ahead: bool
    done: set[str] = field(default_factory=set)

    def pending(self) -> Iterator[Callable[[], object]]:
        for language in LANGUAGES if self.ahead else ():
            if language not in self.done:
                yield functools.partial(self._load, language)
        for module in RULE_MODULES if self.ahead else ():
            yield functools.partial(importlib.import_module, module)

    def finish(self, present: set[str]) -> None:
        for language in LANGUAGES:
            if language in present and language not in self.done:
                self._load(language)

    def _load(self, language: str) -> None:
        from ameide_guard.parsers import warm_up

        warm_up(language)
        self.done.add(language)


@dataclass
class SerialAnalysis:
    """Source analysis in this process (few files, or `--jobs 1`), done when asked for."""

    root: Path
    todo: list[Item]
    literals: Prefilter
    digest: bool

    def finish(self) -> list[Outcome | Skipped]:
        return analyze_batch(str(self.root), self.todo, self.literals, self.digest)


def _begin_analysis(
    root: Path, todo: list[Item], literals: Prefilter, digest: bool, jobs: int, warm_ups: WarmUps
) -> SerialAnalysis | PendingAnalysis:
    """The analysis of `todo`, started: in a process pool when there are enough files (the
    pool module, and multiprocessing behind it, is imported only then), after loading here
    the grammars of the languages present, which the workers then inherit."""
    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        return SerialAnalysis(root, todo, literals, digest)
    from ameide_guard.scan.pool import PendingAnalysis

    warm_ups.finish({language for _, language, _ in todo})
    count = max(jobs, min(len(todo) // MIN_BATCH, jobs * 8))
    return PendingAnalysis.start(root, todo, literals, digest, jobs, count)


def _start_analysis(
    root: Path,
    items: list[Item],
    literals: Prefilter,
    cache: FactsCache | None,
    jobs: int,
    stats: Stats,
    known_stats: dict[str, StatKey],
    warm_ups: WarmUps,
) -> tuple[dict[str, Outcome], dict[str, StatKey], SerialAnalysis | PendingAnalysis]:
    """The outcomes the cache already has (for unchanged files that have something to say:
    facts or a problem), and the analysis of the rest, started (in a pool when there are
    enough files). A file the prefilter skipped has no outcome: most files, so none is built for
    them. The caller merges in path order, whatever the job count.

    `known_stats` are discovery's lstat results (regular files); symlinks are stat'ed here."""
    outcomes: dict[str, Outcome] = {}
    todo: list[Item] = []
    stat_of: dict[str, StatKey] = {}
    for item in items:
        path = item[0]
        if cache is not None:
            st = known_stats.get(path)
            if st is None:
                try:
                    st = stat_key(os.stat(root / path))
                except OSError:
                    todo.append(item)
                    continue
            stat_of[path] = st
            hit = cache.lookup(path, st)
            if hit is not None:
                digest, entry = hit
                if not entry.trivial:
                    outcomes[path] = Outcome(path, digest, entry.facts, entry.problem, entry.parsed)
                stats.cached += 1
                continue
        todo.append(item)
    return (
        outcomes,
        stat_of,
        _begin_analysis(root, todo, literals, cache is not None, jobs, warm_ups),
    )


def _finish_analysis(
    pending: SerialAnalysis | PendingAnalysis,
    outcomes: dict[str, Outcome],
    stat_of: dict[str, StatKey],
    cache: FactsCache | None,
) -> dict[str, Outcome]:
    """`outcomes` completed with the computed ones, which are stored in the cache."""
    for result in pending.finish():
        if isinstance(result, str):  # skipped by the prefilter, nothing to say
            if cache is not None:
                cache.store(result, stat_of.get(result), "", SKIPPED)
            continue
        outcomes[result.path] = result
        if cache is not None:
            entry = Entry(result.facts, result.problem, result.parsed)
            cache.store(result.path, stat_of.get(result.path), result.digest, entry)
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


@dataclass
class PhaseClock:
    """Milliseconds spent per phase and per rule, kept in `Stats.extra` (`ms:<phase>`) so that
    `benchmarks/run.py --phases` can say where the time goes. Never part of any report."""

    stats: Stats
    last: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        key = f"ms:{name}"
        self.stats.extra[key] = self.stats.extra.get(key, 0) + round((now - self.last) * 1000)
        self.last = now


def scan(config: Config, options: ScanOptions, discovery: DiscoveryRun | None = None) -> ScanResult:
    """Scan `options.root`. `discovery` is `discover(root)` already under way: the CLI starts
    it before loading the config, so that `git ls-files` runs while Python imports the rules."""
    started = time.perf_counter()
    root = options.root
    stats = Stats()
    clock = PhaseClock(stats)
    rules = enabled_rules(config, options)
    literals = prefilter_literals(config, (rule for rule, _ in rules))
    wanted = set(options.paths) if options.paths is not None else None
    cache_dir = options.cache_dir or root / CACHE_DIR_NAME
    memoised = options.use_cache and wanted is None and not options.deep
    if discovery is None:
        discovery = DiscoveryRun(root, fast=memoised)
    zones = ZoneMap.from_config(config)
    # While discovery runs, load the grammars the analysis will need (forked workers inherit
    # them), unless a scan memo exists: then the scan most likely needs none.
    memo_likely = options.use_cache and (cache_dir / memo.FILE_NAME).is_file()
    warm_ups = WarmUps(ahead=not memo_likely)
    levels = [f"{ctx.meta.id}={ctx.level.value}" for _, ctx in rules]
    fast = None
    if memoised and (signature := discovery.fast_signature()) is not None:
        fast = memo.fast_key(root, [config.digest, *levels], signature)
        previous = memo.load(cache_dir, root, fast=fast) if memo_likely else None
        if previous is not None:
            discovery.discard()  # git's view matched: the lstat of every file is not needed
            return _replay(previous, stats, rules, options, started, clock)
    found = discovery.result(while_waiting=warm_ups.pending())
    clock.lap("discover")
    state = None
    if memoised:
        setup = [config.digest, f"git={found.git}", found.warning or "", *levels]
        state = memo.TreeState.of(root, setup, found.files, found.stat_of, found.skipped)
        previous = memo.load(cache_dir, root, key=state.key)
        if previous is not None:
            if fast is not None:  # git's view changed alone (an index rewritten): record it
                memo.save(cache_dir, state, previous, root, fast)
            return _replay(previous, stats, rules, options, started, clock)
    # A pre-commit run of a few files does without the cache: loading it would cost more than
    # reading and parsing them.
    cache = None
    if options.use_cache and (wanted is None or len(wanted) >= CACHE_THRESHOLD):
        cache = FactsCache.open(cache_dir, config.digest, literals)
        clock.lap("cache-load")
    notes: list[str] = []
    if found.warning:
        notes.append(found.warning)
    files: dict[str, Zone] = {}
    for path, zone in zones.classify_many(found.files).items():
        if zone is Zone.EXCLUDED:
            stats.excluded += 1
        else:
            files[path] = zone
    stats.files = len(files)
    stats.skipped = len(found.skipped)
    clock.lap("zones")

    outlined = [pick for rule, ctx in rules if (pick := rule.outline_paths(ctx)) is not None]
    items = [
        (
            path,
            lang,
            OUTLINE if lang in JS_FAMILY and any(p(path) for p in outlined) else zone.value,
        )
        for path, zone in files.items()
        if (lang := source_kind(path)) is not None and (wanted is None or path in wanted)
    ]
    jobs = options.jobs or os.cpu_count() or 1
    outcomes, stat_of, pending = _start_analysis(
        root, items, literals, cache, jobs, stats, found.stat_of, warm_ups
    )
    repo = RepoView(root=root, config=config, zones=zones, files=files, deep=options.deep)
    repo.sources = SourcesNotYet()
    findings: list[Finding] = []
    runnable = [(r, c) for r, c in rules if wanted is None or _triggered(r, wanted, zones)]
    # Repo rules that need no source facts run while the pool analyses the sources.
    for rule, ctx in runnable:
        if not rule.uses_sources:
            findings.extend(rule.check_repo(repo, ctx))
            clock.lap(ctx.meta.id)
    outcomes = _finish_analysis(pending, outcomes, stat_of, cache)
    clock.lap("analyse")
    if cache is not None:
        cache.save(set(files))
        clock.lap("cache-save")

    repo.sources = {}
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
    clock.lap("merge")
    for rule, ctx in rules:
        for source in repo.sources.values():
            findings.extend(rule.check_source(source, ctx))
    clock.lap("source-rules")
    for rule, ctx in runnable:
        if rule.uses_sources:
            findings.extend(rule.check_repo(repo, ctx))
            clock.lap(ctx.meta.id)
    contexts = {ctx.meta.id: ctx for _, ctx in rules}
    findings.extend(_problem_findings(repo, contexts.get("AG900")))

    findings, supp_problems = apply_suppressions(
        findings, repo.suppressions, resolve_rule_id, frozenset(contexts)
    )
    ag901 = contexts.get("AG901")
    if ag901 is not None:
        findings.extend(ag901.finding(p.path, p.span, p.message, key=p.key) for p in supp_problems)
    findings = _per_file_ignored(config, findings)
    if options.paths is not None:
        findings = _limit_to_paths(findings, options.paths)
    findings = assign_fingerprints(findings)
    notes.extend(repo.notes)
    if state is not None and not repo.uncacheable:
        counts = {k: getattr(stats, k) for k in ("files", "skipped", "failed", "excluded")}
        counts["cached"] = len(items)
        outcome = memo.Memo(findings, notes, counts, repo.looked_outside)
        memo.save(cache_dir, state, outcome, root, fast)
        clock.lap("memo-save")
    return _present(findings, notes, stats, rules, options, started, clock)


def _replay(
    previous: memo.Memo,
    stats: Stats,
    rules: list[tuple[Rule, RuleContext]],
    options: ScanOptions,
    started: float,
    clock: PhaseClock,
) -> ScanResult:
    """A matching memo's findings and counters, presented as a scan's."""
    for name, value in previous.counts.items():
        setattr(stats, name, value)
    clock.lap("memo")
    return _present(previous.findings, previous.notes, stats, rules, options, started, clock)


def _present(
    findings: list[Finding],
    notes: list[str],
    stats: Stats,
    rules: list[tuple[Rule, RuleContext]],
    options: ScanOptions,
    started: float,
    clock: PhaseClock,
) -> ScanResult:
    """The scan's findings through the baseline and diff filters, sorted, as a result. The
    baseline sees every finding of the scanned files before the diff filter, so that its "fixed"
    count means fixed; a PATHS run sees only some files and cannot tell, so it says none."""
    findings = list(findings)
    baseline_fixed = None
    if options.baseline is not None:
        from ameide_guard.scan.baseline import apply_baseline

        findings, baseline_fixed = apply_baseline(findings, options.baseline)
        if options.paths is not None:
            baseline_fixed = None
    if options.diff_base is not None:
        from ameide_guard.vcs.diffbase import filter_to_changed_lines

        findings = filter_to_changed_lines(findings, options.root, options.diff_base)
    findings.sort(key=Finding.sort_key)
    clock.lap("finish")
    stats.seconds = round(time.perf_counter() - started, 3)
    return ScanResult(
        findings=findings,
        stats=stats,
        rules=tuple(ctx.meta for _, ctx in rules),
        levels={ctx.meta.id: ctx.level for _, ctx in rules},
        notes=list(notes),
        baseline_fixed=baseline_fixed,
        root=options.root,
    )


class SourcesNotYet(dict[str, SourceFile]):
    """`RepoView.sources` while the sources are still being analysed: a repo rule that reads it
    without declaring `uses_sources` fails loudly here instead of silently seeing no sources."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError(
            "a repo rule read RepoView.sources before the sources were analysed; "
            "set `uses_sources = True` on the rule"
        )

    __getitem__ = __contains__ = __iter__ = __len__ = get = items = keys = values = _refuse  # type: ignore[assignment]


def _triggered(rule: Rule, paths: set[str], zones: ZoneMap) -> bool:
    """In a pre-commit run, a repo rule runs only if one of the staged files is its input."""
    staged = (posixpath.normpath(p) for p in paths)
    return any(rule.triggered_by(path, zones.classify(path)) for path in staged)
