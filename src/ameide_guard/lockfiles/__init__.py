"""Lockfile readers, one module per format, each reading only what AG401/AG402 compare.

Every reader is a pure `parse_*(text, path)` function suitable for `RepoView.document`; bad input
raises `ManifestError`, which the repo view turns into one AG900 finding. The readers return
what the package manager itself compares when it decides a lockfile is stale (pnpm importer
specifiers, package-lock root and workspace entries, yarn descriptors, go.sum hash lines, uv
project metadata, poetry's content hash), never the whole resolved graph unless the check needs
it (yarn's orphan detection).
"""
