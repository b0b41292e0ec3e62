"""Versions and module paths, as `golang.org/x/mod/semver` and `golang.org/x/mod/module` judge
them: canonical versions, pseudo-versions, major-version suffixes and directory paths."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Semver:
    major: str
    minor: str
    patch: str
    short: str
    prerelease: str
    build: str


_SEMVER = re.compile(
    r"v(?P<major>0|[1-9][0-9]*)"
    r"(?:\.(?P<minor>0|[1-9][0-9]*)"
    r"(?:\.(?P<patch>0|[1-9][0-9]*)"
    r"(?P<pre>-[0-9A-Za-z.-]+)?(?P<build>\+[0-9A-Za-z.-]+)?)?)?",
    re.ASCII,
)


def _parse_semver(v: str) -> _Semver | None:
    hit = _SEMVER.fullmatch(v)
    if hit is None:
        return None
    pre, build = hit["pre"] or "", hit["build"] or ""
    pre_ids = pre[1:].split(".") if pre else []
    if any(not i or (i.isdigit() and len(i) > 1 and i[0] == "0") for i in pre_ids):
        return None
    if build and any(not i for i in build[1:].split(".")):
        return None
    short = ".0.0" if hit["minor"] is None else ".0" if hit["patch"] is None else ""
    return _Semver(hit["major"], hit["minor"] or "0", hit["patch"] or "0", short, pre, build)


def canonical_version(v: str) -> str:
    """`module.CanonicalVersion`: `v1.2` → `v1.2.0`, build metadata dropped except
    `+incompatible`; "" for an invalid version."""
    p = _parse_semver(v)
    if p is None:
        return ""
    canonical = v[: len(v) - len(p.build)] if p.build else v + p.short
    return canonical + "+incompatible" if p.build == "+incompatible" else canonical


def is_pseudo_version(v: str) -> bool:
    """Whether `v` is a pseudo-version (`v0.0.0-20240101000000-abcdef123456` and its
    `vX.Y.(Z+1)-0.` / `-pre.0.` forms): a commit, not a release."""
    return _PSEUDO.fullmatch(v) is not None


_PSEUDO = re.compile(
    r"v[0-9]+\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)-(?:[0-9A-Za-z.-]+\.)?"
    r"(?:0\.)?[0-9]{14}-[0-9a-f]{12}(?:\+[0-9A-Za-z.-]+)?"
)


def split_path_version(path: str) -> tuple[str, str, bool]:
    """`module.SplitPathVersion`: (prefix, major suffix such as `/v2` or `.v1`, ok)."""
    if path.startswith("gopkg.in/"):
        return _split_gopkg_in(path)
    i = len(path)
    dot = False
    while i > 0 and path[i - 1] in "0123456789.":
        dot = dot or path[i - 1] == "."
        i -= 1
    if i <= 1 or i == len(path) or path[i - 1] != "v" or path[i - 2] != "/":
        return path, "", True
    prefix, major = path[: i - 2], path[i - 2 :]
    if dot or len(major) <= 2 or major[2] == "0" or major == "/v1":
        return path, "", False
    return prefix, major, True


def _split_gopkg_in(path: str) -> tuple[str, str, bool]:
    i = len(path) - (len("-unstable") if path.endswith("-unstable") else 0)
    while i > 0 and path[i - 1] in "0123456789":
        i -= 1
    if i <= 1 or path[i - 1] != "v" or path[i - 2] != ".":
        return path, "", False
    prefix, major = path[: i - 2], path[i - 2 :]
    if len(major) <= 2 or (major[2] == "0" and major != ".v0"):
        return path, "", False
    return prefix, major, True


def path_major_problem(version: str, path_major: str) -> str | None:
    """`module.CheckPathMajor`: why `version` cannot be a version of a path ending in
    `path_major`, or None."""
    if path_major.startswith(".v") and path_major.endswith("-unstable"):
        path_major = path_major[: -len("-unstable")]
    if version.startswith("v0.0.0-") and path_major == ".v1":
        return None
    parsed = _parse_semver(version)
    major = f"v{parsed.major}" if parsed else ""
    if path_major == "":
        if major in ("v0", "v1") or (parsed is not None and parsed.build == "+incompatible"):
            return None
        want = "v0 or v1"
    else:
        if major == path_major[1:]:
            return None
        want = path_major[1:]
    return f'version "{version}" invalid: should be {want}, not {major}'


def is_directory_path(path: str) -> bool:
    """`modfile.IsDirectoryPath`: `.`/`..`-relative or rooted (Unix or Windows) paths are
    directories; everything else is a module path."""
    return (
        path in (".", "..")
        or path.startswith(("./", ".\\", "../", "..\\", "/", "\\"))
        or (len(path) >= 2 and path[0].isascii() and path[0].isalpha() and path[1] == ":")
    )
