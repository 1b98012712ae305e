"""Configuration files: discovery, validation, per-rule parameters and rule selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptlint.catalog import CatalogError, Rule, load_catalog
from promptlint.cli import main
from promptlint.config import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, Config, ConfigError, check_rule_parameters, load_config
from promptlint.engine import Settings

RULES = load_catalog()
TODO_FILE = "Answer politely.\nTODO: add the refund policy.\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fake_rule(code: str, parameters: dict) -> Rule:
    return Rule(
        code=code,
        name=f"fake-{code.lower()}",
        summary="A fake rule for parameter tests",
        severity="warning",
        docs={},
        valid=[],
        invalid=[],
        parameters=parameters,
    )


FAKE_RULES = {
    "TST001": fake_rule("TST001", {"max_items": 5, "ratio": 0.5, "strict": False, "label": "x", "words": ["a"]}),
    "TST002": fake_rule("TST002", {}),
}


# --------------------------------------------------------------------------- finding the file


def test_no_config_file_gives_empty_config_rooted_at_cwd(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config.path is None
    assert config.root == tmp_path
    assert config.values == {}
    assert config.include == DEFAULT_INCLUDE
    assert config.exclude == DEFAULT_EXCLUDE


def test_pyproject_section_found_by_walking_up(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", '[tool.promptlint]\nignore = ["PRM006"]\n')
    nested = tmp_path / "a" / "b" / "c"
    nested.mkdir(parents=True)
    config = load_config(cwd=nested)
    assert config.path == pyproject
    assert config.root == tmp_path.resolve()
    assert config.get("ignore") == ["PRM006"]


def test_pyproject_without_section_is_skipped_for_parents(tmp_path: Path) -> None:
    parent = write(tmp_path / "pyproject.toml", '[tool.promptlint]\nselect = ["PRM00"]\n')
    child = tmp_path / "pkg"
    write(child / "pyproject.toml", '[project]\nname = "pkg"\n\n[tool.ruff]\nline-length = 100\n')
    config = load_config(cwd=child)
    assert config.path == parent
    assert config.get("select") == ["PRM00"]


def test_nearest_config_wins_over_parent(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.promptlint]\nselect = ["PRM001"]\n')
    child = write(tmp_path / "pkg" / "pyproject.toml", '[tool.promptlint]\nselect = ["PRM002"]\n')
    config = load_config(cwd=tmp_path / "pkg")
    assert config.path == child
    assert config.get("select") == ["PRM002"]


@pytest.mark.parametrize("name", ["promptlint.toml", ".promptlint.toml"])
def test_dedicated_config_files_use_top_level_keys(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, 'extend-exclude = ["legacy/**"]\nmax-file-size = 1024\n')
    (tmp_path / "sub").mkdir()
    config = load_config(cwd=tmp_path / "sub")
    assert config.path == path
    assert config.get("max-file-size") == 1024
    assert config.exclude == [*DEFAULT_EXCLUDE, "legacy/**"]


def test_dedicated_file_beats_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.promptlint]\nignore = ["PRM001"]\n')
    write(tmp_path / "promptlint.toml", 'ignore = ["PRM002"]\n')
    dotted = write(tmp_path / ".promptlint.toml", 'ignore = ["PRM003"]\n')
    config = load_config(cwd=tmp_path)
    assert config.path == dotted
    assert config.get("ignore") == ["PRM003"]


def test_explicit_config_path_overrides_discovery(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.promptlint]\nignore = ["PRM001"]\n')
    other = write(tmp_path / "elsewhere" / "custom.toml", 'ignore = ["PRM004"]\n')
    config = load_config(str(other), cwd=tmp_path)
    assert config.path == other
    assert config.get("ignore") == ["PRM004"]
    assert config.root == other.resolve().parent


def test_explicit_config_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match="config file not found") as info:
        load_config(str(missing), cwd=tmp_path)
    assert str(missing) in str(info.value)


def test_include_and_extend_include(tmp_path: Path) -> None:
    write(tmp_path / "promptlint.toml", 'include = ["*.md"]\nextend-include = ["*.tmpl"]\nexclude = ["old"]\n')
    config = load_config(cwd=tmp_path)
    assert config.include == ["*.md", "*.tmpl"]
    assert config.exclude == ["old"]


# --------------------------------------------------------------------------- validation


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.promptlint]\nselekt = ["PRM"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert "selekt" in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('select = "PRM"', "select", "array"),
        ("ignore = 3", "ignore", "array"),
        ('respect-gitignore = "yes"', "respect-gitignore", "boolean"),
        ("max-file-size = true", "max-file-size", "integer"),
        ('max-file-size = "5MB"', "max-file-size", "integer"),
        ("output-format = 1", "output-format", "string"),
        ('per-file-ignores = ["a"]', "per-file-ignores", "table"),
    ],
)
def test_wrong_type_names_key_and_file(tmp_path: Path, line: str, key: str, expected: str) -> None:
    path = write(tmp_path / "promptlint.toml", line + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    message = str(info.value)
    assert f"'{key}'" in message
    assert str(path) in message
    assert expected in message


def test_array_of_non_strings_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "promptlint.toml", 'select = ["PRM", 1]\n')
    with pytest.raises(ConfigError, match="'select' must be an array of strings") as info:
        load_config(cwd=tmp_path)
    assert str(path) in str(info.value)


def test_per_file_ignores_values_must_be_code_lists(tmp_path: Path) -> None:
    write(tmp_path / "promptlint.toml", '[per-file-ignores]\n"legacy/*.md" = "PRM006"\n')
    with pytest.raises(ConfigError, match=r"per-file-ignores\.\"legacy/\*\.md\""):
        load_config(cwd=tmp_path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.promptlint\nselect = [\n")
    with pytest.raises(ConfigError, match="invalid TOML") as info:
        load_config(cwd=tmp_path / ".")
    assert str(path) in str(info.value)


def test_invalid_toml_in_nested_pyproject_is_reported_not_skipped(tmp_path: Path) -> None:
    """A broken pyproject.toml is an error even though it might not hold our section."""
    write(tmp_path / "pyproject.toml", '[tool.promptlint]\nselect = ["PRM"]\n')
    broken = write(tmp_path / "pkg" / "pyproject.toml", "this is = = not toml\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path / "pkg")
    assert str(broken) in str(info.value)


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool]\npromptlint = "on"\n')
    with pytest.raises(ConfigError, match="must be a table") as info:
        load_config(str(path), cwd=tmp_path)
    assert str(path) in str(info.value)


def test_free_sections_accept_any_keys(tmp_path: Path) -> None:
    write(tmp_path / "promptlint.toml", "[ensemble]\nmodel = 'x'\nsamples = 5\n\n[python]\nfunctions = ['f']\n")
    config = load_config(cwd=tmp_path)
    assert config.get("ensemble") == {"model": "x", "samples": 5}


# --------------------------------------------------------------------------- per-rule parameters


def test_rule_parameters_merge_over_defaults() -> None:
    config = Config(path=Path("cfg.toml"), values={"rules": {"TST001": {"max_items": 9, "ratio": 1, "words": []}}})
    merged = check_rule_parameters(config, FAKE_RULES)
    assert merged["TST001"] == {"max_items": 9, "ratio": 1, "strict": False, "label": "x", "words": []}
    assert merged["TST002"] == {}
    # The catalog's defaults are not modified.
    assert FAKE_RULES["TST001"].parameters["max_items"] == 5


def test_rule_parameters_unknown_code() -> None:
    config = Config(path=Path("cfg.toml"), values={"rules": {"TST999": {"max_items": 1}}})
    with pytest.raises(ConfigError, match=r"cfg\.toml: 'rules\.TST999': unknown rule code"):
        check_rule_parameters(config, FAKE_RULES)


def test_rule_parameters_unknown_parameter() -> None:
    config = Config(path=Path("cfg.toml"), values={"rules": {"TST001": {"max_itemz": 1}}})
    with pytest.raises(ConfigError, match=r"cfg\.toml: 'rules\.TST001\.max_itemz': unknown parameter"):
        check_rule_parameters(config, FAKE_RULES)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("max_items", "5", "int"),
        ("max_items", True, "int"),
        ("max_items", 2.5, "int"),
        ("ratio", "half", "float"),
        ("strict", 1, "bool"),
        ("label", 3, "str"),
        ("words", "a", "list"),
    ],
)
def test_rule_parameters_wrong_type(name: str, value: object, expected: str) -> None:
    config = Config(path=Path("cfg.toml"), values={"rules": {"TST001": {name: value}}})
    with pytest.raises(ConfigError, match=rf"'rules\.TST001\.{name}' must be {expected}, not {type(value).__name__}"):
        check_rule_parameters(config, FAKE_RULES)


def test_rule_parameters_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.promptlint.rules.TST001]\nmax_items = 3\nstrict = true\n")
    merged = check_rule_parameters(load_config(cwd=tmp_path), FAKE_RULES)
    assert merged["TST001"]["max_items"] == 3
    assert merged["TST001"]["strict"] is True
    write(path, "[tool.promptlint.rules.TST001]\nmax_items = 'three'\n")
    with pytest.raises(ConfigError) as info:
        check_rule_parameters(load_config(cwd=tmp_path), FAKE_RULES)
    assert str(path) in str(info.value) and "max_items" in str(info.value)


def test_rules_entry_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path / "promptlint.toml", "[rules]\nPRM001 = 3\n")
    with pytest.raises(ConfigError, match=r"'rules\.PRM001' must be a table"):
        load_config(cwd=tmp_path)


def test_catalog_rule_without_parameters_rejects_any(tmp_path: Path) -> None:
    """PRM001 has no parameters in the catalog, so any parameter for it is unknown."""
    path = write(tmp_path / "promptlint.toml", "[rules.PRM001]\ncheck_documents = false\n")
    config = load_config(cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"'rules\.PRM001\.check_documents': unknown parameter") as info:
        Settings.build(config, RULES)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------- rule selection


def build(values: dict | None = None, tmp_path: Path | None = None, **kwargs: list[str]) -> Settings:
    config = Config(path=None, root=tmp_path or Path.cwd(), values=values or {})
    return Settings.build(config, RULES, **kwargs)


def test_default_selection_is_rules_enabled_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build().enabled == {code for code, rule in RULES.items() if rule.default}
    # A rule that is off by default stays off until selected.
    monkeypatch.setattr(RULES["PRM006"], "default", False)
    settings = build()
    assert "PRM006" not in settings.enabled
    assert "PRM001" in settings.enabled
    assert "PRM006" in build(extend_select=["PRM006"]).enabled


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (["PRM006"], {"PRM006"}),
        (["prm006"], {"PRM006"}),
        (["PRM00"], {"PRM001", "PRM002", "PRM003", "PRM004", "PRM005", "PRM006"}),
        (["leftover-todo"], {"PRM006"}),
        (["empty-message", "PRM003"], {"PRM001", "PRM003"}),
        (["ALL"], set(RULES)),
        (["all"], set(RULES)),
    ],
)
def test_select_by_code_prefix_name_and_all(selector: list[str], expected: set[str]) -> None:
    assert build(select=selector).enabled == expected
    assert build({"select": selector}).enabled == expected


def test_cli_select_overrides_config_select() -> None:
    settings = build({"select": ["PRM001"]}, select=["PRM006"])
    assert settings.enabled == {"PRM006"}


def test_extend_select_and_ignore_apply_on_top_of_select() -> None:
    settings = build(
        {"select": ["PRM001"], "extend-select": ["PRM002"], "ignore": ["PRM003"]},
        select=["PRM00"],
        extend_select=["PRM006"],
        ignore=["PRM004"],
    )
    # CLI select is the base; both config and CLI extend-select/ignore still apply.
    assert settings.enabled == {"PRM001", "PRM002", "PRM005", "PRM006"}


def test_ignore_beats_select_and_extend_select() -> None:
    settings = build({"extend-select": ["PRM006"], "ignore": ["PRM006"]})
    assert "PRM006" not in settings.enabled
    assert build(select=["PRM006"], ignore=["PRM"]).enabled == set()


def test_unknown_selector_is_an_error() -> None:
    with pytest.raises(CatalogError, match="unknown rule selector 'XYZ9'"):
        build(select=["XYZ9"])


def test_unknown_selector_in_config_names_key_and_file(tmp_path: Path) -> None:
    path = write(tmp_path / "promptlint.toml", 'ignore = ["XYZ9"]\n')
    with pytest.raises(ConfigError, match="'ignore': unknown rule selector 'XYZ9'") as info:
        Settings.build(load_config(cwd=tmp_path), RULES)
    assert str(path) in str(info.value)
    write(path, 'extend-select = ["PRM006", "XYZ8"]\n')
    with pytest.raises(ConfigError, match="'extend-select': unknown rule selector 'XYZ8'"):
        Settings.build(load_config(cwd=tmp_path), RULES)
    write(path, 'select = ["XYZ7"]\n')
    with pytest.raises(ConfigError, match="'select': unknown rule selector 'XYZ7'"):
        Settings.build(load_config(cwd=tmp_path), RULES)
    # A CLI --select replaces the config's select, so its bad selector is never resolved.
    assert Settings.build(load_config(cwd=tmp_path), RULES, select=["PRM006"]).enabled == {"PRM006"}


def test_per_file_ignores_map_globs_to_codes(tmp_path: Path) -> None:
    settings = build({"per-file-ignores": {"legacy/*.md": ["PRM006"], "**/*.prompt.md": ["PRM00"]}}, tmp_path)
    assert settings.ignored_for(str(tmp_path / "legacy" / "a.md")) == {"PRM006"}
    assert settings.ignored_for(str(tmp_path / "legacy" / "deep" / "a.md")) == set()
    assert settings.ignored_for(str(tmp_path / "x" / "y.prompt.md")) == {
        "PRM001",
        "PRM002",
        "PRM003",
        "PRM004",
        "PRM005",
        "PRM006",
    }
    assert settings.ignored_for(str(tmp_path / "other.md")) == set()


def test_per_file_ignores_unknown_code_is_an_error() -> None:
    config = Config(path=Path("cfg.toml"), values={"per-file-ignores": {"*.md": ["NOPE1"]}})
    with pytest.raises(ConfigError, match=r"cfg\.toml: 'per-file-ignores\.\"\*\.md\"': unknown rule selector 'NOPE1'"):
        Settings.build(config, RULES)


def test_settings_take_config_values(tmp_path: Path) -> None:
    settings = build({"respect-gitignore": False, "max-file-size": 10, "extend-exclude": ["old"]}, tmp_path)
    assert settings.respect_gitignore is False
    assert settings.max_file_size == 10
    assert settings.exclude[-1] == "old"
    assert settings.root == tmp_path


# --------------------------------------------------------------------------- through the CLI


def test_cli_broken_config_exits_2_naming_key_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "pyproject.toml", '[tool.promptlint]\nselect = "PRM"\n')
    write(tmp_path / "prompts" / "a.md", TODO_FILE)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "prompts"]) == 2
    err = capsys.readouterr().err
    assert "'select'" in err
    assert str(tmp_path / "pyproject.toml") in err


def test_cli_unknown_key_in_nested_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path / ".promptlint.toml", "colour = true\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert "colour" in err
    assert str(config) in err


def test_cli_invalid_toml_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "promptlint.toml", "select = [\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "promptlint.toml" in err and "invalid TOML" in err


def test_cli_bad_rule_parameter_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "promptlint.toml", "[rules.PRM999]\nx = 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert "rules.PRM999" in capsys.readouterr().err


def test_cli_explicit_config_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "prompts" / "a.md", TODO_FILE)
    write(tmp_path / "quiet.toml", 'ignore = ["PRM006"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "concise", "--select", "PRM", "prompts"]) == 1
    assert "PRM006" in capsys.readouterr().out
    assert main(["check", "--format", "concise", "--config", "quiet.toml", "--select", "PRM", "prompts"]) == 0
    assert "PRM006" not in capsys.readouterr().out
    assert main(["check", "--config", "missing.toml", "prompts"]) == 2
    assert "missing.toml" in capsys.readouterr().err


def test_cli_config_select_and_cli_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "prompts" / "a.md", TODO_FILE)
    write(tmp_path / "pyproject.toml", '[tool.promptlint]\nselect = ["PRM001"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "concise", "prompts"]) == 0
    assert main(["check", "--format", "concise", "--select", "PRM006", "prompts"]) == 1
    assert "PRM006" in capsys.readouterr().out
    assert main(["check", "--format", "concise", "--extend-select", "leftover-todo", "prompts"]) == 1
    assert main(["check", "--format", "concise", "--select", "PRM", "--ignore", "PRM006", "prompts"]) == 0


def test_cli_unknown_selector_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "prompts" / "a.md", TODO_FILE)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "PRM006,BOGUS1", "prompts"]) == 2
    assert "BOGUS1" in capsys.readouterr().err
    write(tmp_path / "promptlint.toml", 'extend-select = ["BOGUS2"]\n')
    assert main(["check", "prompts"]) == 2
    err = capsys.readouterr().err
    assert "BOGUS2" in err and "'extend-select'" in err and str(tmp_path / "promptlint.toml") in err


def test_cli_per_file_ignores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "prompts" / "legacy" / "old.md", TODO_FILE)
    write(tmp_path / "prompts" / "new.md", TODO_FILE)
    write(
        tmp_path / "pyproject.toml",
        '[tool.promptlint]\nselect = ["PRM"]\n\n'
        '[tool.promptlint.per-file-ignores]\n"prompts/legacy/*.md" = ["PRM006"]\n',
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "concise", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "prompts/new.md:2:1: PRM006" in out
    assert "old.md" not in out
    # The glob is relative to the config's directory, not to the working directory.
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["check", "--format", "concise", "../prompts"]) == 1
    out = capsys.readouterr().out
    assert "new.md" in out and "old.md" not in out


def test_cli_output_format_from_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "prompts" / "a.md", TODO_FILE)
    write(tmp_path / "promptlint.toml", 'output-format = "concise"\nselect = ["PRM"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "prompts"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("prompts/a.md:2:1: PRM006")
    write(tmp_path / "promptlint.toml", 'output-format = "fancy"\n')
    assert main(["check", "prompts"]) == 2
    err = capsys.readouterr().err
    assert "output-format" in err and "promptlint.toml" in err


def test_explicit_config_in_pyproject_layout_with_another_name(tmp_path: Path) -> None:
    path = tmp_path / "lint-settings.toml"
    path.write_text('[tool.promptlint]\nselect = ["AMD"]\n', encoding="utf-8")
    assert load_config(str(path), cwd=tmp_path).values == {"select": ["AMD"]}
    path.write_text('[tool.promptlint]\nselekt = ["AMD"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="selekt"):
        load_config(str(path), cwd=tmp_path)
