"""pip requirements files, and the PEP 508 requirement strings pyproject.toml uses too.

`parse_requirement(text) -> Requirement` reads one PEP 508 string (`name[extras] (specifier | @
url) ; marker`) with `packaging.requirements.Requirement`, the parser pip itself uses, and the name
normalised by `packaging.utils.canonicalize_name` (PEP 503: lowercase, runs of `-_.` → `-`). The
extras, specifier and marker are kept as written (packaging re-orders and re-quotes them; the
lockfile comparison normalises them the way uv.lock writes them).

`parse_requirements(text, path) -> RequirementsFile` reads a requirements file as pip's
`req_file.py` preprocesses it (backslash continuations joined first, then `#` comments that
start a line or follow whitespace removed) and yields one `ReqLine` per logical line, at the
physical line where it starts:

* `kind="requirement"`: a PEP 508 requirement, a URL (`git+https://…#egg=name`), or a local path
  (`./pkg`, `../sdk`, `file:…`); `editable` for `-e`/`--editable`; `requirement` holds the parse
  when there is one, `name` the normalised name (from `#egg=` for URLs; None for a bare path);
* `kind="include"`: `-r`/`--requirement` (or `-c`/`--constraint`: `constraint=True`) with the
  target as written; the caller resolves it relative to the including file (`include_path`),
  because only the repository knows which files exist;
* `kind="index"`: `-i`/`--index-url`, `--extra-index-url`, `-f`/`--find-links` with its URL.

Other options are skipped. A line pip would reject (an unknown option is tolerated: pip versions
differ) that cannot be read as any of these raises `ManifestError` at its line.

Which files are requirements files is `is_requirements_file`: a `.txt` or `.in` file whose name
contains `requirements` (`requirements.txt`, `requirements-dev.txt`, `dev.requirements.txt`,
`requirements_test.in`) or that sits in a `requirements/` directory; any other file is read when
such a file includes it.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

from packaging.requirements import Requirement as _Pep508
from packaging.utils import canonicalize_name

from ameide_guard.errors import ManifestError
from ameide_guard.model import Span

_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|file:")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")


normalise_name = canonicalize_name
"""PEP 503: lowercase, runs of `-`, `_` and `.` become one `-` (`packaging`'s own function)."""


@dataclass(frozen=True)
class Requirement:
    """One PEP 508 requirement. `url` is set for `name @ url` direct references."""

    name: str
    raw_name: str
    extras: tuple[str, ...] = ()
    specifier: str = ""
    url: str | None = None
    marker: str | None = None


def parse_requirement(text: str) -> Requirement | None:
    """The PEP 508 requirement in `text`, or None if `packaging` rejects it."""
    found = _parse(text)
    return found if isinstance(found, Requirement) else None


def _parse(text: str) -> Requirement | str:
    """The requirement in `text`, or packaging's one-line reason for rejecting it."""
    text = text.strip()
    try:
        parsed = _Pep508(text)
    except ValueError as exc:  # InvalidRequirement, and InvalidSpecifier from older packaging
        return str(exc).split("\n", 1)[0] or "not a PEP 508 requirement"
    except RecursionError:  # a marker nested deeper than older packaging can recurse
        return "marker nested too deep"
    # Valid, so the text is `name`, then `[extras]`, then `@ url` or a specifier, then `; marker`:
    # cut it at those tokens to keep the parts as written.
    rest = text[len(parsed.name) :].lstrip()
    extras: tuple[str, ...] = ()
    if rest.startswith("["):
        written, _, rest = rest[1:].partition("]")
        extras = tuple(canonicalize_name(e.strip()) for e in written.split(",") if e.strip())
        rest = rest.lstrip()
    if parsed.url is not None:
        # `@`, the URL (it runs to whitespace and may hold `;`), then whitespace and `; marker`.
        specifier = ""
        tail = rest[1:].lstrip()[len(parsed.url) :].strip()
        marker = tail[1:] if tail.startswith(";") else ""
    else:
        specifier, _, marker = rest.partition(";")
        specifier = specifier.strip()
        if specifier.startswith("(") and specifier.endswith(")"):
            specifier = specifier[1:-1].strip()
    return Requirement(
        canonicalize_name(parsed.name),
        parsed.name,
        extras,
        specifier,
        parsed.url,
        marker.strip() or None,
    )


def is_url(text: str) -> bool:
    return _URL_SCHEME.match(text) is not None


def looks_like_path(text: str) -> bool:
    """pip's test for a requirement that is a local path rather than a name."""
    return "/" in text or "\\" in text or text.startswith(".") or text.endswith(_ARCHIVE)


@dataclass(frozen=True)
class ReqLine:
    kind: str
    """`requirement`, `include` or `index`."""
    text: str
    """The requirement, include target or URL as written (after continuation joining)."""
    span: Span
    line: int
    editable: bool = False
    constraint: bool = False
    option: str = ""
    """For `index` lines: `index-url`, `extra-index-url` or `find-links`."""
    requirement: Requirement | None = None
    name: str | None = None
    """Normalised package name, when one is known (PEP 508 name or `#egg=`)."""

    @property
    def url(self) -> str | None:
        """The direct URL of a URL requirement (`name @ url` or a bare URL)."""
        if self.requirement is not None:
            return self.requirement.url
        return self.text if is_url(self.text) else None

    @property
    def local_path(self) -> str | None:
        """The path of a local-path requirement (`./pkg`, `file:../pkg`), as written."""
        target = self.url if self.url is not None else self.text
        if target.startswith("file:"):
            return re.sub(r"^file:(//)?", "", target).split("#", 1)[0]
        if self.requirement is None and not is_url(target) and looks_like_path(target):
            return target.split("#", 1)[0]
        return None


@dataclass(frozen=True)
class RequirementsFile:
    path: str
    lines: tuple[ReqLine, ...]

    def includes(self) -> tuple[ReqLine, ...]:
        return tuple(x for x in self.lines if x.kind == "include")


_INDEX_OPTIONS = {
    "-i": "index-url",
    "--index-url": "index-url",
    "--extra-index-url": "extra-index-url",
    "-f": "find-links",
    "--find-links": "find-links",
}
_INCLUDE_OPTIONS = {"-r": False, "--requirement": False, "-c": True, "--constraint": True}
_EDITABLE = ("-e", "--editable")


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """pip's `join_lines` + `ignore_comments`: (first line, last line, content) per logical line."""
    out: list[tuple[int, int, str]] = []
    pending: list[str] = []
    first = 0
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        comment_line = _COMMENT.match(line) is not None
        if not line.endswith("\\") or comment_line:
            if comment_line:
                line = " " + line
            if pending:
                pending.append(line)
                out.append((first, number, "".join(pending)))
                pending = []
            else:
                out.append((number, number, line))
        else:
            if not pending:
                first = number
            pending.append(line.strip("\\"))
    if pending:
        out.append((first, len(lines), "".join(pending)))
    result = []
    for first_line, last_line, content in out:
        content = _COMMENT.sub("", content).strip()
        if content:
            result.append((first_line, last_line, content))
    return result


def _split_option(tokens: list[str]) -> tuple[str, str | None]:
    """(option, value) for `--opt value`, `--opt=value` or `-ovalue`."""
    head = tokens[0]
    if head.startswith("--") and "=" in head:
        name, _, value = head.partition("=")
        return name, value
    if not head.startswith("--") and len(head) > 2:
        return head[:2], head[2:].lstrip("=")
    return head, (tokens[1] if len(tokens) > 1 else None)


def _requirement_line(text: str, span: Span, line: int, path: str, *, editable: bool) -> ReqLine:
    """pip's order: a URL, else an archive or something path-like, else PEP 508."""
    requirement: Requirement | str | None = None
    if not is_url(text) and not text.startswith((".", "/", "~")):
        requirement = _parse(text)
        if (
            isinstance(requirement, Requirement)
            and requirement.url is None
            and text.endswith(_ARCHIVE)
        ):
            requirement = None  # `pkg-1.0-py3-none-any.whl`: a file, not a name
    if isinstance(requirement, Requirement):
        return ReqLine(
            "requirement",
            text,
            span,
            line,
            editable,
            requirement=requirement,
            name=requirement.name,
        )
    if not (is_url(text) or looks_like_path(text)):
        why = f" ({requirement})" if isinstance(requirement, str) else ""
        raise ManifestError(
            f"{path}:{line}: cannot read `{text}` as a requirement{why}; expected a name such as "
            "`pkg>=1.0`, a URL or a path",
            span,
        )
    egg = _EGG.search(text)
    name = normalise_name(egg.group(1)) if egg else None
    if name is None and text.endswith(".whl"):
        name = normalise_name(posixpath.basename(text).split("-", 1)[0])
    return ReqLine("requirement", text, span, line, editable, name=name)


def _parse_line(content: str, span: Span, line: int, path: str) -> ReqLine | None:
    if not content.startswith("-"):
        # Requirement with optional per-requirement options (`--hash=...`) after it.
        cut = re.search(r"\s+--?[A-Za-z]", content)
        req = content[: cut.start()] if cut else content
        return _requirement_line(req.strip(), span, line, path, editable=False)
    try:
        tokens = shlex.split(content, posix=True)
    except ValueError as exc:
        raise ManifestError(f"{path}:{line}: cannot split `{content}`: {exc}", span) from None
    option, value = _split_option(tokens)
    if option in _EDITABLE or option in _INCLUDE_OPTIONS or option in _INDEX_OPTIONS:
        if not value:
            raise ManifestError(f"{path}:{line}: `{option}` needs a value", span)
        if option in _EDITABLE:
            return _requirement_line(value, span, line, path, editable=True)
        if option in _INCLUDE_OPTIONS:
            return ReqLine("include", value, span, line, constraint=_INCLUDE_OPTIONS[option])
        return ReqLine("index", value, span, line, option=_INDEX_OPTIONS[option])
    return None


def parse_requirements(text: str, path: str) -> RequirementsFile:
    """Read a requirements file (see the module docstring)."""
    physical = text.splitlines()
    lines = []
    for first, last, content in _logical_lines(text):
        end_text = physical[last - 1] if last - 1 < len(physical) else ""
        span = Span(first, 1, last, len(end_text) + 1)
        parsed = _parse_line(content, span, first, path)
        if parsed is not None:
            lines.append(parsed)
    return RequirementsFile(path, tuple(lines))


def include_path(including: str, target: str) -> str | None:
    """The repository path an include names, relative to the including file; None for a URL or
    a path that leaves the repository."""
    if is_url(target) and not target.startswith("file:"):
        return None
    target = re.sub(r"^file:(//)?", "", target)
    if target.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
    return None if joined.startswith("../") or joined == ".." else joined


def is_requirements_file(path: str) -> bool:
    """Whether `path` is read as a requirements file on its own (see the module docstring)."""
    if not path.lower().endswith((".txt", ".in")):  # asked of every file: the cheap test first
        return False
    base = posixpath.basename(path).lower()
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    return "requirements" in base or parent == "requirements"
