"""Rule families. Each module holds the rules of one family; `registry.all_rules` imports them.

To add a family, add its module name here and a page per rule in `rules/`."""

CHECK_MODULES: tuple[str, ...] = (
    "meta",
    "imports",
    "sdk_surface",
    "stubs",
    "lockfiles",
    "bundle",
    "dependencies",
    "gomod",
    "layout",
    "workflows",
)
