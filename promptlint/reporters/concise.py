"""The ``concise`` format: ``path:line:col: CODE [*] message`` per finding, then the summary."""

from __future__ import annotations

from promptlint.catalog import Rule
from promptlint.findings import Finding
from promptlint.reporters._common import header, sort_findings, summary


def render(
    findings: list[Finding],
    rules: dict[str, Rule],
    *,
    color: bool = False,
    fixed: int = 0,
    unsafe_fixes_enabled: bool = False,
    **_: object,
) -> str:
    """One line per finding, then the summary."""
    lines = [header(f, unsafe_fixes_enabled=unsafe_fixes_enabled, color=color) for f in sort_findings(findings)]
    lines += summary(findings, fixed=fixed, unsafe_fixes_enabled=unsafe_fixes_enabled, color=color)
    return "\n".join(lines) + "\n"
