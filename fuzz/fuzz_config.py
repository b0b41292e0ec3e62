"""Fuzz target: config validation (ameide-guard.toml / [tool.ameide-guard]); any TOML document
must give a Config or a ConfigError (exit 2, one line), and every accepted pattern must compile
and match in bounded time."""

from __future__ import annotations

import atheris

with atheris.instrument_imports():
    from _harness import main

    from ameide_guard.config.loader import build_config
    from ameide_guard.errors import ConfigError
    from ameide_guard.scan.zones import ZoneMap

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


def TestOneInput(data: bytes) -> None:
    try:
        user = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    try:
        config = build_config("fuzz.toml", user)
    except ConfigError:
        return
    ZoneMap.from_config(config).classify("a" * 200 + "/b/" + "c" * 200 + ".ts")


if __name__ == "__main__":
    main(TestOneInput, ["*/ameide-guard.toml", "*/pyproject.toml"])
