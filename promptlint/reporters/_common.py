"""Helpers shared by the reporters: sorting, fix applicability, summaries, positions, colour."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from promptlint.findings import Finding, Fix
from promptlint.model import LineIndex

BOLD = "1"
RED = "1;31"
CYAN = "36"
BLUE = "1;34"


def paint(text: str, style: str, color: bool) -> str:
    """Wrap ``text`` in an ANSI style when ``color`` is on."""
    return f"\x1b[{style}m{text}\x1b[0m" if color and text else text


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in reporting order (stable for equal keys)."""
    return sorted(findings, key=Finding.sort_key)


def is_applicable(fix: Fix | None, unsafe_fixes_enabled: bool) -> bool:
    """Whether ``--fix`` would apply this fix."""
    return fix is not None and (fix.applicability == "safe" or unsafe_fixes_enabled)


def is_hidden(fix: Fix | None, unsafe_fixes_enabled: bool) -> bool:
    """Whether the fix is unsafe and ``--unsafe-fixes`` is off."""
    return fix is not None and fix.applicability != "safe" and not unsafe_fixes_enabled


def header(finding: Finding, *, unsafe_fixes_enabled: bool, color: bool) -> str:
    """``path:line:col: CODE [*] message``."""
    marker = " " + paint("[*]", CYAN, color) if is_applicable(finding.fix, unsafe_fixes_enabled) else ""
    return (
        f"{paint(finding.path, BOLD, color)}:{finding.line}:{finding.column}: "
        f"{paint(finding.code, RED, color)}{marker} {finding.message}"
    )


def summary(findings: list[Finding], *, fixed: int, unsafe_fixes_enabled: bool, color: bool) -> list[str]:
    """Ruff's closing lines: ``Found N errors.``, the fixable count, or ``All checks passed!``."""
    remaining = len(findings)
    if remaining == 0 and fixed == 0:
        return [paint("All checks passed!", BOLD, color)]
    total = remaining + fixed
    found = f"Found {total} error{'' if total == 1 else 's'}"
    found += f" ({fixed} fixed, {remaining} remaining)." if fixed else "."
    lines = [found]
    applicable = sum(is_applicable(f.fix, unsafe_fixes_enabled) for f in findings)
    hidden = sum(is_hidden(f.fix, unsafe_fixes_enabled) for f in findings)
    hint = (
        f" ({hidden} hidden fix{'' if hidden == 1 else 'es'} can be enabled with the --unsafe-fixes option)"
        if hidden
        else ""
    )
    if applicable:
        lines.append(f"{paint('[*]', CYAN, color)} {applicable} fixable with the --fix option{hint}.")
    elif hidden:
        lines.append(f"No fixes available{hint}.")
    return lines


class Positions:
    """Lazily built line indexes of the source files, by display path."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self._sources = sources
        self._indexes: dict[str, LineIndex] = {}

    def index(self, path: str) -> LineIndex | None:
        if path not in self._indexes:
            text = self._sources.get(path)
            if text is None:
                return None
            self._indexes[path] = LineIndex(text)
        return self._indexes[path]

    def position(self, path: str, offset: int) -> tuple[int, int] | None:
        """1-based (row, column) of a file offset, or None without the source."""
        index = self.index(path)
        return None if index is None else index.position(offset)

    def line_text(self, path: str, line: int) -> str | None:
        """Text of a 1-based line (no line break), or None when unknown."""
        index = self.index(path)
        if index is None or not 1 <= line <= index.line_count:
            return None
        return index.line_text(line)
