"""A small iterative JSON parser that keeps the file offsets of every value.

The standard :mod:`json` module gives values but no positions, and it recurses, so a file of
100 000 nested brackets raises :class:`RecursionError`. :func:`parse` walks the text with an
explicit stack, caps the nesting depth (``max_depth``, default 512) and returns a tree of
:class:`JsonNode` objects whose ``start``/``end`` are file offsets (``end`` exclusive). Errors are
:class:`JsonError` with a 1-based line and column.

:func:`string_anchors` maps the characters of a decoded string back to its token: runs of plain
characters are exact, each escape sequence (``\\n``, ``\\uXXXX``, a surrogate pair) is one
non-exact anchor at its backslash.
"""

from __future__ import annotations

import re
from json.decoder import JSONDecodeError, scanstring
from typing import Any

MAX_DEPTH = 512

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WS = " \t\n\r"
_WS_RUN = re.compile(r"[ \t\n\r]*")


class JsonError(ValueError):
    """A JSON syntax error at a file offset, with a 1-based line and column."""

    def __init__(self, message: str, text: str, pos: int) -> None:
        pos = max(0, min(pos, len(text)))
        self.msg = message
        self.pos = pos
        self.line = text.count("\n", 0, pos) + 1
        self.column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        super().__init__(f"{message} (line {self.line}, column {self.column})")


class JsonNode:
    """A parsed JSON value and the span ``[start, end)`` of its token(s) in the file.

    ``kind`` is "object", "array", "string", "number", "true", "false" or "null". Scalars have
    their Python ``value``; arrays have ``items`` (nodes) and objects ``members`` (pairs of key
    node and value node, in file order, duplicates kept).
    """

    __slots__ = ("end", "items", "kind", "members", "start", "value")

    def __init__(self, kind: str, start: int, end: int = -1, value: Any = None) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.items: list[JsonNode] = [] if kind == "array" else _EMPTY
        self.members: list[tuple[JsonNode, JsonNode]] = [] if kind == "object" else _EMPTY

    def __repr__(self) -> str:
        return f"JsonNode({self.kind!r}, {self.start}, {self.end}, {self.value!r})"

    def get(self, key: str) -> JsonNode | None:
        """The value node of the last member named ``key`` of an object (JSON semantics)."""
        found = None
        for k, v in self.members:
            if k.value == key:
                found = v
        return found


_EMPTY: list = []  # shared, never mutated: scalars have no items or members


def _skip(text: str, pos: int, comments: bool) -> int:
    pos = _WS_RUN.match(text, pos).end()
    if not comments:
        return pos
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch in _WS:
            pos += 1
        elif comments and ch == "/" and text.startswith("//", pos):
            nl = text.find("\n", pos)
            pos = n if nl == -1 else nl + 1
        elif comments and ch == "/" and text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close == -1:
                raise JsonError("unterminated comment", text, pos)
            pos = close + 2
        else:
            break
    return pos


def _string(text: str, pos: int) -> JsonNode:
    try:
        value, end = scanstring(text, pos + 1, True)
    except JSONDecodeError as exc:
        raise JsonError(exc.msg.lower(), text, exc.pos) from None
    return JsonNode("string", pos, end, value)


def _scalar(text: str, pos: int) -> JsonNode:
    ch = text[pos]
    if ch == '"':
        return _string(text, pos)
    for word, kind, value in (("true", "true", True), ("false", "false", False), ("null", "null", None)):
        if text.startswith(word, pos):
            return JsonNode(kind, pos, pos + len(word), value)
    m = _NUMBER.match(text, pos)
    if m:
        token = m.group(0)
        value = float(token) if (m.group(1) or m.group(2)) else int(token)
        return JsonNode("number", pos, m.end(), value)
    raise JsonError(f"unexpected character {ch!r}", text, pos)


def parse(text: str, *, max_depth: int = MAX_DEPTH, allow_comments: bool = False) -> JsonNode:
    """Parse a JSON document into a :class:`JsonNode` tree without recursion.

    Raises :class:`JsonError` on a syntax error or when arrays/objects nest deeper than
    ``max_depth``. A leading byte-order mark is skipped; with ``allow_comments`` ``//`` and
    ``/* */`` comments count as whitespace (JSONC).
    """
    n = len(text)
    pos = 1 if text.startswith("\ufeff") else 0
    pos = _skip(text, pos, allow_comments)
    stack: list[JsonNode] = []
    keys: list[JsonNode] = []

    def read_key(p: int) -> int:
        if p >= n or text[p] != '"':
            raise JsonError("expected a string key", text, p)
        key = _string(text, p)
        p = _skip(text, key.end, allow_comments)
        if p >= n or text[p] != ":":
            raise JsonError("expected ':'", text, p)
        keys.append(key)
        return _skip(text, p + 1, allow_comments)

    while True:
        # A value starts at pos.
        if pos >= n:
            raise JsonError("unexpected end of data", text, pos)
        ch = text[pos]
        if ch == "{" or ch == "[":
            if len(stack) >= max_depth:
                raise JsonError("nesting too deep", text, pos)
            node = JsonNode("object" if ch == "{" else "array", pos)
            pos = _skip(text, pos + 1, allow_comments)
            close = "}" if ch == "{" else "]"
            if pos < n and text[pos] == close:
                node.end = pos + 1
                pos += 1
                value = node
            else:
                stack.append(node)
                if ch == "{":
                    pos = read_key(pos)
                continue
        else:
            value = _scalar(text, pos)
            pos = value.end
        # Attach the finished value to its container, closing containers as they end.
        while True:
            if not stack:
                pos = _skip(text, pos, allow_comments)
                if pos != n:
                    raise JsonError("extra data after the JSON value", text, pos)
                return value
            top = stack[-1]
            if top.kind == "object":
                top.members.append((keys.pop(), value))
            else:
                top.items.append(value)
            pos = _skip(text, pos, allow_comments)
            if pos >= n:
                raise JsonError("unexpected end of data", text, pos)
            ch = text[pos]
            close = "}" if top.kind == "object" else "]"
            if ch == ",":
                pos = _skip(text, pos + 1, allow_comments)
                if top.kind == "object":
                    pos = read_key(pos)
                break
            if ch == close:
                top.end = pos + 1
                pos += 1
                value = stack.pop()
                continue
            raise JsonError(f"expected ',' or {close!r}", text, pos)


def to_python(node: JsonNode, max_nodes: int = 1_000_000) -> Any:
    """Convert a node tree to Python values (iteratively); later duplicate keys win."""
    if node.kind not in ("object", "array"):
        return node.value
    root: Any = {} if node.kind == "object" else []
    stack: list[tuple[JsonNode, Any]] = [(node, root)]
    count = 0
    while stack:
        current, out = stack.pop()
        pairs = current.members if current.kind == "object" else [(None, v) for v in current.items]
        for key, child in pairs:
            count += 1
            if count > max_nodes:
                raise ValueError("JSON document too large")
            if child.kind in ("object", "array"):
                value: Any = {} if child.kind == "object" else []
                stack.append((child, value))
            else:
                value = child.value
            if key is None:
                out.append(value)
            else:
                out[key.value] = value
    return root


def string_anchors(text: str, node: JsonNode) -> list[tuple[int, int, bool]]:
    """(text offset, file offset, exact) anchors mapping a string node's value to its token."""
    anchors: list[tuple[int, int, bool]] = []
    t = 0
    p = node.start + 1
    stop = node.end - 1
    while p < stop:
        q = text.find("\\", p, stop)
        if q == -1:
            q = stop
        if q > p:
            anchors.append((t, p, True))
            t += q - p
            p = q
        if p >= stop:
            break
        length = 2
        if text[p + 1] == "u":
            length = 6
            code = int(text[p + 2 : p + 6], 16)
            if 0xD800 <= code < 0xDC00 and text.startswith("\\u", p + 6):
                try:
                    low = int(text[p + 8 : p + 12], 16)
                except ValueError:
                    low = 0
                if 0xDC00 <= low < 0xE000:
                    length = 12
        anchors.append((t, p, False))
        t += 1
        p += length
    return anchors
