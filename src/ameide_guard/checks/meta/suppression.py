"""AG901 suppression: an inline suppression without a reason, naming an unknown rule, or
suppressing nothing."""

from __future__ import annotations

from ameide_guard.model import Level
from ameide_guard.rule import Rule, RuleMeta


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
