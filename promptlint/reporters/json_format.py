"""The ``json`` format: a ruff-shaped array of findings with 1-based locations."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from promptlint.catalog import DOCS_URL, Rule
from promptlint.findings import Finding, Fix
from promptlint.reporters._common import Positions, sort_findings


def _location(pos: tuple[int, int] | None) -> dict[str, int] | None:
    return None if pos is None else {"row": pos[0], "column": pos[1]}


def fix_json(fix: Fix | None, path: str, positions: Positions) -> dict[str, Any] | None:
    """A fix with its edits' file offsets turned into rows and columns (null without the source)."""
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "message": fix.message or None,
        "edits": [
            {
                "content": e.content,
                "location": _location(positions.position(path, e.start)),
                "end_location": _location(positions.position(path, e.end)),
            }
            for e in sorted(fix.edits, key=lambda e: (e.start, e.end))
        ],
    }


def finding_json(finding: Finding, rules: dict[str, Rule], positions: Positions) -> dict[str, Any]:
    """One finding as ruff's JSON object, plus ``data`` when the finding carries any."""
    rule = rules.get(finding.code)
    out: dict[str, Any] = {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "filename": finding.path,
        "location": {"row": finding.line, "column": finding.column},
        "end_location": {"row": finding.end_line, "column": finding.end_column},
        "fix": fix_json(finding.fix, finding.path, positions),
        "url": rule.url if rule else DOCS_URL.format(code=finding.code),
        "severity": finding.severity,
    }
    if finding.data:
        out["data"] = finding.data
    return out


def render(findings: list[Finding], rules: dict[str, Rule], *, sources: Mapping[str, str], **_: object) -> str:
    """The findings as a JSON array (indent 2)."""
    positions = Positions(sources)
    items = [finding_json(f, rules, positions) for f in sort_findings(findings)]
    return json.dumps(items, indent=2, default=str) + "\n"
