"""The ``sarif`` format: a SARIF 2.1.0 log accepted by GitHub code scanning."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import promptlint
from promptlint.catalog import Rule
from promptlint.findings import Finding
from promptlint.reporters._common import Positions, sort_findings

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/promptlint/promptlint"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
MAX_DESCRIPTION = 1024
MAX_NAME = 255
MAX_HELP = 8000


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first(*texts: str | None) -> str:
    """The first non-blank text (SARIF rejects empty strings)."""
    return next((t.strip() for t in texts if t and t.strip()), "")


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A ``reportingDescriptor`` for one rule."""
    docs = rule.docs
    summary = _first(rule.summary, rule.name, rule.code)
    what = _first(docs.get("what"), summary)
    parts = [what]
    if _first(docs.get("why")):
        parts.append("Why is this bad?\n" + docs["why"].strip())
    if _first(docs.get("use_instead")):
        parts.append("Use instead:\n" + docs["use_instead"].strip())
    help_text = _clip("\n\n".join(parts), MAX_HELP)
    try:
        markdown = rule.render_markdown()
    except KeyError:  # incomplete docs: fall back to the plain text
        markdown = help_text
    return {
        "id": rule.code,
        "name": _clip(_first(rule.name, rule.code), MAX_NAME),
        "shortDescription": {"text": _clip(summary, MAX_DESCRIPTION)},
        "fullDescription": {"text": _clip(what, MAX_DESCRIPTION)},
        "help": {"text": help_text, "markdown": markdown},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"tags": [rule.family], "precision": "high"},
    }


def _stub_rule(finding: Finding) -> Rule:
    """A stand-in for a code missing from ``rules``, so every result has a descriptor."""
    return Rule(
        code=finding.code,
        name=finding.name,
        summary=finding.name or finding.code,
        severity=finding.severity,
        docs={},
        valid=[],
        invalid=[],
    )


def artifact_uri(path: str, root: str) -> dict[str, str]:
    """``artifactLocation`` for ``path``: relative to ``%SRCROOT%`` when inside ``root``."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        rel = os.pardir
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def line_hash(code: str, uri: str, line_text: str) -> str:
    """Stable hash of a finding's rule, file and (stripped) source line."""
    key = f"{code}\0{uri}\0{line_text.strip()}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _region(f: Finding) -> dict[str, int]:
    start_line, start_col = max(1, f.line), max(1, f.column)
    end_line = max(start_line, f.end_line)
    end_col = max(1, f.end_column)
    if end_line == start_line:
        end_col = max(end_col, start_col)
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


def render(
    findings: list[Finding],
    rules: dict[str, Rule],
    *,
    sources: Mapping[str, str],
    root: str | None = None,
    **_: object,
) -> str:
    """The SARIF log (indent 2) listing every rule of ``rules`` and one result per finding."""
    root_abs = os.path.abspath(root if root is not None else os.getcwd())
    ordered = sort_findings(findings)
    catalog = dict(rules)
    for f in ordered:
        catalog.setdefault(f.code, _stub_rule(f))
    index = {code: i for i, code in enumerate(catalog)}
    positions = Positions(sources)
    seen: dict[str, int] = {}
    results = []
    for f in ordered:
        location = artifact_uri(f.path, root_abs)
        line_text = positions.line_text(f.path, f.line)
        digest = line_hash(f.code, location["uri"], line_text if line_text is not None else f.message)
        seen[digest] = seen.get(digest, 0) + 1
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": LEVELS.get(f.severity, "warning"),
                "message": {"text": _first(f.message, catalog[f.code].summary, f.code)},
                "locations": [{"physicalLocation": {"artifactLocation": location, "region": _region(f)}}],
                "partialFingerprints": {"primaryLocationLineHash": f"{digest}:{seen[digest]}"},
            }
        )
    driver = {
        "name": "promptlint",
        "version": promptlint.__version__,
        "semanticVersion": promptlint.__version__,
        "informationUri": INFORMATION_URI,
        "rules": [rule_descriptor(r) for r in catalog.values()],
    }
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [{"executionSuccessful": True}],
                "originalUriBaseIds": {SRCROOT: {"uri": Path(root_abs).as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
