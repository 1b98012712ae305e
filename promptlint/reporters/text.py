"""The default ``text`` format: a header per finding, the source line with carets, a summary."""

from __future__ import annotations

from collections.abc import Mapping

from promptlint.catalog import Rule
from promptlint.findings import Finding
from promptlint.reporters._common import BLUE, RED, Positions, header, paint, sort_findings, summary

TAB_WIDTH = 4
MAX_LINE = 200  # longer lines are shown as a window around the finding
WINDOW = 160
ELLIPSIS = "…"


def _layout(line: str) -> tuple[str, list[int]]:
    """Displayable text of ``line`` and the display column of each index (``len(line) + 1`` entries).

    Tabs expand to the next stop, control characters become their visible symbols, wide
    characters take two cells and combining marks none, so carets line up under the text.
    """
    import unicodedata  # only when a finding is shown: a clean run does not pay for it

    out: list[str] = []
    cols: list[int] = []
    width = 0
    for ch in line:
        cols.append(width)
        if ch == "\t":
            step = TAB_WIDTH - width % TAB_WIDTH
            out.append(" " * step)
            width += step
            continue
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            ch = chr(0x2400 + code) if code < 0x20 else "\u2421"
        out.append(ch)
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    cols.append(width)
    return "".join(out), cols


def excerpt(line: str, start: int, end: int) -> tuple[str, int, int]:
    """Display text of ``line`` and the display range of ``line[start:end]`` (at least one cell)."""
    start = max(0, min(start, len(line)))
    end = max(start, min(end, len(line)))
    prefix = suffix = ""
    if len(line) > MAX_LINE:
        lo = max(0, start - WINDOW // 3)
        hi = min(len(line), lo + WINDOW)
        lo = max(0, hi - WINDOW)
        prefix = ELLIPSIS if lo > 0 else ""
        suffix = ELLIPSIS if hi < len(line) else ""
        line, start, end = line[lo:hi], start - lo, min(end, hi) - lo
    text, cols = _layout(line)
    shift = len(prefix)
    a, b = cols[start] + shift, cols[end] + shift
    return prefix + text + suffix, a, max(b, a + 1)


def _snippet(finding: Finding, positions: Positions, color: bool) -> list[str]:
    line = positions.line_text(finding.path, finding.line)
    if line is None:
        return []
    stop = finding.end_column if finding.end_line == finding.line else len(line) + 1
    text, a, b = excerpt(line, finding.column - 1, stop - 1)
    number = str(finding.line)
    pad = " " * len(number)
    bar = paint("|", BLUE, color)
    return [
        f"{paint(number, BLUE, color)} {bar}" + (f" {text}" if text else ""),
        f"{pad} {bar} {' ' * a}{paint('^' * (b - a), RED, color)}",
    ]


def render(
    findings: list[Finding],
    rules: dict[str, Rule],
    *,
    sources: Mapping[str, str],
    color: bool = False,
    fixed: int = 0,
    unsafe_fixes_enabled: bool = False,
    **_: object,
) -> str:
    """Findings with source excerpts, then the summary."""
    positions = Positions(sources)
    lines: list[str] = []
    for finding in sort_findings(findings):
        lines.append(header(finding, unsafe_fixes_enabled=unsafe_fixes_enabled, color=color))
        lines.extend(_snippet(finding, positions, color))
        lines.append("")
    lines += summary(findings, fixed=fixed, unsafe_fixes_enabled=unsafe_fixes_enabled, color=color)
    return "\n".join(lines) + "\n"
