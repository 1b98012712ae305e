"""Chat prompts stored as data: message lists in YAML and JSON files.

Recognised shapes, in YAML and JSON alike:

* a top-level ``messages`` list of ``{role, content}`` mappings (OpenAI-style request bodies,
  GitHub Models ``.prompt.yml`` files, LangChain-style chat files); ``contents`` with ``parts``
  (Gemini) is read the same way;
* the Anthropic request shape: a top-level ``system`` (a string, or a list of
  ``{"type": "text", "text": ...}`` blocks) next to ``messages``; ``system_instruction`` /
  ``systemInstruction`` (Gemini) are read like ``system``;
* a top-level list of ``{role, content}`` mappings (an OpenAI message list).

``content`` is a string or a list of blocks. Text blocks (``type`` "text", "input_text",
"output_text", or no ``type`` with a string ``text``; bare strings too) are kept, other blocks
(images, tool calls) ignored. One :class:`Message` is made per text block: the first text block of
a chat message becomes its Message and each further text block an extra Message with the same role,
so every Message's text is one string of the file with an exact source map. Roles are normalised:
``developer`` becomes system, ``model``/``ai`` assistant, ``human`` user, and any other role
"unknown".

Every character of a message's text maps back to the file. YAML scalars are re-scanned the way
PyYAML scans them (plain, single- and double-quoted, literal and folded block scalars), giving an
exact anchor for every run of characters copied verbatim from the file and a non-exact anchor for
each escape sequence, folded line break or line break; the re-scan is checked against the value
PyYAML produced and falls back to a coarse map if they ever differ. JSON strings are located by the
iterative parser in :mod:`promptlint.loaders.safe_json`.

Files come from untrusted repositories: loaders never raise, YAML nesting is capped, and the walk
over the composed YAML graph is budgeted so alias bombs ("billion laughs") are refused with a
PRM002 problem instead of being expanded.

:class:`ChatYamlEditor` and :class:`ChatJsonEditor` turn message-level edits into file edits that
keep the file valid and its formatting elsewhere intact. ``remove_message`` removes the list item
of the chat message (or the ``system`` member); for a Message that is one of several text blocks of
one chat message it removes only that block. The YAML editor re-parses its result and
falls back to a safer rendering (ultimately a double-quoted scalar) when a rendering does not
round-trip.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from promptlint.edits import apply_edits
from promptlint.findings import Edit
from promptlint.loaders import fast_yaml, safe_json
from promptlint.markup import analyse
from promptlint.model import (
    ROLE_ALIASES,
    TEXT_BLOCK_TYPES,
    Anchor,
    LineIndex,
    LoadProblem,
    LoadResult,
    Message,
    PromptDocument,
    SourceMap,
)

PRM002 = "PRM002"
MAX_YAML_CHARS = 1_000_000
MAX_JSON_CHARS = 4_000_000
MAX_NODE_VISITS = 500_000
MAX_ALIAS_EXPANSIONS = 10_000
MAX_YAML_DEPTH = 100
MAX_JSON_DEPTH = 512

META_KEYS = ("name", "description", "model", "modelParameters", "testData")
_SYSTEM_KEYS = ("system", "system_instruction", "systemInstruction")

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "str", "timestamp", "binary")
)
_BREAKS = "\r\n\x85\u2028\u2029"
_BREAK_AT = re.compile(f"[{_BREAKS}]")
_BREAK_RUN = re.compile(f"\r\n|[{_BREAKS}]")
_BREAK_VALUE = {"\r\n": "\n", "\r": "\n", "\n": "\n", "\x85": "\n", "\u2028": "\u2028", "\u2029": "\u2029"}
_SPACES = re.compile(" *")
_BLANKS = re.compile(f"[ {_BREAKS}]*")
# A block scalar's header: indicator, chomping and indentation indicators in either order (to
# group 4's end), then spaces, a comment and the line break.
_BLOCK_HEADER = re.compile(f"[|>](?:([+-])([1-9])?|([1-9])([+-])?)?()(?: *(?:#[^\0{_BREAKS}]*)?)(?:\r\n|[{_BREAKS}])?")

_ROLE_KEY = re.compile(r"""(?:^|[\s{,"'])role["']?\s*:""", re.M)
_CONTENT_KEY = re.compile(r"""(?:^|[\s{,"'])(?:content|parts)["']?\s*:""", re.M)
_MESSAGES_KEY = re.compile(r"""(?:^|[\s{,"'])(?:messages|contents)["']?\s*:""", re.M)


# --------------------------------------------------------------------------------------------
# Problems and recognition


class _Refused(Exception):
    """The file cannot be read safely (too large, too deep, alias bomb)."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _problem(text: str, message: str, offset: int = 0) -> LoadResult:
    line, column = LineIndex(text).position(offset)
    return LoadResult(documents=[], problems=[LoadProblem(PRM002, message, line, column)])


def _may_hold_chat(text: str) -> bool:
    """Cheap pre-filter: every recognised shape needs these words somewhere."""
    return ("role" in text and ("content" in text or "parts" in text)) or ("system" in text and "messages" in text)


def looks_like_chat(text: str) -> bool:
    """True when the raw text of a file clearly looks like a chat file (broken or not)."""
    if not (_ROLE_KEY.search(text) and _CONTENT_KEY.search(text)):
        return False
    head = text.lstrip("\ufeff \t\r\n")
    return bool(_MESSAGES_KEY.search(text)) or head.startswith(("[", "-"))


def _base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1].lower()


def normalise_role(role: str) -> str:
    """Map a role name found in a file to one of system/user/assistant/unknown."""
    return ROLE_ALIASES.get(role.strip().lower(), "unknown")


# --------------------------------------------------------------------------------------------
# Budgeted, uniform access to YAML and JSON trees


class _Tree:
    """Uniform access to parsed nodes, counting visits so alias expansion stays bounded."""

    def __init__(self) -> None:
        self.visits = 0
        self.expansions = 0
        self._seen: set[int] = set()

    def visit(self, node: Any) -> None:
        self.visits += 1
        if self.visits > MAX_NODE_VISITS:
            raise _Refused(f"document too large: more than {MAX_NODE_VISITS} nodes", self.offset(node))
        key = id(node)
        if key in self._seen:
            self.expansions += 1
            if self.expansions > MAX_ALIAS_EXPANSIONS:
                raise _Refused(
                    f"too many aliases: more than {MAX_ALIAS_EXPANSIONS} alias expansions", self.offset(node)
                )
        else:
            self._seen.add(key)

    # Implemented by subclasses.
    def kind(self, node: Any) -> str:  # "map", "seq", "str" or "scalar"
        raise NotImplementedError

    def raw_members(self, node: Any) -> list[tuple[str | None, Any, Any, int | None]]:
        raise NotImplementedError

    def raw_items(self, node: Any) -> list[Any]:
        raise NotImplementedError

    def string(self, node: Any) -> str | None:
        raise NotImplementedError

    def scalar(self, node: Any) -> Any:
        raise NotImplementedError

    def offset(self, node: Any) -> int:
        raise NotImplementedError

    # Shared helpers.
    def visit_all(self, nodes: Iterable[Any]) -> None:
        """:meth:`visit` every node in turn (inline while no limit is near and none repeats)."""
        seen = self._seen
        visits = self.visits
        for node in nodes:
            key = id(node)
            if visits < MAX_NODE_VISITS and key not in seen:
                visits += 1
                seen.add(key)
            else:
                self.visits = visits
                self.visit(node)
                visits = self.visits
        self.visits = visits

    def members(self, node: Any) -> list[tuple[str | None, Any, Any, int | None]]:
        """(key, key node, value node, index in the mapping or None when merged) tuples."""
        out = self.raw_members(node)
        self.visit_all(map(_VALUE_NODE, out))
        return out

    def items(self, node: Any) -> list[Any]:
        out = self.raw_items(node)
        self.visit_all(out)
        return out

    def to_python(self, node: Any) -> Any:
        """Convert a subtree to plain Python values, iteratively and within the visit budget."""
        kind = self.kind(node)
        if kind not in ("map", "seq"):
            return self.scalar(node)
        root: Any = {} if kind == "map" else []
        stack = [(node, root)]
        while stack:
            current, out = stack.pop()
            if isinstance(out, dict):
                pairs = [(k if k is not None else self._key_text(knode), v) for k, knode, v, _ in self.members(current)]
            else:
                pairs = [(None, v) for v in self.items(current)]
            for key, child in pairs:
                child_kind = self.kind(child)
                if child_kind in ("map", "seq"):
                    value: Any = {} if child_kind == "map" else []
                    stack.append((child, value))
                else:
                    value = self.scalar(child)
                if isinstance(out, dict):
                    out[key] = value
                else:
                    out.append(value)
        return root

    def _key_text(self, node: Any) -> str:
        value = self.scalar(node) if self.kind(node) not in ("map", "seq") else None
        return str(value)


def _lookup(members: list[tuple[str | None, Any, Any, int | None]], key: str):
    """The last member named ``key`` (later keys win in YAML and JSON), or None."""
    found = None
    for member in members:
        if member[0] == key:
            found = member
    return found


_KEY_NAME = operator.itemgetter(0)
_VALUE_NODE = operator.itemgetter(2)


def _by_key(members: list[tuple[str | None, Any, Any, int | None]]) -> dict[str | None, Any]:
    """Members by name; like :func:`_lookup`, the last member of a name wins."""
    return dict(zip(map(_KEY_NAME, members), members))


# SafeConstructor's scalar constructors keep no state, so one instance serves every file.
_CONSTRUCTOR = SafeConstructor()


class _YamlTree(_Tree):
    def kind(self, node: Node) -> str:
        if isinstance(node, ScalarNode):
            return "str" if node.tag == _STR_TAG else "scalar"
        if isinstance(node, MappingNode):
            return "map"
        return "seq" if isinstance(node, SequenceNode) else "scalar"

    def raw_members(self, node: MappingNode) -> list[tuple[str | None, Any, Any, int | None]]:
        out: list[tuple[str | None, Any, Any, int | None]] = []
        for index, (key, value) in enumerate(node.value):
            if key.tag != _STR_TAG or not isinstance(key, ScalarNode):  # maybe a merge key ("<<")
                return self._merged_members(node)
            out.append((key.value, key, value, index))
        return out

    def _merged_members(self, node: MappingNode) -> list[tuple[str | None, Any, Any, int | None]]:
        explicit: list[tuple[str | None, Any, Any, int | None]] = []
        merged: list[tuple[str | None, Any, Any, int | None]] = []
        for index, (key, value) in enumerate(node.value):
            if key.tag == _MERGE_TAG:
                sources = value.value if isinstance(value, SequenceNode) else [value]
                for source in sources:
                    self.visit(source)
                    if isinstance(source, MappingNode):
                        for _, (k2, v2) in enumerate(source.value):
                            if k2.tag != _MERGE_TAG:
                                merged.append((self.string(k2), k2, v2, None))
                continue
            explicit.append((self.string(key), key, value, index))
        names = {m[0] for m in explicit}
        return explicit + [m for m in merged if m[0] not in names]

    def raw_items(self, node: SequenceNode) -> list[Any]:
        return list(node.value)

    def string(self, node: Node) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR_TAG:
            return node.value
        return None

    def scalar(self, node: Node) -> Any:
        if not isinstance(node, ScalarNode):
            return None
        if node.tag == _STR_TAG or node.tag not in _SCALAR_TAGS:
            return node.value
        try:
            value = SafeConstructor.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        except Exception:
            return node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        return node.value

    def offset(self, node: Node) -> int:
        return node.start_mark.index if isinstance(node, Node) else 0


class _JsonTree(_Tree):
    def kind(self, node: safe_json.JsonNode) -> str:
        return {"object": "map", "array": "seq", "string": "str"}.get(node.kind, "scalar")

    def raw_members(self, node: safe_json.JsonNode) -> list[tuple[str | None, Any, Any, int | None]]:
        return [(k.value, k, v, i) for i, (k, v) in enumerate(node.members)]

    def raw_items(self, node: safe_json.JsonNode) -> list[Any]:
        return list(node.items)

    def string(self, node: safe_json.JsonNode) -> str | None:
        return node.value if node.kind == "string" else None

    def scalar(self, node: safe_json.JsonNode) -> Any:
        return node.value

    def offset(self, node: safe_json.JsonNode) -> int:
        return node.start


# --------------------------------------------------------------------------------------------
# Shape recognition (shared by YAML and JSON)


@dataclass
class _Entry:
    """Something remove_message can delete: item ``index`` of a list or member ``index`` of a mapping."""

    container: Any
    index: int | None
    owner_key: Any = None  # key node whose value is ``container`` (None at the document root)


@dataclass
class _Found:
    role: str
    node: Any  # the string node holding the message text
    path: tuple  # keys and indexes from the document root to ``node``
    parent: Any  # the mapping or list holding ``node``
    entry: _Entry


def _text_blocks(tree: _Tree, seq: Any, role: str, path: tuple, whole: _Entry, owner_key: Any) -> list[_Found]:
    texts: list[tuple[int, Any, Any, tuple]] = []
    for j, block in enumerate(tree.items(seq)):
        kind = tree.kind(block)
        if kind == "str":
            texts.append((j, block, seq, (*path, j)))
        elif kind == "map":
            members = _by_key(tree.members(block))
            typ = members.get("type")
            typ_name = tree.string(typ[2]) if typ else None
            text = members.get("text")
            if text and tree.kind(text[2]) == "str" and (typ is None or typ_name in TEXT_BLOCK_TYPES):
                texts.append((j, text[2], block, (*path, j, "text")))
    found = []
    for j, node, parent, node_path in texts:
        entry = whole if len(texts) == 1 else _Entry(seq, j, owner_key)
        found.append(_Found(role, node, node_path, parent, entry))
    return found


def _chat_message(tree: _Tree, item: Any, path: tuple, entry: _Entry) -> list[_Found]:
    members = _by_key(tree.members(item))
    role_m = members.get("role")
    role_name = tree.string(role_m[2]) if role_m else None
    if role_name is None:
        return []
    role = normalise_role(role_name)
    for key in ("content", "parts"):
        content = members.get(key)
        if content is None:
            continue
        kind = tree.kind(content[2])
        if kind == "str":
            return [_Found(role, content[2], (*path, key), item, entry)]
        if kind == "seq":
            return _text_blocks(tree, content[2], role, (*path, key), entry, content[1])
        return []
    return []


def _system_message(tree: _Tree, root: Any, member: tuple) -> list[_Found]:
    key, key_node, value, index = member
    entry = _Entry(root, index, None)
    kind = tree.kind(value)
    if kind == "str":
        return [_Found("system", value, (key,), root, entry)]
    if kind == "seq":
        return _text_blocks(tree, value, "system", (key,), entry, key_node)
    if kind == "map":  # Gemini: {"parts": [{"text": ...}]}
        parts = _by_key(tree.members(value)).get("parts")
        if parts and tree.kind(parts[2]) == "seq":
            return _text_blocks(tree, parts[2], "system", (key, "parts"), entry, parts[1])
        text = _by_key(tree.members(value)).get("text")
        if text and tree.kind(text[2]) == "str":
            return [_Found("system", text[2], (key, "text"), value, entry)]
    return []


def _extract(tree: _Tree, root: Any) -> tuple[list[_Found], dict[str, Any]] | None:
    """Messages and metadata of one document, or None when it is not a chat prompt."""
    kind = tree.kind(root)
    found: list[_Found] = []
    meta: dict[str, Any] = {}
    if kind == "seq":
        items = tree.items(root)
        if not items or not all(tree.kind(item) == "map" for item in items):
            return None
        for i, item in enumerate(items):
            if _lookup(tree.raw_members(item), "role") is None:
                return None
            found.extend(_chat_message(tree, item, (i,), _Entry(root, i, None)))
        meta["shape"] = "message-list"
    elif kind == "map":
        members = _by_key(tree.members(root))
        messages = members.get("messages") or members.get("contents")
        if messages is None or tree.kind(messages[2]) != "seq":
            return None
        for key in _SYSTEM_KEYS:
            system = members.get(key)
            if system is not None:
                found.extend(_system_message(tree, root, system))
                break
        for i, item in enumerate(tree.items(messages[2])):
            if tree.kind(item) == "map":
                entry = _Entry(messages[2], i, messages[1])
                found.extend(_chat_message(tree, item, (messages[0], i), entry))
        for key in META_KEYS:
            member = members.get(key)
            if member is not None:
                meta[key] = tree.to_python(member[2])
        meta["shape"] = "messages"
    else:
        return None
    if not found:
        return None
    return found, meta


# --------------------------------------------------------------------------------------------
# YAML: composing safely


class _DepthCapped:
    """A (recursive) composer that refuses deep nesting before Python's stack does."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[attr-defined]
                raise _Refused(f"nesting too deep: more than {MAX_YAML_DEPTH} levels", event.start_mark.index)
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _Loader(_DepthCapped, yaml.SafeLoader):
    """PyYAML's pure-Python scanner and parser, with the capped composer."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_YAML_DEPTH:
            raise _Refused(f"nesting too deep: more than {MAX_YAML_DEPTH} levels", self.index)
        super().fetch_flow_collection_start(TokenClass)


try:  # libyaml's parser (about 7x faster); its event stack is iterative, so depth is bounded here
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None


if _CParser is not None:

    class _CLoader(_DepthCapped, yaml.composer.Composer, _CParser, yaml.resolver.Resolver):
        """libyaml's scanner and parser with PyYAML's composer (capped): the same nodes and marks."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _compose_with(loader: Any) -> list[Node]:
    try:
        docs = []
        while loader.check_node():
            docs.append(loader.get_node())
        return docs
    finally:
        loader.dispose()


def _compose_all(text: str) -> list[Node]:
    docs = fast_yaml.compose_all(text, MAX_YAML_DEPTH)
    if docs is not None:
        return docs
    if _CParser is not None and not text.startswith("\ufeff"):  # libyaml's marks skip a BOM
        try:
            return _compose_with(_CLoader(text))
        except (_Refused, yaml.YAMLError):
            raise
        except Exception:  # e.g. text libyaml cannot encode: the pure-Python parser decides
            pass
    return _compose_with(_Loader(text))


def _yaml_error(text: str, exc: BaseException) -> LoadResult:
    if isinstance(exc, _Refused):
        return _problem(text, exc.message, exc.offset)
    if isinstance(exc, RecursionError):
        return _problem(text, "cannot parse YAML: nesting too deep")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem:
            what = f"{exc.problem} ({exc.context})"
        return _problem(text, f"cannot parse YAML: {what}", mark.index if mark else 0)
    if isinstance(exc, yaml.YAMLError):
        mark = getattr(exc, "position", None)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        return _problem(text, f"cannot parse YAML: {reason}", mark if isinstance(mark, int) else 0)
    return _problem(text, f"cannot parse YAML: {type(exc).__name__}: {exc}")


class YamlLoadError(ValueError):
    """Raised by :func:`safe_yaml_load`; ``offset`` is where in the text the problem is."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def safe_yaml_load(text: str) -> Any:
    """``yaml.safe_load`` with bounded nesting, size and alias expansion.

    Returns plain Python values (timestamps and binary stay strings). Raises
    :class:`YamlLoadError` with a clear message and the offset of the problem.
    """
    if len(text) > MAX_YAML_CHARS:
        raise YamlLoadError("document too large")
    try:
        docs = _compose_all(text)
        if not docs:
            return None
        if len(docs) > 1:
            raise YamlLoadError("expected a single YAML document", docs[1].start_mark.index)
        return _YamlTree().to_python(docs[0])
    except YamlLoadError:
        raise
    except Exception as exc:
        problem = _yaml_error(text, exc).problems[0]
        offset = LineIndex(text).offset(problem.line, problem.column)
        raise YamlLoadError(problem.message, offset) from None


# --------------------------------------------------------------------------------------------
# YAML: mapping scalar text back to the file


class _MapBuilder:
    """Collects a scalar's value and its anchors while re-scanning it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.anchors: list[Anchor] = []
        self.n = 0
        self._join = -1  # the file offset that continues the last exact anchor, if it is last

    def exact(self, s: str, offset: int) -> None:
        if not s:
            return
        if offset != self._join:
            self.anchors.append(Anchor(self.n, offset, True))
        self.parts.append(s)
        self.n += len(s)
        self._join = offset + len(s)

    def mapped(self, s: str, offset: int) -> None:
        if not s:
            return
        self.anchors.append(Anchor(self.n, offset, False))
        self.parts.append(s)
        self.n += len(s)
        self._join = -1

    def value(self) -> str:
        return "".join(self.parts)


def _brk(text: str, p: int) -> tuple[int, str]:
    """Length and value (as PyYAML returns it) of the line break at ``p``; (0, "") if none."""
    ch = text[p] if p < len(text) else ""
    if ch == "\r":
        return (2 if text.startswith("\r\n", p) else 1), "\n"
    if ch in ("\n", "\x85"):
        return 1, "\n"
    if ch in ("\u2028", "\u2029"):
        return 1, ch
    return 0, ""


def _scan_plain(text: str, start: int, end: int, b: _MapBuilder) -> bool:
    p = start
    pending: list[tuple[bool, str, int]] = []
    while p < end:
        q = p
        while q < end and text[q] not in " \t" + _BREAKS:
            q += 1
        if q == p:
            return False
        for exact, s, off in pending:
            (b.exact if exact else b.mapped)(s, off)
        pending = []
        b.exact(text[p:q], p)
        p = q
        if p >= end:
            break
        ws = p
        while p < end and text[p] == " ":
            p += 1
        length, value = _brk(text, p)
        if length:
            lb_pos, lb_value = p, value
            p += length
            breaks: list[tuple[int, str]] = []
            while p < end:
                if text[p] == " ":
                    p += 1
                    continue
                length, value = _brk(text, p)
                if not length:
                    break
                breaks.append((p, value))
                p += length
            if lb_value != "\n":
                pending.append((False, lb_value, lb_pos))
            elif not breaks:
                pending.append((False, " ", lb_pos))
            pending.extend((False, v, pos) for pos, v in breaks)
        elif p > ws:
            pending.append((True, text[ws:p], ws))
        else:
            return False
    return True


_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "\\": "\\",
    "/": "/",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_ESCAPE_CODES = {"x": 2, "u": 4, "U": 8}


def _flow_breaks(text: str, p: int) -> tuple[int, list[tuple[int, str]]]:
    breaks = []
    while True:
        while p < len(text) and text[p] in " \t":
            p += 1
        length, value = _brk(text, p)
        if not length:
            return p, breaks
        breaks.append((p, value))
        p += length


def _scan_quoted(text: str, start: int, double: bool, b: _MapBuilder) -> bool:
    quote = text[start]
    n = len(text)
    p = start + 1
    stops = "'\"\\\0 \t" + _BREAKS
    while True:
        # Non-space characters.
        while True:
            q = p
            while q < n and text[q] not in stops:
                q += 1
            b.exact(text[p:q], p)
            p = q
            if p >= n:
                return False
            ch = text[p]
            if not double and ch == "'" and text.startswith("''", p):
                b.mapped("'", p)
                p += 2
            elif (double and ch == "'") or (not double and ch in '"\\'):
                b.exact(ch, p)
                p += 1
            elif double and ch == "\\":
                esc = text[p + 1] if p + 1 < n else ""
                if esc in _ESCAPES:
                    b.mapped(_ESCAPES[esc], p)
                    p += 2
                elif esc in _ESCAPE_CODES:
                    length = _ESCAPE_CODES[esc]
                    b.mapped(chr(int(text[p + 2 : p + 2 + length], 16)), p)
                    p += 2 + length
                elif esc and esc in _BREAKS:
                    length, _ = _brk(text, p + 1)
                    p, breaks = _flow_breaks(text, p + 1 + length)
                    for pos, value in breaks:
                        b.mapped(value, pos)
                else:
                    return False
            else:
                break
        if text[p] == quote:
            return True
        # Spaces and line breaks.
        ws = p
        while p < n and text[p] in " \t":
            p += 1
        length, lb_value = _brk(text, p)
        if length:
            lb_pos = p
            p, breaks = _flow_breaks(text, p + length)
            if lb_value != "\n":
                b.mapped(lb_value, lb_pos)
            elif not breaks:
                b.mapped(" ", lb_pos)
            for pos, value in breaks:
                b.mapped(value, pos)
        elif ws < p < n:
            b.exact(text[ws:p], ws)
        else:
            return False


@dataclass
class _BlockInfo:
    indent: int
    header_end: int
    body_start: int
    content_end: int


def _block_breaks(text: str, p: int, col: int, indent: int) -> tuple[list[tuple[int, str]], int, int]:
    """Line breaks (and indentation up to ``indent``) before a block scalar's next content line."""
    breaks = []
    while True:
        if col < indent:
            q = _SPACES.match(text, p, p + indent - col).end()  # type: ignore[union-attr]
            p, col = q, col + q - p
        m = _BREAK_RUN.match(text, p)
        if not m:
            return breaks, p, col
        breaks.append((p, _BREAK_VALUE[m.group()]))
        p, col = m.end(), 0


def _auto_indent(text: str, p: int) -> tuple[list[tuple[int, str]], int, int, int]:
    """Leading blank lines of a block scalar without an indentation indicator.

    Returns their line breaks, where they end, the column there and the widest indentation seen.
    """
    end = _BLANKS.match(text, p).end()  # type: ignore[union-attr]
    if not _BREAK_AT.search(text, p, end):
        return [], end, end - p, end - p
    breaks = []
    max_indent = 0
    line_start = p
    for m in _BREAK_RUN.finditer(text, p, end):
        max_indent = max(max_indent, m.start() - line_start)
        breaks.append((m.start(), _BREAK_VALUE[m.group()]))
        line_start = m.end()
    col = end - line_start
    return breaks, end, col, max(max_indent, col)


def _scan_block(text: str, start: int, parent_indent: int, b: _MapBuilder, lf_only: bool = False) -> _BlockInfo:
    """Re-scan a block scalar into ``b``; ``lf_only``: the text has no line breaks but "\\n"."""
    n = len(text)
    folded = text[start] == ">"
    header = _BLOCK_HEADER.match(text, start)
    assert header is not None  # every part of the pattern is optional
    chomp, digit, digit_first, chomp_last, _ = header.groups()
    chomp = chomp or chomp_last
    chomping = None if chomp is None else chomp == "+"
    digit = digit or digit_first
    header_end, body_start = header.end(5), header.end()
    min_indent = max(parent_indent + 1, 1)
    if digit is None:
        breaks, p, col, max_indent = _auto_indent(text, body_start)
        indent = max(min_indent, max_indent)
    else:
        indent = min_indent + int(digit) - 1
        breaks, p, col = _block_breaks(text, body_start, 0, indent)
    line_break: tuple[int, str] = (p, "")
    content_end = body_start
    while col == indent and p < n:
        for pos, value in breaks:
            b.mapped(value, pos)
        leading_non_space = text[p] not in " \t"
        if lf_only:  # str.find is many times faster than a regex search
            q = text.find("\n", p)
            q, length, value = (n, 0, "") if q < 0 else (q, 1, "\n")
        else:
            m = _BREAK_AT.search(text, p)
            q = m.start() if m else n
            length, value = _brk(text, q)
        b.exact(text[p:q], p)
        line_break = (q, value)
        p = content_end = q + length
        # The next line's indentation; breaks only when it is blank (rare, so out of line).
        q = _SPACES.match(text, p, p + indent).end()  # type: ignore[union-attr]
        p, col = q, q - p
        breaks = []
        if p < n and text[p] in _BREAKS:
            breaks, p, col = _block_breaks(text, p, col, indent)
        if col != indent or p >= n:
            break
        if folded and line_break[1] == "\n" and leading_non_space and text[p] not in " \t":
            if not breaks:
                b.mapped(" ", line_break[0])
        else:
            b.mapped(line_break[1], line_break[0])
    if chomping is not False:
        b.mapped(line_break[1], line_break[0])
    if chomping is True:
        for pos, value in breaks:
            b.mapped(value, pos)
    return _BlockInfo(indent, header_end, body_start, content_end)


def _style(node: ScalarNode) -> str:
    return node.style if node.style in ("'", '"', "|", ">") else "plain"


def scalar_token_start(text: str, node: ScalarNode) -> int:
    """Offset of the scalar token itself, after any ``&anchor`` and ``!tag`` properties.

    PyYAML's node start mark is at the first property when there are any.
    """
    p = node.start_mark.index
    if text[p : p + 1] not in ("&", "!"):
        return p
    end = node.end_mark.index
    for _ in range(4):
        if p >= end or text[p] not in "&!":
            break
        while p < end and text[p] not in " \t\r\n":
            p += 1
        while p < end:
            if text[p] in " \t\r\n":
                p += 1
            elif text[p] == "#":
                while p < end and text[p] not in "\r\n":
                    p += 1
            else:
                break
    return p


def yaml_scalar_map(text: str, node: ScalarNode, parent_indent: int) -> tuple[list[Anchor], _BlockInfo | None, bool]:
    """Anchors mapping ``node.value`` to the file, block-scalar layout, and whether it is exact.

    The scalar is re-scanned as PyYAML scans it; when the result differs from ``node.value``
    (it should not) a coarse, non-exact map to the start of the scalar is returned.
    """
    start = scalar_token_start(text, node)
    return _scalar_map(text, node, start, _style(node), parent_indent, _lf_only(text))


def _lf_only(text: str) -> bool:
    """True when every line break of ``text`` is a "\\n"."""
    return "\r" not in text and "\x85" not in text and "\u2028" not in text and "\u2029" not in text


# Characters that make a one-line flow scalar's value differ from its text (or its re-scan fail).
_NOT_VERBATIM = {
    "plain": re.compile("[" + re.escape("\t" + _BREAKS) + "]"),
    "'": re.compile("[" + re.escape("'\0" + _BREAKS) + "]"),
    '"': re.compile("[" + re.escape('"\\\0' + _BREAKS) + "]"),
}


def _verbatim_map(text: str, node: ScalarNode, start: int, style: str) -> list[Anchor] | None:
    """The map of a flow scalar whose value is its text between the quotes, if it is one.

    Such a value has no escapes, folds or line breaks, so its re-scan is one exact anchor.
    """
    value = node.value
    first = start if style == "plain" else start + 1
    last = first + len(value)
    if not value or node.end_mark.index != (last if style == "plain" else last + 1) or value[-1] == " ":
        return None
    if style != "plain" and text[last : last + 1] != style:
        return None
    if not text.startswith(value, first) or _NOT_VERBATIM[style].search(value):
        return None
    return [Anchor(0, first, True)]


def _block_map(
    text: str, node: ScalarNode, start: int, parent_indent: int, lf_only: bool
) -> tuple[list[Anchor], _BlockInfo, bool]:
    """Re-scan a block scalar, trying other parent indentations when the value differs."""
    for guess in itertools.chain((parent_indent,), range(-1, 40)):
        b = _MapBuilder()
        info = _scan_block(text, start, guess, b, lf_only)
        if b.value() == node.value:
            if not b.anchors:
                b.anchors.append(Anchor(0, info.body_start, False))
            return b.anchors, info, True
    info = _scan_block(text, start, parent_indent, _MapBuilder())
    return [Anchor(0, info.body_start, False)], info, False


def _scalar_map(
    text: str, node: ScalarNode, start: int, style: str, parent_indent: int, lf_only: bool
) -> tuple[list[Anchor], _BlockInfo | None, bool]:
    """:func:`yaml_scalar_map` of a scalar whose token starts at ``start``."""
    try:
        if style in ("|", ">"):
            return _block_map(text, node, start, parent_indent, lf_only)
        anchors = _verbatim_map(text, node, start, style)
        if anchors is not None:
            return anchors, None, True
        b = _MapBuilder()
        if style == "plain":
            ok = _scan_plain(text, start, node.end_mark.index, b)
        else:
            ok = _scan_quoted(text, start, style == '"', b)
        if ok and b.value() == node.value:
            if not b.anchors:
                b.anchors.append(Anchor(0, start + (0 if style == "plain" else 1), False))
            return b.anchors, None, True
    except (IndexError, ValueError):
        pass
    return [Anchor(0, start, False)], None, False


# --------------------------------------------------------------------------------------------
# YAML: references used by the editor


@dataclass
class YamlScalarRef:
    """Where a message's text lives in a YAML file (``Message.node`` of chat-yaml messages).

    ``start``/``end`` are the file offsets of the scalar token (for block scalars ``start`` is the
    ``|``/``>`` indicator and ``end`` is PyYAML's end mark, the start of the line after the last
    line consumed). ``remove`` is the span of the list item (or mapping member) holding the
    message and what to put in its place.
    """

    doc_index: int
    path: tuple
    start: int
    end: int
    style: str  # "plain", "'", '"', "|" or ">"
    flow: bool  # inside a flow collection ({...} / [...])
    parent_indent: int  # column of the mapping (or list) holding the scalar
    newline: str
    remove: tuple[int, int, str] | None = None
    indent: int | None = None  # block scalars: indentation of the content lines
    header_end: int | None = None  # block scalars: end of the indicator characters
    body_start: int | None = None  # block scalars: start of the line after the header
    content_end: int | None = None  # block scalars: after the last content line's line break
    exact: bool = True  # False when the source map is only approximate


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end_after(text: str, pos: int) -> int:
    """After the line break of the line holding ``pos`` when only blanks/comments follow."""
    nl = text.find("\n", pos)
    stop = len(text) if nl == -1 else nl
    rest = text[pos:stop].strip()
    if rest and not rest.startswith("#"):
        return pos
    return len(text) if nl == -1 else nl + 1


def _yaml_node_end(text: str, node: Node, floor: int) -> int:
    """End of the last character of a node (ignoring block scalars' trailing blank lines)."""
    current = node
    for _ in range(MAX_YAML_DEPTH * 2):
        if isinstance(current, MappingNode) and not current.flow_style and current.value:
            current = current.value[-1][1]
        elif isinstance(current, SequenceNode) and not current.flow_style and current.value:
            current = current.value[-1]
        else:
            break
    end = current.end_mark.index
    if end < floor:  # an alias to a node defined elsewhere
        end = node.end_mark.index
    while end > floor and text[end - 1] in " \t\r\n":
        end -= 1
    return max(end, floor)


def _dash_before(text: str, pos: int) -> int:
    q = pos - 1
    while q >= 0 and text[q] in " \t\r\n":
        q -= 1
    return q if q >= 0 and text[q] == "-" else pos


def _flow_removal(spans: list[tuple[int, int]], i: int) -> tuple[int, int, str]:
    if i + 1 < len(spans):
        return spans[i][0], spans[i + 1][0], ""
    if i > 0:
        return spans[i - 1][1], spans[i][1], ""
    return spans[i][0], spans[i][1], ""


def _yaml_removal(text: str, entry: _Entry) -> tuple[int, int, str] | None:
    container, index = entry.container, entry.index
    if index is None:
        return None
    if isinstance(container, SequenceNode):
        items = container.value
        item = items[index]
        if container.flow_style:
            spans = [(it.start_mark.index, it.end_mark.index) for it in items]
            if len(items) == 1:
                return container.start_mark.index + 1, container.end_mark.index - 1, ""
            return _flow_removal(spans, index)
        dash = _dash_before(text, item.start_mark.index)
        if len(items) == 1:
            end = _yaml_node_end(text, item, item.start_mark.index)
            if entry.owner_key is not None:
                colon = text.find(":", entry.owner_key.end_mark.index)
                if colon != -1 and colon < dash:
                    return colon + 1, end, " []"
            return dash, end, "[]"
        start = _line_start(text, dash)
        whole_lines = not text[start:dash].strip()
        if not whole_lines:
            start = dash
        if index + 1 < len(items):
            nxt = _dash_before(text, items[index + 1].start_mark.index)
            nxt_start = _line_start(text, nxt)
            if text[nxt_start:nxt].strip() or not whole_lines:
                return start, nxt, ""
            return start, nxt_start, ""
        end = _yaml_node_end(text, item, item.start_mark.index)
        return start, (_line_end_after(text, end) if whole_lines else end), ""
    if isinstance(container, MappingNode):
        pairs = container.value
        key, value = pairs[index]
        if container.flow_style:
            spans = [(k.start_mark.index, v.end_mark.index) for k, v in pairs]
            if len(pairs) == 1:
                return container.start_mark.index + 1, container.end_mark.index - 1, ""
            return _flow_removal(spans, index)
        start = _line_start(text, key.start_mark.index)
        whole_lines = not text[start : key.start_mark.index].strip()
        if not whole_lines:
            start = key.start_mark.index
        if index + 1 < len(pairs):
            nxt = pairs[index + 1][0].start_mark.index
            nxt_start = _line_start(text, nxt)
            if text[nxt_start:nxt].strip() or not whole_lines:
                return start, nxt, ""
            return start, nxt_start, ""
        end = _yaml_node_end(text, value, key.end_mark.index)
        return start, (_line_end_after(text, end) if whole_lines else end), ""
    return None


def _make_yaml_message(text: str, found: _Found, doc_index: int, newline: str, lf_only: bool) -> Message:
    node = found.node
    parent = found.parent
    parent_indent = parent.start_mark.column if isinstance(parent, Node) else 0
    start = scalar_token_start(text, node)
    style = _style(node)
    anchors, block, exact = _scalar_map(text, node, start, style, parent_indent, lf_only)
    ref = YamlScalarRef(
        doc_index=doc_index,
        path=found.path,
        start=start,
        end=node.end_mark.index,
        style=style,
        flow=bool(getattr(parent, "flow_style", False)),
        parent_indent=parent_indent,
        newline=newline,
        exact=exact,
    )
    if block is not None:
        ref.indent = block.indent
        ref.header_end = block.header_end
        ref.body_start = block.body_start
        ref.content_end = block.content_end
    try:
        ref.remove = _yaml_removal(text, found.entry)
    except (IndexError, AttributeError, ValueError):
        ref.remove = None
    msg = Message(role=found.role, text=node.value, source=SourceMap(anchors), node=ref)
    analyse(msg)
    return msg


def _load_yaml(path: str, text: str) -> LoadResult | None:
    candidate = _base_name(path).endswith((".prompt.yml", ".prompt.yaml"))
    if not candidate and not _may_hold_chat(text):
        return None
    report = candidate or looks_like_chat(text)
    if len(text) > MAX_YAML_CHARS:
        return _problem(text, "document too large to read as a chat prompt") if report else None
    try:
        roots = _compose_all(text)
    except (_Refused, RecursionError, yaml.YAMLError) as exc:
        return _yaml_error(text, exc) if report else None
    lines = LineIndex(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    lf_only = _lf_only(text)
    tree = _YamlTree()
    documents = []
    try:
        for k, root in enumerate(roots):
            if root is None:
                continue
            extracted = _extract(tree, root)
            if extracted is None:
                continue
            found, meta = extracted
            messages = [_make_yaml_message(text, f, k, newline, lf_only) for f in found]
            if len(roots) > 1:
                meta["yaml_document"] = k
            documents.append(
                PromptDocument(
                    path=path,
                    format="chat-yaml",
                    kind="chat",
                    messages=messages,
                    file_text=text,
                    lines=lines,
                    meta=meta,
                    editor=ChatYamlEditor(),
                )
            )
    except (_Refused, RecursionError) as exc:
        return _yaml_error(text, exc) if report else None
    if not documents:
        return None
    return LoadResult(documents=documents)


def load_yaml(path: str, text: str) -> LoadResult | None:
    """Load a chat prompt from a YAML file (``.prompt.yml``, ``.yaml``, ``.yml``).

    Returns None when the file holds no chat prompt, and a PRM002 problem when a prompt file (or
    a file that clearly looks like one) cannot be parsed or read safely. Never raises.
    """
    try:
        return _load_yaml(path, text)
    except Exception as exc:  # never let a file crash the run
        if _base_name(path).endswith((".prompt.yml", ".prompt.yaml")) or looks_like_chat(text):
            return _problem(text, f"cannot read this file as a chat prompt: {type(exc).__name__}: {exc}")
        return None


# --------------------------------------------------------------------------------------------
# YAML: editing


_YAML_BREAK_CHARS = frozenset("\r\n\x85\u2028\u2029")


def _yaml_printable(ch: str) -> bool:
    o = ord(ch)
    return (
        0x20 <= o <= 0x7E
        or ch in "\t\n"
        or (0xA0 <= o <= 0xD7FF)
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
        or o >= 0x10000
    )


# Characters outside YAML's printable set (the ranges of ``_yaml_printable``), and for single-quoted
# and block scalars also the line breaks they cannot hold.
_PRINTABLE = "\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_NOT_PRINTABLE = re.compile(f"[^\t\n{_PRINTABLE}]")
_NOT_SINGLE = re.compile(f"[^\t{_PRINTABLE}]|[\u2028\u2029]")
_NOT_BLOCK = re.compile(f"[^\t\n{_PRINTABLE}]|[\u2028\u2029]")


def yaml_double_quoted(s: str) -> str:
    """Render ``s`` as a one-line, JSON-compatible YAML double-quoted scalar."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif _yaml_printable(ch) and ch not in "\x85\u2028\u2029":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


def _plain_ok(s: str, flow: bool) -> bool:
    if not s or s != s.strip() or any(ch in _YAML_BREAK_CHARS or ch == "\t" for ch in s):
        return False
    if _NOT_PRINTABLE.search(s):
        return False
    try:
        if flow:
            return yaml.safe_load("[" + s + "]") == [s]
        return yaml.safe_load("k: " + s) == {"k": s}
    except Exception:
        return False


def _single_ok(s: str) -> bool:
    return _NOT_SINGLE.search(s) is None


def _block_ok(s: str) -> bool:
    return bool(s.strip()) and _NOT_BLOCK.search(s) is None


def _region_edit(text: str, ref: YamlScalarRef, rendered: str) -> list[Edit]:
    """Replace the whole scalar (including a block scalar's body) with a one-line rendering."""
    if ref.style in ("|", ">") and ref.content_end is not None:
        end = max(ref.content_end, ref.body_start or ref.end)
        tail = ref.newline if end > 0 and text[end - 1] in "\r\n" else ""
        return [Edit(ref.start, end, rendered + tail)]
    return [Edit(ref.start, ref.end, rendered)]


def _block_edit(text: str, ref: YamlScalarRef, new: str) -> list[Edit] | None:
    """Render ``new`` as a literal block scalar, or None when that is not possible here."""
    if ref.flow or not _block_ok(new):
        return None
    trailing = len(new) - len(new.rstrip("\n"))
    if trailing > 1:
        return None
    body = new[:-1] if trailing else new
    lines = body.split("\n")
    block_original = ref.style in ("|", ">") and ref.indent is not None
    indent = ref.indent if block_original and ref.indent > ref.parent_indent else ref.parent_indent + 2
    indent = max(indent, 1)
    header = "|" + ("" if trailing else "-")
    first = next((ln for ln in lines if ln), "")
    if first.startswith(" "):
        increment = indent - max(ref.parent_indent + 1, 1) + 1
        if not 1 <= increment <= 9:
            return None
        header = "|" + str(increment) + ("" if trailing else "-")
    nl = ref.newline
    rendered = nl.join(" " * indent + ln if ln else "" for ln in lines)
    if block_original:
        assert ref.header_end is not None and ref.body_start is not None and ref.content_end is not None
        content_end = max(ref.content_end, ref.body_start)
        ends_with_break = content_end > 0 and text[content_end - 1] in "\r\n"
        prefix = "" if ref.body_start > 0 and text[ref.body_start - 1] in "\r\n" else nl
        suffix = nl if (ends_with_break or trailing) else ""
        return [
            Edit(ref.start, ref.header_end, header),
            Edit(ref.body_start, content_end, prefix + rendered + suffix),
        ]
    nl_pos = text.find("\n", ref.end)
    line_end = len(text) if nl_pos == -1 else nl_pos
    if line_end > ref.end and text[line_end - 1] == "\r":
        line_end -= 1
    rest = text[ref.end : line_end]
    if rest.strip() and not rest.lstrip().startswith("#"):
        return None
    comment = rest.rstrip() if rest.strip() else ""
    suffix = nl if (line_end == len(text) and trailing) else ""
    return [Edit(ref.start, line_end, header + comment + nl + rendered + suffix)]


def _yaml_renderings(text: str, ref: YamlScalarRef, new: str) -> Iterator[list[Edit]]:
    block = _block_edit(text, ref, new)
    if block is not None and (ref.style in ("|", ">") or "\n" in new):
        yield block
    if ref.style == "'" and _single_ok(new):
        yield _region_edit(text, ref, "'" + new.replace("'", "''") + "'")
    if ref.style == "plain" and _plain_ok(new, ref.flow):
        yield _region_edit(text, ref, new)
    yield _region_edit(text, ref, yaml_double_quoted(new))


def _yaml_value_at(text: str, doc_index: int, path: tuple) -> str | None:
    roots = _compose_all(text)
    node: Any = roots[doc_index]
    tree = _YamlTree()
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, SequenceNode) or step >= len(node.value):
                return None
            node = node.value[step]
        else:
            if not isinstance(node, MappingNode):
                return None
            member = _lookup(tree.raw_members(node), step)
            if member is None:
                return None
            node = member[2]
    return tree.string(node)


def _yaml_check(text: str, ref: YamlScalarRef, edits: list[Edit], expected: str) -> bool:
    try:
        return _yaml_value_at(apply_edits(text, edits), ref.doc_index, ref.path) == expected
    except Exception:
        return False


def _edit_position(msg: Message, start: int, end: int) -> tuple[int, int] | None:
    """File span of ``text[start:end]`` when it is a verbatim copy of the file."""
    src = msg.source
    if end > start:
        if not src.is_verbatim(start, end):
            return None
        a = src.file_offset(start)
        return a, a + (end - start)
    if start < len(msg.text) and src.is_verbatim(start, start + 1):
        a = src.file_offset(start)
    elif start > 0 and src.is_verbatim(start - 1, start):
        a = src.file_offset(start - 1) + 1
    else:
        return None
    return a, a


class ChatYamlEditor:
    """Edits chat-yaml messages by editing (or re-rendering) the YAML scalar that holds them.

    Every edit is checked by re-parsing the edited file; a rendering that does not give back the
    wanted text falls back to a safer one, and ultimately to no edit at all.
    """

    def replace_text(self, doc: PromptDocument, index: int, start: int, end: int, new: str) -> list[Edit]:
        """Replace ``text[start:end]`` of message ``index`` with ``new``."""
        msg = doc.messages[index]
        ref: YamlScalarRef = msg.node
        expected = msg.text[:start] + new + msg.text[end:]
        span = _edit_position(msg, start, end)
        if span is not None:
            if ref.style == "|":
                ok = not any(ch in "\r\x85\u2028\u2029" for ch in new)
                escaped = new.replace("\n", ref.newline + " " * (ref.indent or 0))
            elif ref.style in (">", "plain"):
                ok = not any(ch in _YAML_BREAK_CHARS for ch in new)
                escaped = new
            elif ref.style == "'":
                ok = _single_ok(new)
                escaped = new.replace("'", "''")
            else:
                ok = True
                escaped = yaml_double_quoted(new)[1:-1]
            edits = [Edit(span[0], span[1], escaped)]
            if ok and _yaml_check(doc.file_text, ref, edits, expected):
                return edits
        return self.set_message_text(doc, index, expected)

    def set_message_text(self, doc: PromptDocument, index: int, new_text: str) -> list[Edit]:
        """Replace the whole text of message ``index``, re-rendering its scalar."""
        ref: YamlScalarRef = doc.messages[index].node
        for edits in _yaml_renderings(doc.file_text, ref, new_text):
            if _yaml_check(doc.file_text, ref, edits, new_text):
                return edits
        return []

    def remove_message(self, doc: PromptDocument, index: int) -> list[Edit]:
        """Remove the list item (or mapping member) holding message ``index``."""
        ref: YamlScalarRef = doc.messages[index].node
        if ref.remove is None:
            return []
        start, end, replacement = ref.remove
        edits = [Edit(start, end, replacement)]
        try:
            _compose_all(apply_edits(doc.file_text, edits))
        except Exception:
            return []
        return edits


# --------------------------------------------------------------------------------------------
# JSON


@dataclass
class JsonStringRef:
    """Where a message's text lives in a JSON file (``Message.node`` of chat-json messages).

    ``start``/``end`` span the string token including its quotes; ``remove`` is the span of the
    array element (or object member) holding the message, with its separating comma, and what
    to put in its place.
    """

    path: tuple
    start: int
    end: int
    remove: tuple[int, int, str] | None = None


def json_string(s: str) -> str:
    """``json.dumps(s, ensure_ascii=False)`` with lone surrogates escaped."""
    out = json.dumps(s, ensure_ascii=False)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group(0)):04x}", out)


def _json_removal(entry: _Entry) -> tuple[int, int, str] | None:
    container, index = entry.container, entry.index
    if index is None:
        return None
    if container.kind == "array":
        spans = [(it.start, it.end) for it in container.items]
    else:
        spans = [(k.start, v.end) for k, v in container.members]
    if len(spans) == 1:
        return container.start + 1, container.end - 1, ""
    return _flow_removal(spans, index)


def _make_json_message(text: str, found: _Found) -> Message:
    node = found.node
    anchors = [Anchor(t, f, e) for t, f, e in safe_json.string_anchors(text, node)]
    if not anchors:
        anchors = [Anchor(0, node.start + 1, False)]
    ref = JsonStringRef(path=found.path, start=node.start, end=node.end, remove=_json_removal(found.entry))
    msg = Message(role=found.role, text=node.value, source=SourceMap(anchors), node=ref)
    analyse(msg)
    return msg


def _load_json(path: str, text: str) -> LoadResult | None:
    if not _may_hold_chat(text):
        return None
    report = looks_like_chat(text)
    if len(text) > MAX_JSON_CHARS:
        return _problem(text, "document too large to read as a chat prompt") if report else None
    try:
        root = safe_json.parse(text, max_depth=MAX_JSON_DEPTH)
    except safe_json.JsonError as exc:
        if not report:
            return None
        offset = LineIndex(text).offset(exc.line, exc.column)
        return _problem(text, f"cannot parse JSON: {exc.msg}", offset)
    try:
        extracted = _extract(_JsonTree(), root)
    except _Refused as exc:
        return _problem(text, exc.message, exc.offset) if report else None
    if extracted is None:
        return None
    found, meta = extracted
    messages = [_make_json_message(text, f) for f in found]
    doc = PromptDocument(
        path=path,
        format="chat-json",
        kind="chat",
        messages=messages,
        file_text=text,
        lines=LineIndex(text),
        meta=meta,
        editor=ChatJsonEditor(),
    )
    return LoadResult(documents=[doc])


def load_json(path: str, text: str) -> LoadResult | None:
    """Load a chat prompt from a JSON file; None when it holds none. Never raises."""
    try:
        return _load_json(path, text)
    except Exception as exc:  # never let a file crash the run
        if looks_like_chat(text):
            return _problem(text, f"cannot read this file as a chat prompt: {type(exc).__name__}: {exc}")
        return None


class ChatJsonEditor:
    """Edits chat-json messages inside their JSON string tokens."""

    def replace_text(self, doc: PromptDocument, index: int, start: int, end: int, new: str) -> list[Edit]:
        """Replace ``text[start:end]`` of message ``index`` with ``new``."""
        msg = doc.messages[index]
        span = _edit_position(msg, start, end)
        if span is not None:
            return [Edit(span[0], span[1], json_string(new)[1:-1])]
        return self.set_message_text(doc, index, msg.text[:start] + new + msg.text[end:])

    def set_message_text(self, doc: PromptDocument, index: int, new_text: str) -> list[Edit]:
        """Replace the whole string token of message ``index``."""
        ref: JsonStringRef = doc.messages[index].node
        return [Edit(ref.start, ref.end, json_string(new_text))]

    def remove_message(self, doc: PromptDocument, index: int) -> list[Edit]:
        """Remove the array element (or object member) holding message ``index`` and its comma."""
        ref: JsonStringRef = doc.messages[index].node
        if ref.remove is None:
            return []
        start, end, replacement = ref.remove
        return [Edit(start, end, replacement)]
