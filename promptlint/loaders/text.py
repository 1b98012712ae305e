"""Plain text, Markdown and Dotprompt-style files.

Front matter (``---`` YAML at the top) is kept out of the message text and stored, unparsed, in
``meta["front_matter"]``. Dotprompt role markers (``{{role "system"}}``) split the file into
messages; otherwise the whole body is one message whose role is guessed from the file name.
"""

from __future__ import annotations

import re

from promptlint.lazyre import lazy_compile
from promptlint.markup import analyse, line_matches
from promptlint.model import LineIndex, LoadResult, Message, PromptDocument, SourceMap

_FRONT_MATTER = lazy_compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_KEY_LINE = lazy_compile(r"^\s*(?:[\w\"'.-][^:\n]*:|- |#)", re.M)
_ROLE_MARKER = lazy_compile(r"^[ \t]*\{\{\s*role\s+[\"'](system|user|model|assistant)[\"']\s*\}\}[ \t]*\r?$", re.M)
_ROLE_LINE = lazy_compile(r"\n[ \t]*\{\{")  # every marker's line opens so (see markup.line_search)
AGENT_FILES = frozenset(
    {
        "agents.md",
        "claude.md",
        "gemini.md",
        ".cursorrules",
        ".windsurfrules",
        ".clinerules",
        "copilot-instructions.md",
        "skill.md",
        "conventions.md",
    }
)
AGENT_SUFFIXES = (".instructions.md", ".agent.md", ".chatmode.md", ".mdc")


def split_front_matter(text: str) -> tuple[int, str | None]:
    """Return (offset where the body starts, front matter text or None)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return 0, None
    block = m.group(1)
    lines = [ln for ln in block.splitlines() if ln.strip()]
    if lines and not all(_KEY_LINE.match(ln) or ln.startswith((" ", "\t")) for ln in lines):
        return 0, None
    return m.end(), block


def _kind_and_role(path: str) -> tuple[str, str]:
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name in AGENT_FILES or name.endswith(AGENT_SUFFIXES):
        return "agent-instructions", "system"
    stem = name.split(".", 1)[0]
    if stem in ("system", "user", "assistant"):
        return "document", stem
    return "document", "unknown"


def _load(path: str, text: str, fmt: str) -> LoadResult:
    lines = LineIndex(text)
    body_start, front = split_front_matter(text)
    kind, role = _kind_and_role(path)
    meta = {"front_matter": front} if front is not None else {}
    pieces: list[tuple[str, int, int]] = []  # role, start, end in file
    markers = line_matches(_ROLE_MARKER, _ROLE_LINE, text, body_start)
    if markers:
        kind = "chat"
        head = text[body_start : markers[0].start()]
        if head.strip():
            pieces.append((role, body_start, markers[0].start()))
        for i, m in enumerate(markers):
            end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
            start = m.end() + 1 if text.startswith("\n", m.end()) else m.end()
            found = m.group(1)
            pieces.append(("assistant" if found == "model" else found, start, end))
    else:
        pieces.append((role, body_start, len(text)))
    messages = []
    for msg_role, start, end in pieces:
        msg = Message(role=msg_role, text=text[start:end], source=SourceMap.linear(start))
        analyse(msg)
        messages.append(msg)
    doc = PromptDocument(
        path=path,
        format=fmt,
        kind=kind,
        messages=messages,
        file_text=text,
        lines=lines,
        meta=meta,
        editor=None,
    )
    return LoadResult(documents=[doc])


def load_markdown(path: str, text: str) -> LoadResult:
    """Load a Markdown (or ``.mdc``) prompt file."""
    return _load(path, text, "markdown")


def load_text(path: str, text: str) -> LoadResult:
    """Load a plain-text prompt file (``.txt``, ``.prompt``, ``.cursorrules`` ...)."""
    return _load(path, text, "text")
