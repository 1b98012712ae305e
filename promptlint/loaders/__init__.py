"""Loaders turn one file's text into prompt documents.

Each loader is ``load(path, text) -> LoadResult | None`` (``None``: the file holds no prompt and
is skipped silently). Loaders are imported lazily so a run over Markdown never imports YAML or
libcst. Adding a format means adding a module and one line to :data:`FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from promptlint.model import LoadResult

# (format name, predicate on the lower-cased file name, "module:function"); first match wins.
FORMATS: list[tuple[str, Callable[[str], bool], str]] = [
    ("prompty", lambda n: n.endswith(".prompty"), "promptlint.loaders.prompty:load"),
    (
        "github-prompt",
        lambda n: n.endswith((".prompt.yml", ".prompt.yaml")),
        "promptlint.loaders.chat:load_yaml",
    ),
    ("chat-yaml", lambda n: n.endswith((".yaml", ".yml")), "promptlint.loaders.chat:load_yaml"),
    ("chat-json", lambda n: n.endswith(".json"), "promptlint.loaders.chat:load_json"),
    ("python", lambda n: n.endswith((".py", ".pyi")), "promptlint.loaders.python:load"),
    (
        "markdown",
        lambda n: n.endswith((".md", ".mdc", ".markdown", ".mdx")),
        "promptlint.loaders.text:load_markdown",
    ),
    ("text", lambda n: True, "promptlint.loaders.text:load_text"),
]


def format_for(filename: str) -> str:
    """The format name a file is read as, from its name."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for fmt, matches, _ in FORMATS:
        if matches(name):
            return fmt
    return "text"


_MODULES: dict[str, tuple[object, str]] = {}  # "module:function" -> (imported module, function name)


def loader_for(filename: str) -> Callable[[str, str], LoadResult | None]:
    """The load function for a file name."""
    fmt = format_for(filename)
    target = next(t for f, _, t in FORMATS if f == fmt)
    found = _MODULES.get(target)
    if found is None:
        module_name, func = target.split(":")
        found = _MODULES[target] = (importlib.import_module(module_name), func)
    return getattr(*found)  # looked up each time: a test may replace the function
