"""AG303: the proto package's committed bundle and generated code must match its `.proto` sources.

Freshness is judged against the stamp `ameide-guard stamp` writes after `buf generate`: the stamp
records a digest of every input and every output (see `ameide_guard.bundle.stamp`), and the rule
names each file that differs. An input change explains any output change (the fix is the same:
regenerate, then stamp), so outputs are compared only when the inputs match. Deep mode builds the
image with the Buf CLI and compares it with the committed bundle, descriptor by descriptor.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import replace

from ameide_guard.bundle import bufimage
from ameide_guard.bundle.layout import (
    DEFAULT_STAMP,
    Layout,
    ProtoPackage,
    find_packages,
    patterns_ok,
    relative_path_ok,
)
from ameide_guard.bundle.stamp import (
    FORMAT_VERSION,
    Change,
    Stamp,
    diff_files,
    parse_stamp,
    stamp_line,
)
from ameide_guard.errors import ManifestError
from ameide_guard.model import FILE_SPAN, Finding, Level, Span, Zone
from ameide_guard.rule import OptionSpec, Rule, RuleContext, RuleMeta, bool_option
from ameide_guard.scan.repo import RepoView

MAX_PER_KIND = 20


"""Files named one finding each before the rest are summed up in one (a half-regenerated
package must not flood code scanning)."""


WHAT = {
    ("input", "changed"): "changed since the stamp was written",
    ("input", "added"): "is a new input, not in the stamp",
    ("input", "removed"): "is recorded in the stamp as an input but no longer exists",
    ("output", "changed"): "is generated output that changed since the stamp (edited by hand or "
    "only partly regenerated)",
    ("output", "added"): "is not in the stamp: a file was added to the generated output by hand "
    "or by a partial regeneration",
    ("output", "removed"): "is recorded in the stamp as generated output but no longer exists",
}


def _fix(package: ProtoPackage) -> str:
    return (
        f"Run `buf generate` (and rebuild the bundle) in the proto package `{package.label}`, "
        "then `ameide-guard stamp`, and commit the result."
    )


class StaleBufBundle(Rule):
    meta = RuleMeta(
        id="AG303",
        slug="stale-buf-bundle",
        name="StaleBufBundle",
        short="The proto package's committed bundle or generated code no longer matches its "
        "`.proto` sources, as recorded by `ameide-guard stamp`.",
        default_level=Level.ERROR,
        tags=("buf", "freshness"),
        options={
            "stamp": OptionSpec(
                DEFAULT_STAMP, relative_path_ok, "a path relative to the proto package, inside it"
            ),
            "outputs": OptionSpec(
                (), patterns_ok, "a list of gitignore-style patterns relative to the proto package"
            ),
            "deep": bool_option(False),
            "bundle": OptionSpec(
                "",
                lambda v: v == "" or relative_path_ok(v),
                'a path relative to the proto package, or "" to find image.binpb / image.json',
            ),
        },
    )

    def triggered_by(self, path: str, zone: Zone | None = None) -> bool:
        """Anything in the proto zone can make the package stale (without a zone, as a direct
        call may make it, the path alone cannot tell, so the rule runs)."""
        return zone is None or zone is Zone.PROTO

    def check_repo(self, repo: RepoView, ctx: RuleContext) -> Iterator[Finding]:
        deep = repo.deep or bool(ctx.options["deep"])
        for package in find_packages(repo):
            layout = Layout.of(package, ctx.options)
            yield from _check_stamp(repo, ctx, layout)
            if deep:
                yield from _check_deep(repo, ctx, layout)


def _check_stamp(repo: RepoView, ctx: RuleContext, layout: Layout) -> Iterator[Finding]:
    package = layout.package
    if not repo.exists(layout.stamp):
        yield ctx.finding(
            package.primary,
            FILE_SPAN,
            f"the proto package `{package.label}` has no stamp `{layout.stamp}` (or it is "
            "git-ignored), so its committed bundle and generated code cannot be checked against "
            f"the `.proto` sources. {_fix(package)}",
            key="stamp-missing",
        )
        return
    stamp = repo.document(layout.stamp, parse_stamp)
    if stamp is None:
        return
    text = repo.read_text(layout.stamp)
    if stamp.format != FORMAT_VERSION:
        yield _incompatible(ctx, layout, stamp, text)
        return
    inventory = layout.inventory(repo)
    changes = diff_files("input", stamp.inputs, inventory.inputs)
    if not changes:
        if stamp.output_patterns != layout.outputs:
            yield ctx.finding(
                layout.stamp,
                Span.whole_line(stamp_line(text, ['"patterns"'])),
                f"the stamp was written with AG303 `outputs` = {list(stamp.output_patterns)}, "
                f"the configuration now says {list(layout.outputs)}; rerun `ameide-guard stamp`.",
                key="outputs-patterns",
            )
            return
        changes = diff_files("output", stamp.outputs, inventory.outputs)
    yield from _change_findings(ctx, layout, changes, text)


def _incompatible(ctx: RuleContext, layout: Layout, stamp: Stamp, text: str | None) -> Finding:
    newer = stamp.format > FORMAT_VERSION
    advice = (
        "upgrade ameide-guard, or rerun `ameide-guard stamp` with this version"
        if newer
        else "rerun `ameide-guard stamp` (after `buf generate`) with this version"
    )
    return ctx.finding(
        layout.stamp,
        Span.whole_line(stamp_line(text, ['"format"'])),
        f"the stamp `{layout.stamp}` has format {stamp.format or 'unknown'} (written by "
        f"{stamp.tool}); this ameide-guard reads format {FORMAT_VERSION}, so the proto package's "
        f"freshness cannot be checked: {advice}.",
        key="stamp-format",
    )


def _change_findings(
    ctx: RuleContext, layout: Layout, changes: list[Change], text: str | None
) -> Iterator[Finding]:
    package = layout.package
    for index, change in enumerate(changes):
        path = package.path(change.path)
        if index == MAX_PER_KIND:
            rest = changes[index:]
            yield ctx.finding(
                layout.stamp,
                FILE_SPAN,
                f"{len(rest)} more {change.kind}s of `{package.label}` differ from the stamp "
                f"(first: `{path}`). {_fix(package)}",
                key=f"{change.kind}-more",
            )
            return
        message = f"`{path}` {WHAT[change.kind, change.how]}. {_fix(package)}"
        key = f"{change.kind}-{change.how}:{change.path}"
        if change.how == "removed":
            line = stamp_line(text, [f'"{change.path}"'])
            finding = ctx.finding(layout.stamp, Span.whole_line(line), message, key=key)
        else:
            finding = ctx.finding(path, FILE_SPAN, message, key=key)
        yield _related(finding, (layout.stamp, path))


def _related(finding: Finding, paths: tuple[str, ...]) -> Finding:
    return replace(finding, related=tuple(p for p in paths if p != finding.path))


def _note(repo: RepoView, text: str) -> None:
    if text not in repo.notes:
        repo.notes.append(text)


def _bundle_path(repo: RepoView, ctx: RuleContext, layout: Layout) -> str | None:
    """The committed bundle to compare: the `bundle` option, else the one image-looking output."""
    package = layout.package
    configured = ctx.options["bundle"]
    if configured:
        return package.path(configured)
    outputs = [p for p, kind in layout.files(repo) if kind == "output"]
    found = list(bufimage.iter_bundle_candidates(outputs))
    if len(found) == 1:
        return found[0]
    why = "no committed Buf image" if not found else f"{len(found)} candidate images"
    _note(
        repo,
        f"AG303 deep mode skipped for `{package.label}`: {why} found; set "
        "`[rules.AG303] bundle` to the committed image (e.g. `image.binpb`).",
    )
    return None


def _offline_build_impossible(package: ProtoPackage) -> str | None:
    """Why `buf build` cannot rebuild the package here without the network, if it cannot."""
    if package.has_deps:
        return "the module has dependencies, which `buf build` would fetch from the network"
    if package.build_dir is None:
        return "several buf modules side by side and no buf.work.yaml or v2 buf.yaml joining them"
    return None


def _check_deep(repo: RepoView, ctx: RuleContext, layout: Layout) -> Iterator[Finding]:
    repo.uncacheable = True  # the verdict depends on `buf` (on PATH or not, its version)
    package = layout.package
    bundle = _bundle_path(repo, ctx, layout)
    if bundle is None:
        return
    if not repo.exists(bundle):
        yield ctx.finding(
            package.primary,
            FILE_SPAN,
            f"the committed bundle `{bundle}` (AG303 `bundle` option) does not exist. Build it "
            f"with `buf build -o {ctx.options['bundle']}`, then run `ameide-guard stamp`.",
            key="bundle-missing",
        )
        return
    skipped = _offline_build_impossible(package)
    if skipped is not None:
        _note(repo, f"AG303 deep mode skipped for `{package.label}`: {skipped}.")
        return
    buf = bufimage.find_buf()
    if buf is None:
        _note(repo, "AG303 deep mode skipped: the Buf CLI (`buf`) is not on PATH.")
        return
    built = bufimage.build_image(buf, repo.root / (package.build_dir or "."))
    if built.image is None:
        _note(repo, f"AG303 deep mode skipped for `{package.label}`: {built.error}.")
        return
    data = repo.read_bytes(bundle)
    if data is None:
        return
    try:
        committed = bufimage.flatten(bufimage.decode_image(data))
    except ManifestError as exc:
        repo.problem(bundle, exc.message, exc.span)
        return
    try:
        fresh = bufimage.flatten(bufimage.decode_image(built.image))
    except ManifestError as exc:
        _note(repo, f"AG303 deep mode skipped: cannot read the output of `buf build`: {exc}.")
        return
    difference = bufimage.first_difference(fresh, committed)
    if difference is not None:
        target = posixpath.relpath(bundle, package.build_dir or ".")
        yield ctx.finding(
            bundle,
            FILE_SPAN,
            f"the committed bundle `{bundle}` does not match `buf build` of the sources: "
            f"{difference}. Rebuild the bundle (`buf build -o {target}`) and the generated code "
            f"(`buf generate`) in `{package.build_dir or '.'}`, then run `ameide-guard stamp`.",
            key="deep",
        )
