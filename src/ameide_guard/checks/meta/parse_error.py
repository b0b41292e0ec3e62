"""AG900 parse-error: a file that should be read could not be read or parsed (reported, never
fatal)."""

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
