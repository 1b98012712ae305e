"""Prompty files (``.prompty``): YAML front matter, then a body split into messages by role markers.

The front matter between the leading ``---`` lines is parsed with the bounded YAML reader of
:mod:`promptlint.loaders.chat` and stored in ``meta["front_matter"]`` (a dict; its ``sample`` is
also copied to ``meta["sample"]``). Broken front matter gives a PRM002 problem but the body is
still linted.

Role markers are lines holding only ``system:``, ``user:`` or ``assistant:`` (any case, optional
surrounding blanks, optionally after ``#``). Text before the first marker is a system message.
Each message's text is a verbatim slice of the file: its section without leading blank lines and
trailing whitespace; empty sections are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from promptlint.edits import VerbatimEditor
from promptlint.findings import Edit
from promptlint.loaders.chat import PRM002, YamlLoadError, safe_yaml_load
from promptlint.markup import analyse
from promptlint.model import LineIndex, LoadProblem, LoadResult, Message, PromptDocument, SourceMap

_OPEN = re.compile(r"\A\ufeff?---[ \t]*(?:\r?\n|\Z)")
_CLOSE = re.compile(r"^---[ \t]*\r?$", re.M)
ROLE_MARKER = re.compile(r"^[ \t]*(?:#[ \t]*)?(system|user|assistant)[ \t]*:[ \t]*\r?$", re.M | re.I)
_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)*")


@dataclass
class PromptySection:
    """Where a message lives in a .prompty file (``Message.node`` of prompty messages).

    ``marker_start`` is the start of the role-marker line (None for text before the first
    marker), ``section_start``/``section_end`` the span from the marker line (or the body start)
    to the next marker line or the end of the file, ``start``/``end`` the message text.
    """

    marker_start: int | None
    section_start: int
    section_end: int
    start: int
    end: int


class PromptyEditor(VerbatimEditor):
    """Verbatim editing; removing a message also removes its role-marker line."""

    def remove_message(self, doc: PromptDocument, index: int) -> list[Edit]:
        """Remove message ``index`` from its marker line to the end of its section."""
        section = doc.messages[index].node
        if not isinstance(section, PromptySection):
            return super().remove_message(doc, index)
        return [Edit(section.section_start, section.section_end, "")]


def split_front_matter(text: str) -> tuple[int, int, int] | None:
    """(front matter start, front matter end, body start) offsets, or None without front matter.

    An opening ``---`` line without a closing one gives ``(start, -1, start)``.
    """
    m = _OPEN.match(text)
    if not m:
        return None
    close = _CLOSE.search(text, m.end())
    if close is None:
        return m.end(), -1, m.end()
    body = close.end()
    if text.startswith("\n", body):
        body += 1
    return m.end(), close.start(), body


def _sections(text: str, body_start: int) -> list[tuple[str, int | None, int, int]]:
    """(role, marker start, section start, section end) for each section of the body."""
    markers = list(ROLE_MARKER.finditer(text, body_start))
    pieces: list[tuple[str, int | None, int, int]] = []
    first = markers[0].start() if markers else len(text)
    if text[body_start:first].strip():
        pieces.append(("system", None, body_start, first))
    for i, m in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        pieces.append((m.group(1).lower(), m.start(), m.start(), end))
    return pieces


def _load(path: str, text: str) -> LoadResult | None:
    problems: list[LoadProblem] = []
    lines = LineIndex(text)
    meta: dict[str, Any] = {}
    body_start = 0
    split = split_front_matter(text)
    if split is not None:
        fm_start, fm_end, body_start = split
        if fm_end < 0:
            line, column = lines.position(0)
            problems.append(LoadProblem(PRM002, "front matter is not closed by a '---' line", line, column))
            body_start = 0
        else:
            raw = text[fm_start:fm_end]
            meta["front_matter_text"] = raw
            try:
                front = safe_yaml_load(raw)
            except YamlLoadError as exc:
                line, column = lines.position(fm_start + exc.offset)
                problems.append(LoadProblem(PRM002, f"front matter: {exc.message}", line, column))
                front = None
            if front is not None and not isinstance(front, dict):
                line, column = lines.position(fm_start)
                problems.append(LoadProblem(PRM002, "front matter is not a YAML mapping", line, column))
                front = None
            meta["front_matter"] = front if isinstance(front, dict) else {}
            if isinstance(front, dict) and "sample" in front:
                meta["sample"] = front["sample"]
    messages = []
    for role, marker, section_start, section_end in _sections(text, body_start):
        start = section_start
        if marker is not None:
            nl = text.find("\n", marker, section_end)
            start = section_end if nl == -1 else nl + 1
        start = _BLANK_LINES.match(text, start, section_end).end()
        end = start + len(text[start:section_end].rstrip())
        if end <= start:
            continue
        node = PromptySection(marker, section_start, section_end, start, end)
        msg = Message(role=role, text=text[start:end], source=SourceMap.linear(start), node=node)
        analyse(msg)
        messages.append(msg)
    if not messages:
        return LoadResult(documents=[], problems=problems) if problems else None
    doc = PromptDocument(
        path=path,
        format="prompty",
        kind="chat",
        messages=messages,
        file_text=text,
        lines=lines,
        meta=meta,
        editor=PromptyEditor(),
    )
    return LoadResult(documents=[doc], problems=problems)


def load(path: str, text: str) -> LoadResult | None:
    """Load a ``.prompty`` file; None when it holds no message. Never raises."""
    try:
        return _load(path, text)
    except Exception as exc:  # never let a file crash the run
        return LoadResult(
            problems=[LoadProblem(PRM002, f"cannot read this .prompty file: {type(exc).__name__}: {exc}")]
        )
