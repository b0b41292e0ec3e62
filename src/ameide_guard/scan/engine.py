"""The scan pipeline: discover → zone → analyse (prefilter, parse; cached, parallel) → rules →
AG900/AG901 → per-file ignores, path/baseline/diff filters → fingerprints, sorted findings.

The engine owns orchestration only; what a finding is lives in the rules, how it is printed in
the reporters.
"""

from __future__ import annotations

import functools
import itertools
import os
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ameide_guard.codes import resolve_rule_id
from ameide_guard.model import Finding, Stats, Zone
from ameide_guard.parsers import source_kind
from ameide_guard.rule import Rule, RuleContext
from ameide_guard.scan import memo
from ameide_guard.scan.analysis import OUTLINE, Item, Outcome
from ameide_guard.scan.cache import CACHE_DIR_NAME, FactsCache, code_digest, tool_identity
from ameide_guard.scan.filters import limit_to_paths, per_file_ignored, problem_findings
from ameide_guard.scan.fingerprints import assign_fingerprints
from ameide_guard.scan.options import ScanOptions, ScanResult
from ameide_guard.scan.repo import RepoView, SourceFile
from ameide_guard.scan.reuse import (
    PathLayout,
    RuleResults,
    keep_listing,
    listing_changes,
    listing_digest,
)
from ameide_guard.scan.selection import enabled_rules, prefilter_literals
from ameide_guard.scan.sources import finish_analysis, start_analysis
from ameide_guard.scan.suppressions import apply_suppressions
from ameide_guard.scan.warmup import JS_FAMILY, WarmUps
from ameide_guard.scan.zones import ZoneMap
from ameide_guard.settings import Config
from ameide_guard.vcs.background import DiscoveryRun

if TYPE_CHECKING:
    from ameide_guard.vcs.discovery import Discovery

CACHE_THRESHOLD = 200


"""A path-limited (pre-commit) run of fewer paths than this neither loads nor writes the cache:
reading and parsing ten files is faster than loading a 20,000-file cache."""


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


@dataclass
class _Run:
    """One scan's state as it moves through the stages."""

    config: Config
    options: ScanOptions
    started: float
    stats: Stats
    clock: PhaseClock
    rules: list[tuple[Rule, RuleContext]]
    wanted: set[str] | None
    cache_dir: Path
    _zones: ZoneMap | None = None
    notes: list[str] = field(default_factory=list)
    cache: FactsCache | None = None

    @property
    def zones(self) -> ZoneMap:
        """The compiled zone patterns, built on first use (a memo hit needs none)."""
        if self._zones is None:
            self._zones = ZoneMap.from_config(self.config)
        return self._zones

    @property
    def caching(self) -> bool:
        """Whether this scan uses the facts cache: not with --no-cache, and not for a
        pre-commit run of a few files (reading and parsing them beats loading the cache)."""
        return self.options.use_cache and (
            self.wanted is None or len(self.wanted) >= CACHE_THRESHOLD
        )

    def open_cache(self) -> None:
        """Open the facts cache (its stat records read), once; a task for the wait on
        discovery, since it needs nothing discovery finds."""
        if self.caching and self.cache is None:
            literals = prefilter_literals(self.config, (rule for rule, _ in self.rules))
            self.cache = FactsCache.open(self.cache_dir, self.config.digest, literals)

    @property
    def memoised(self) -> bool:
        """Whether a whole-scan memo may answer or record this scan: not for a PATHS run, not
        with --no-cache, not in deep mode (which runs `buf`)."""
        return self.options.use_cache and self.wanted is None and not self.options.deep


def scan(config: Config, options: ScanOptions, discovery: DiscoveryRun | None = None) -> ScanResult:
    """Scan `options.root`. `discovery` is `discover(root)` already under way: the CLI starts
    it before loading the config, so that `git ls-files` runs while Python imports the rules.

    The stages: a memo lookup (an unchanged tree replays its findings), zones for every
    discovered file, the source analysis with the repo rules running beside it, the source and
    cross-file rules, then post-processing (AG900/AG901, ignores, fingerprints) and the memo."""
    stats = Stats()
    run = _Run(
        config=config,
        options=options,
        started=time.perf_counter(),
        stats=stats,
        clock=PhaseClock(stats),
        rules=enabled_rules(config, options),
        wanted=set(options.paths) if options.paths is not None else None,
        cache_dir=options.cache_dir or options.root / CACHE_DIR_NAME,
    )
    if discovery is None:
        memo_exists = (run.cache_dir / memo.FILE_NAME).is_file()
        discovery = DiscoveryRun(options.root, fast=run.memoised and memo_exists)
    found_or_result = _discover(run, discovery)
    if isinstance(found_or_result, ScanResult):
        return found_or_result
    found, state, fast, warm_ups = found_or_result
    if found.warning:
        run.notes.append(found.warning)
    files, items = _layout(run, found.files, len(found.skipped))
    repo = RepoView(
        root=options.root, config=config, zones=run.zones, files=files, deep=options.deep
    )
    findings, analysed = _analyse_and_check(run, repo, items, found, warm_ups)
    findings = _post_process(run, repo, findings)
    run.notes.extend(repo.notes)
    if state is not None and not repo.uncacheable:
        counts = {k: getattr(stats, k) for k in ("files", "skipped", "failed", "excluded")}
        counts["cached"] = analysed
        outcome = memo.Memo(findings, run.notes, counts, repo.looked_outside)
        memo.save(run.cache_dir, state, outcome, options.root, fast)
        run.clock.lap("memo-save")
    return _present(findings, run.notes, run)


def _discover(
    run: _Run, discovery: DiscoveryRun
) -> ScanResult | tuple[Discovery, memo.TreeState | None, str | None, WarmUps]:
    """The discovered files, or the replayed result of a memo that matches the tree: first by
    git's view of it (no lstat of every file), then by the full key once discovery is done."""
    root, options = run.options.root, run.options
    # While discovery runs, load the grammars the analysis will need (forked workers inherit
    # them), unless a scan memo exists: then the scan most likely needs none.
    memo_likely = options.use_cache and (run.cache_dir / memo.FILE_NAME).is_file()
    warm_ups = WarmUps(ahead=not memo_likely)
    levels = [f"{ctx.meta.id}={ctx.level.value}" for _, ctx in run.rules]
    fast = None
    if run.memoised and (signature := discovery.fast_signature()) is not None:
        fast = memo.fast_key(root, [run.config.digest, *levels], signature)
        previous = memo.load(run.cache_dir, root, fast=fast) if memo_likely else None
        if previous is not None:
            discovery.discard()  # git's view matched: the lstat of every file is not needed
            return _replay(previous, run)
    found = discovery.result(while_waiting=itertools.chain([run.open_cache], warm_ups.pending()))
    run.clock.lap("discover")
    state = None
    if run.memoised:
        setup = [run.config.digest, f"git={found.git}", found.warning or "", *levels]
        state = memo.TreeState.of(root, setup, found.files, found.stat_of, found.skipped)
        previous = memo.load(run.cache_dir, root, key=state.key)
        if previous is not None:
            if fast is not None:  # git's view changed alone (an index rewritten): record it
                memo.save(run.cache_dir, state, previous, root, fast)
            return _replay(previous, run)
    return found, state, fast, warm_ups


def _layout(run: _Run, paths: list[str], skipped: int) -> tuple[dict[str, Zone], list[Item]]:
    """Every discovered file that is not excluded, with its zone, and the source files to
    analyse: from the last scan when it discovered the same paths (`reuse.PathLayout`)."""
    run.open_cache()  # unless it was opened while discovery ran
    cache = run.cache if run.wanted is None else None
    setup = listing = ""
    layout = None
    if cache is not None:
        levels = ",".join(f"{ctx.meta.id}={ctx.level.value}" for _, ctx in run.rules)
        setup = "\0".join([tool_identity(), code_digest(), run.config.digest, levels])
        listing = listing_digest(paths)
        layout = PathLayout.load(cache, setup, listing, len(paths))
    if layout is None:
        zone_of = run.zones.classify_many(paths)
        files: dict[str, Zone] = {p: z for p, z in zone_of.items() if z is not Zone.EXCLUDED}
        items = _source_items(run, files)
        if cache is not None:
            index = {path: n for n, path in enumerate(paths)}
            kept = [(index[path], lang, kind) for path, lang, kind in items]
            PathLayout([zone_of[p].value for p in paths], kept).keep(cache, setup, listing)
            keep_listing(cache, listing, paths)
    else:
        files = {p: Zone(z) for p, z in zip(paths, layout.zones, strict=True) if z != "excluded"}
        items = [(paths[n], lang, kind) for n, lang, kind in layout.items]
    run.stats.excluded += len(paths) - len(files)
    run.stats.files = len(files)
    run.stats.skipped = skipped
    run.clock.lap("zones")
    return files, items


def _source_items(run: _Run, files: dict[str, Zone]) -> list[Item]:
    """The source files to analyse, each with its language and its prefilter class: its zone,
    or OUTLINE for a file a rule reads the top-level statements of (AG105's barrels)."""
    outlined = [pick for rule, ctx in run.rules if (pick := rule.outline_paths(ctx)) is not None]
    wanted = run.wanted
    return [
        (
            path,
            lang,
            OUTLINE if lang in JS_FAMILY and any(p(path) for p in outlined) else zone.value,
        )
        for path, zone in files.items()
        if (wanted is None or path in wanted) and (lang := source_kind(path)) is not None
    ]


def _analyse_and_check(
    run: _Run,
    repo: RepoView,
    items: list[Item],
    found: Discovery,
    warm_ups: WarmUps,
) -> tuple[list[Finding], int]:
    """Analyse the sources (repo rules run meanwhile), then run the source and cross-file
    rules. Returns the findings and how many source files there were to analyse."""
    paths, known_stats = found.files, found.stat_of
    options, stats, clock = run.options, run.stats, run.clock
    literals = prefilter_literals(run.config, (rule for rule, _ in run.rules))
    cache = run.cache
    jobs = options.jobs or os.cpu_count() or 1
    outcomes, stat_of, pending = start_analysis(
        options.root, items, literals, cache, jobs, stats, known_stats, warm_ups
    )
    wanted = run.wanted
    runnable = [(r, c) for r, c in run.rules if wanted is None or _triggered(r, wanted, run.zones)]
    findings: list[Finding] = []
    kept = None
    if cache is not None and wanted is None:
        setup = "\0".join([tool_identity(), code_digest(), run.config.digest, f"deep={repo.deep}"])
        changed = functools.partial(listing_changes, cache, paths)
        kept = RuleResults(
            cache, options.root, setup, known_stats, cache.opened_ns, listing_digest(paths), changed
        )
    # Repo rules need no source facts: they run while the pool analyses the sources.
    for rule, ctx in runnable:
        findings.extend(_repo_rule(rule, ctx, repo, kept, stats))
        clock.lap(ctx.meta.id)
    outcomes = finish_analysis(pending, outcomes, stat_of, cache)
    clock.lap("analyse")
    if cache is not None:
        cache.save(set(repo.files))
        clock.lap("cache-save")
    sources = _merge(repo, outcomes, stats)
    clock.lap("merge")
    for rule, ctx in run.rules:
        for source in sources.values():
            findings.extend(rule.check_source(source, ctx))
    clock.lap("source-rules")
    for rule, ctx in runnable:
        findings.extend(rule.check_sources(repo, sources, ctx))
    clock.lap("cross-rules")
    return findings, len(items)


def _repo_rule(
    rule: Rule, ctx: RuleContext, repo: RepoView, kept: RuleResults | None, stats: Stats
) -> list[Finding]:
    """A repo rule's findings: replayed from the last scan when its inputs are unchanged, else
    computed (and kept for the next scan)."""
    if type(rule).check_repo is Rule.check_repo:
        return []  # a source rule: no repository-level part
    replayed = kept.replay(rule, ctx, repo) if kept is not None else None
    if replayed is not None:
        stats.extra["rules-reused"] = stats.extra.get("rules-reused", 0) + 1
        return replayed
    with repo.tracing(("rule", ctx.meta.id)) as trace:
        found = list(rule.check_repo(repo, ctx))
    if kept is not None:
        kept.keep(rule, ctx, repo, trace, found)
    return found


def _merge(repo: RepoView, outcomes: dict[str, Outcome], stats: Stats) -> dict[str, SourceFile]:
    """The analysis outcomes as source files (in path order); their problems and suppressions
    recorded on the repository view."""
    sources: dict[str, SourceFile] = {}
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
            sources[path] = SourceFile(
                path, repo.files[path], outcome.facts.language, outcome.facts, repo
            )
    return sources


def _post_process(run: _Run, repo: RepoView, findings: list[Finding]) -> list[Finding]:
    """AG900 from file problems, suppressions applied (AG901 for bad ones), per-file ignores,
    a PATHS run's limit, fingerprints."""
    contexts = {ctx.meta.id: ctx for _, ctx in run.rules}
    findings.extend(problem_findings(repo, contexts.get("AG900")))
    findings, supp_problems = apply_suppressions(
        findings, repo.suppressions, resolve_rule_id, frozenset(contexts)
    )
    ag901 = contexts.get("AG901")
    if ag901 is not None:
        findings.extend(ag901.finding(p.path, p.span, p.message, key=p.key) for p in supp_problems)
    findings = per_file_ignored(run.config, findings)
    if run.options.paths is not None:
        findings = limit_to_paths(findings, run.options.paths)
    return assign_fingerprints(findings)


def _replay(previous: memo.Memo, run: _Run) -> ScanResult:
    """A matching memo's findings and counters, presented as a scan's."""
    for name, value in previous.counts.items():
        setattr(run.stats, name, value)
    run.clock.lap("memo")
    return _present(previous.findings, previous.notes, run)


def _present(findings: list[Finding], notes: list[str], run: _Run) -> ScanResult:
    """The scan's findings through the baseline and diff filters, sorted, as a result. The
    baseline sees every finding of the scanned files before the diff filter, so that its "fixed"
    count means fixed; a PATHS run sees only some files and cannot tell, so it says none."""
    options, stats = run.options, run.stats
    findings = list(findings)
    baseline_fixed = None
    if options.baseline is not None:
        # lazy: only with --baseline / --diff-base (10-13 ms: json, subprocess)
        from ameide_guard.scan.baseline import apply_baseline

        findings, baseline_fixed = apply_baseline(findings, options.baseline)
        if options.paths is not None:
            baseline_fixed = None
    if options.diff_base is not None:
        # lazy: only with --baseline / --diff-base (10-13 ms: json, subprocess)
        from ameide_guard.vcs.diffbase import filter_to_changed_lines

        findings = filter_to_changed_lines(findings, options.root, options.diff_base)
    findings.sort(key=Finding.sort_key)
    run.clock.lap("finish")
    stats.seconds = round(time.perf_counter() - run.started, 3)
    return ScanResult(
        findings=findings,
        stats=stats,
        rules=tuple(ctx.meta for _, ctx in run.rules),
        levels={ctx.meta.id: ctx.level for _, ctx in run.rules},
        notes=list(notes),
        baseline_fixed=baseline_fixed,
        root=options.root,
    )


def _triggered(rule: Rule, paths: set[str], zones: ZoneMap) -> bool:
    """In a pre-commit run, a repo rule runs only if one of the staged files is its input."""
    staged = (posixpath.normpath(p) for p in paths)
    return any(rule.triggered_by(path, zones.classify(path)) for path in staged)
