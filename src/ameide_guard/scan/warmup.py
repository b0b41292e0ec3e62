"""Work done ahead while discovery runs: grammars loaded, repo rules' readers imported."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

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
    "ameide_guard.checks.lockfiles.verdicts",
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
        # lazy: grammars load only when a warm-up asks for them
        from ameide_guard.parsers import warm_up

        warm_up(language)
        self.done.add(language)
