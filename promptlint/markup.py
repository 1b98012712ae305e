"""Format-independent marking of regions and placeholders inside a message's text.

Every loader calls :func:`analyse` on each message so rules can skip code, comments, block
quotes, XML-tagged examples and quoted strings the same way whatever the file format.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate

from promptlint.lazyre import LazyPattern, lazy_compile
from promptlint.model import CODE, COMMENT, EXAMPLE, QUOTE, QUOTED, Region

_FENCE_OPEN = lazy_compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$", re.M)
_FENCE_LINE = lazy_compile(r"\n[ \t]{0,3}[`~]")
_INLINE_CODE = lazy_compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = lazy_compile(r"<!--.*?(?:-->|\Z)", re.S)
_BLOCK_QUOTE = lazy_compile(r"^[ \t]{0,3}>[^\n]*(?:\n|\Z)", re.M)
_QUOTE_LINE = lazy_compile(r"\n[ \t]{0,3}>")
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
# Every alternative opens with its quote character, so the regex engine jumps from quote to quote;
# "not after a word character or quote" is checked just after the opening quote: "(?<![\w\"]\")" at
# offset p + 1 fails exactly when the character at p - 1 is one of [\w"] (the one at p is the quote).
_QUOTED = lazy_compile(
    r"\"(?<![\w\"]\")[^\"\n]{1,2000}\"(?![\w\"])"
    r"|“[^”\n]{1,2000}”"
    r"|‘[^’\n]{1,2000}’"
    r"|'(?<![\w']')[^'\n]{2,400}'(?![\w'])"
)
PLACEHOLDER = lazy_compile(
    r"\{\{[^{}\n]{1,200}\}\}"  # {{ var }} (Mustache, Handlebars, Jinja expressions)
    r"|\{%[^\n]{0,200}?%\}"  # {% tag %} (Jinja statements)
    r"|\{#[^\n]{0,200}?#\}"  # {# comment #} (Jinja)
    r"|\$\{[A-Za-z_][\w.]{0,80}\}"  # ${var}
    r"|\{(?<![{\w]\{)[A-Za-z_][\w.]{0,80}\}(?!\})"  # {var} (str.format), not after "{" or a word
    r"|\[\[[A-Z][A-Z0-9_ ]{1,80}\]\]"  # [[VAR]]
)


def line_search(pattern: LazyPattern, opener: LazyPattern, text: str, pos: int = 0) -> re.Match[str] | None:
    """``pattern.search(text, pos)`` for a ``^``-anchored ``re.M`` pattern, trying only line starts.

    The regex engine cannot skip ahead to a "^": it tries every offset (tens of nanoseconds a
    character). ``opener`` is ``"\\n"`` followed by a prefix that every match of ``pattern`` starts
    with; it opens with a literal, so the engine jumps from newline to newline, and only the lines it
    finds (plus ``pos`` when that is a line start) are matched with ``pattern``.
    """
    if pos == 0 or text[pos - 1] == "\n":
        m = pattern.match(text, pos)
        if m is not None:
            return m
    for o in opener.finditer(text, pos):
        m = pattern.match(text, o.start() + 1)
        if m is not None:
            return m
    return None


def line_matches(pattern: LazyPattern, opener: LazyPattern, text: str, pos: int = 0) -> list[re.Match[str]]:
    """``list(pattern.finditer(text, pos))`` for a ``^``-anchored ``re.M`` pattern that never matches
    the empty string (see :func:`line_search`). A match may span lines: like ``finditer``, the next
    search starts where it ends."""
    out = []
    m = line_search(pattern, opener, text, pos)
    while m is not None:
        out.append(m)
        m = line_search(pattern, opener, text, m.end())
    return out


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
        m = line_search(_FENCE_OPEN, _FENCE_LINE, text, pos)
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
_JSON_LINE = lazy_compile(r'\n[ \t]*"')


def _json_value_lines(text: str) -> list[Region]:
    """String values of JSON-looking lines (``"key": "..."``): data, not instructions."""
    if '"' not in text:
        return []
    return [Region(m.start("value"), m.end("value"), QUOTED) for m in line_matches(_JSON_VALUE_LINE, _JSON_LINE, text)]


_BACKTICKS = lazy_compile(r"``*")  # not "`+": a leading literal lets the engine skip ahead


def _code_spans(text: str) -> list[tuple[int, int]]:
    """The matches of ``_INLINE_CODE`` (kept as the definition) without its lazy character-by-character scan.

    The regex opens with a maximal run of backticks (``(?!`)``) and closes at the first later run of
    exactly the same length (``(?<!`)`` and ``(?!`)``), at least one character on. When a run of k
    backticks finds no partner, the regex retries one character on, inside the run, with k - 1
    backticks, and so on; after a match it goes on from the match's end, just past its closing run.
    """
    runs = [(m.start(), m.end() - m.start()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (_, length) in enumerate(runs):
        by_length.setdefault(length, []).append(index)
    spans = []
    i = 0
    while i < len(runs):
        start, length = runs[i]
        for skip in range(length):
            later = by_length.get(length - skip)
            j = later[bisect_right(later, i)] if later and later[-1] > i else -1
            if j >= 0:
                close, size = runs[j]
                spans.append((start + skip, close + size))
                i = j
                break
        i += 1
    return spans


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
    count = len(lines)
    offsets: list[int] | None = None  # offsets[k]: where line k starts (built when a block is found)
    i = 0
    while i < count:
        line = lines[i]
        # An intro line ends with ":", then blanks and maybe "\r": test that before the costly regex.
        intro = line.rstrip(" \t\r").endswith(":") and _EXAMPLE_INTRO.match(line) is not None
        if intro or (
            line.startswith((" ", "\t"))  # implied by an indent of 4: the cheapest test first
            and (i == 0 or not lines[i - 1].strip())
            and _indent(line) >= 4
            and line.strip()
            and not line.lstrip().startswith(("-", "*", "+"))
        ):
            base = _indent(line) if intro else -1
            j = i + 1 if intro else i
            while j < count and not lines[j].strip():
                j += 1
            start_j = j
            end_j = j
            while j < count and (not lines[j].strip() or _indent(lines[j]) > max(base, 0) + (0 if intro else 3)):
                if lines[j].strip():
                    end_j = j + 1
                j += 1
            if end_j > start_j and (not intro or _indent(lines[start_j]) > base):
                if offsets is None:
                    offsets = list(accumulate((len(x) + 1 for x in lines), initial=0))
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
        for start, end in _code_spans(text):
            if taken.outside(start) and "\n\n" not in text[start:end]:
                taken.add(Region(start, end, CODE))
    if ">" in text:
        for m in line_matches(_BLOCK_QUOTE, _QUOTE_LINE, text):
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
