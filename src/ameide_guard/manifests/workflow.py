"""GitHub Actions workflows: the parts AG501 reads (environment at workflow, job and step level,
each step's `uses` and `run`), with the line of every job key.

The YAML is composed into nodes (never constructed into Python objects) with the C loader when
PyYAML has it, so every mapping key keeps its line. Aliases are legal in workflows and are
followed, but their number is capped before composing (an alias bomb is an AG900, not a hang),
merge keys (`<<`) are expanded by hand with explicit keys winning, and YAML errors (tabs used for
indentation, undefined anchors, multiple documents) become a `ManifestError` at the exact line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from ameide_guard.errors import ManifestError
from ameide_guard.formats.yaml import MAX_ALIASES, Loader, alias_count, yaml_reader_error
from ameide_guard.model import Span

MAX_MERGE_DEPTH = 8


@dataclass(frozen=True)
class Step:
    span: Span
    """The step's first line (its `- ` item)."""
    name: str | None = None
    uses: str | None = None
    run: str | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    id: str
    span: Span
    """The job's key line (`build:` under `jobs:`)."""
    env: dict[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    uses: str | None = None
    """A reusable workflow the job calls instead of running steps."""
    container: str | None = None
    """The image of `jobs.<id>.container` (a string, or the mapping's `image`)."""


@dataclass(frozen=True)
class Workflow:
    env: dict[str, str] = field(default_factory=dict)
    jobs: tuple[Job, ...] = ()


def _span(node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    if end.line != start.line:
        return Span(start.line + 1, start.column + 1, start.line + 1, start.column + 2)
    return Span(start.line + 1, start.column + 1, end.line + 1, max(end.column, start.column) + 1)


def _items(node: yaml.Node, depth: int = 0) -> Iterator[tuple[yaml.ScalarNode, yaml.Node]]:
    """A mapping's (key, value) pairs with `<<` merges expanded (explicit keys win, later
    duplicates win, as PyYAML's constructor does)."""
    if not isinstance(node, yaml.MappingNode):
        return
    merged: dict[str, tuple[yaml.ScalarNode, yaml.Node]] = {}
    own: dict[str, tuple[yaml.ScalarNode, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "<<" and key.tag == "tag:yaml.org,2002:merge":
            if depth >= MAX_MERGE_DEPTH:
                raise ManifestError("YAML merge keys nested too deep", _span(key))
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                for k, v in _items(source, depth + 1):
                    merged.setdefault(k.value, (k, v))
            continue
        own[key.value] = (key, value)
    yield from {**merged, **own}.values()


def _get(node: yaml.Node, name: str) -> yaml.Node | None:
    for key, value in _items(node):
        if key.value == name:
            return value
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _env(node: yaml.Node | None) -> dict[str, str]:
    """An `env:` mapping's scalar values; an expression in place of the mapping reads as empty."""
    if node is None:
        return {}
    return {k.value: v.value for k, v in _items(node) if isinstance(v, yaml.ScalarNode)}


def _step(node: yaml.Node) -> Step:
    return Step(
        span=_span(node),
        name=_scalar(_get(node, "name")),
        uses=_scalar(_get(node, "uses")),
        run=_scalar(_get(node, "run")),
        env=_env(_get(node, "env")),
    )


def _job(key: yaml.ScalarNode, node: yaml.Node) -> Job:
    steps = _get(node, "steps")
    items = steps.value if isinstance(steps, yaml.SequenceNode) else []
    return Job(
        id=key.value,
        span=_span(key),
        env=_env(_get(node, "env")),
        steps=tuple(_step(s) for s in items if isinstance(s, yaml.MappingNode)),
        uses=_scalar(_get(node, "uses")),
        container=_container_image(_get(node, "container")),
    )


def _container_image(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.MappingNode):
        return _scalar(_get(node, "image"))
    return _scalar(node)


def _yaml_error(exc: yaml.YAMLError, text: str) -> ManifestError:
    unreadable = yaml_reader_error(exc, text, "the workflow")
    if unreadable is not None:
        return unreadable
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context and getattr(exc, "context_mark", None) is not None:
        problem = f"{context}, {problem}"
    if mark is None:
        return ManifestError(f"invalid YAML: {problem}")
    line = mark.line + 1
    lines = text.splitlines()
    source = lines[mark.line] if mark.line < len(lines) else ""
    hint = ""
    if "\t" in problem or source[: mark.column + 1].lstrip(" ").startswith("\t"):
        hint = "; YAML does not allow tabs for indentation: indent with spaces"
    elif "alias" in problem:
        name = re.match(r"\*([^\s,\[\]{}]+)", source[mark.column :])
        named = f" `*{name.group(1)}`" if name else ""
        hint = f"{named}; every `*name` needs an `&name` anchor defined earlier in the file"
    return ManifestError(
        f"invalid YAML at line {line}, column {mark.column + 1}: {problem}{hint}",
        Span(line, mark.column + 1, line, mark.column + 2),
    )


def parse_workflow(text: str, path: str) -> Workflow:
    """The workflow's environments and jobs; `ManifestError` for YAML GitHub would reject."""
    try:
        if (count := alias_count(text)[0]) > MAX_ALIASES:
            raise ManifestError(
                f"{count} YAML aliases (more than {MAX_ALIASES}): refusing to expand what "
                "looks like an alias bomb; write the workflow out without so many aliases"
            )
        root = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    if root is None:
        return Workflow()
    if not isinstance(root, yaml.MappingNode):
        raise ManifestError(
            "a workflow must be a YAML mapping (with `on:` and `jobs:`)", _span(root)
        )
    jobs = _get(root, "jobs")
    return Workflow(
        env=_env(_get(root, "env")),
        jobs=tuple(_job(k, v) for k, v in _items(jobs) if isinstance(v, yaml.MappingNode))
        if jobs is not None
        else (),
    )
