"""Applying fixes: choose non-overlapping applicable fixes, apply bottom-up, write atomically."""

from __future__ import annotations

import os

from promptlint.edits import apply_edits
from promptlint.findings import Edit, Finding


def applicable(finding: Finding, unsafe: bool) -> bool:
    """Whether a finding's fix may be applied under the current flags."""
    return finding.fix is not None and (finding.fix.applicability == "safe" or unsafe)


def apply_fixes(text: str, findings: list[Finding], unsafe: bool) -> tuple[str, int]:
    """Apply every applicable, non-overlapping fix; return (new text, fixes applied)."""
    chosen: list[Edit] = []
    taken: list[tuple[int, int]] = []
    count = 0
    for finding in sorted(findings, key=Finding.sort_key):
        if not applicable(finding, unsafe):
            continue
        edits = finding.fix.edits  # type: ignore[union-attr]
        spans = [(e.start, e.end) for e in edits]
        if any(_overlaps(s, t) for s in spans for t in taken):
            continue  # applied on a later pass
        chosen.extend(edits)
        taken.extend(spans)
        count += 1
    if not chosen:
        return text, 0
    return apply_edits(text, chosen), count


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions collide only at the same point or inside
        return b[0] < a[0] < b[1] or a[0] < b[0] < a[1] or a[0] == b[0]
    return a[0] < b[1] and b[0] < a[1]


def write_atomic(path: str, text: str) -> None:
    """Replace a file's content atomically, keeping its permissions."""
    from pathlib import Path

    from promptlint.cache import write_bytes_atomic

    mode = os.stat(path).st_mode & 0o7777
    write_bytes_atomic(Path(os.path.abspath(path)), text.encode("utf-8"), mode)


def unified_diff(display: str, before: str, after: str) -> str:
    """A unified diff of a fixed file."""
    import difflib

    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{display}",
            tofile=f"b/{display}",
        )
    )
