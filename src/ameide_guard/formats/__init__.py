"""The low-level formats every reader shares: one JSON reader that keeps positions, one TOML
loader (and a TOML position locator), one bounded YAML loader with one alias limit, globs and
module patterns, and the guard that turns hostile numbers and nesting into `ManifestError`."""
