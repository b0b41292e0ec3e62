"""Config discovery order, validation messages (file, key, allowed values) and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import run_cli

from ameide_guard.config.loader import EMBEDDED, load_config
from ameide_guard.errors import ConfigError
from ameide_guard.model import Level


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_default_applies_without_config(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.source == EMBEDDED
    assert config.zones["proto"] == ("packages/ameide_core_proto/",)
    assert config.generated["npm"] == ("@buf/*",)
    assert config.sdk_packages["go"] == "github.com/ameideio/ameide-sdk-go"
    assert config.rule("AG101").level is Level.ERROR
    assert config.rule("AG101").options["type-only-level"] == "warning"


def test_discovery_order_toml_then_dot_toml_then_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.ameide-guard]\nexclude = ["py/"]\n')
    assert load_config(tmp_path).exclude == ("py/",)
    write(tmp_path / ".ameide-guard.toml", 'exclude = ["dot/"]\n')
    assert load_config(tmp_path).exclude == ("dot/",)
    write(tmp_path / "ameide-guard.toml", 'exclude = ["plain/"]\n')
    config = load_config(tmp_path)
    assert (config.source, config.exclude) == ("ameide-guard.toml", ("plain/",))
    explicit = write(tmp_path / "other.toml", 'exclude = ["explicit/"]\n')
    assert load_config(tmp_path, explicit).exclude == ("explicit/",)


def test_pyproject_without_tool_table_means_default(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(tmp_path).source == EMBEDDED


def test_unset_keys_keep_their_defaults(tmp_path: Path) -> None:
    write(tmp_path / "ameide-guard.toml", '[zones]\nproto = ["protos/"]\n')
    config = load_config(tmp_path)
    assert config.zones["proto"] == ("protos/",)
    assert config.zones["sdk"][0] == "packages/ameide_sdk_ts/"


def test_rule_levels_by_id_slug_and_table(tmp_path: Path) -> None:
    write(
        tmp_path / "ameide-guard.toml",
        '[rules]\nruntime-proto-package-import = "warning"\nAG901 = "off"\n'
        '[rules.AG101]\nlevel = "note"\ntype-only-level = "off"\n',
    )
    config = load_config(tmp_path)
    assert config.rule("AG102").level is Level.WARNING
    assert config.rule("AG901").level is None
    assert config.rule("AG101").level is Level.NOTE
    assert config.rule("AG101").options["type-only-level"] == "off"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bogus = 1\n", "ameide-guard.toml: bogus: unknown key; allowed: exclude, zones"),
        ("[zones]\nservice = []\n", "zones.service: unknown key; allowed: proto, sdk, test"),
        ("[rules]\nAG999 = 'error'\n", "rules.AG999: unknown rule"),
        ("[rules]\nAG101 = 'fatal'\n", "rules.AG101.level: allowed: error, warning, note, off"),
        (
            "[rules.AG101]\ncolour = 1\n",
            "rules.AG101.colour: unknown option; allowed: level, type-only-level",
        ),
        (
            "[rules.AG101]\ntype-only-level = 3\n",
            "rules.AG101.type-only-level: allowed: error, warning, note, off",
        ),
        ("exclude = 'x'\n", "exclude: must be a list of strings"),
        ("[zones]\nproto = ['[z-a]']\n", "zones.proto: bad pattern '[z-a]'"),
        ("[generated]\nnpm = ['@buf/**']\n", "generated.npm: bad pattern '@buf/**'"),
        ("[generated]\ngo = ['" + "*a" * 20 + "']\n", "more than 8 `*` wildcards"),
        ("[sdk-packages]\nnpm = ''\n", "sdk-packages.npm: must be a non-empty package name"),
        ("[per-file-ignores]\n'a/*.ts' = ['nope']\n", "unknown rule 'nope'"),
        ("zones = [\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_key_and_allowed_values(
    tmp_path: Path, text: str, expected: str
) -> None:
    write(tmp_path / "ameide-guard.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_pyproject_errors_use_the_tool_prefix(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.ameide-guard]\nexclud = []\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.ameide-guard.exclud: unknown key"):
        load_config(tmp_path)


def test_cli_bad_config_exits_2_with_one_line(tmp_path: Path) -> None:
    write(tmp_path / "ameide-guard.toml", "[rules]\nAG101 = 'loud'\n")
    done = run_cli("scan", "--no-cache", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "ameide-guard: error: ameide-guard.toml: rules.AG101.level: allowed: error, warning, "
        "note, off"
    ]
    assert "Traceback" not in done.stderr


def test_config_digest_changes_with_effective_config(tmp_path: Path) -> None:
    base = load_config(tmp_path).digest
    write(tmp_path / "ameide-guard.toml", "# only a comment\n")
    assert load_config(tmp_path).digest == base
    write(tmp_path / "ameide-guard.toml", "[rules]\nAG101 = 'warning'\n")
    assert load_config(tmp_path).digest != base
