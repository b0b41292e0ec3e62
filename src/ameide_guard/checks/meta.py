"""Rules about the scan itself: files that could not be read (AG900) and suppressions (AG901).

Their findings are produced by the engine, not by hooks: a parse problem or a bad suppression is
known only once every file has been read and every rule has run."""

from __future__ import annotations

from ameide_guard.model import Level
from ameide_guard.rule import Rule, RuleMeta


class ParseError(Rule):
    meta = RuleMeta(
        id="AG900",
        slug="parse-error",
        name="ParseError",
        short="A file that should be read could not be read or parsed.",
        default_level=Level.ERROR,
        tags=("reliability",),
    )


class SuppressionProblem(Rule):
    meta = RuleMeta(
        id="AG901",
        slug="suppression",
        name="InvalidSuppression",
        short="An inline suppression without a reason, naming an unknown rule, or suppressing "
        "nothing.",
        default_level=Level.WARNING,
        tags=("maintainability",),
    )
