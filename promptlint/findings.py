"""Findings and the fixes they may carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Applicability = Literal["safe", "unsafe"]
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Edit:
    """Replace ``file_text[start:end]`` with ``content`` (file offsets)."""

    start: int
    end: int
    content: str


@dataclass
class Fix:
    """A set of edits applied together; ``unsafe`` fixes change a prompt's wording."""

    applicability: Applicability
    edits: list[Edit]
    message: str = ""


@dataclass
class Finding:
    """One diagnostic, with 1-based rows and columns (``end_column`` is exclusive)."""

    code: str
    name: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str = "warning"
    fix: Fix | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
