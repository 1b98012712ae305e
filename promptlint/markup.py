"""Format-independent marking of regions and placeholders inside a message's text.

Every loader calls :func:`analyse` on each message so rules can skip code, comments, block
quotes, XML-tagged examples and quoted strings the same way whatever the file format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from promptlint.lazyre import lazy_compile
from promptlint.model import CODE, COMMENT, EXAMPLE, QUOTE, QUOTED, Region

_FENCE_OPEN = lazy_compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$", re.M)
_INLINE_CODE = lazy_compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = lazy_compile(r"<!--.*?(?:-->|\Z)", re.S)
_BLOCK_QUOTE = lazy_compile(r"^[ \t]{0,3}>[^\n]*(?:\n|\Z)", re.M)
EXAMPLE_TAGS = (
    "example",
    "examples",
    "sample",
    "samples",
    "document",
    "documents",
    "doc",
    "input",
    "user_input",
    "context",
    "transcript",
    "conversation",
    "email",
    "letter",
    "text",
    "article",
    "source",
    "quote",
    "output_example",
    "example_output",
    "sample_output",
    "expected_output",
    "good_example",
    "bad_example",
)
_TAG_OPEN = lazy_compile(
    r"<(?P<tag>(?:[A-Za-z_][\w-]*_)?(?:" + "|".join(EXAMPLE_TAGS) + r")(?:_[\w-]+)?)\b[^<>\n]*>",
    re.I,
)
# Quoted strings within one paragraph; straight and typographic quotes.
_QUOTED = lazy_compile(
    r"(?<![\w\"])\"[^\"\n]{1,2000}\"(?![\w\"])"
    r"|“[^”\n]{1,2000}”"
    r"|‘[^’\n]{1,2000}’"
    r"|(?<![\w'])'[^'\n]{2,400}'(?![\w'])"
)
PLACEHOLDER = lazy_compile(
    r"\{\{[^{}\n]{1,200}\}\}"  # {{ var }} (Mustache, Handlebars, Jinja expressions)
    r"|\{%[^\n]{0,200}?%\}"  # {% tag %} (Jinja statements)
    r"|\{#[^\n]{0,200}?#\}"  # {# comment #} (Jinja)
    r"|\$\{[A-Za-z_][\w.]{0,80}\}"  # ${var}
    r"|(?<![{\w])\{[A-Za-z_][\w.]{0,80}\}(?!\})"  # {var} (str.format)
    r"|\[\[[A-Z][A-Z0-9_ ]{1,80}\]\]"  # [[VAR]]
)


def find_placeholders(text: str) -> list[tuple[int, int]]:
    """Spans of template placeholders ({{var}}, {var}, {% ... %}, ${var}, [[VAR]])."""
    if "{" not in text and "[[" not in text:  # every form needs one: skip the regex scan
        return []
    return [m.span() for m in PLACEHOLDER.finditer(text)]


def _fences(text: str) -> list[Region]:
    regions: list[Region] = []
    if "```" not in text and "~~~" not in text:
        return regions
    pos = 0
    while True:
        m = _FENCE_OPEN.search(text, pos)
        if not m:
            break
        marker = m.group(1)
        close = re.compile(r"^[ \t]{0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}[ \t]*$", re.M)
        c = close.search(text, m.end())
        end = c.end() if c else len(text)
        regions.append(Region(m.start(), end, CODE))
        pos = end
    return regions


def _example_sections(text: str, outside: Callable[[int], bool]) -> list[Region]:
    regions = []
    pos = 0
    while True:
        m = _TAG_OPEN.search(text, pos)
        if not m:
            break
        if not outside(m.start()):
            pos = m.end()
            continue
        tag = m.group("tag")
        close = re.compile(r"</" + re.escape(tag) + r"\s*>", re.I)
        c = close.search(text, m.end())
        if not c:
            pos = m.end()
            continue
        regions.append(Region(m.start(), c.end(), EXAMPLE))
        pos = c.end()
    return regions


_DELIMITED = lazy_compile(
    r"^[ \t]*(?:<<<\s*(?P<a>\w*)|(?P<q>\"\"\"|\'\'\')|(?:-{3,}|={3,}|\[)\s*BEGIN\b[^\n]*)[ \t]*\r?\n"
    r"(?P<body>.*?)"
    r"^[ \t]*(?:(?P=a)\s*>>>|(?P=q)|(?:-{3,}|={3,}|\[)\s*END\b[^\n]*)[ \t]*\r?$",
    re.M | re.S,
)
# A line that introduces an example ("Example of a good closing:", "For instance:", "e.g.:").
_EXAMPLE_INTRO = lazy_compile(
    r"^[^\n]*\b(?:examples?|e\.g\.|for instance|sample|such as|like this|looks like|would look|template)\b"
    r"[^\n]*:[ \t]*\r?$",
    re.M | re.I,
)


_JSON_VALUE_LINE = lazy_compile(r'^[ \t]*"[^"\n]{1,60}"[ \t]*:[ \t]*(?P<value>"[^\n]*)$', re.M)


def _json_value_lines(text: str) -> list[Region]:
    """String values of JSON-looking lines (``"key": "..."``): data, not instructions."""
    if '"' not in text:
        return []
    return [Region(m.start("value"), m.end("value"), QUOTED) for m in _JSON_VALUE_LINE.finditer(text)]


def _delimited(text: str) -> list[Region]:
    if not any(opener in text for opener in ("<<<", '"""', "'''", "BEGIN")):
        return []
    return [Region(m.start(), m.end(), EXAMPLE) for m in _DELIMITED.finditer(text)]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _indented_blocks(text: str) -> list[Region]:
    """Indented blocks after an example intro line, and Markdown indented code blocks."""
    regions: list[Region] = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        line = lines[i]
        intro = bool(_EXAMPLE_INTRO.match(line))
        prev_blank = i == 0 or not lines[i - 1].strip()
        if intro or (
            prev_blank and _indent(line) >= 4 and line.strip() and not line.lstrip().startswith(("-", "*", "+"))
        ):
            base = _indent(line) if intro else -1
            j = i + 1 if intro else i
            while j < len(lines) and not lines[j].strip():
                j += 1
            start_j = j
            end_j = j
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > max(base, 0) + (0 if intro else 3)):
                if lines[j].strip():
                    end_j = j + 1
                j += 1
            if end_j > start_j and (not intro or _indent(lines[start_j]) > base):
                regions.append(Region(offsets[start_j], min(offsets[end_j] - 1, len(text)), EXAMPLE if intro else CODE))
                i = end_j
                continue
        i += 1
    return regions


class _Taken:
    """The regions found so far, with O(1) "is this offset inside one?" lookups."""

    def __init__(self, text: str, regions: list[Region]) -> None:
        self.regions: list[Region] = []
        self._covered = bytearray(len(text) + 1)
        for region in regions:
            self.add(region)

    def outside(self, start: int) -> bool:
        return not self._covered[start]

    def add(self, region: Region) -> None:
        self.regions.append(region)
        self._covered[region.start : region.end] = b"\1" * (region.end - region.start)

    def add_outside(self, region: Region) -> None:
        if not self._covered[region.start]:
            self.add(region)


def find_regions(text: str) -> list[Region]:
    """Regions rules usually skip: code, HTML comments, block quotes, examples, quotes."""
    taken = _Taken(text, _fences(text))
    for region in _delimited(text) + _indented_blocks(text) + _json_value_lines(text):
        taken.add_outside(region)
    # Each pattern needs a character that many prompts lack: test for it before scanning.
    if "<!--" in text:
        for m in _HTML_COMMENT.finditer(text):
            taken.add_outside(Region(m.start(), m.end(), COMMENT))
    if "`" in text:
        for m in _INLINE_CODE.finditer(text):
            if taken.outside(m.start()) and "\n\n" not in m.group(0):
                taken.add(Region(m.start(), m.end(), CODE))
    if ">" in text:
        for m in _BLOCK_QUOTE.finditer(text):
            taken.add_outside(Region(m.start(), m.end(), QUOTE))
    if "<" in text:
        for region in _example_sections(text, taken.outside):
            taken.add(region)
    if any(q in text for q in "\"'“‘"):
        for m in _QUOTED.finditer(text):
            taken.add_outside(Region(m.start(), m.end(), QUOTED))
    regions = taken.regions
    regions.sort(key=lambda r: (r.start, r.end))
    return regions


def analyse(message) -> None:
    """Fill a message's regions and placeholders in place."""
    message.regions = find_regions(message.text)
    message._masks.clear()
    message.placeholders = find_placeholders(message.text)
