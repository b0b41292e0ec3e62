"""go.mod and go.work: a reader of the Go module file grammar, faithful to Go's own.

The rules that read these files (AG201 replaces, AG202 module paths, AG203 generated requires,
AG204 pseudo-versions, AG402 go.sum drift) must see exactly what the go command sees: a `replace`
hidden after an odd comment, a quoted path or a block with a blank line is still a replace to Go.
So this module ports the lexer, parser and directive checks of `golang.org/x/mod/modfile` (the
package `go mod edit` uses): `//` comments anywhere (whole-line and trailing, inside blocks too),
block `(...)` and single-line directives, `"..."` strings with Go escapes, versions canonicalised
as `module.CanonicalVersion` does (`v1.2` is `v1.2.0`, `+incompatible` kept, other build metadata
dropped), major-version suffix checks, `retract` single versions and `[low, high]` ranges with
their rationale, `toolchain`, `godebug`, `tool`, `ignore`, `exclude`, go.work `use`, and the
`// Deprecated:` paragraph of a `module` directive.

Input Go rejects is rejected here too, with Go's message and the line: a file go refuses to load
is an AG900 finding, never a silent partial read. Like Go, a back-quoted string is one token (so a
`//` inside it starts no comment) but is not accepted as a path or version. The differential test
(`tests/test_gomod_differential.py`) holds this reader to `go mod edit -json` / `go work edit
-json` on every fixture.

The package follows modfile's layout: `model` (what a read returns), `semver` (versions and module
paths, `golang.org/x/mod/semver` and `module`), `lexer` and `parser` (`read.go`), `arguments`
(quoted strings and versions of directive arguments) and `directives` (`rule.go`, `work.go`),
and `reader`, the entry that runs them; this module re-exports what other code uses.
"""

from __future__ import annotations

from ameide_guard.manifests.gomod.model import (
    GoDebug,
    GoExclude,
    GoModFile,
    GoReplace,
    GoRequire,
    GoRetract,
)
from ameide_guard.manifests.gomod.reader import file_kind, parse_gomod
from ameide_guard.manifests.gomod.semver import (
    canonical_version,
    is_directory_path,
    is_pseudo_version,
    split_path_version,
)

__all__ = [
    "GoDebug",
    "GoExclude",
    "GoModFile",
    "GoReplace",
    "GoRequire",
    "GoRetract",
    "canonical_version",
    "file_kind",
    "is_directory_path",
    "is_pseudo_version",
    "parse_gomod",
    "split_path_version",
]
