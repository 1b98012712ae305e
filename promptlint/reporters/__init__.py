"""Output formats for findings: text, concise, json, github, sarif, junit, and statistics.

Each format lives in its own module, imported only when that format is rendered.
Every non-empty rendering ends with a newline.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promptlint.catalog import Rule
    from promptlint.findings import Finding

FORMATS = ("text", "concise", "json", "github", "sarif", "junit")
_MODULES = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
}


def render(
    fmt: str,
    findings: list[Finding],
    rules: dict[str, Rule],
    *,
    sources: Mapping[str, str],
    color: bool = False,
    root: str | None = None,
    files_checked: int = 0,
    fixed: int = 0,
    unsafe_fixes_enabled: bool = False,
) -> str:
    """Render ``findings`` in output format ``fmt`` (one of :data:`FORMATS`).

    ``sources`` maps a finding's path to the file's text (for excerpts and fix positions);
    ``root`` is the repository root SARIF URIs are made relative to (default: the cwd).
    """
    if fmt not in _MODULES:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{_MODULES[fmt]}")
    return module.render(
        findings,
        rules,
        sources=sources,
        color=color,
        root=root,
        files_checked=files_checked,
        fixed=fixed,
        unsafe_fixes_enabled=unsafe_fixes_enabled,
    )


def render_statistics(findings: list[Finding], rules: dict[str, Rule], *, as_json: bool) -> str:
    """Counts per rule code, as text lines (``count<TAB>CODE<TAB>[*] name``) or a JSON list."""
    from promptlint.reporters import statistics

    return statistics.render(findings, rules, as_json=as_json)
