"""The ``github`` format: workflow-command annotations, errors first, then warnings, then notices."""

from __future__ import annotations

from promptlint.catalog import Rule
from promptlint.findings import Finding
from promptlint.reporters._common import sort_findings

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
ORDER = {"error": 0, "warning": 1, "notice": 2}


def escape_data(text: str) -> str:
    """Escape a command's message (actions/toolkit ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (actions/toolkit ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One ``::level title=…,file=…,line=…::message`` command."""
    level = LEVELS.get(finding.severity, "warning")
    props = [
        ("title", f"promptlint ({finding.code})"),
        ("file", finding.path),
        ("line", str(finding.line)),
    ]
    single_line = finding.line == finding.end_line
    if single_line:
        props.append(("col", str(finding.column)))
    props.append(("endLine", str(finding.end_line)))
    if single_line:
        props.append(("endColumn", str(finding.end_column)))
    params = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    message = f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}"
    return f"::{level} {params}::{escape_data(message)}"


def render(findings: list[Finding], rules: dict[str, Rule], **_: object) -> str:
    """Annotations for every finding; GitHub keeps only the first few per step, so errors go first."""
    ordered = sorted(sort_findings(findings), key=lambda f: ORDER[LEVELS.get(f.severity, "warning")])
    return "".join(annotation(f) + "\n" for f in ordered)
