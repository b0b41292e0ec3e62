"""Lockfile readers, one module per format, each reading only what AG401/AG402 compare.

Every reader is a pure `parse_*(text, path)` function suitable for `RepoView.document`; bad input
raises `ManifestError`, which the repo view turns into one AG900 finding. The readers return
what the package manager itself compares when it decides a lockfile is stale (pnpm importer
specifiers, package-lock root and workspace entries, yarn descriptors, bun.lock workspace
entries, go.sum hash lines, uv project metadata, poetry's content hash), never the whole resolved
graph unless the check needs it (yarn's orphan detection).
"""

NODE_LOCKS = (
    "pnpm-lock.yaml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
)
"""Every Node lockfile: any one of them at the workspace root covers its manifests (AG401)."""
INPUTS = frozenset(
    (
        "package.json",
        "pnpm-workspace.yaml",
        ".npmrc",
        *NODE_LOCKS,
        "go.mod",
        "go.sum",
        "go.work",
        "go.work.sum",
        "pyproject.toml",
        "uv.lock",
        "poetry.lock",
    )
)
"""Every file AG401/AG402 read: a pre-commit run staging one of them runs the two rules."""
FIX = {
    "pnpm": "run `pnpm install` and commit pnpm-lock.yaml",
    "npm": "run `npm install` and commit package-lock.json",
    "yarn": "run `yarn install` and commit yarn.lock",
    "bun": "run `bun install` and commit bun.lock",
    "go": "run `go mod tidy` (or `go mod download` for go.work.sum) and commit the sums",
    "uv": "run `uv lock` and commit uv.lock",
    "poetry": "run `poetry lock` and commit poetry.lock",
}
