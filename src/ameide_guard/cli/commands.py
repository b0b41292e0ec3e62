"""Command line (DESIGN.md, Command line). Heavy modules are imported inside commands so that
`ameide-guard --version` starts fast.

Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 usage, config or I/O
error, with a one-line cause on stderr and never a traceback (set AMEIDE_GUARD_DEBUG=1 for one).
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ameide_guard._version import __version__
from ameide_guard.errors import GuardError, UsageError
from ameide_guard.model import Level

if TYPE_CHECKING:
    from ameide_guard.scan.options import ScanResult
    from ameide_guard.settings import Config

FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "note", "never")


def _fail(message: str) -> None:
    click.echo(f"ameide-guard: error: {message}", err=True)
    sys.exit(2)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every expected failure into one line and exit 2; unexpected ones too, unless
    debugging is asked for."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GuardError as exc:
            _fail(str(exc))
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}")
        except KeyboardInterrupt:
            _fail("interrupted")
        except Exception as exc:
            if os.environ.get("AMEIDE_GUARD_DEBUG"):
                raise
            _fail(f"internal error: {exc!r}; rerun with AMEIDE_GUARD_DEBUG=1 and report it")

    return wrapper


def _rule_ids(text: str | None) -> frozenset[str] | None:
    if text is None:
        return None
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.codes import resolve_rule_id

    ids = set()
    for name in (x.strip() for x in text.split(",")):
        if not name:
            continue
        rule_id = resolve_rule_id(name)
        if rule_id is None:
            raise UsageError(f"unknown rule {name!r}; run `ameide-guard rules` for the ids")
        ids.add(rule_id)
    return frozenset(ids)


def _parse_outputs(fmt: str, outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    """`--output FILE` writes `--format` there; `--output FORMAT=FILE` names its own format."""
    if not outputs:
        return [(fmt, "-")]
    result = []
    for item in outputs:
        name, sep, target = item.partition("=")
        if sep and name in FORMATS:
            result.append((name, target or "-"))
        else:
            result.append((fmt, item))
    return result


def _relative_paths(root: Path, paths: tuple[str, ...]) -> tuple[str, ...] | None:
    rel: list[str] = []
    for raw in paths:
        full = Path(raw).resolve()
        try:
            inside = full.relative_to(root)
        except ValueError:
            raise UsageError(f"{raw}: outside the project root {root}") from None
        text = inside.as_posix()
        if text in ("", "."):
            return None
        if full.is_dir():
            rel.extend(_files_below(full, root))
        else:
            rel.append(text)
    return tuple(rel) if rel else None


def _files_below(directory: Path, root: Path) -> list[str]:
    """A directory PATH stands for the files below it (discovery still decides which count)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".ameide-guard-cache")]
        base = Path(dirpath).relative_to(root).as_posix()
        found.extend(f"{base}/{name}" if base != "." else name for name in filenames)
    return found


def _load(root: Path, config_path: str | None) -> Config:
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.config.loader import load_config

    return load_config(root, Path(config_path) if config_path else None)


def _write(target: str, text: str) -> None:
    if target == "-":
        click.echo(text, nl=False)
        return
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ameide-guard")
def main() -> None:
    """ameide-guard: services consume the released SDKs only.

    Scans TS/JS, Go and Python sources and the manifests around them for breaches of the
    Buf-centric monorepo architecture. See `ameide-guard rules` and `ameide-guard explain ID`.
    """
    # A user pattern such as `[[a]]` makes `re` warn about a possible nested set while
    # compiling; the pattern still means what gitignore says, so the warning is only noise.
    warnings.filterwarnings("ignore", message="Possible nested set", category=FutureWarning)


def _scan_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(exists=True)),
        click.option(
            "--root",
            type=click.Path(exists=True, file_okay=False),
            help="Project root (default: nearest config or git work tree).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False),
            help="Config file (default: discovered at the root).",
        ),
        click.option("--select", help="Only these rule ids or slugs (comma-separated)."),
        click.option("--ignore", "ignore_ids", help="Skip these rule ids or slugs."),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=0),
            default=0,
            help="Worker processes (default: the number of cores).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            help="Cache directory (default: <root>/.ameide-guard-cache).",
        ),
        click.option("--deep", is_flag=True, help="AG303: compare the Buf image with the bundle."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run(
    paths: tuple[str, ...],
    root: str | None,
    config_path: str | None,
    select: str | None,
    ignore_ids: str | None,
    jobs: int,
    no_cache: bool,
    cache_dir: str | None,
    deep: bool,
    baseline: str | None = None,
    diff_base: str | None = None,
) -> ScanResult:
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.config.project import project_root, whole_tree
    from ameide_guard.vcs.background import DiscoveryRun

    project = project_root(root, paths)
    early = click.get_current_context().obj  # started by the console entry (see `_entry`)
    if isinstance(early, DiscoveryRun) and early.root == project:
        discovery = early
    else:
        if isinstance(early, DiscoveryRun):
            early.discard()
        # runs while the rules and config load
        fast = not no_cache and whole_tree(project, paths)
        discovery = DiscoveryRun(project, in_child=True, fast=fast)

    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.scan.engine import ScanOptions, scan

    config = _load(project, config_path)
    chosen_cache = cache_dir or os.environ.get("AMEIDE_GUARD_CACHE_DIR")
    options = ScanOptions(
        root=project,
        paths=_relative_paths(project, paths),
        select=_rule_ids(select),
        ignore=_rule_ids(ignore_ids) or frozenset(),
        jobs=jobs,
        use_cache=not no_cache and not os.environ.get("AMEIDE_GUARD_NO_CACHE"),
        cache_dir=Path(chosen_cache) if chosen_cache else None,
        baseline=Path(baseline) if baseline else None,
        diff_base=diff_base,
        deep=deep or bool(config.rule("AG303").options.get("deep"))
        if "AG303" in config.rules
        else deep,
    )
    result = scan(config, options, discovery)
    for note in result.notes:
        click.echo(f"ameide-guard: note: {note}", err=True)
    return result


@main.command()
@_scan_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    help="FILE for --format, or FORMAT=FILE; repeatable; `-` is stdout.",
)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="Report only findings not recorded in this baseline file.",
)
@click.option("--diff-base", help="Report only findings on lines changed since this git revision.")
@guarded
def scan(
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str,
    baseline: str | None,
    diff_base: str | None,
    **kwargs: Any,
) -> None:
    """Scan the repository (or only PATHS, as pre-commit passes them)."""
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.reporters import render

    if baseline and not Path(baseline).is_file():
        raise UsageError(
            f"{baseline}: baseline file not found; create it with "
            "`ameide-guard baseline --output FILE`"
        )
    result = _run(baseline=baseline, diff_base=diff_base, **kwargs)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for name, target in _parse_outputs(fmt, outputs):
        _write(target, render(name, result, color=color and target == "-"))
    if fail_on == "never":
        sys.exit(0)
    threshold = Level.parse(fail_on)
    sys.exit(1 if any(f.level >= threshold for f in result.findings) else 0)


@main.command("baseline")
@_scan_options
@click.option(
    "--output",
    "-o",
    "output",
    default=".ameide-guard-baseline.json",
    show_default=True,
    help="Baseline file to write.",
)
@guarded
def baseline_cmd(output: str, **kwargs: Any) -> None:
    """Record today's findings; `scan --baseline FILE` then reports only new ones."""
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.scan.baseline import write_baseline

    result = _run(**kwargs)
    count = write_baseline(result.findings, Path(output))
    click.echo(
        f"ameide-guard: wrote {count} finding{'s' if count != 1 else ''} to {output}", err=True
    )


@main.command()
@click.option("--root", type=click.Path(exists=True, file_okay=False))
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@guarded
def stamp(root: str | None, config_path: str | None) -> None:
    """Record the proto package's fresh state for AG303 (writes the stamp file only)."""
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.bundle.stamp import write_stamps
    from ameide_guard.config.project import find_root

    project = Path(root).resolve() if root else find_root(Path.cwd())
    config = _load(project, config_path)
    for written in write_stamps(project, config):
        click.echo(f"ameide-guard: stamped {written.relative_to(project).as_posix()}", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@guarded
def rules(fmt: str, config_path: str | None) -> None:
    """List the rules with their level and a one-line description."""
    import json

    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.checks.docs import help_uri
    from ameide_guard.codes import rule_metas
    from ameide_guard.config.project import find_root

    config = _load(find_root(Path.cwd()), config_path)
    rows = []
    for meta in rule_metas():
        setting = config.rule(meta.id)
        level = setting.level.label if setting.level else "off"
        rows.append(
            {
                "id": meta.id,
                "slug": meta.slug,
                "level": level,
                "default_level": meta.default_level.label,
                "summary": meta.short,
                "help_uri": help_uri(meta.id),
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']}  {row['slug']:<30} {row['level']:<8} {row['summary']}")


@main.command()
@click.argument("rule")
@guarded
def explain(rule: str) -> None:
    """Print one rule's documentation page."""
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.checks.docs import rule_page
    from ameide_guard.codes import resolve_rule_id

    rule_id = resolve_rule_id(rule)
    if rule_id is None:
        raise UsageError(f"unknown rule {rule!r}; run `ameide-guard rules` for the ids")
    click.echo(rule_page(rule_id))


@main.command()
@click.option("--root", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing ameide-guard.toml.")
@guarded
def init(root: str | None, force: bool) -> None:
    """Write a starter ameide-guard.toml for the repository found."""
    # lazy: each command loads what it needs (`--version`, `--help` load no rule)
    from ameide_guard.cli.init_config import write_starter_config
    from ameide_guard.config.project import find_root

    project = Path(root).resolve() if root else find_root(Path.cwd())
    written = write_starter_config(project, force=force)
    click.echo(f"ameide-guard: wrote {written}", err=True)
