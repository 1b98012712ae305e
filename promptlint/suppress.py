"""``promptlint: ignore[...]`` suppression comments.

Forms (Markdown/text use HTML comments, YAML and Python use ``#``):

- ``<!-- promptlint: ignore[AMD001,TSK] -->`` or ``# promptlint: ignore[AMD001]``: on its own line
  it applies to the next non-blank line (and its own); trailing, to the line it is on.
- a bare ``promptlint: ignore`` suppresses every code;
- ``promptlint: ignore-file`` (optionally ``[CODES]``) anywhere suppresses the whole file.

A finding is suppressed when a suppression applies to its first or last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from promptlint.lazyre import lazy_compile

_COMMENT = lazy_compile(
    r"(?P<lead><!--|#|//)\s*promptlint:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[A-Za-z0-9_,\s-]*)\])?",
)


@dataclass
class Suppressions:
    """Which codes are suppressed where; ``None`` as a code set means every code."""

    file_codes: set[str] | None = field(default_factory=set)
    file_all: bool = False
    lines: dict[int, set[str] | None] = field(default_factory=dict)

    def _add_line(self, line: int, codes: set[str] | None) -> None:
        if codes is None or self.lines.get(line, set()) is None:
            self.lines[line] = None
        else:
            self.lines.setdefault(line, set()).update(codes)

    def suppresses(self, code: str, line: int, end_line: int) -> bool:
        if self.file_all or _matches(code, self.file_codes):
            return True
        for ln in {line, end_line}:
            if ln in self.lines:
                codes = self.lines[ln]
                if codes is None or _matches(code, codes):
                    return True
        return False


def _matches(code: str, codes: set[str] | None) -> bool:
    return bool(codes) and any(code.startswith(c) for c in codes)


def parse_suppressions(text: str) -> Suppressions:
    """Collect the suppression comments of a file."""
    sup = Suppressions()
    if "promptlint:" not in text:
        return sup
    lines = text.split("\n")
    for idx, line in enumerate(lines):
        if "promptlint:" not in line:
            continue
        for m in _COMMENT.finditer(line):
            raw = m.group("codes")
            codes = None if raw is None else {c.strip().upper() for c in re.split(r"[,\s]+", raw) if c.strip()}
            if m.group("kind") == "ignore-file":
                if codes is None:
                    sup.file_all = True
                else:
                    sup.file_codes = (sup.file_codes or set()) | codes
                continue
            lineno = idx + 1
            sup._add_line(lineno, codes)
            if not line[: m.start()].strip():  # own line: also the next non-blank line
                nxt = idx + 1
                while nxt < len(lines) and not lines[nxt].strip():
                    nxt += 1
                sup._add_line(nxt + 1, codes)
    return sup
