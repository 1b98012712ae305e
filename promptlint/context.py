"""What a check receives: the rule, its parameters, and a way to report findings."""

from __future__ import annotations

from typing import Any

from promptlint.catalog import Rule
from promptlint.findings import Finding, Fix
from promptlint.model import PromptDocument


class RuleContext:
    """Collects the findings of one rule on one document."""

    def __init__(self, rule: Rule, params: dict[str, Any], doc: PromptDocument, display_path: str) -> None:
        self.rule = rule
        self.params = params
        self.doc = doc
        self.path = display_path
        self.findings: list[Finding] = []

    def report(
        self,
        message: str,
        *,
        msg: int = 0,
        start: int = 0,
        end: int | None = None,
        fix: Fix | None = None,
        data: dict[str, Any] | None = None,
        severity: str | None = None,
    ) -> Finding:
        """Report a finding at text offsets ``[start, end)`` of message ``msg``.

        Without ``end`` the finding spans the rest of the line it starts on.
        """
        doc = self.doc
        text = doc.messages[msg].text
        start = max(0, min(start, max(len(text) - 1, 0)))
        if end is None:
            nl = text.find("\n", start)
            end = len(text) if nl == -1 else nl
        end = max(start + 1, min(end, len(text)))
        line, col = doc.position(msg, start)
        end_line, end_col = doc.position(msg, end - 1)
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
        return self._add(message, line, col, end_line, end_col + 1, fix, data, severity)

    def report_line(
        self,
        message: str,
        *,
        line: int,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: Fix | None = None,
        data: dict[str, Any] | None = None,
        severity: str | None = None,
    ) -> Finding:
        """Report a finding at a file position (1-based)."""
        end_line = end_line or line
        if end_column is None:
            end_column = len(self.doc.lines.line_text(end_line)) + 1
        return self._add(message, line, column, end_line, max(end_column, 1), fix, data, severity)

    def _add(self, message, line, col, end_line, end_col, fix, data, severity) -> Finding:
        finding = Finding(
            code=self.rule.code,
            name=self.rule.name,
            message=message,
            path=self.path,
            line=line,
            column=col,
            end_line=end_line,
            end_column=end_col,
            severity=severity or self.rule.severity,
            fix=fix,
            data=data or {},
        )
        self.findings.append(finding)
        return finding
