"""Configuration: ``[tool.promptlint]`` in pyproject.toml, or promptlint.toml / .promptlint.toml.

The file is found by walking up from the working directory (``--config`` overrides). Unknown
keys, wrong types and invalid TOML raise :class:`ConfigError`, which the CLI turns into exit 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _toml() -> Any:
    """tomllib (tomli before 3.11), imported when a TOML file is actually read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    return tomllib


CONFIG_FILES = (".promptlint.toml", "promptlint.toml", "pyproject.toml")

DEFAULT_INCLUDE = [
    # Prompt formats.
    "*.prompt",
    "*.prompt.md",
    "*.prompt.txt",
    "*.prompt.yml",
    "*.prompt.yaml",
    "*.prompty",
    "*.mdc",
    # Agent instruction files.
    "*.instructions.md",
    "*.agent.md",
    "*.chatmode.md",
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
    "SKILL.md",
    "CONVENTIONS.md",
    ".cursorrules",
    ".windsurfrules",
    ".clinerules",
    "copilot-instructions.md",
    # Markdown/text in prompt folders or named as prompts.
    "*prompt*.md",
    "*prompt*.txt",
    "system.md",
    "user.md",
    "system.txt",
    "user.txt",
    "**/prompts/**/*.md",
    "**/prompts/**/*.txt",
    "**/prompt/**/*.md",
    "**/prompt/**/*.txt",
    "**/.cursor/rules/**/*.md",
    "**/.github/prompts/**/*.md",
    "**/.github/instructions/**/*.md",
    "**/.claude/commands/**/*.md",
    "**/.claude/agents/**/*.md",
    # Chat message files (sniffed: files that hold no messages are skipped silently).
    "*.yaml",
    "*.yml",
    "*.json",
    # Python (prompts are extracted from code).
    "*.py",
]

DEFAULT_EXCLUDE = [
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    "__pypackages__",
    "site-packages",
    "build",
    "dist",
    "_build",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".promptlint_cache",
    ".ipynb_checkpoints",
    # Ordinary project docs are not prompts.
    "README*",
    "CHANGELOG*",
    "CHANGES*",
    "HISTORY*",
    "LICENSE*",
    "LICENCE*",
    "CONTRIBUTING*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "pnpm-lock.yaml",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "**/.github/workflows/*",
]

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

# key -> expected type(s) of the value
_TOP_KEYS: dict[str, tuple[type, ...]] = {
    "include": (list,),
    "extend-include": (list,),
    "exclude": (list,),
    "extend-exclude": (list,),
    "select": (list,),
    "extend-select": (list,),
    "ignore": (list,),
    "per-file-ignores": (dict,),
    "respect-gitignore": (bool,),
    "force-exclude": (bool,),
    "max-file-size": (int,),
    "output-format": (str,),
    "rules": (dict,),
    "python": (dict,),
    "ensemble": (dict,),
}
# Sections owned by later features; their keys are validated by those features.
_FREE_SECTIONS = ("python", "ensemble")


class ConfigError(Exception):
    """An invalid configuration file or value."""


@dataclass
class Config:
    """The raw, validated configuration and where it came from."""

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def include(self) -> list[str]:
        return list(self.values.get("include", DEFAULT_INCLUDE)) + list(self.values.get("extend-include", []))

    @property
    def exclude(self) -> list[str]:
        return list(self.values.get("exclude", DEFAULT_EXCLUDE)) + list(self.values.get("extend-exclude", []))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return _toml().loads(path.read_text(encoding="utf-8"))
    except _toml().TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def _section(path: Path) -> dict[str, Any] | None:
    data = _read_toml(path)
    tool = data.get("tool")
    # pyproject.toml, or any file given with --config that uses the [tool.promptlint] layout.
    if path.name == "pyproject.toml" or (isinstance(tool, dict) and set(data) == {"tool"}):
        return tool.get("promptlint") if isinstance(tool, dict) else None
    return data


def find_config(start: Path) -> Path | None:
    """The nearest config file from ``start`` upwards."""
    for directory in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                if name != "pyproject.toml":
                    return candidate
                try:
                    if _section(candidate) is not None:
                        return candidate
                except ConfigError:
                    return candidate
    return None


def _type_name(types: tuple[type, ...]) -> str:
    return " or ".join({list: "array", dict: "table", bool: "boolean", int: "integer", str: "string"}[t] for t in types)


def validate(values: dict[str, Any], where: str) -> None:
    """Check keys and value types; raise ConfigError naming the key and file."""
    for key, value in values.items():
        if key not in _TOP_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}'")
        expected = _TOP_KEYS[key]
        if not isinstance(value, expected) or (bool in (type(value),) and bool not in expected):
            raise ConfigError(f"{where}: '{key}' must be {_type_name(expected)}, not {type(value).__name__}")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be an array of strings")
    for pattern, codes in values.get("per-file-ignores", {}).items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: 'per-file-ignores.\"{pattern}\"' must be an array of codes")
    for code, params in values.get("rules", {}).items():
        if not isinstance(params, dict):
            raise ConfigError(f"{where}: 'rules.{code}' must be a table of parameters")
    if "ensemble" in values:  # standard library only: static runs stay light
        from promptlint.ensemble.validate import EnsembleConfigError, validate_section

        try:
            validate_section(values["ensemble"], where)
        except EnsembleConfigError as exc:
            raise ConfigError(str(exc)) from exc
    _validate_python(values.get("python"), where)


def _validate_python(section: Any, where: str) -> None:
    """``[tool.promptlint.python]``: the keys the Python loader reads must be arrays of non-empty strings
    (other keys are left alone: the section is shared with later features)."""
    if not isinstance(section, dict):
        return
    from promptlint.pyextract.options import KEYS

    for key in KEYS:
        value = section.get(key)
        ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        if value is not None and not ok:
            raise ConfigError(f"{where}: 'python.{key}' must be an array of non-empty strings")


def load_config(explicit: str | None = None, cwd: Path | None = None) -> Config:
    """Find, read and validate the configuration."""
    cwd = cwd or Path.cwd()
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        values = _section(path)
        if values is None:
            values = {}
    else:
        found = find_config(cwd)
        if found is None:
            return Config(path=None, root=cwd, values={})
        path = found
        values = _section(path) or {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: [tool.promptlint] must be a table")
    validate(values, str(path))
    return Config(path=path, root=path.resolve().parent, values=values)


def check_rule_parameters(config: Config, rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Merge per-rule parameters over defaults, checking codes, names and types."""
    where = str(config.path) if config.path else "configuration"
    merged = {code: dict(rule.parameters) for code, rule in rules.items()}
    for code, params in config.get("rules", {}).items():
        if code not in rules:
            raise ConfigError(f"{where}: 'rules.{code}': unknown rule code")
        for name, value in params.items():
            if name not in rules[code].parameters:
                raise ConfigError(f"{where}: 'rules.{code}.{name}': unknown parameter")
            default = rules[code].parameters[name]
            ok = isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int))
            if isinstance(default, bool) != isinstance(value, bool):
                ok = False
            if not ok:
                raise ConfigError(
                    f"{where}: 'rules.{code}.{name}' must be {type(default).__name__}, not {type(value).__name__}"
                )
            merged[code][name] = value
    return merged
