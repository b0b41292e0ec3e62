"""CI rule AG501: a workflow job that runs Go must see GOPRIVATE and GONOSUMDB covering the org.

Without them the go command fetches the org's private modules through proxy.golang.org and
checks them against sum.golang.org: the build fails (or, worse, leaks private module paths to
public services). The rule follows GitHub's precedence (step `env` over values a previous step
wrote to `$GITHUB_ENV`, over job `env`, over workflow `env`; `go env -w` settings only where no
variable is set) and Go's own pattern matching (`module.MatchPrefixPatterns`: comma-separated
`path.Match` globs compared with as many leading path elements of the module path).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ameide_guard.model import Finding, Level, Zone
from ameide_guard.rule import Rule, RuleContext, RuleMeta, string_option
from ameide_guard.scan.repo import RepoView

if TYPE_CHECKING:
    from ameide_guard.manifests.workflow import Job, Step, Workflow


VARIABLES = ("GOPRIVATE", "GONOSUMDB")


WORKFLOW_DIR = ".github/workflows/"


SETUP_GO = "actions/setup-go"


GO_ACTIONS = ("golangci/golangci-lint-action", "goreleaser/goreleaser-action")


"""Actions that run the go command themselves (and so fetch modules)."""


_GO_COMMAND = re.compile(
    r"(?:^|[;&|(`{!]|\$\(|\b(?:then|do|else|if|while|until|exec|time|sudo|xargs|env|nohup|"
    r"command)\s)\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|]*)\s+)*"
    r"go\s+(?!(?:version|env|help)\b)[a-z]",
    re.M,
)
"""A go command in a script. `go version`, `go env` (`-w` is read as an assignment, below) and
`go help` load no module, so they do not make a step a Go step."""


_GO_IMAGE = re.compile(
    r"^(?:[\w.-]+(?::\d+)?/)*(?:golang|go|golangci-lint|goreleaser)(?::|@|$)", re.I
)
"""A container image that is a Go toolchain (`golang:1.23`, `docker.io/library/golang`,
`ghcr.io/x/golang@sha256:…`, `golangci/golangci-lint`): scripts run in it build Go."""


_DOCKER_RUN_GO = re.compile(r"\bdocker\s+(?:container\s+)?run\b[^\n]*?\s(?P<image>\S*golang\S*)")


_ASSIGN = re.compile(r"\b(?P<var>GOPRIVATE|GONOSUMDB)=[\"']?(?P<value>[^\s\"'>;]*)")


_GO_ENV_W = re.compile(r"\bgo\s+env\s+-w\b")


def is_workflow(path: str) -> bool:
    """`.github/workflows/*.yml|yaml` at the root: the only files GitHub runs as workflows."""
    rest = path[len(WORKFLOW_DIR) :]
    return path.startswith(WORKFLOW_DIR) and "/" not in rest and rest.endswith((".yml", ".yaml"))


def _action(uses: str | None) -> str:
    return (uses or "").split("@", 1)[0].strip().lower()


def _is_action(uses: str | None, name: str) -> bool:
    action = _action(uses)
    return action == name or action.startswith(name + "/")


def _script_lines(script: str) -> str:
    """The script with `\\`-continued lines joined and `#` comments dropped."""
    joined = re.sub(r"\\\r?\n", " ", script)
    return re.sub(r"(?:^|(?<=\s))#[^\n]*", "", joined)


def runs_go(script: str | None) -> bool:
    """Whether a `run:` script invokes the go command (`go test ./...`, `cd x && go build`),
    not merely mentions the word (`echo "go home"`)."""
    return bool(script) and _GO_COMMAND.search(_script_lines(script or "")) is not None


def _glob_element(glob: str) -> re.Pattern[str] | None:
    """`path.Match` for one path element; None for a malformed pattern (which Go treats as
    matching nothing)."""
    out, i = [], 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\":
            i += 1
            if i >= len(glob):
                return None
            out.append(re.escape(glob[i]))
        elif char == "[":
            end = glob.find("]", i + 2)
            if end < 0:
                return None
            body = glob[i + 1 : end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            chars = "".join("-" if c == "-" else re.escape(c) for c in body)
            out.append(f"[{'^' if negate else ''}{chars}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return None


def covers(globs: str, org: str) -> bool:
    """Whether the comma-separated Go globs match every module path under `org`, by Go's rule:
    a glob of N elements is matched against the first N elements of the module path."""
    if "${{" in globs:
        return True  # a value from an expression: unknowable here, trusted
    org_parts = org.strip("/").split("/")
    for glob in globs.split(","):
        glob = glob.removesuffix("/")
        parts = glob.split("/") if glob else []
        if not parts or len(parts) > len(org_parts) + 1 or "" in parts:
            continue
        if len(parts) == len(org_parts) + 1 and set(parts[-1]) != {"*"}:
            continue  # matches only some modules under the org
        regexes = [_glob_element(p) for p in parts[: len(org_parts)]]
        if all(r is not None and r.fullmatch(o) for r, o in zip(regexes, org_parts, strict=False)):
            return True
    return False


@dataclass(frozen=True)
class _Scope:
    """Values set by earlier steps of a job: `$GITHUB_ENV` writes and `go env -w`."""

    github_env: dict[str, str]
    go_env: dict[str, str]


def _assignments(script: str | None) -> Iterator[tuple[str, str, str]]:
    """(how, variable, value) for every GOPRIVATE/GONOSUMDB assignment in a script; `how` is
    `step` (an `export` or prefix, this step only), `github_env` or `go_env`."""
    if not script:
        return
    for line in _script_lines(script).splitlines():
        for hit in _ASSIGN.finditer(line):
            if _GO_ENV_W.search(line, 0, hit.start()):
                scope = "go_env"
            elif "GITHUB_ENV" in line[hit.end() :]:
                scope = "github_env"
            else:
                scope = "step"
            yield scope, hit["var"], hit["value"]


def _effective(
    var: str, step: Step, scope: _Scope, job: Job, workflow: Workflow
) -> tuple[str | None, str]:
    """The value the go command sees in `step`, and where it comes from."""
    for value, where in (
        (step.env.get(var), "step env"),
        (
            next((v for s, n, v in _assignments(step.run) if s == "step" and n == var), None),
            "the step's script",
        ),
        (scope.github_env.get(var), "$GITHUB_ENV"),
        (job.env.get(var), "job env"),
        (workflow.env.get(var), "workflow env"),
        (scope.go_env.get(var), "go env -w"),
    ):
        if value is not None:
            return value, where
    return None, ""


def is_go_image(image: str | None) -> bool:
    """Whether a container image is a Go toolchain (see `_GO_IMAGE`)."""
    return image is not None and _GO_IMAGE.match(image.strip()) is not None


def _runs_go_container(script: str | None) -> bool:
    """A `docker run` of a Go toolchain image in a script."""
    if not script:
        return False
    return any(is_go_image(m.group("image")) for m in _DOCKER_RUN_GO.finditer(script))


def go_steps(job: Job) -> list[Step]:
    """Steps that run the go command: visibly (a `go build`, a Go action, a `docker run` of a Go
    image), or, in a job that sets up Go or runs in a Go container but runs it only through
    scripts (`make test`), every script step after the setup. Actions other than the Go ones
    never count: a debugging or upload action runs no Go."""
    visible = [
        s
        for s in job.steps
        if runs_go(s.run)
        or _runs_go_container(s.run)
        or any(_is_action(s.uses, a) for a in GO_ACTIONS)
    ]
    if visible:
        return visible
    if is_go_image(job.container):
        return [s for s in job.steps if s.run]
    setup = next((i for i, s in enumerate(job.steps) if _is_action(s.uses, SETUP_GO)), None)
    if setup is None:
        return []
    later = [s for s in job.steps[setup + 1 :] if s.run]
    return later or [job.steps[setup]]


def _uncovered(job: Job, workflow: Workflow, org: str) -> tuple[Step, list[str]] | None:
    """The first Go step that does not see both variables covering `org`, with what is wrong."""
    targets = {id(s) for s in go_steps(job)}
    scope = _Scope({}, {})
    for step in job.steps:
        assigned = list(_assignments(step.run))
        scope.go_env.update((var, value) for how, var, value in assigned if how == "go_env")
        if id(step) in targets:
            problems = []
            for var in VARIABLES:
                value, where = _effective(var, step, scope, job, workflow)
                if value is None:
                    problems.append(f"{var} is not set")
                elif not covers(value, org):
                    problems.append(f"{var} is `{value}` ({where}), which does not cover the org")
            if problems:
                return step, problems
        scope.github_env.update((var, value) for how, var, value in assigned if how == "github_env")
    return None


def _step_label(step: Step) -> str:
    label = step.name or step.uses or (step.run or "").strip().splitlines()[0][:60]
    return f"step `{label}` at line {step.span.line}"


class CiGoPrivate(Rule):
    meta = RuleMeta(
        id="AG501",
        slug="ci-go-private",
        name="CiGoPrivate",
        short="A CI workflow job runs Go without GOPRIVATE and GONOSUMDB covering the org's "
        "modules.",
        default_level=Level.ERROR,
        tags=("ci", "go"),
        options={"org": string_option("github.com/ameideio")},
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        return is_workflow(path)

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        from ameide_guard.manifests.workflow import parse_workflow  # YAML: only when it runs

        org = ctx.options["org"].rstrip("/")
        for path in repo.matching(is_workflow):
            workflow = repo.document(path, parse_workflow)
            if workflow is None:
                continue
            for job in workflow.jobs:
                found = _uncovered(job, workflow, org)
                if found is None:
                    continue
                step, problems = found
                yield ctx.finding(
                    path,
                    job.span,
                    f"job `{job.id}` runs Go ({_step_label(step)}) but does not see GOPRIVATE "
                    f"and GONOSUMDB covering `{org}`: {'; '.join(problems)}. The go command "
                    "would fetch the org's private modules through the public proxy and check "
                    "them against sum.golang.org, which fails. Set both at the workflow or job "
                    f"level: `env: {{GOPRIVATE: {org}/*, GONOSUMDB: {org}/*}}`.",
                    key=f"job:{job.id}",
                )
