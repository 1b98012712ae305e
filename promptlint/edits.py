"""Format-aware editing: message-level changes turned into file edits.

Rules never edit files directly. They ask the document's editor to replace part of a message,
set a message's whole text, or remove a message; the editor, supplied by the loader, knows how
the format stores text (verbatim slices for Markdown, scalars for YAML, strings for JSON).
"""

from __future__ import annotations

from promptlint.findings import Edit
from promptlint.model import PromptDocument


class VerbatimEditor:
    """Editor for formats whose message text is a verbatim slice of the file."""

    def replace_text(self, doc: PromptDocument, index: int, start: int, end: int, new: str) -> list[Edit]:
        """Replace ``text[start:end]`` of message ``index`` with ``new``."""
        msg = doc.messages[index]
        if msg.source.is_verbatim(start, end) and msg.source.is_verbatim(0, len(msg.text)):
            a = msg.source.file_offset(start)
            b = msg.source.file_offset(end) if end < len(msg.text) else msg.source.file_offset(len(msg.text) - 1) + 1
            if end == start:
                b = a
            return [Edit(a, b, new)]
        return self.set_message_text(doc, index, msg.text[:start] + new + msg.text[end:])

    def set_message_text(self, doc: PromptDocument, index: int, new_text: str) -> list[Edit]:
        """Replace the whole text of message ``index``."""
        msg = doc.messages[index]
        a = msg.source.file_offset(0)
        b = a + len(msg.text)
        return [Edit(a, b, new_text)]

    def remove_message(self, doc: PromptDocument, index: int) -> list[Edit]:
        """Remove message ``index`` from the document."""
        return self.set_message_text(doc, index, "")


def editor_for(doc: PromptDocument) -> VerbatimEditor:
    """The document's editor, defaulting to verbatim editing."""
    return doc.editor if doc.editor is not None else VerbatimEditor()


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits bottom-up."""
    out = text
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: edit.start] + edit.content + out[edit.end :]
    return out
