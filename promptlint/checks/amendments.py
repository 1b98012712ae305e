"""Split amendments (AMD family): instructions patched later instead of merged up."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from promptlint.checks.merge import combine, move_up_fix, paragraph_bounds
from promptlint.checks.turns import (
    fillers_between,
    first_instruction,
    instruction_messages,
    is_filler,
    previous_non_filler,
)
from promptlint.context import RuleContext
from promptlint.edits import editor_for
from promptlint.lazyre import lazy_compile
from promptlint.model import CODE, COMMENT, EXAMPLE, QUOTE, QUOTED, PromptDocument

SKIP = frozenset({CODE, COMMENT, QUOTE, EXAMPLE, QUOTED})
_DATE_TAIL = (
    r"(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]+\d{4})?)"
)
# Matched at the first non-blank character of a line (see _line_starts), never with leading blanks:
# runs of optional blanks in one pattern backtrack badly on long indented lines.
_LEAD = r"(?:[-*+] {1,4}|\d{1,2}[.)] {1,4})?(?:#{1,6} ?)?(?:\*\*|__|\*|_)?[\[(]?"
MARKER = lazy_compile(
    _LEAD + r"(?P<marker>"
    r"P\.[ ]?P\.[ ]?S\.?|P\.[ ]?S\.|PPS\b|PS\b|"
    r"(?:IMPORTANT|MAJOR|URGENT|LATE|LATER)[ \t]+(?:CHANGE|UPDATE|ADDITION|CORRECTION|AMENDMENT)S?|"
    r"NEW[ \t]+(?:REQUIREMENT|RULE|INSTRUCTION)S?|"
    r"UPDATED?|EDIT(?:ED)?(?:[ \t]*#?\d{1,2})?|ETA|ADDENDUM|CORRECTION|ERRATUM|ERRATA|AMENDMENT|REVISION|REVISED|"
    r"CHANGE[ \t]+OF[ \t]+PLANS?|ADDITION"
    r")"
    r"(?P<tail>(?:[ \t]+(?:to|on)[ \t]+(?:the[ \t]+)?(?:instructions?|rules?|prompt|above|brief|request)"
    r"(?:[ \t]+above)?)?"
    r"(?:[ \t]*[(\[][^)\]\n]{0,30}\d[^)\]\n]{0,30}[)\]]|[ \t]+(?:on[ \t]+)?" + _DATE_TAIL + r")?)"
    r"[ \t]*(?:\*\*|__|\*|_)?[ \t]*[\])]?[ \t]*(?:\*\*|__)?"
    r"(?P<sep>:|[ \t]+[-–—][ \t]|[-–—][ \t]|(?<=\.)[ \t]+|(?<=[\])])[ \t]+|(?<=\*\*)[ \t]+|[ \t]*(?=\r?\n|$))",
    re.I,
)
CORRECTION = lazy_compile(
    r"(?P<phrase>"
    r"actually[ \t]*(?:,|—|–|[ \t]-[ \t]|[ \t]+(?=(?:please|use|make|do|don't|let's|scratch|forget|ignore|"
    r"change|switch|skip|drop|keep|(?:we|i)[ \t]+(?:need|want|meant|prefer|should))\b))"
    r"|(?:no,?[ \t]+)?wait[ \t]*(?:,|—|–|!|[ \t]-[ \t]|\.\.\.)"
    r"|scratch[ \t]+(?:that|this|the|my|what|those|everything)\b"
    r"|on[ \t]+second[ \t]+thoughts?\b"
    r"|oh,?[ \t]+and\b"
    r"|oh,?[ \t]+(?:also|one more thing)\b"
    r"|one[ \t]+more[ \t]+thing\b"
    r"|(?:i|we)[ \t]+(?:forgot|neglected)[ \t]+to[ \t]+(?:mention|say|add|tell you)\b"
    r"|forgot[ \t]+to[ \t]+mention\b"
    r"|(?:forget|disregard|ignore)[ \t]+(?:about[ \t]+)?(?:what[ \t]+(?:i|we)[ \t]+(?:said|wrote|told you|asked)"
    r"|(?:all[ \t]+|everything[ \t]+)?(?:i|we)[ \t]+(?:said|wrote)"
    r"|(?:the|my|our)[ \t]+(?:earlier|previous|above|last|first|original)[ \t]+\w+"
    r"|(?:the|that)[ \t]+(?:part|bit|rule|line|point|instruction|section|note)s?[ \t]+(?:about|on|regarding)"
    r"|that[ \t]+(?:last[ \t]+)?(?:part|bit|rule|point|one)\b)"
    r"|(?:(?:also|and|but|so|now|please),?[ \t]+)?(?:please[ \t]+)?(?:forget|disregard|ignore)[ \t]+"
    r"(?:all[ \t]+of[ \t]+)?(?:the|my|our|that)[ \t]+(?:[\w-]+[ \t]+){0,3}?"
    r"(?:above|earlier|previous(?:ly)?|from before)\b"
    r"|instead[ \t]+of[ \t]+what[ \t]+(?:i|we)[ \t]+(?:said|wrote|asked)"
    r"|change[ \t]+of[ \t]+plans?\b"
    r"|never[ \t]*mind[ \t]+(?:the|that|what|about|my)\b"
    r")",
    re.I,
)
_SENTENCE_END = lazy_compile(r"[.!?][\"'”’)]?[ \t]+(?=\S)")
_ITEM_LEAD = lazy_compile(r"(?:[-*+] {1,4}|\d{1,2}[.)] {1,4})?(?:\*\*|__)?")


def _sentence_starts(text: str) -> list[int]:
    """Offsets where a sentence starts: line starts (after a bullet) and after . ! ?"""
    return _starts_in(text, 0, len(text), _line_starts(text))


def _starts_in(text: str, start: int, end: int, line_starts: Iterable[int]) -> list[int]:
    """``_sentence_starts`` of ``text[start:end]``, whole lines whose content starts at ``line_starts``.

    No sentence end (``_SENTENCE_END`` match) and no ``_ITEM_LEAD`` runs over a line break, so the
    starts of some lines are those of the whole text on those lines."""
    starts = {m.end() for m in _SENTENCE_END.finditer(text, start, end)}
    for pos in line_starts:
        line_start = text.rfind("\n", 0, pos) + 1
        prev = text[text.rfind("\n", 0, max(line_start - 1, 0)) + 1 : max(line_start - 1, 0)].rstrip()
        # A wrapped line ("... instead of npm test;\n  ignore the Jest rules above") continues a sentence.
        wrapped = prev and ((prev[-1].isalpha() and prev[-1].islower()) or prev[-1] in ",;")
        if wrapped and text[pos : pos + 1].islower():
            continue
        starts.add(pos)
    return sorted(_ITEM_LEAD.match(text, pos).end() for pos in starts)


# One of these occurs (under IGNORECASE) in every ``CORRECTION`` match: "actually", "wait",
# "scratch", "second" (thoughts), "oh" (and/also), "thing" (one more thing), "forgot"/"neglected",
# "forget"/"disregard"/"ignore", "instead" (of what I said), "change" (of plans), "never" (mind).
_CORRECTION_WORDS = (
    "actually", "wait", "scratch", "second", "oh", "thing", "forgot", "neglected", "forget", "disregard", "ignore",
    "instead", "change", "never",
)  # fmt: skip


def _correction_starts(text: str) -> list[int]:
    """The offsets of ``_sentence_starts`` where ``CORRECTION`` may match: those on lines holding
    one of ``_CORRECTION_WORDS`` (a match never runs over a line break)."""
    out: list[int] = []
    for start, end in _lines_holding(text, _CORRECTION_WORDS):
        line = text[start:end]
        lead = len(line) - len(line.lstrip(" \t"))
        out += _starts_in(text, start, end, (start + lead,) if lead < len(line) else ())
    return out


_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s"})


@lru_cache(maxsize=16)
def _fold(text: str) -> str:
    """The text lower-cased character for character, with an ASCII letter exactly where IGNORECASE
    matches that letter: "İ" (whose ``lower`` is two characters), "ı" and "ſ" become "i", "i" and
    "s"; "K" (Kelvin) lower-cases to "k". No other character lower-cases to ASCII or changes length."""
    if text.isascii():
        return text.lower()
    return text.replace("\u0130", "i").lower().translate(_FOLD)


def _lines_holding(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of every line of the text where one of the (lower-case) words occurs under
    IGNORECASE, in order."""
    low = _fold(text)
    starts: set[int] = set()
    for word in words:
        i = low.find(word)
        while i >= 0:
            line_start = low.rfind("\n", 0, i) + 1
            starts.add(line_start)
            line_end = low.find("\n", i)
            if line_end < 0:
                break
            i = low.find(word, line_end)
    out = []
    for start in sorted(starts):
        end = text.find("\n", start)
        out.append((start, len(text) if end < 0 else end))
    return out


_REFERENCE = lazy_compile(r"^(?:forget|disregard|ignore|scratch|never)", re.I)
_CLAUSE_END = lazy_compile(r"[ \t]*(?:—|–|[ \t]-[ \t]|:|;|\.(?=[ \t\n])|,)[ \t]*")
_DEF_ITEM = lazy_compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\*\*)?[A-Z][\w /-]{0,30}(?:\*\*)?[ \t]*:", re.M)
_DATE = (
    r"(?:\d{4}-\d{2}(?:-\d{2})?|\d{4}/\d{2}(?:/\d{2})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[ \t]+(?:\d{1,2}(?:st|nd|rd|th)?,?[ \t]+)?\d{4})"
)
DATED_ENTRY = lazy_compile(
    r"(?:[-*+] {1,4})?(?:#{1,6} ?)?(?:\*\*|__)?\[?(?P<date>" + _DATE + r")\]?(?:\*\*|__)?"
    r"(?:[ \t]*[:—–-]|\)|[ \t]*(?=\r?\n|$)|[ \t]+(?=[A-Z]))",
    re.I,
)
_OVERRIDE = lazy_compile(
    r"\b(?:no longer|instead|moved to|switched to|replaced|migrated to|deprecated|ignore|disregard|anymore|"
    r"any more|from now on|going forward|supersedes?|overrides?|rather than|is now|are now|now (?:use|uses|using|"
    r"require|requires|required|must|the)|(?:the )?(?:above|earlier|previous) (?:rule|instruction|section)s?)\b",
    re.I,
)


@lru_cache(maxsize=16)
def _line_starts(text: str) -> tuple[int, ...]:
    """Offsets of the first non-blank character of every non-blank line (several rules ask for
    those of the same masked text, hence the cache)."""
    first = _first_line_start(text)
    return (*first, *(m.end() for m in _LINE_CONTENT.finditer(text)))


def _first_line_start(text: str) -> tuple[int, ...]:
    """``_line_starts`` of the first line: its first non-blank character, if any."""
    lead = len(text) - len(text.lstrip(" \t"))
    return (lead,) if lead < len(text) and text[lead] != "\n" else ()


# the first non-blank character of each line after the first (the scan jumps from newline to newline)
_LINE_CONTENT = lazy_compile(r"\n[ \t]*(?=[^ \t\n])")


def _line_matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches of ``pattern`` anchored at the start of each line's content."""
    return [m for start in _line_starts(text) if (m := pattern.match(text, start))]


def _opened_line_matches(pattern: re.Pattern[str], opener: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """``_line_matches(pattern, text)``, trying only the first line and the lines after a newline
    where ``opener``, a necessary condition for ``pattern`` run on the folded text (see ``_fold``),
    matches: ``opener`` is "\n[ \t]*" and a lookahead for how ``pattern`` can start."""
    starts = (*_first_line_start(text), *(m.end() for m in opener.finditer(_fold(text))))
    return [m for start in starts if (m := pattern.match(text, start))]


# How a ``MARKER`` match starts: ``_LEAD`` (no letters) and the start of a marker word.
_MARKER_LINE = lazy_compile(
    r"\n[ \t]*(?=" + _LEAD + r"(?:p\.|pps|ps|important|major|urgent|late|new|update|edit|eta|addendum|correction"
    r"|errat|amendment|revis|change|addition))"
)
# How a ``DATED_ENTRY`` match starts: its lead (no letters) and four digits or a month.
_DATED_LINE = lazy_compile(
    r"\n[ \t]*(?=(?:[-*+] {1,4})?(?:#{1,6} ?)?(?:\*\*|__)?\[?(?:\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
)


def _words_before(doc: PromptDocument, msgs: list[int], index: int, offset: int) -> int:
    """How many words of instruction text come before (index, offset)."""
    count = 0
    for i in msgs:
        if i > index:
            break
        msg = doc.messages[i]
        text = msg.masked_text(SKIP)
        part = text[:offset] if i == index else text
        count += len(re.findall(r"\w+", part))
    return count


def _is_definition_list(text: str, pos: int) -> bool:
    """True when the line at ``pos`` is one item of a "Term: definition" list."""
    start, end = paragraph_bounds(text, pos)
    return len(_DEF_ITEM.findall(text[start:end])) >= 3


def _target(doc: PromptDocument, index: int) -> int:
    """Which message an amendment found in message ``index`` merges into: the first instruction."""
    return index if doc.kind != "chat" else first_instruction(doc)


def amendment_marker(doc: PromptDocument, ctx: RuleContext) -> None:
    """AMD001: a paragraph opened by UPDATE:, EDIT:, P.S., Addendum:, Correction: ..."""
    msgs = instruction_messages(doc)
    for i in msgs:
        msg = doc.messages[i]
        text = msg.text
        for m in _opened_line_matches(MARKER, _MARKER_LINE, text):
            if msg.in_region(m.start("marker"), SKIP):
                continue
            sep = m.group("sep")
            marker = m.group("marker")
            heading = text[m.start() : m.start("marker")].lstrip().startswith("#")
            closer = text[m.end("tail") : m.start("sep")]
            enclosed = "]" in closer or ")" in closer or ("**" in closer and marker.isupper())
            if not sep.strip() and not heading and not enclosed and not marker.upper().startswith(("P.", "PPS")):
                continue  # "Update the README" is a task, not a marker
            if sep.strip() == "" and marker.upper() in ("PS",):
                continue
            if _words_before(doc, msgs, i, m.start()) < ctx.params.get("min_words_before", 8):
                continue
            if _is_definition_list(text, m.start()):
                continue
            start, end = paragraph_bounds(msg.text, m.start())
            start = msg.text.rfind("\n", 0, m.start()) + 1
            body = msg.text[m.end() : end]
            fix = None
            if body.strip() and not MARKER.match(body.strip()):
                fix = move_up_fix(
                    doc, i, start, end, body, _target(doc, i), "Merge the amendment into the initial instructions"
                )
            label = marker.strip()
            ctx.report(
                f"Amendment marker '{label}' patches the prompt after the fact; merge it into the initial instructions",
                msg=i,
                start=m.start("marker"),
                end=m.end("marker"),
                fix=fix,
            )


def conversational_correction(doc: PromptDocument, ctx: RuleContext) -> None:
    """AMD002: "Actually, ...", "Wait, ...", "Scratch that", "Forget what I said about ..."."""
    msgs = instruction_messages(doc)
    for i in msgs:
        msg = doc.messages[i]
        text = msg.masked_text(SKIP)
        for pos in _correction_starts(text):
            m = CORRECTION.match(text, pos)
            if not m or msg.in_region(pos, SKIP):
                continue
            if _words_before(doc, msgs, i, pos) < ctx.params.get("min_words_before", 8):
                continue
            phrase = m.group("phrase").strip(" ,—–-!.")
            _, end = paragraph_bounds(msg.text, pos)
            rest = msg.text[m.end() : end]
            if _REFERENCE.match(phrase):
                c = _CLAUSE_END.search(rest)
                rest = rest[c.end() :] if c and c.start() < 100 else ""
            else:
                rest = re.sub(r"^[ \t]*(?:[,:;—–-]|\.\.\.)?[ \t]*(?:that[ \t]+)?", "", rest)
            fix = None
            if rest.strip() and not CORRECTION.match(rest.strip()):
                fix = move_up_fix(
                    doc, i, pos, end, rest, _target(doc, i), "Merge the correction into the initial instructions"
                )
            ctx.report(
                f"Conversational correction '{phrase}' amends the prompt; state the final instruction once, "
                "in the initial instructions",
                msg=i,
                start=pos,
                end=m.end(),
                fix=fix,
            )


def contradicting_constraint(doc: PromptDocument, ctx: RuleContext) -> None:
    """AMD003: a later constraint of the same kind as an earlier one with a different value."""
    from promptlint.checks.constraints import find_document_contradictions
    from promptlint.checks.merge import replace_fix

    msgs = instruction_messages(doc)
    texts = ((i, doc.messages[i].text, doc.messages[i].masked_text(SKIP, "\0")) for i in msgs)
    found, pairs = find_document_contradictions(texts)
    if not pairs:
        return
    where = {id(c): i for i, c in found}
    for earlier, later in pairs:
        ei, li = where[id(earlier)], where[id(later)]
        e_line = doc.position(ei, earlier.start)[0]
        fix = replace_fix(
            doc,
            (ei, earlier.start, earlier.end),
            (li, later.start, later.end),
            "Replace the earlier constraint with the later one",
        )
        kind = earlier.kind.split(":")[0]
        ctx.report(
            f"Contradicts the {kind} constraint on line {e_line} ({earlier.value} → {later.value}); "
            "keep one value, in one place",
            msg=li,
            start=later.start,
            end=later.end,
            fix=fix,
            data={"earlier_line": e_line, "kind": earlier.kind, "earlier": earlier.value, "later": later.value},
        )


_DATA_TURN = lazy_compile(
    r"^\s*(?:here (?:is|are)\b|input\s*:|text\s*:|document\s*:|context\s*:|data\s*:|<\w+>|```)", re.I
)


def amending_turn(doc: PromptDocument, ctx: RuleContext) -> None:
    """AMD004: a later user/system turn that changes the instruction before the model answered."""
    if doc.kind != "chat" or len(doc.messages) < 2:
        return
    first = first_instruction(doc)
    seen_user_or_assistant = False
    for i, msg in enumerate(doc.messages):
        if i <= first:
            seen_user_or_assistant |= msg.role in ("user", "assistant")
            continue
        if msg.role == "assistant":
            seen_user_or_assistant = True
            continue
        text = msg.text
        if not text.strip() or msg.is_placeholder_only():
            continue
        lead = len(text) - len(text.lstrip())
        if msg.role == "system":
            if seen_user_or_assistant:
                target = first if doc.messages[first].role == "system" else None
                _report_turn(doc, ctx, i, lead, target, "system message patches the instructions mid-conversation")
            continue
        seen_user_or_assistant = True
        prev = previous_non_filler(doc, i)
        if prev is None or doc.messages[prev].role != "user":
            continue
        if doc.messages[prev].is_placeholder_only() and prev == first:
            continue
        if _DATA_TURN.match(text) and not fillers_between(doc, prev, i):
            continue
        target = next((j for j in range(len(doc.messages)) if doc.messages[j].role == "user"), prev)
        _report_turn(doc, ctx, i, lead, target, "user turn adds to or changes the request before the model answered")


def _report_turn(doc: PromptDocument, ctx: RuleContext, i: int, lead: int, target: int | None, what: str) -> None:
    t_line = doc.message_lines(target)[0] if target is not None else None
    where = f" (first instruction on line {t_line})" if t_line else ""
    fix = None
    if target is not None and target != i:
        editor = editor_for(doc)
        tgt = doc.messages[target].text
        merged = tgt.rstrip() + "\n\n" + doc.messages[i].text.strip() + tgt[len(tgt.rstrip()) :]
        parts = [editor.set_message_text(doc, target, merged)]
        parts += [editor.remove_message(doc, j) for j in sorted([i, *_fillers_around(doc, i)], reverse=True)]
        fix = combine("Merge the turn into the first message and remove it", *parts)
    ctx.report(
        f"Amending turn: {what}{where}; merge it into the initial message",
        msg=i,
        start=lead,
        fix=fix,
        data={"target_line": t_line} if t_line else None,
    )


def _fillers_around(doc: PromptDocument, i: int) -> list[int]:
    out = []
    j = i - 1
    while j >= 0 and doc.messages[j].role == "assistant" and is_filler(doc.messages[j].text):
        out.append(j)
        j -= 1
    return out


_CHANGES_HEADING = lazy_compile(
    r"^#{1,6}[ \t]+.*\b(?:change(?:s|log)?|updates?|history|revisions?|amendments?|news|log|what's new|recent)\b",
    re.I,
)


def _under_changes_heading(text: str, pos: int) -> bool:
    """True when the closest heading above ``pos`` names a changes/updates/history section."""
    for line in reversed(text[:pos].split("\n")[:-1]):
        if line.startswith("#"):
            return bool(_CHANGES_HEADING.match(line))
    return False


def changelog_override(doc: PromptDocument, ctx: RuleContext) -> None:
    """AMD005: dated changelog entries that override earlier rules."""
    msgs = instruction_messages(doc)
    for i in msgs:
        msg = doc.messages[i]
        text = msg.masked_text(SKIP)
        entries = [
            m for m in _opened_line_matches(DATED_ENTRY, _DATED_LINE, text) if not msg.in_region(m.start("date"), SKIP)
        ]
        if not entries:
            continue
        agent_file = doc.kind == "agent-instructions"
        for m in entries:
            if not (agent_file or _under_changes_heading(text, m.start())):
                continue
            if _words_before(doc, msgs, i, m.start()) < ctx.params.get("min_words_before", 8):
                continue
            line_end = text.find("\n", m.end())
            line_end = len(text) if line_end == -1 else line_end
            entry_end = _entry_end(text, line_end)
            entry = text[m.end() : entry_end]
            if not _OVERRIDE.search(entry):
                continue
            ctx.report(
                f"Dated entry '{m.group('date')}' overrides earlier instructions; rewrite the rules it changes "
                "and delete the entry",
                msg=i,
                start=m.start("date"),
                end=m.end("date"),
            )


def _entry_end(text: str, line_end: int) -> int:
    """End of a dated entry: the next dated entry, heading or the end of the text."""
    for start in _line_starts(text[line_end:]):
        if DATED_ENTRY.match(text, line_end + start) or text.startswith("#", line_end + start):
            return line_end + start
    return len(text)
