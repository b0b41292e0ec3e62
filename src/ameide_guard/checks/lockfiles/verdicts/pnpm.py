"""pnpm: pnpm-lock.yaml against the manifests (each importer by pnpm's `satisfiesPackageManifest`,
in pnpm_importer.py), the settings pnpm records (.npmrc, pnpm-workspace.yaml), its catalogs and
`pnpm.overrides`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ameide_guard.checks.lockfiles.verdicts.base import Drift, compare
from ameide_guard.checks.lockfiles.verdicts.node_workspace import NodeWorkspace, node_docs
from ameide_guard.checks.lockfiles.verdicts.pnpm_importer import importer_drifts
from ameide_guard.checks.lockfiles.verdicts.pnpm_overrides import (
    Project,
    override_sections,
    parse_overrides,
    pnpm_overrides,
)
from ameide_guard.lockfiles import pnpm
from ameide_guard.lockfiles.workspace import join
from ameide_guard.manifests.package_json import PackageJson
from ameide_guard.scan.repo import RepoView


@dataclass(frozen=True)
class PnpmConfig:
    """What pnpm reads besides the manifests when it judges its lockfile."""

    major: int
    """The pnpm major whose rules apply (see `pnpm_major`)."""
    settings: dict[str, tuple[object, str]]
    """Setting name → (value, where it is set); absent settings take pnpm's default."""
    catalogs: dict[str, dict[str, str]]
    workspace_file: str


def pnpm_major(lock_version: str, root: PackageJson | None) -> int:
    """Whose rules apply: pnpm 8 for a v5/v6 lockfile; for v9 (written by pnpm 9 and 10 alike)
    the major of the root package.json `packageManager: pnpm@X`, else 10, the current one."""
    if lock_version.split(".")[0] in ("5", "6"):
        return 8
    declared = root.data.get("packageManager") if root is not None else None
    found = re.match(r"pnpm@(\d+)\.", declared) if isinstance(declared, str) else None
    return int(found.group(1)) if found else 10


def pnpm_config(
    repo: RepoView, ws: NodeWorkspace, lock: pnpm.PnpmLock, root: PackageJson | None
) -> PnpmConfig | None:
    """The workspace root's .npmrc and pnpm-workspace.yaml (pnpm 10 reads settings there too,
    ahead of .npmrc); None when one of them is malformed (AG900 says so)."""
    major = pnpm_major(lock.version, root)
    npmrc_path, yaml_path = join(ws.root, ".npmrc"), join(ws.root, "pnpm-workspace.yaml")
    settings: dict[str, tuple[object, str]] = {}
    if repo.exists(npmrc_path):
        npmrc = repo.document(npmrc_path, pnpm.parse_npmrc)
        if npmrc is None:
            return None
        settings.update({name: (value, npmrc_path) for name, value in npmrc.items()})
    workspace = pnpm.PnpmWorkspaceFile((), {}, {})
    if repo.exists(yaml_path):
        found = repo.document(yaml_path, pnpm.parse_pnpm_workspace)
        if found is None:
            return None
        workspace = found
    if major >= 10:
        settings.update({name: (v, yaml_path) for name, v in workspace.settings.items()})
    return PnpmConfig(major, settings, workspace.catalogs, yaml_path)


def _pnpm_setting_drifts(
    lock: pnpm.PnpmLock, lock_path: str, config: PnpmConfig, npmrc_path: str
) -> Iterator[Drift]:
    """ERR_PNPM_LOCKFILE_CONFIG_MISMATCH: a recorded setting the configuration no longer gives.
    A setting left at its default is attributed to the root .npmrc, where one would set it."""
    values = {name: value for name, (value, _where) in config.settings.items()}
    for setting, mine, theirs in pnpm.outdated_settings(lock.settings, values, config.major):
        where = config.settings.get(setting.name, (None, ""))[1]
        default = f"pnpm's default `{_yaml_scalar(setting.default)}`"
        if not where:
            origin = default
        elif where.endswith(".npmrc"):
            origin = f"set by `{setting.npmrc}` in {where}"
        else:
            origin = f"set in {where}"
        recorded = f"no value ({default})" if theirs is None else f"`{_yaml_scalar(theirs)}`"
        yield Drift(
            "pnpm",
            lock_path,
            where or npmrc_path,
            setting.name,
            "setting",
            f"`{_yaml_scalar(mine)}` ({origin})",
            recorded,
            lock.lines.get("settings", 1),
        )


def _pnpm_catalog_drifts(
    lock: pnpm.PnpmLock, lock_path: str, config: PnpmConfig
) -> Iterator[Drift]:
    """pnpm 10 refuses a lockfile whose locked catalog entries the catalogs no longer give;
    pnpm 9's --frozen-lockfile does not compare them (checked differentially)."""
    if config.major < 10:
        return
    for name, alias, mine, theirs in pnpm.outdated_catalogs(config.catalogs, lock.catalogs):
        how, declared = ("removed", "") if mine is None else ("changed", f"`{mine}`")
        yield Drift(
            "pnpm",
            lock_path,
            config.workspace_file,
            f"catalogs.{name}: {alias}",
            how,
            declared,
            f"`{theirs}`",
            lock.lines.get("catalogs", 1),
        )


def _yaml_scalar(value: object) -> str:
    """A setting value as YAML / .npmrc spell it (`true`, not `True`)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _effective(lock: pnpm.PnpmLock, config: PnpmConfig, name: str) -> bool:
    """A boolean setting as pnpm applies it to `satisfiesPackageManifest`: the configured value;
    when only the environment knows it (`${VAR}`), the lockfile's, else pnpm's default."""
    default = next(s.default for s in pnpm.SETTINGS if s.name == name)
    if name not in config.settings:
        return bool(default)
    configured = config.settings[name][0]
    if configured is None:
        configured = lock.settings.get(name, default)
    return bool(configured)


def pnpm_drifts(repo: RepoView, ws: NodeWorkspace, lock_path: str) -> Iterator[Drift]:
    lock = repo.document(lock_path, pnpm.parse_pnpm_lock)
    docs = node_docs(repo, ws)
    if lock is None or len(docs) != len(ws.members):
        return
    config = pnpm_config(repo, ws, lock, docs.get("."))
    if config is None:
        return
    yield from _pnpm_setting_drifts(lock, lock_path, config, join(ws.root, ".npmrc"))
    yield from _pnpm_catalog_drifts(lock, lock_path, config)
    options = (
        _effective(lock, config, "autoInstallPeers"),
        _effective(lock, config, "excludeLinksFromLockfile"),
    )
    root = docs.get(".")
    overrides = parse_overrides(pnpm_overrides(root), config.catalogs) if root else []
    for member, doc in sorted(docs.items()):
        manifest = ws.members[member]
        importer = lock.importers.get(member)
        if importer is None:
            if doc.has_dependencies:  # pnpm writes an empty importer back itself
                yield Drift("pnpm", lock_path, manifest, doc.name or member, "member-added")
            continue
        project = Project(doc.name, doc.data.get("version"), join(ws.root, member), ws.root)
        specs = override_sections(doc, overrides, project, importer.specifiers)
        yield from importer_drifts(doc, specs, importer, (lock_path, manifest), options)
    # An importer left over from a deleted project is not checked: `pnpm install
    # --frozen-lockfile` accepts it (checked differentially) and prunes it on the next install.
    if root is not None:
        yield from _override_drifts(root, lock, lock_path, ws.members["."])


def _override_drifts(
    root: PackageJson, lock: pnpm.PnpmLock, lock_path: str, manifest: str
) -> Iterator[Drift]:
    declared, locked = pnpm_overrides(root), lock.overrides or {}
    pnpm_keys = {e.key for e in root.overrides if e.section == "pnpm.overrides"}

    def label(key: str) -> str:
        return "pnpm.overrides" if key in pnpm_keys or key not in declared else "resolutions"

    for name, how, mine, theirs in compare(declared, locked, label):
        yield Drift("pnpm", lock_path, manifest, f"overrides: {name}", how, mine, theirs)
