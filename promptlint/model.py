"""The one intermediate representation every loader produces and every rule reads.

A file yields zero or more :class:`PromptDocument` objects. A document is an ordered list of
:class:`Message` objects; each message carries its text, its role and a :class:`SourceMap` that
maps every character of the text back to an offset in the file, which :class:`LineIndex` turns
into a 1-based line and column.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "unknown"]
ROLES: tuple[str, ...] = ("system", "user", "assistant", "unknown")
# Role names used by providers and frameworks, mapped to the model's roles.
ROLE_ALIASES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "model": "assistant",
    "ai": "assistant",
}
# Content-block types whose "text" is prompt text (Anthropic "text", OpenAI Responses input/output).
TEXT_BLOCK_TYPES = frozenset({"text", "input_text", "output_text"})

# Kinds of regions inside a message's text that rules usually skip.
CODE = "code"  # fenced code block or inline code span
COMMENT = "comment"  # HTML comment
QUOTE = "quote"  # Markdown block quote
EXAMPLE = "example"  # XML-tagged example/document section (<example>, <document>, ...)
QUOTED = "quoted"  # a quoted string inside prose ("...", '...', “...”)


class LineIndex:
    """Converts file offsets to 1-based (line, column) pairs; columns count code points."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of a file offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int = 1) -> int:
        """Return the file offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line without its line break."""
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


@dataclass(frozen=True)
class Anchor:
    """From ``text_offset`` on, characters map to ``file_offset`` onwards.

    When ``exact`` is false the text was transformed (escape sequences, folding) and every
    character up to the next anchor maps to ``file_offset`` itself.
    """

    text_offset: int
    file_offset: int
    exact: bool = True


class SourceMap:
    """Maps offsets in a message's text to offsets in the file it came from."""

    def __init__(self, anchors: list[Anchor]) -> None:
        if not anchors:
            anchors = [Anchor(0, 0, False)]
        self.anchors = sorted(anchors, key=lambda a: a.text_offset)
        self._keys = [a.text_offset for a in self.anchors]

    @classmethod
    def linear(cls, file_offset: int) -> SourceMap:
        """A map for text that is a verbatim slice of the file starting at ``file_offset``."""
        return cls([Anchor(0, file_offset, True)])

    def file_offset(self, text_offset: int) -> int:
        """Return the file offset of a character of the message text."""
        i = bisect.bisect_right(self._keys, text_offset) - 1
        anchor = self.anchors[max(i, 0)]
        if not anchor.exact:
            return anchor.file_offset
        return anchor.file_offset + max(0, text_offset - anchor.text_offset)

    def is_verbatim(self, start: int, end: int) -> bool:
        """True when text[start:end] is an exact, contiguous copy of the file."""
        if end <= start:
            return True
        i = max(bisect.bisect_right(self._keys, start) - 1, 0)
        j = max(bisect.bisect_right(self._keys, max(end - 1, start)) - 1, 0)
        if i != j:
            return (
                all(
                    self.anchors[k].exact
                    and self.anchors[k + 1].file_offset - self.anchors[k].file_offset
                    == self.anchors[k + 1].text_offset - self.anchors[k].text_offset
                    for k in range(i, j)
                )
                and self.anchors[j].exact
            )
        return self.anchors[i].exact


@dataclass(frozen=True)
class Region:
    """A span of a message's text with a kind such as :data:`CODE` or :data:`QUOTE`."""

    start: int
    end: int
    kind: str


@dataclass
class Message:
    """One message of a prompt document."""

    role: str
    text: str
    source: SourceMap
    regions: list[Region] = field(default_factory=list)
    placeholders: list[tuple[int, int]] = field(default_factory=list)
    # Loader-specific handle used by format-aware editors (e.g. the span of a YAML scalar).
    node: Any = None
    _masks: dict[Any, str] = field(default_factory=dict, repr=False, compare=False)

    def in_region(self, offset: int, kinds: frozenset[str] | set[str] | None = None) -> bool:
        """True when ``offset`` lies inside a region (of one of ``kinds``, if given)."""
        if not self.regions:
            return False
        mask = self.masked_text(kinds, "\0")
        return 0 <= offset < len(mask) and mask[offset] == "\0"

    def masked_text(self, kinds: frozenset[str] | set[str] | None = None, fill: str = " ") -> str:
        """The text with regions (of ``kinds``) blanked out with ``fill``, keeping offsets and newlines."""
        if not self.regions:
            return self.text
        key = (frozenset(kinds) if kinds is not None else None, fill)
        cached = self._masks.get(key)
        if cached is not None:
            return cached
        if fill != "\0":
            raw = self.masked_text(kinds, "\0")
            out = raw.replace("\0", fill) if "\0" not in self.text else self._mask(kinds, fill)
        else:
            out = self._mask(kinds, fill)
        self._masks[key] = out
        return out

    def _mask(self, kinds: frozenset[str] | set[str] | None, fill: str) -> str:
        parts = []
        pos = 0
        text = self.text
        for region in sorted(self.regions, key=lambda r: r.start):
            if kinds is not None and region.kind not in kinds:
                continue
            start, end = max(region.start, pos), min(region.end, len(text))
            if end <= start:
                continue
            parts.append(text[pos:start])
            chunk = text[start:end]
            parts.append("\n".join(fill * len(line) for line in chunk.split("\n")))
            pos = end
        parts.append(text[pos:])
        return "".join(parts)

    def is_placeholder_only(self) -> bool:
        """True when the text is nothing but template placeholders and whitespace."""
        rest = self.text
        for start, end in sorted(self.placeholders, reverse=True):
            rest = rest[:start] + rest[end:]
        return bool(self.placeholders) and not rest.strip()


@dataclass
class PromptDocument:
    """A prompt: ordered messages from one place in one file."""

    path: str
    format: str  # "markdown", "text", "chat-yaml", "chat-json", "prompty", "python", ...
    kind: str  # what the document is: "document", "chat", "agent-instructions", ...
    messages: list[Message]
    file_text: str
    lines: LineIndex
    meta: dict[str, Any] = field(default_factory=dict)
    # Format-aware editor turning message-level edits into file edits (see promptlint.edits).
    editor: Any = None

    def position(self, message: int, text_offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character of a message."""
        msg = self.messages[message]
        return self.lines.position(msg.source.file_offset(text_offset))

    def message_lines(self, message: int) -> tuple[int, int]:
        """First and last 1-based file line of a message's text."""
        msg = self.messages[message]
        start = self.lines.position(msg.source.file_offset(0))[0]
        end_offset = max(len(msg.text.rstrip()) - 1, 0)
        end = self.lines.position(msg.source.file_offset(end_offset))[0]
        return start, max(start, end)

    @property
    def span_lines(self) -> tuple[int, int]:
        """First and last line covered by the document's messages."""
        if not self.messages:
            return 1, 1
        first = self.message_lines(0)[0]
        last = max(self.message_lines(i)[1] for i in range(len(self.messages)))
        return first, last


@dataclass
class LoadProblem:
    """A file-level problem found while reading or parsing a file."""

    code: str
    message: str
    line: int = 1
    column: int = 1


@dataclass
class LoadResult:
    """What a loader returns for one file."""

    documents: list[PromptDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
