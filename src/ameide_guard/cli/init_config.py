"""`ameide-guard init`: write a commented starter `ameide-guard.toml` for the repository found.

The starter is derived from what is on disk (a shallow walk): the proto zone is where `buf.yaml`
modules live, the SDK zone is the SDK directories of the Ameide layout that exist (or directories
named like an SDK holding a manifest), and the SDK package names are read from those manifests.
Everything not found keeps the embedded default, commented, so the file documents every knob.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ameide_guard.config.loader import embedded_default
from ameide_guard.errors import InitError

CONFIG_NAME = "ameide-guard.toml"
MAX_DEPTH = 4
SKIP_DIRS = {"node_modules", "vendor", "dist", "build", "target", "__pycache__"}
MANIFESTS = {"package.json": "npm", "go.mod": "go", "pyproject.toml": "python"}


@dataclass
class Survey:
    """What `init` found in the repository."""

    buf_modules: list[str] = field(default_factory=list)
    sdk_dirs: list[str] = field(default_factory=list)
    ecosystems: set[str] = field(default_factory=set)
    sdk_packages: dict[str, str] = field(default_factory=dict)


def _walk(root: Path) -> Iterator[tuple[str, list[str]]]:
    """(relative directory, file names) for directories down to MAX_DEPTH, skipping hidden and
    dependency directories."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root).as_posix()
        depth = 0 if rel == "." else rel.count("/") + 1
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS and depth < MAX_DEPTH
        )
        yield ("" if rel == "." else rel), filenames


def _package_name(directory: Path, manifest: str) -> str | None:
    """The package/module name a manifest declares, read leniently (a starter only suggests)."""
    try:
        text = (directory / manifest).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if manifest == "package.json":
        try:
            name = json.loads(text).get("name")
        except (ValueError, AttributeError):
            return None
        return name if isinstance(name, str) and name else None
    pattern = r"^module\s+(\S+)" if manifest == "go.mod" else r'^name\s*=\s*"([^"]+)"'
    found = re.search(pattern, text, re.MULTILINE)
    return found.group(1) if found else None


def survey(root: Path) -> Survey:
    found = Survey()
    default_sdks = [p.rstrip("/") for p in embedded_default()["zones"]["sdk"]]
    for rel, files in _walk(root):
        names = set(files)
        for manifest, eco in MANIFESTS.items():
            if manifest in names:
                found.ecosystems.add(eco)
        if names & {"requirements.txt", "uv.lock", "poetry.lock"}:
            found.ecosystems.add("python")
        if "buf.yaml" in names and not any(rel.startswith(f"{m}/") for m in found.buf_modules):
            found.buf_modules.append(rel or ".")
        base = rel.rsplit("/", 1)[-1].lower()
        is_sdk = rel in default_sdks or (re.search(r"(^|[_-])sdk([_-]|$)", base) is not None)
        if rel and is_sdk and names & set(MANIFESTS):
            found.sdk_dirs.append(rel)
            for manifest, eco in MANIFESTS.items():
                if manifest in names and eco not in found.sdk_packages:
                    name = _package_name(root / rel, manifest)
                    if name:
                        found.sdk_packages[eco] = name
    return found


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _dir_pattern(rel: str) -> str:
    return "/" if rel == "." else f"{rel}/"


def starter_text(found: Survey) -> str:
    default = embedded_default()
    eco_text = ", ".join(sorted(found.ecosystems)) or "none"
    lines = [
        "# ameide-guard configuration (written by `ameide-guard init`; edit freely).",
        "# Every key is optional: what is left out keeps the built-in default for the Ameide",
        "# layout. See `ameide-guard rules` and `ameide-guard explain ID`.",
        f"# Ecosystems found: {eco_text}.",
        "",
        "# Paths never scanned (besides .gitignore'd files).",
        f"exclude = {_toml_list(default['exclude'])}",
        "",
        "[zones]",
    ]
    if found.buf_modules:
        proto = [_dir_pattern(m) for m in found.buf_modules]
        lines.append("# The proto package: where buf.yaml modules were found.")
        lines.append(f"proto = {_toml_list(proto)}")
    else:
        lines.append("# No buf.yaml found; set the proto package's directory here:")
        lines.append(f"# proto = {_toml_list(default['zones']['proto'])}")
    if found.sdk_dirs:
        lines.append("# The SDK packages (they may import generated code).")
        lines.append(f"sdk = {_toml_list([_dir_pattern(d) for d in found.sdk_dirs])}")
    else:
        lines.append("# No SDK directory found; set the SDK packages' directories here:")
        lines.append(f"# sdk = {_toml_list(default['zones']['sdk'])}")
    lines += [
        "# Test code may read the proto package (never BSR-generated code).",
        f"# test = {_toml_list(default['zones']['test'])}",
        "",
        "# The SDKs as services depend on them (AG204 checks the pins).",
        "[sdk-packages]",
    ]
    for eco in ("npm", "go", "python"):
        name = found.sdk_packages.get(eco)
        value = json.dumps(name or default["sdk-packages"][eco])
        lines.append(f"{eco} = {value}" if name else f"# {eco} = {value}")
    lines += [
        "",
        "# Rule levels: error | warning | note | off, or a table with `level` and options.",
        "[rules]",
        '# AG303 = "off"',
        "",
        "# Files that cannot hold suppression comments (JSON): pattern = [rule ids].",
        "[per-file-ignores]",
        '# "services/legacy/package.json" = ["AG203"]',
        "",
    ]
    return "\n".join(lines)


def write_starter_config(root: Path, *, force: bool) -> Path:
    """Write `<root>/ameide-guard.toml`; refuses to overwrite an existing one without force."""
    target = root / CONFIG_NAME
    if target.exists() and not force:
        raise InitError(f"{target} already exists; rerun with --force to overwrite it")
    target.write_text(starter_text(survey(root)), encoding="utf-8")
    return target
