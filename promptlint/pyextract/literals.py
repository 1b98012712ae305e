"""String literals of Python source, character by character, and the string values built from them.

:func:`lex_literals` re-reads the source span of one ``ast.Constant`` / ``ast.JoinedStr`` node: the
adjacent literal tokens of an implicit concatenation (with the whitespace, comments and line
continuations between them), each with its prefix and quote, and decodes every escape sequence the
way the Python tokenizer does, remembering for every character of the value the source offset of
the unit that produced it. f-string replacement fields become ``{expr}`` placeholders. The decoded
value is checked against the value the parser produced; on any difference the caller falls back to
a coarse map.

:class:`PyStr` is a string value with, for every character, where it came from: a character of a
literal token (exact when copied verbatim from the source) or an opaque piece (a placeholder for an
expression, a separator), mapped to one file offset. Concatenation, ``str.join``, ``textwrap.dedent``,
``inspect.cleandoc`` and ``strip`` keep the map.
"""

from __future__ import annotations

import inspect
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from promptlint.model import Anchor

_PREFIX_QUOTE = re.compile(r"([rRbBuUfFtT]{0,2})('''|\"\"\"|'|\")")
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"
FIELD_MARK = "\0"  # what a replacement field counts as when comparing with the parser's value
MAX_PLACEHOLDER = 60


class LexError(ValueError):
    """The source span does not read as the expected string literals."""


@dataclass
class Token:
    """One string literal token: ``prefix quote body quote``."""

    start: int  # file offset of the prefix
    end: int  # file offset after the closing quote
    body_start: int
    body_end: int
    prefix: str
    quote: str
    value: str = ""  # decoded value; replacement fields appear as their ``{expr}`` placeholder text
    starts: list[int] = field(default_factory=list)  # per value char: offset of the source unit; + body_end
    exact: list[bool] = field(default_factory=list)  # per value char: copied verbatim from the source
    fields: list[tuple[int, int]] = field(default_factory=list)  # value ranges of replacement fields

    @property
    def is_raw(self) -> bool:
        return "r" in self.prefix.lower()

    @property
    def is_f(self) -> bool:
        return "f" in self.prefix.lower()

    @property
    def is_bytes(self) -> bool:
        return "b" in self.prefix.lower()

    @property
    def is_template(self) -> bool:
        return "t" in self.prefix.lower()

    def compare_value(self) -> str:
        """The value with each replacement field as one :data:`FIELD_MARK`."""
        if not self.fields:
            return self.value
        out = []
        pos = 0
        for a, b in self.fields:
            out.append(self.value[pos:a])
            out.append(FIELD_MARK)
            pos = b
        out.append(self.value[pos:])
        return "".join(out)


def _skip_between(text: str, pos: int, end: int) -> int:
    """Skip whitespace, comments, line continuations and parentheses between adjacent literals."""
    while pos < end:
        ch = text[pos]
        if ch in " \t\f\r\n":
            pos += 1
        elif ch == "#":
            nl = text.find("\n", pos, end)
            pos = end if nl == -1 else nl + 1
        elif ch == "\\" and text.startswith(("\\\n", "\\\r\n"), pos):
            pos += 2 if text[pos + 1] == "\n" else 3
        else:
            break
    return pos


def _scan_string_end(text: str, pos: int, quote: str, limit: int) -> int:
    """Offset after the closing quote of a non-f string body starting at ``pos``."""
    single = len(quote) == 1
    while pos < limit:
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if single and ch == "\n":
            raise LexError("newline in single-quoted string")
        if text.startswith(quote, pos):
            return pos + len(quote)
        pos += 1
    raise LexError("unterminated string")


def _scan_field(text: str, pos: int, limit: int) -> int:
    """Offset after the ``}`` closing the replacement field whose ``{`` is at ``pos``."""
    depth = 0
    i = pos
    while i < limit:
        ch = text[i]
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth == 0:
                if ch != "}":
                    raise LexError("unbalanced replacement field")
                return i + 1
        elif ch in "'\"":
            m = _PREFIX_QUOTE.match(text, i)
            quote = m.group(2) if m else ch
            i = _scan_string_end(text, i + len(quote), quote, limit)
            continue
        elif ch == "#" and depth > 0:
            raise LexError("comment in replacement field")
        i += 1
    raise LexError("unterminated replacement field")


def _decode(text: str, tok: Token) -> None:
    """Fill ``tok.value``, ``starts``, ``exact`` and ``fields`` from the token's body."""
    raw = tok.is_raw
    is_f = tok.is_f or tok.is_template
    is_bytes = tok.is_bytes
    out: list[str] = []
    starts: list[int] = []
    exact: list[bool] = []
    fields: list[tuple[int, int]] = []
    i = tok.body_start
    end = tok.body_end

    def put(s: str, at: int, ex: bool) -> None:
        for ch in s:
            out.append(ch)
            starts.append(at)
            exact.append(ex)

    while i < end:
        ch = text[i]
        if is_f and ch == "{":
            if text.startswith("{{", i):
                put("{", i, False)
                i += 2
                continue
            close = _scan_field(text, i, end)
            inner = " ".join(text[i + 1 : close - 1].split())
            if len(inner) > MAX_PLACEHOLDER:
                inner = inner[: MAX_PLACEHOLDER - 3] + "..."
            start = len(out)
            put("{" + inner + "}", i, False)
            fields.append((start, len(out)))
            i = close
            continue
        if is_f and ch == "}":
            if text.startswith("}}", i):
                put("}", i, False)
                i += 2
                continue
            raise LexError("single '}' in f-string")
        if ch == "\r":
            put("\n", i, False)
            i += 2 if text.startswith("\r\n", i) else 1
            continue
        if ch != "\\" or i + 1 >= end:
            put(ch, i, True)
            i += 1
            continue
        nxt = text[i + 1]
        if raw:
            # A backslash keeps the next character (even a quote) in a raw string: both stay.
            put("\\", i, True)
            if nxt == "\r":
                put("\n", i + 1, False)
                i += 3 if text.startswith("\r\n", i + 1) else 2
            else:
                put(nxt, i + 1, True)
                i += 2
            continue
        if nxt == "\n":
            i += 2
            continue
        if nxt == "\r":
            i += 3 if text.startswith("\r\n", i + 1) else 2
            continue
        if nxt in _SIMPLE_ESCAPES:
            put(_SIMPLE_ESCAPES[nxt], i, False)
            i += 2
            continue
        if nxt in _OCTAL:
            j = i + 1
            while j < end and j < i + 4 and text[j] in _OCTAL:
                j += 1
            put(chr(int(text[i + 1 : j], 8)), i, False)
            i = j
            continue
        width = {"x": 2, "u": 4, "U": 8}.get(nxt) if not (is_bytes and nxt in "uU") else None
        if width:
            digits = text[i + 2 : i + 2 + width]
            if len(digits) != width or any(c not in _HEX for c in digits):
                raise LexError("bad hex escape")
            put(chr(int(digits, 16)), i, False)
            i += 2 + width
            continue
        if nxt == "N" and not is_bytes and text.startswith("{", i + 2):
            close = text.find("}", i + 3, end)
            if close == -1:
                raise LexError("bad \\N escape")
            try:
                put(unicodedata.lookup(text[i + 3 : close]), i, False)
            except KeyError as exc:
                raise LexError("unknown character name") from exc
            i = close + 1
            continue
        # An unknown escape keeps the backslash and the character.
        put("\\", i, True)
        i += 1
    starts.append(end)
    tok.value = "".join(out)
    tok.starts = starts
    tok.exact = exact
    tok.fields = fields


def lex_literals(text: str, start: int, end: int) -> list[Token]:
    """The adjacent string literal tokens in ``text[start:end]``, decoded."""
    tokens = []
    pos = _skip_between(text, start, end)
    while pos < end:
        m = _PREFIX_QUOTE.match(text, pos, end)
        if not m:
            raise LexError(f"no string literal at offset {pos}")
        prefix, quote = m.group(1), m.group(2)
        body_start = m.end()
        if "f" in prefix.lower() or "t" in prefix.lower():
            close = _fstring_end(text, body_start, quote, end)
        else:
            close = _scan_string_end(text, body_start, quote, end)
        tok = Token(pos, close, body_start, close - len(quote), prefix, quote)
        _decode(text, tok)
        tokens.append(tok)
        pos = _skip_between(text, close, end)
    if not tokens:
        raise LexError("no string literal")
    return tokens


def _fstring_end(text: str, pos: int, quote: str, limit: int) -> int:
    single = len(quote) == 1
    while pos < limit:
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "{":
            if text.startswith("{{", pos):
                pos += 2
                continue
            pos = _scan_field(text, pos, limit)
            continue
        if single and ch == "\n":
            raise LexError("newline in single-quoted string")
        if text.startswith(quote, pos):
            return pos + len(quote)
        pos += 1
    raise LexError("unterminated f-string")


# --------------------------------------------------------------------------------------------
# String values with a per-character origin


@dataclass
class Fact:
    """A code-level append found while resolving a value (see ``doc.meta["appends"]``)."""

    kind: str  # "augmented-assign", "concatenation"
    target: str
    scope: str  # "module", "class", "function"
    start: int  # file offsets of the appending code
    end: int
    text: str  # the appended text
    base_offset: int  # file offset where the amended value was first defined


class PyStr:
    """A string value and, for every character, the literal token and index it came from."""

    __slots__ = ("computed", "facts", "placeholders", "pos", "text", "tok", "tokens", "transforms")

    def __init__(self) -> None:
        self.text = ""
        self.tokens: list[Token] = []
        self.tok: list[int] = []  # per char: index into tokens, or -1 for an opaque character
        self.pos: list[int] = []  # per char: index into the token's value, or the file offset when opaque
        self.placeholders: list[tuple[int, int]] = []
        self.computed = False  # built by code (fields, +, join, format ...): not editable
        self.transforms: list[str] = []  # applied to the concatenated token values, in order
        self.facts: list[Fact] = []

    # Construction ---------------------------------------------------------------------------

    @classmethod
    def from_tokens(cls, tokens: list[Token]) -> PyStr:
        s = cls()
        s.tokens = list(tokens)
        parts = []
        for t, tok in enumerate(tokens):
            base = len(s.tok)
            parts.append(tok.value)
            s.tok.extend([t] * len(tok.value))
            s.pos.extend(range(len(tok.value)))
            for a, b in tok.fields:
                s.placeholders.append((base + a, base + b))
        s.text = "".join(parts)
        s.computed = any(tok.fields for tok in tokens)
        return s

    @classmethod
    def opaque(cls, text: str, offset: int, placeholder: bool = True) -> PyStr:
        s = cls()
        s.text = text
        s.tok = [-1] * len(text)
        s.pos = [offset] * len(text)
        if placeholder and text:
            s.placeholders = [(0, len(text))]
        s.computed = True
        return s

    @classmethod
    def concat(cls, parts: list[PyStr]) -> PyStr:
        if len(parts) == 1:
            return parts[0]
        s = cls()
        texts = []
        for part in parts:
            base = len(s.tok)
            shift = len(s.tokens)
            s.tokens.extend(part.tokens)
            s.tok.extend(t + shift if t >= 0 else -1 for t in part.tok)
            s.pos.extend(part.pos)
            s.placeholders.extend((a + base, b + base) for a, b in part.placeholders)
            s.facts.extend(part.facts)
            texts.append(part.text)
        s.text = "".join(texts)
        s.computed = True
        return s

    def copy(self) -> PyStr:
        s = PyStr()
        s.text, s.tokens, s.tok, s.pos = self.text, list(self.tokens), list(self.tok), list(self.pos)
        s.placeholders, s.computed = list(self.placeholders), self.computed
        s.transforms, s.facts = list(self.transforms), list(self.facts)
        return s

    def select(self, kept: list[int], transform: str) -> PyStr:
        """The value made of the characters at ``kept`` (increasing indices), after ``transform``."""
        s = PyStr()
        s.text = "".join(self.text[k] for k in kept)
        s.tokens = self.tokens
        s.tok = [self.tok[k] for k in kept]
        s.pos = [self.pos[k] for k in kept]
        where = {k: i for i, k in enumerate(kept)}
        for a, b in self.placeholders:
            if a in where and (b - 1) in where:
                s.placeholders.append((where[a], where[b - 1] + 1))
        s.computed = self.computed
        s.transforms = [*self.transforms, transform]
        s.facts = list(self.facts)
        return s

    # Positions --------------------------------------------------------------------------------

    def origin(self, k: int) -> tuple[int, bool]:
        """(file offset, exact) of character ``k``."""
        t = self.tok[k]
        if t < 0:
            return self.pos[k], False
        tok = self.tokens[t]
        i = self.pos[k]
        return tok.starts[i], tok.exact[i]

    def start_offset(self) -> int:
        if self.tokens:
            return self.tokens[0].start
        return self.pos[0] if self.pos else 0

    def anchors(self, fallback: int) -> list[Anchor]:
        """Anchors for a :class:`~promptlint.model.SourceMap`. The first character is always a
        one-character non-exact anchor (at its exact position) so that no check mistakes the text
        for a verbatim slice of the file and inserts unescaped text into Python source."""
        if not self.text:
            return [Anchor(0, fallback, False)]
        anchors: list[Anchor] = []
        prev_f, prev_ex = -2, None
        for k in range(len(self.text)):
            f, ex = self.origin(k)
            if k == 0:
                anchors.append(Anchor(0, f, False))
                prev_f, prev_ex = f, None
                continue
            if ex != prev_ex or (ex and f != prev_f + 1) or (not ex and f != prev_f):
                anchors.append(Anchor(k, f, ex))
            prev_f, prev_ex = f, ex
        return anchors

    # Transforms -------------------------------------------------------------------------------

    def strip(self, which: str = "strip") -> PyStr:
        text = self.text
        a, b = 0, len(text)
        if which in ("strip", "lstrip"):
            a = len(text) - len(text.lstrip())
        if which in ("strip", "rstrip"):
            b = len(text.rstrip())
        return self.select(list(range(a, max(a, b))), which)

    def dedent(self) -> PyStr | None:
        """``textwrap.dedent`` with the map kept; None when it cannot be followed exactly."""
        text = self.text
        lines = text.split("\n")
        margin: str | None = None
        for line in lines:
            content = line.lstrip(" \t")
            if not content:
                continue
            indent = line[: len(line) - len(content)]
            if margin is None:
                margin = indent
            elif indent.startswith(margin):
                pass
            elif margin.startswith(indent):
                margin = indent
            else:
                common = 0
                for x, y in zip(margin, indent):
                    if x != y:
                        break
                    common += 1
                margin = margin[:common]
        cut = len(margin or "")
        kept: list[int] = []
        pos = 0
        for line in lines:
            if line.strip(" \t"):
                kept.extend(range(pos + cut, pos + len(line)))
            pos += len(line)
            if pos < len(text):
                kept.append(pos)  # the newline
            pos += 1
        out = self.select(kept, "dedent")
        if out.text != textwrap.dedent(text):
            return None
        return out

    def cleandoc(self) -> PyStr | None:
        """``inspect.cleandoc`` with the map kept; None when it cannot be followed (tabs)."""
        text = self.text
        if "\t" in text:
            return None
        lines = text.split("\n")
        margin = None
        for line in lines[1:]:
            content = len(line.lstrip())
            if content:
                indent = len(line) - content
                margin = indent if margin is None else min(margin, indent)
        margin = margin or 0
        spans: list[tuple[int, int, int]] = []  # (line start, kept start, kept end) in text offsets
        pos = 0
        for n, line in enumerate(lines):
            if n == 0:
                a = pos + len(line) - len(line.lstrip())
            else:
                a = pos + min(margin, len(line))
            spans.append((pos, a, pos + len(line)))
            pos += len(line) + 1
        while spans and spans[-1][1] >= spans[-1][2]:
            spans.pop()
        while spans and spans[0][1] >= spans[0][2]:
            spans.pop(0)
        kept: list[int] = []
        for n, (line_start, a, b) in enumerate(spans):
            if n:
                kept.append(line_start - 1)  # the newline ending the previous line
            kept.extend(range(a, b))
        out = self.select(kept, "cleandoc")
        if out.text != inspect.cleandoc(text):
            return None
        return out


def placeholder_text(source: str) -> str:
    """``{expr}`` for an expression's source, on one line and at most :data:`MAX_PLACEHOLDER` long."""
    inner = " ".join(source.split())
    if len(inner) > MAX_PLACEHOLDER:
        inner = inner[: MAX_PLACEHOLDER - 3] + "..."
    return "{" + inner + "}"


def recompute(values: list[str], transforms: list[str]) -> str:
    """Apply a value's transforms to the concatenated token values (used to verify edits)."""
    text = "".join(values)
    for name in transforms:
        if name == "dedent":
            text = textwrap.dedent(text)
        elif name == "cleandoc":
            text = inspect.cleandoc(text)
        elif name in ("strip", "lstrip", "rstrip"):
            text = getattr(text, name)()
        else:  # pragma: no cover - every transform is listed above
            raise ValueError(name)
    return text


def evaluate_token(source: str) -> str | None:
    """The value of one string literal token (an f-string without fields included), or None."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node: Any = ast.parse("(" + source + ")", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(v.value for v in node.values)
    return None
