"""Manifest readers, one module per format (go.mod/go.work, package.json, pyproject.toml,
requirements files, CI workflows).

Every reader is a pure `parse_*(text, path)` function suitable for `RepoView.document`: it reads
the format as real repositories write it and raises `repo.ManifestError(message, span)` for input
it cannot read, which the repo view turns into one AG900 finding.
"""
