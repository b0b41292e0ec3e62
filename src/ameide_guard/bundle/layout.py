"""The proto package's layout: which of its files are the inputs and the outputs that the
freshness stamp (`bundle.stamp`) records and AG303 compares.

A *proto package* is the directory of the proto zone that holds a Buf module (`buf.yaml` v1/v2)
or workspace (`buf.work.yaml`). Its files fall in three sets, decided here once for both the
`stamp` command and the rule, from the same discovered file list (git's view of the tree):

* inputs: every `.proto` under the module roots (v1: the buf.yaml directory or v1beta1
  `build.roots`; v2: `modules[].path`; a workspace: `directories`), plus every buf.yaml, buf.lock,
  buf.gen.yaml, buf.gen.*.yaml and buf.work.yaml of the package;
* outputs: every other file of the package in the proto zone (optionally narrowed by the rule's
  `outputs` patterns), except the stamp itself: generated code and committed bundles;
* neither: `.proto` files outside the module roots or under `excludes` (Buf never builds them).

Digests are SHA-256 of the content with CRLF turned into LF in text files (git's own test: no NUL
in the first 8000 bytes), so a Windows checkout stamps like a Linux one while any real change to a
binary bundle still shows; aggregates hash the sorted (path, digest) list, so order never matters.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pathspec


from ameide_guard.errors import ManifestError, PatternError
from ameide_guard.formats.globs import validate_path_pattern
from ameide_guard.model import Zone
from ameide_guard.scan.repo import RepoView

DEFAULT_STAMP = ".ameide-guard-stamp.json"
BUF_CONFIGS = ("buf.yaml", "buf.work.yaml")


INPUT_NAMES = frozenset(("buf.yaml", "buf.lock", "buf.gen.yaml", "buf.work.yaml"))


BINARY_SNIFF = 8000


def file_digest(data: bytes) -> str:
    """SHA-256 of a file's content, line endings normalised in text files only."""
    if b"\0" not in data[:BINARY_SNIFF]:
        data = data.replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def aggregate_digest(files: Mapping[str, str]) -> str:
    """One digest for a set of files, independent of the order they were listed in."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f"{path}\0{files[path]}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class BufConfig:
    """What one buf.yaml / buf.work.yaml says about where the sources are (root-relative)."""

    path: str
    roots: tuple[str, ...]
    excludes: tuple[str, ...] = ()
    has_deps: bool = False


@dataclass(frozen=True)
class ProtoPackage:
    """A Buf module or workspace in the proto zone, and where `buf build` would run for it."""

    directory: str
    """Root-relative directory ("" for the repository root) that the stamp describes."""
    configs: tuple[BufConfig, ...]
    build_dir: str | None
    """The top-most buf config's directory; None when several sit side by side."""
    has_deps: bool
    """A buf.yaml or buf.lock declares dependencies (`buf build` would fetch them)."""

    @property
    def primary(self) -> str:
        """The buf config findings about the whole package point at."""
        return min((c.path for c in self.configs), key=lambda p: (p.count("/"), p))

    def path(self, relative: str) -> str:
        return join(self.directory, relative)

    def relative(self, path: str) -> str:
        return path[len(self.directory) + 1 :] if self.directory else path

    @property
    def label(self) -> str:
        return self.directory or "."


def join(directory: str, relative: str) -> str:
    """Root-relative join where "" is the repository root."""
    return posixpath.normpath(posixpath.join(directory, relative)) if directory else relative


def under(path: str, directory: str) -> bool:
    return directory in ("", ".") or path == directory or path.startswith(directory + "/")


def _relative_dir(value: Any, base: str, what: str) -> str:
    """A directory named in a buf config, resolved against the config's directory; as Buf
    requires, it must stay inside that directory."""
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(f"{what} must be a non-empty relative path")
    if value.startswith("/") or "\\" in value:
        raise ManifestError(f"{what} `{value}` must be a relative POSIX path")
    inner = posixpath.normpath(value)
    if inner == ".." or inner.startswith("../"):
        raise ManifestError(
            f"{what} `{value}` points outside the directory of the buf config; Buf requires "
            "paths inside it"
        )
    return join(base, inner) if inner != "." else base


def _string_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ManifestError(f"{what} must be a list")
    return value


def parse_buf_config(text: str, path: str) -> BufConfig:
    """Module roots, excludes and whether dependencies are declared, per buf config version."""
    # lazy: yaml (20 ms) loads when a Buf config is read, not with the rules
    from ameide_guard.formats.yaml import load_yaml

    name = posixpath.basename(path)
    base = posixpath.dirname(path)
    data = load_yaml(text, name) if text.strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError(f"{name} must be a YAML mapping")
    version = data.get("version", "v1beta1" if name == "buf.yaml" else "v1")
    if version not in ("v1beta1", "v1", "v2"):
        raise ManifestError(f"{name}: unknown `version: {version}`; Buf knows v1beta1, v1 and v2")
    if name == "buf.work.yaml":
        dirs = _string_list(data.get("directories"), "buf.work.yaml `directories`")
        roots = tuple(_relative_dir(d, base, "a `directories` entry") for d in dirs)
        return BufConfig(path, roots)
    has_deps = bool(_string_list(data.get("deps"), f"{name} `deps`"))
    if version == "v2":
        modules = _string_list(data.get("modules"), "buf.yaml `modules`") or [{"path": "."}]
        module_roots: list[str] = []
        module_excludes: list[str] = []
        for module in modules:
            if not isinstance(module, dict):
                raise ManifestError("each buf.yaml `modules` entry must be a mapping with `path`")
            module_roots.append(_relative_dir(module.get("path", "."), base, "a module `path`"))
            for item in _string_list(module.get("excludes"), "a module's `excludes`"):
                module_excludes.append(_relative_dir(item, base, "an `excludes` entry"))
        return BufConfig(path, tuple(module_roots), tuple(module_excludes), has_deps)
    build = data.get("build") or {}
    if not isinstance(build, dict):
        raise ManifestError("buf.yaml `build` must be a mapping")
    roots_given = _string_list(build.get("roots"), "buf.yaml `build.roots`")
    roots = tuple(_relative_dir(r, base, "a `build.roots` entry") for r in roots_given) or (base,)
    excludes = tuple(
        _relative_dir(e, base, "a `build.excludes` entry")
        for e in _string_list(build.get("excludes"), "buf.yaml `build.excludes`")
    )
    return BufConfig(path, roots, excludes, has_deps)


def parse_buf_lock(text: str, path: str) -> bool:
    """Whether a buf.lock pins any dependency."""
    # lazy: yaml (20 ms) loads when a Buf config is read, not with the rules
    from ameide_guard.formats.yaml import load_yaml

    data = load_yaml(text, "buf.lock") if text.strip() else None
    return isinstance(data, dict) and bool(data.get("deps"))


def _package_dir(repo: RepoView, config_dir: str) -> str:
    """The proto zone directory a buf config belongs to: the shallowest ancestor whose contents
    the `zones.proto` patterns claim (so a buf.yaml in `pkg/proto/` stamps all of `pkg/`), else
    the config's own directory."""
    parts = config_dir.split("/") if config_dir else []
    for depth in range(len(parts) + 1):
        candidate = "/".join(parts[:depth])
        if repo.zones.classify(join(candidate, DEFAULT_STAMP)) is Zone.PROTO:
            return candidate
    return config_dir


def find_packages(repo: RepoView) -> list[ProtoPackage]:
    """Every proto package of the proto zone, in path order. Unreadable buf configs become AG900
    (through `repo.document`) and are left out."""
    grouped: dict[str, list[BufConfig]] = {}
    for path in repo.named(*BUF_CONFIGS):
        if repo.zone(path) is not Zone.PROTO:
            continue
        config = repo.document(path, parse_buf_config)
        if config is not None:
            grouped.setdefault(_package_dir(repo, posixpath.dirname(path)), []).append(config)
    packages = []
    for directory in sorted(grouped):
        configs = tuple(sorted(grouped[directory], key=lambda c: c.path))
        dirs = {posixpath.dirname(c.path) for c in configs}
        shallowest = min(d.count("/") + bool(d) for d in dirs)
        top = [d for d in dirs if d.count("/") + bool(d) == shallowest]
        locks = [
            p for p in repo.named("buf.lock") if under(p, directory) and repo.zone(p) is Zone.PROTO
        ]
        has_deps = any(c.has_deps for c in configs) or any(
            repo.document(p, parse_buf_lock) for p in locks
        )
        build_dir = top[0] if len(top) == 1 else None
        packages.append(ProtoPackage(directory, configs, build_dir, has_deps))
    return packages


def is_input_name(name: str) -> bool:
    return name in INPUT_NAMES or (name.startswith("buf.gen.") and name.endswith(".yaml"))


@dataclass(frozen=True)
class Inventory:
    """Package-relative path → digest, for the inputs and the outputs."""

    inputs: dict[str, str]
    outputs: dict[str, str]


@dataclass(frozen=True)
class Layout:
    """How the files of one package are sorted into inputs and outputs."""

    package: ProtoPackage
    stamp: str
    """Root-relative path of the stamp."""
    outputs: tuple[str, ...]
    """Gitignore-style patterns relative to the package; empty: every other file."""

    @classmethod
    def of(cls, package: ProtoPackage, options: Mapping[str, Any]) -> Layout:
        return cls(package, package.path(options["stamp"]), tuple(options["outputs"]))

    def classify(self, path: str, spec: pathspec.PathSpec | None) -> str | None:
        """ "input", "output" or None for a root-relative file of the package."""
        if path == self.stamp:
            return None
        if is_input_name(posixpath.basename(path)):
            return "input"
        if path.endswith(".proto"):
            configs = self.package.configs
            inside = any(under(path, r) for c in configs for r in c.roots)
            excluded = any(under(path, e) for c in configs for e in c.excludes)
            return "input" if inside and not excluded else None
        if spec is not None and not spec.match_file(self.package.relative(path)):
            return None
        return "output"

    def files(self, repo: RepoView) -> Iterator[tuple[str, str]]:
        """(root-relative path, "input" | "output") for every discovered file of the package."""
        # lazy: pathspec only when a proto package is laid out
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(self.outputs) if self.outputs else None
        for path in sorted(repo.files):
            if repo.files[path] is Zone.PROTO and under(path, self.package.directory):
                kind = self.classify(path, spec)
                if kind is not None:
                    yield path, kind

    def inventory(self, repo: RepoView) -> Inventory:
        sets: dict[str, dict[str, str]] = {"input": {}, "output": {}}
        for path, kind in self.files(repo):
            data = repo.read_bytes(path)
            if data is not None:
                sets[kind][self.package.relative(path)] = file_digest(data)
        return Inventory(sets["input"], sets["output"])


def relative_path_ok(value: Any) -> bool:
    """A package-relative POSIX path that stays inside the package (the `stamp` option)."""
    if not isinstance(value, str) or not value.strip() or value.startswith("/"):
        return False
    return "\\" not in value and ".." not in value.split("/")


def patterns_ok(value: Any) -> bool:
    """A list of gitignore-style patterns pathspec compiles (the `outputs` option)."""

    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        return False
    try:
        for item in value:
            validate_path_pattern(item)
    except PatternError:
        return False
    return True
