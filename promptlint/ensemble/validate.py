"""Validation of ``[tool.promptlint.ensemble]`` (standard library only, no dataclasses).

:func:`validate_section` runs on every configuration load, static runs included, so it stays
cheap to import. Credentials and the API host come from the environment only
(``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``); a configuration key that looks like either is
rejected, so a repository's configuration can never send the key elsewhere.
"""

from __future__ import annotations

import re
from typing import Any

DEFAULT_MODEL = "claude-haiku-4-5"

# key -> (types, default)
_OPTIONS: dict[str, tuple[tuple[type, ...], Any]] = {
    "samples": ((int,), 10),
    "min-samples": ((int,), 3),
    "adaptive": ((bool,), True),
    "model": ((str,), DEFAULT_MODEL),
    "max-tokens": ((int,), 512),
    "concurrency": ((int,), 4),
    "threshold": ((float, int), 0.2),
    "spelling-weight": ((float, int), 1 / 3),  # metrics.SPELLING_WEIGHT (not imported: numpy)
    "confidence": ((float, int), 0.8),
    "max-cost": ((float, int), None),
    "timeout": ((float, int), 60.0),
    "deadline": ((float, int), 300.0),
    "max-attempts": ((int,), 6),
    "projection": ((str,), "auto"),
    "prompt-caching": ((bool,), True),
    "cases": ((int,), 1),
    "input": ((str,), None),
    "variables": ((dict,), {}),
    "prices": ((dict,), {}),
    "overrides": ((list,), []),
}
# Keys an [[overrides]] entry may set (besides ``files``).
_OVERRIDE_KEYS = (
    "samples",
    "min-samples",
    "adaptive",
    "model",
    "max-tokens",
    "threshold",
    "spelling-weight",
    "confidence",
    "projection",
    "variables",
    "expected",
    "skip",
    "cases",
    "input",
)
_PRICE_KEYS = ("input", "output", "cache-write", "cache-read")
_CREDENTIAL_LIKE = re.compile(
    r"url|uri|host|endpoint|server|proxy|base|domain|secret|passw|credential|auth|header|cookie|bearer"
    r"|(?:^|[-_])(?:api[-_]?)?key$|apikey|(?:^|[-_])token$|env",
)


class EnsembleConfigError(ValueError):
    """An invalid ``[tool.promptlint.ensemble]`` section."""


def _forbid_credentials(key: str, where: str) -> None:
    if _CREDENTIAL_LIKE.search(key.lower()) and key not in _OPTIONS and key not in _OVERRIDE_KEYS:
        raise EnsembleConfigError(
            f"{where}: '{key}' is not allowed: the API key and host come only from the environment "
            "(ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), never from a configuration file"
        )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_value(key: str, value: Any, where: str) -> None:
    types = _OPTIONS[key][0] if key in _OPTIONS else ()
    if key in ("threshold", "spelling-weight", "confidence", "max-cost", "timeout", "deadline"):
        if not _number(value):
            raise EnsembleConfigError(f"{where}: '{key}' must be a number")
    elif key in ("expected",):
        if not isinstance(value, str):
            raise EnsembleConfigError(f"{where}: '{key}' must be a string")
    elif key == "skip":
        if not isinstance(value, bool):
            raise EnsembleConfigError(f"{where}: '{key}' must be a boolean")
    elif types and (not isinstance(value, types) or (isinstance(value, bool) and bool not in types)):
        names = {int: "an integer", bool: "a boolean", str: "a string", dict: "a table", list: "an array"}
        raise EnsembleConfigError(f"{where}: '{key}' must be {names[types[0]]}")
    if key in ("samples", "max-tokens", "concurrency", "max-attempts", "cases") and value < 1:
        raise EnsembleConfigError(f"{where}: '{key}' must be at least 1")
    if key == "min-samples" and value < 2:
        raise EnsembleConfigError(f"{where}: 'min-samples' must be at least 2")
    if key == "threshold" and not 0 <= value < 1:
        raise EnsembleConfigError(f"{where}: 'threshold' must be in [0, 1)")
    if key == "spelling-weight" and not 0 <= value <= 1:
        raise EnsembleConfigError(f"{where}: 'spelling-weight' must be in [0, 1]")
    if key == "confidence" and not 0 < value < 1:
        raise EnsembleConfigError(f"{where}: 'confidence' must be in (0, 1)")
    if key in ("max-cost", "timeout", "deadline") and value <= 0:
        raise EnsembleConfigError(f"{where}: '{key}' must be positive")
    if key == "projection":
        from promptlint.ensemble.projections import parse_projection

        try:
            parse_projection(value)
        except ValueError as exc:
            raise EnsembleConfigError(f"{where}: 'projection': {exc}") from exc
    if key == "variables":
        for name, var in value.items():
            if not isinstance(var, (str, int, float, bool, list, dict)):
                raise EnsembleConfigError(f"{where}: 'variables.{name}' must be a string, number, array or table")


def validate_section(section: Any, where: str) -> None:
    """Check ``[tool.promptlint.ensemble]``; raise :class:`EnsembleConfigError` naming the key and file."""
    if not isinstance(section, dict):
        raise EnsembleConfigError(f"{where}: 'ensemble' must be a table")
    for key, value in section.items():
        _forbid_credentials(key, where)
        if key not in _OPTIONS:
            raise EnsembleConfigError(f"{where}: unknown key 'ensemble.{key}'")
        _check_value(key, value, f"{where}: ensemble")
    for model, price in section.get("prices", {}).items():
        if not isinstance(price, dict):
            raise EnsembleConfigError(f"{where}: 'ensemble.prices.{model}' must be a table")
        for key, value in price.items():
            _forbid_credentials(key, where)
            if key not in _PRICE_KEYS and key != "as-of":
                raise EnsembleConfigError(f"{where}: unknown key 'ensemble.prices.{model}.{key}'")
            if key != "as-of" and (not _number(value) or value < 0):
                raise EnsembleConfigError(f"{where}: 'ensemble.prices.{model}.{key}' must be a non-negative number")
        if "input" not in price or "output" not in price:
            raise EnsembleConfigError(f"{where}: 'ensemble.prices.{model}' needs 'input' and 'output'")
    for i, entry in enumerate(section.get("overrides", [])):
        at = f"{where}: ensemble.overrides[{i}]"
        if not isinstance(entry, dict):
            raise EnsembleConfigError(f"{at} must be a table")
        files = entry.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
            raise EnsembleConfigError(f"{at}: 'files' must be a non-empty array of globs")
        for key, value in entry.items():
            _forbid_credentials(key, at)
            if key == "files":
                continue
            if key not in _OVERRIDE_KEYS:
                raise EnsembleConfigError(f"{at}: unknown key '{key}'")
            _check_value(key, value, at)
