"""``[tool.promptlint.python]`` settings, as the Python loader reads them.

Keys (all optional):

- ``extra-prompt-names``: glob patterns (case-insensitive) of variable / attribute names that hold
  prompts, on top of the built-in ones (``*_prompt``, ``system*``, ``*_instructions`` ...), e.g.
  ``["*_brief", "PERSONA_*"]``. A matching name skips the "reads as instructions" test.
- ``extra-calls``: dotted call names (matched as a suffix of the called name) whose string
  arguments are prompts, e.g. ``["my_llm.ask", "ask_model"]``.
- ``ignore-names``: glob patterns of names that never hold prompts.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

KEYS: dict[str, type] = {
    "extra-prompt-names": list,
    "extra-calls": list,
    "ignore-names": list,
}


@dataclass(frozen=True)
class Options:
    """Validated Python-loader settings."""

    extra_prompt_names: tuple[str, ...] = ()
    extra_calls: tuple[str, ...] = ()
    ignore_names: tuple[str, ...] = ()

    def name_is_extra(self, name: str) -> bool:
        return _matches(name, self.extra_prompt_names)

    def name_is_ignored(self, name: str) -> bool:
        return _matches(name, self.ignore_names)

    @property
    def call_words(self) -> tuple[str, ...]:
        """Last components of the extra calls, for the cheap text scan."""
        return tuple(c.rsplit(".", 1)[-1] for c in self.extra_calls if c)

    @property
    def name_words(self) -> tuple[str, ...]:
        """Literal fragments of the extra name patterns, for the cheap text scan."""
        out = []
        for pattern in self.extra_prompt_names:
            for part in re.split(r"[*?\[\]]+", pattern):
                if len(part) >= 3:
                    out.append(part)
        return tuple(out)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns)


@lru_cache(maxsize=16)
def _build(items: tuple[tuple[str, tuple[str, ...]], ...]) -> Options:
    raw = dict(items)
    return Options(
        extra_prompt_names=raw.get("extra-prompt-names", ()),
        extra_calls=raw.get("extra-calls", ()),
        ignore_names=raw.get("ignore-names", ()),
    )


def from_config(values: dict[str, Any] | None) -> Options:
    """Options from a (validated) ``python`` table; unknown or malformed keys are ignored."""
    if not values:
        return Options()
    items = []
    for key in KEYS:
        value = values.get(key)
        if isinstance(value, list):
            items.append((key, tuple(v.strip() for v in value if isinstance(v, str) and v.strip())))
    return _build(tuple(items))
