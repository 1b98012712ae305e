"""Building "merge the amendment up" fixes from message-level edits."""

from __future__ import annotations

import re

from promptlint.edits import editor_for
from promptlint.findings import Edit, Fix
from promptlint.lazyre import lazy_compile
from promptlint.model import PromptDocument

_BLANK = lazy_compile(r"\n[ \t]*\n")
_WORD = lazy_compile(r"[a-zA-Z][a-zA-Z'-]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "your",
        "you",
        "are",
        "not",
        "but",
        "all",
        "any",
        "can",
        "will",
        "should",
        "must",
        "use",
        "when",
        "what",
        "have",
        "has",
        "its",
        "into",
        "than",
        "then",
        "them",
        "they",
        "their",
        "there",
        "these",
        "those",
        "each",
        "every",
        "only",
        "also",
        "just",
        "more",
        "most",
        "some",
        "such",
        "very",
        "was",
        "were",
        "been",
        "being",
        "about",
        "above",
        "below",
        "after",
        "before",
        "again",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "too",
        "under",
        "until",
    ]
)


def paragraph_bounds(text: str, offset: int) -> tuple[int, int]:
    """Start and end of the paragraph (blank-line separated block) holding ``offset``."""
    start = 0
    for m in _BLANK.finditer(text, 0, offset):
        start = m.end()
    m = _BLANK.search(text, offset)
    end = m.start() if m else len(text.rstrip())
    return start, max(end, offset)


def removal_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to swallow the whitespace around it cleanly."""
    if not text[end:].strip():  # the tail of the text: drop the blank lines before it, keep the final newline
        while start > 0 and text[start - 1] in " \t\r\n":
            start -= 1
        return start, max(start, len(text.rstrip()))
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip():
        start = line_start
    while end < len(text) and text[end] in " \t\r":
        end += 1
    if text.startswith("\n", end):
        end += 1
        blank = re.match(r"[ \t\r]*\n", text[end:])
        if blank and (start == 0 or text[:start].endswith("\n\n")):
            end += blank.end()
    return start, end


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _STOP


def related_paragraph_end(text: str, limit: int, body: str) -> int | None:
    """End offset of the paragraph before ``limit`` sharing most content words with ``body``."""
    target = _words(body)
    if not target:
        return None
    best, best_score = None, 0.0
    pos = 0
    while pos < limit:
        start, end = paragraph_bounds(text, pos)
        end = min(end, limit)
        if end <= start:
            break
        para = text[start:end]
        shared = len(target & _words(para))
        score = shared / (len(target) ** 0.5 + 1)
        if shared >= 2 and score > best_score:
            best, best_score = end, score
        m = _BLANK.search(text, end)
        if not m or m.end() >= limit:
            break
        pos = m.end()
    return best


def combine(description: str, *parts: list[Edit]) -> Fix | None:
    """An unsafe fix made of several required edit lists; None when an editor could not make one
    of them (a computed Python prompt, say): half a merge would lose the amendment."""
    if any(not part for part in parts):
        return None
    return Fix("unsafe", [edit for part in parts for edit in part], description)


def capitalise(text: str) -> str:
    text = text.lstrip()
    return text[:1].upper() + text[1:] if text else text


def move_up_fix(
    doc: PromptDocument,
    src: int,
    src_start: int,
    src_end: int,
    body: str,
    target: int,
    description: str,
) -> Fix | None:
    """Move ``body`` (the amendment without its marker) into message ``target`` and delete
    ``[src_start, src_end)`` of message ``src``; remove ``src`` when nothing is left of it."""
    body = capitalise(body.strip())
    if not body:
        return None
    editor = editor_for(doc)
    src_text = doc.messages[src].text
    rm_start, rm_end = removal_span(src_text, src_start, src_end)
    if src == target:
        text = src_text
        replaced = contradicted_span(text, rm_start, body)
        if replaced is not None:  # the amendment restates a constraint: it replaces the old sentence
            a, b = replaced
            new_text = text[:a] + body + text[b:rm_start] + text[rm_end:]
            return combine(description, _replace_edits(doc, src, text, new_text, (a, b, body), (rm_start, rm_end)))
        anchor = related_paragraph_end(text, rm_start, body)
        if anchor is None:
            anchor = first_block_end(text, rm_start)
        if anchor is None or anchor > rm_start:
            return None
        new_text = text[:anchor] + "\n\n" + body + text[anchor:rm_start] + text[rm_end:]
        edits = _replace_edits(doc, src, text, new_text, (anchor, anchor, "\n\n" + body), (rm_start, rm_end))
        return combine(description, edits)
    tgt_text = doc.messages[target].text
    replaced = contradicted_span(tgt_text, len(tgt_text), body)
    if replaced is not None:
        new_target = tgt_text[: replaced[0]] + body + tgt_text[replaced[1] :]
    else:
        anchor = related_paragraph_end(tgt_text, len(tgt_text), body)
        if anchor is None:
            anchor = len(tgt_text.rstrip())
        new_target = tgt_text[:anchor] + "\n\n" + body + tgt_text[anchor:]
    remaining = src_text[:rm_start] + src_text[rm_end:]
    merged = editor.set_message_text(doc, target, new_target)
    if remaining.strip():
        return combine(description, merged, editor.set_message_text(doc, src, remaining))
    return combine(description, merged, editor.remove_message(doc, src))


def first_block_end(text: str, limit: int) -> int | None:
    """End of the first instruction block: the last paragraph end before ``limit``."""
    end = None
    pos = 0
    while pos < limit:
        start, stop = paragraph_bounds(text, pos)
        if stop > limit or stop <= start:
            break
        end = stop
        m = _BLANK.search(text, stop)
        if not m or m.end() >= limit:
            break
        pos = m.end()
    return end


def contradicted_span(text: str, limit: int, body: str) -> tuple[int, int] | None:
    """Span of the sentence in ``text[:limit]`` holding a constraint that ``body`` contradicts."""
    from promptlint.checks.constraints import extract_constraints, find_contradictions

    late = extract_constraints(body)
    if not late:
        return None
    early = extract_constraints(text[:limit])
    late_ids = {id(c) for c in late}
    early_ids = {id(c) for c in early}
    for earlier, later in find_contradictions(early + late):
        if id(earlier) in early_ids and id(later) in late_ids:
            return earlier.start, earlier.end
    return None


def _replace_edits(
    doc: PromptDocument,
    index: int,
    text: str,
    new_text: str,
    put: tuple[int, int, str],
    remove: tuple[int, int],
) -> list[Edit]:
    """File edits for one message: write ``put`` (start, end, content) and delete ``remove``."""
    msg = doc.messages[index]
    if msg.source.is_verbatim(0, len(text)):
        base = msg.source.file_offset(0)
        return [Edit(base + put[0], base + put[1], put[2]), Edit(base + remove[0], base + remove[1], "")]
    return list(editor_for(doc).set_message_text(doc, index, new_text))


def replace_fix(
    doc: PromptDocument,
    old: tuple[int, int, int],
    new: tuple[int, int, int],
    description: str,
) -> Fix | None:
    """Replace the earlier span ``old`` (message, start, end) with the text of the later span ``new``
    and delete the later one."""
    om, os_, oe = old
    nm, ns, ne = new
    later = doc.messages[nm].text[ns:ne].strip()
    if not later:
        return None
    editor = editor_for(doc)
    later = capitalise(later)
    if om == nm:
        text = doc.messages[om].text
        rm_start, rm_end = removal_span(text, ns, ne)
        if oe > rm_start:
            return None
        msg = doc.messages[om]
        if msg.source.is_verbatim(0, len(text)):
            base = msg.source.file_offset(0)
            return Fix(
                "unsafe", [Edit(base + os_, base + oe, later), Edit(base + rm_start, base + rm_end, "")], description
            )
        new_text = text[:os_] + later + text[oe:rm_start] + text[rm_end:]
        return combine(description, editor.set_message_text(doc, om, new_text))
    old_text = doc.messages[om].text
    src_text = doc.messages[nm].text
    rm_start, rm_end = removal_span(src_text, ns, ne)
    replaced = editor.set_message_text(doc, om, old_text[:os_] + later + old_text[oe:])
    remaining = src_text[:rm_start] + src_text[rm_end:]
    if remaining.strip():
        return combine(description, replaced, editor.set_message_text(doc, nm, remaining))
    return combine(description, replaced, editor.remove_message(doc, nm))
