"""How the messages of a chat document relate: instructions, answered turns, filler turns."""

from __future__ import annotations

import re

from promptlint.lazyre import lazy_compile
from promptlint.model import PromptDocument

_ACK = lazy_compile(
    r"^(?:ok(?:ay)?|got it|understood|sure|noted|thanks|thank you|alright|all right|great|perfect|i see|"
    r"sounds good|will do|of course|certainly|yes|right|fine|cool|roger|acknowledged|go on|please go on|continue|"
    r"i'm listening|go ahead)\b",
    re.I,
)
_ASKS_MORE = lazy_compile(r"\b(?:more|else|rest|details?|continue|go on|anything|further|additional)\b", re.I)
_WORD = lazy_compile(r"\w+")


def is_filler(text: str) -> bool:
    """True for an assistant turn that acknowledges or asks for more without answering."""
    stripped = text.strip()
    words = _WORD.findall(stripped)
    if not words or len(words) > 20:
        return not words
    if _ACK.match(stripped):
        return True
    return stripped.endswith("?") and bool(_ASKS_MORE.search(stripped))


def answered(doc: PromptDocument, index: int) -> bool:
    """True when message ``index`` is followed directly by a substantive assistant answer."""
    if index + 1 >= len(doc.messages):
        return False
    nxt = doc.messages[index + 1]
    return nxt.role == "assistant" and not is_filler(nxt.text)


def first_instruction(doc: PromptDocument) -> int:
    """Index of the first message that carries instructions (system, user or unknown)."""
    for i, msg in enumerate(doc.messages):
        if msg.role != "assistant" and msg.text.strip():
            return i
    return 0


def instruction_messages(doc: PromptDocument) -> list[int]:
    """Messages whose text instructs the model (not assistant turns or answered example turns)."""
    if doc.kind != "chat":
        return [i for i, m in enumerate(doc.messages) if m.role != "assistant"]
    first = first_instruction(doc)
    out = []
    for i, msg in enumerate(doc.messages):
        if msg.role == "assistant" or not msg.text.strip():
            continue
        if msg.role == "user" and i != first and answered(doc, i):
            continue  # a self-contained example or an exchange that was already answered
        out.append(i)
    return out


def previous_non_filler(doc: PromptDocument, index: int) -> int | None:
    """The closest earlier message that is not a filler assistant turn."""
    for j in range(index - 1, -1, -1):
        msg = doc.messages[j]
        if msg.role == "assistant" and is_filler(msg.text):
            continue
        return j
    return None


def fillers_between(doc: PromptDocument, start: int, end: int) -> list[int]:
    """Filler assistant turns strictly between two message indices."""
    return [j for j in range(start + 1, end) if doc.messages[j].role == "assistant" and is_filler(doc.messages[j].text)]
