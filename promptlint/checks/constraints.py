"""Explicit output constraints in prompt text, and later constraints that contradict earlier ones.

A *constraint* is one sentence's statement about the output: its format (JSON, CSV, a Markdown
table...), a length or count limit, the response language, tone, grammatical person, identifier
case, date format, unit system or spelling variant. Each constraint has a *kind*, the *subject* it
governs ("response" unless the sentence names another object: "the summary", "each bullet", "field
names"...) and a normalised *value*.

Two constraints contradict when they have the same kind and subject and incompatible values. The
extractor is deliberately conservative (precision over recall): it ignores conditional sentences
("if...", "when...", "unless..."), questions, negated mentions ("no Markdown"), lists of
alternatives ("JSON or YAML"), mentions that are not instructions ("the input is a JSON file") and
anything inside code, quotes or examples (the ``skip`` callback).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from promptlint.lazyre import CaselessPattern, lazy_compile
from promptlint.lazyre import cached as rx

__all__ = ["Constraint", "extract_constraints", "find_contradictions", "find_document_contradictions"]

K = TypeVar("K")


@dataclass(frozen=True)
class Constraint:
    """One constraint stated in a prompt."""

    kind: str  # "format", "length:words", "count:bullets", "language", "tone:formality", ...
    subject: str  # what it governs: "response", "summary", "field names", "response @ #channel"...
    value: str  # normalised value: "json", "<=150", "=3", "8-10", "unbounded", "german", "formal"...
    start: int  # offsets of the sentence holding the constraint in the text
    end: int
    sentence: str


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_UNITS = {
    "one": 1,
    "single": 1,
    "a single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "a dozen": 12,
    "dozen": 12,
    "a hundred": 100,
    "one hundred": 100,
    "hundred": 100,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUM = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+"
    r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|a hundred|one hundred|hundred|a dozen|a single|single"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen)"
)
_NUM_RE = CaselessPattern(r"(?<![\w.,/$€£#-])" + _NUM + r"(?![\w%$€£]|[.,/:]\d)")

_LANGUAGES = sorted(
    _set(
        "english arabic bengali bulgarian catalan chinese mandarin cantonese croatian czech danish dutch estonian "
        "finnish french german greek hebrew hindi hungarian icelandic indonesian italian japanese korean latvian "
        "lithuanian malay norwegian persian farsi polish portuguese romanian russian serbian slovak slovenian "
        "spanish swahili swedish tagalog filipino tamil telugu thai turkish ukrainian urdu vietnamese welsh irish"
    )
)
_LANG_ALIAS = {"mandarin": "chinese", "farsi": "persian", "filipino": "tagalog"}

# Nouns that mean "the model's output" when they are the whole subject.
_RESPONSE_NOUNS = _set(
    "response responses answer answers reply replies output outputs result results report reports message "
    "messages text review feedback status it everything"
)
# Shapes of the whole output ("use a numbered list of exactly 7 points").
_LIST_NOUNS = frozenset(
    ["list", "numbered list", "bulleted list", "bullet list", "bullet-point list", "ordered list", "unordered list",
     "table", "markdown table", "single paragraph", "paragraph"]
)  # fmt: skip
# Data nouns that an output verb ("return the cleaned rows as CSV") turns into the output itself.
_DATA_NOUNS = _set("row rows record records entry entries data item items list")
_STRONG_OUTPUT_VERBS = _set("return returns output emit print produce format deliver give provide send present render")
_DETERMINERS = _set("the a an your our their its his her my each every all any this that these those both either some")
_PRONOUNS = _set("it them this that everything anything things yourself yourselves you itself one there me us")
_GENERIC_ADJ = _set(
    "full final entire whole complete overall total cleaned generated resulting main actual own same short brief "
    "long concise general"
)
# Verbs that start an imperative instruction.
_VERBS = _set(
    """return output respond reply answer write use keep limit format give provide produce generate list include
    add make summarize summarise describe explain offer suggest create draft compose present render structure
    report post send emit print convert express narrate address speak communicate stick stay be avoid ensure
    leave flag mark put show display cap restrict aim target deliver translate review analyze analyse rewrite
    organize organise split divide break number label name spell choose pick select adopt maintain apply follow
    prefer tell ask end start begin open close sign wrap refer talk converse chat sound remain shorten trim reduce
    expand extend raise lower allow set document comment store save export"""
)
# Verbs whose direct object is the input, not the output ("summarize the agreement in 5 bullets").
_TRANSFORM_VERBS = _set(
    """summarize summarise describe explain review analyze analyse rewrite translate classify critique evaluate
    assess answer grade paraphrase condense process read parse check edit proofread outline cover"""
)
_PARTICLES = _set("out up back down")
_FILLERS = (
    r"(?:(?:actually|oh|ok|okay|wait|sorry|hey|hmm|right|and|also|so|now|instead|then|finally|additionally),|"
    r"(?:please|also|always|only|just|then|now|instead|so|and|but|still|simply|finally|additionally|ideally|"
    r"you(?:'ll| will| should| must| shall| need to| have to| can| may)?|make sure(?: to| that)?|ensure(?: that)?|"
    r"be sure to|remember to|try to|do not|don't|dont|never|do|kindly|generally|strictly|always|actually)\b)"
)
_AUX = CaselessPattern(
    r"\s*\b(?:should|must|shall|will|can|could|may|might|need(?:s)? to|has to|have to|is|are|be|been|being|"
    r"stay|stays|remain|remains|have|has|contain|contains|include|includes|consist of|consists of|run|runs|"
    r"use|uses|get|gets|fit|fits|written|kept|limited|capped|returned|formatted|delivered|provided|presented|"
    r"always|never|only|not|no|also|ideally|generally|at|in|to|as|with|within|under|into|than|of|all|"
    r"should be|must be|strictly|exactly|each|total|ideally|typically|normally|usually|longer|shorter|brief|short|"
    r"long|concise|limited to|kept to|capped at|at most|up)\s*$"
)
_PREPS = _set("in on for within inside at from under across to into via with during about by")
_SCOPE_STOP = _set(
    """general short brief addition particular summary example examples instance now clarity reference
    consistency simplicity practice meantime total length english order full detail details context end beginning
    start form output response responses answer answers reply replies everything all everyone anything sum
    purpose brevity readability"""
) | {"this case", "other words", "each case", "all cases", "most cases", "every case", "that case", "the end"}

_NEGATION = CaselessPattern(
    r"\b(?:not|no|never|don't|dont|do not|does not|doesn't|without|instead of|rather than|avoid|avoiding|nor|"
    r"except|no longer|other than|neither|n't|forbid|forbidden|disallow|stop|skip|ban|banned)\b",
)
_CONDITIONAL = lazy_compile(
    r"\b(?:if|when|whenever|unless|in case|otherwise|depending on|depends on|depending upon|except|provided that|"
    r"as long as|by default|defaults? to|default:|should the|only when|only if|until|else|where|wherever|during|"
    r"whether|in which case|upon|once the|after the user|if the|in the event)\b",
    re.I,
)

# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

_BULLET_SRC = r"^[ \t]*(?:[-*+•·▪◦]|\d{1,3}[.)]|[a-zA-Z][.)]|\(\w{1,3}\))[ \t]+"
_HEADING_SRC = r"^[ \t]{0,3}#{1,6}(?:[ \t]|$)"
_RULE_LINE_SRC = r"^[ \t]*(?:[-*_=][ \t]*){3,}$"
_TABLE_LINE_SRC = r"^[ \t]*\|"
_CAPS_HEADING_SRC = r"^[ \t]*[A-Z][A-Z0-9 &/_-]{2,40}:?[ \t]*$"
_HEADING = lazy_compile(_HEADING_SRC)
_CAPS_HEADING = lazy_compile(_CAPS_HEADING_SRC)
# a heading, a horizontal rule, a table row or a capitalised heading line
_STRUCTURE_LINE = lazy_compile(
    "|".join(f"(?:{p})" for p in (_HEADING_SRC, _RULE_LINE_SRC, _TABLE_LINE_SRC, _CAPS_HEADING_SRC))
)
# a list marker, or "--" used as one
_ANY_BULLET = lazy_compile(f"(?:{_BULLET_SRC})|" + r"(?:^[ \t]*--+[ \t]+)")
_LINE_END = lazy_compile(r"[.!?:;]\W*$")
_ABBREV = lazy_compile(r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|min|max|no|fig|cf|al|resp)\.|\b[A-Z]\.)$", re.I)
_SENT_END = lazy_compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[*_]*[A-Z0-9])")
# Backticked tokens that are names of formats/cases/date formats rather than code.
_KEEP_CODE = lazy_compile(
    r"`((?:camelCase|snake_case|kebab-case|PascalCase|SCREAMING_SNAKE_CASE|UPPER_SNAKE_CASE|CONSTANT_CASE"
    r"|lowerCamelCase|UpperCamelCase|JSON|YAML|XML|CSV|TSV|HTML|Markdown|JSONL|YYYY-MM-DD|MM/DD/YYYY|DD/MM/YYYY"
    r"|ISO[ -]?8601))`",
    re.I,
)


@dataclass
class _Sentence:
    start: int
    end: int
    text: str  # masked, whitespace-collapsed, emphasis removed
    context: str | None  # subject implied by a list intro line ("Outline requirements:")
    conditional: bool  # inside a conditional list ("When you edit the draft:")
    index: int = 0  # position of the sentence in its paragraph or list item
    heading: str | None = None  # noun named by the heading above, for "keep it under ..."


def _skip_mask(text: str, skip: Callable[[int], bool] | str | None) -> str | None:
    """``skip`` as a string of the text's length with NUL at every skipped offset (None: nothing)."""
    if skip is None or isinstance(skip, str):
        return skip if skip and "\0" in skip else None
    flags = ["\0" if skip(i) else " " for i in range(len(text))]
    return "".join(flags) if "\0" in flags else None


def _mask(text: str, skipped: str | None) -> str:
    """Blank the non-space characters of skipped spans; keep format names in backticks."""
    masked = text if skipped is None else _blank_skipped(text, skipped)
    if "`" not in text:
        return masked
    keeps = list(_KEEP_CODE.finditer(text))
    if not keeps:
        return masked
    parts: list[str] = []
    pos = 0
    for m in keeps:  # "`" + name + "`" becomes " " + name + " "
        a, b = m.span()
        parts += (masked[pos:a], " ", text[a + 1 : b - 1], " ")
        pos = b
    parts.append(masked[pos:])
    return "".join(parts)


def _blank_skipped(text: str, skipped: str) -> str:
    """The text with every non-space character at a NUL offset of ``skipped`` replaced by a space."""
    if len(skipped) != len(text):
        return _blank_runs(text, skipped, 0, len(text))
    parts: list[str] = []
    pos = 0
    # Runs of NULs joined across newlines (skipped code blocks). Where the text has a newline at
    # each newline of such a span and no non-ASCII space, the span blanked is its ASCII stand-in
    # (one "?" per other non-ASCII character) with every non-space byte made a space.
    for m in _SKIPPED_SPAN.finditer(skipped):
        a, b = m.span()
        parts.append(text[pos:a])
        run = text[a:b]
        piece = run.encode("ascii", "replace").translate(_BLANK_BYTES).decode("ascii")
        if piece != m.group().replace("\0", " ") or not (run.isascii() or _NON_ASCII_SPACE.search(run) is None):
            piece = _blank_runs(text, skipped, a, b)
        parts.append(piece)
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _blank_runs(text: str, skipped: str, start: int, end: int) -> str:
    """``_blank_skipped`` of ``text[start:end]``, run by run of NULs."""
    parts: list[str] = []
    pos = start
    for m in _SKIPPED_RUN.finditer(skipped, start, end):
        a, b = m.span()
        parts.append(text[pos:a])
        run = text[a:b]
        parts.append(run.translate(_BLANK_ASCII) if run.isascii() else _NON_SPACE.sub(" ", run))
        pos = b
    parts.append(text[pos:end])
    return "".join(parts)


# (a leading literal lets the regex engine scan for the first NUL instead of trying every offset)
_SKIPPED_RUN = lazy_compile(r"\0\0*")
_SKIPPED_SPAN = lazy_compile(r"\0\0*(?:\n+\0+)*")
_NON_SPACE = lazy_compile(r"\S")
_NON_ASCII_SPACE = lazy_compile(r"[^\S\x00-\x7f]")
_BLANK_ASCII = {i: " " for i in range(128) if not chr(i).isspace()}  # _NON_SPACE.sub(" ", ...) on ASCII
_BLANK_BYTES = bytes(c if chr(c).isspace() else 32 for c in range(128)) + b" " * 128


# a run of whitespace and markup other than one plain space between words
_ODD_SEPARATOR = lazy_compile(r"[\s*`]{2,}|[^\S ]|[*`]")


def _flatten(masked: str, spans: list[tuple[int, int]]) -> tuple[str, list[int], list[int]]:
    """The block's lines joined with runs of whitespace collapsed to one space and ``*``/backticks
    dropped, and where its text comes from: the k-th piece of text between spaces added by the
    joining starts at ``flat_starts[k]`` in the result and at ``masked_starts[k]`` in ``masked`` and
    runs on in both up to the next piece (spaces have no recorded offset)."""
    chars: list[str] = []
    flat_starts: list[int] = []
    masked_starts: list[int] = []
    n = 0  # length of the result so far
    last_space = False  # a leading run of whitespace is kept as one space
    for s, e in spans:
        if chars and not last_space:
            chars.append(" ")
            n += 1
            last_space = True
        pos = s
        # text between odd separators is kept as it is; an odd separator becomes one space, or
        # nothing when it is only markup
        for m in _ODD_SEPARATOR.finditer(masked, s, e):
            a, b = m.span()
            if a > pos:
                if last_space and masked[pos] == " ":  # a single space starting the line
                    pos += 1
                if a > pos:
                    chars.append(masked[pos:a])
                    flat_starts.append(n)
                    masked_starts.append(pos)
                    n += a - pos
                    last_space = False
            if not last_space and masked[a:b].strip("*`"):
                chars.append(" ")
                n += 1
                last_space = True
            pos = b
        if e > pos:
            if last_space and masked[pos] == " ":
                pos += 1
            if e > pos:
                chars.append(masked[pos:e])
                flat_starts.append(n)
                masked_starts.append(pos)
                n += e - pos
                last_space = masked[e - 1] == " "
    return "".join(chars), flat_starts, masked_starts


# A block: its (start, end) line spans, the text of the intro line it belongs to and the last
# heading line above it (both stripped; None: there is none).
_Block = tuple[list[tuple[int, int]], str | None, str | None]


def _blocks(masked: str, raw: str) -> list[_Block]:
    """Group lines into blocks (a paragraph or one list item) of (start, end) line spans.

    Each block carries the short intro line ("Outline requirements:", "Java:", "When you edit the
    draft:") whose list or paragraph it belongs to, and the heading above it; ``_block_context``
    reads them (only for the blocks that need it).
    """
    blocks: list[_Block] = []
    heading: str | None = None
    current: list[tuple[int, int]] = []
    intro: str | None = None
    intro_indent = -1
    intro_bullet = False
    intro_mode = ""  # "", "list" or "para": what followed the intro so far
    prev_line = ""

    pos = 0
    for line in masked.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append((current, intro, heading))
                current = []
            if intro is not None and intro_mode == "para":
                intro = None
            elif intro is not None and intro_mode == "" and not intro_bullet:
                intro_mode = "blank"
            prev_line = ""
            continue
        indent = len(line) - len(line.lstrip())
        if _STRUCTURE_LINE.match(line):
            if current:
                blocks.append((current, intro, heading))
                current = []
            intro, prev_line = None, ""
            if _HEADING.match(line) or _CAPS_HEADING.match(line):
                heading = stripped
            continue
        bullet = _ANY_BULLET.match(line)
        if bullet:
            if current:
                blocks.append((current, intro, heading))
            if intro is not None and (intro_mode == "para" or (intro_bullet and indent <= intro_indent)):
                intro = None
            if intro is not None and intro_mode == "blank":
                intro_mode = ""
            if intro is not None:
                intro_mode = "list"
            current = [(start + bullet.end(), end)]
        else:
            indented = indent > 0
            cont = current and (indented or not _LINE_END.search(prev_line)) and not _starts_label(stripped)
            if cont and not indented and prev_line and len(prev_line) < 50 and stripped[:1].isupper():
                cont = False
            if cont:
                current.append((start, end))
            else:
                if current:
                    blocks.append((current, intro, heading))
                if intro is not None:
                    if (intro_mode in ("list", "blank") or intro_bullet) and not indented:
                        intro = None
                    elif intro_mode == "":
                        intro_mode = "para"
                current = [(start, end)]
        prev_line = stripped
        if stripped.endswith(":") and raw[start:end].rstrip().endswith(":"):
            text = " ".join(masked[s:e] for s, e in current).strip()
            if current:
                blocks.append((current, intro, heading))
                current = []
            intro = text
            intro_indent, intro_bullet, intro_mode = indent, bool(bullet), ""
    if current:
        blocks.append((current, intro, heading))
    return blocks


def _block_context(intro: str | None, heading: str | None) -> tuple[str | None, bool, str | None]:
    """(subject, conditional, heading subject) of a block from its intro line and heading line."""
    context, cond = _intro_context(intro) if intro is not None else (None, False)
    if heading is None:
        return context, cond, None
    return context, cond or _is_example_heading(heading), _heading_subject(heading)


@lru_cache(maxsize=1024)
def _is_example_heading(line: str) -> bool:
    return _EXAMPLE_HEADING.search(line) is not None


_GENERIC_HEADINGS = _set(
    """rule guideline instruction requirement constraint output format formatting style tone voice length note
    update change changelog correction addendum edit amendment revision addition misc more final also reminder
    p.s ps new latest
    important overview general summary response answer reply guidance task role context goal objective
    detail example behavior behaviour policy step process workflow convention standard principle best practice
    language content structure setting configuration persona identity boundary limit scope misc other"""
)


_EXAMPLE_HEADING = lazy_compile(
    r"\b(?:examples?|samples?|demos?|few[- ]shots?|illustrations?|transcripts?|test cases?|sample (?:input|output)s?|"
    r"example (?:input|output|conversation|response)s?)\b",
    re.I,
)


_HEADING_MARKUP = lazy_compile(r"^[#\s]+|[*_`:#]+|^\d+[.)]\s*")
_HEADING_WORD = lazy_compile(r"[A-Za-z][\w'-]*")


@lru_cache(maxsize=1024)
def _heading_subject(line: str) -> str | None:
    text = _HEADING_MARKUP.sub("", line).strip()
    words = _HEADING_WORD.findall(text)
    if not words or len(words) > 3 or words[0].lower() in _VERBS or words[0].lower().endswith("ing"):
        return None
    canon = _canon_np(" ".join(words))
    if canon == "response" or any(w in _GENERIC_HEADINGS for w in canon.split()):
        return None
    return canon


_STARTS_LABEL = lazy_compile(r"^\**[A-Z][\w '/&-]{0,30}\**:\**\s")


def _starts_label(line: str) -> bool:
    return _STARTS_LABEL.match(line) is not None


def _intro_context(intro: str) -> tuple[str | None, bool]:
    intro = rx.sub(r"[*_`]", "", intro).strip().rstrip(":").strip()
    if _CONDITIONAL.search(intro):
        return None, True
    words = rx.findall(r"[\w'-]+", intro.lower())
    generic = {
        "requirements",
        "requirement",
        "rules",
        "rule",
        "format",
        "formatting",
        "guidelines",
        "guideline",
        "constraints",
        "constraint",
        "instructions",
        "instruction",
        "style",
        "conventions",
        "convention",
        "notes",
        "note",
        "structure",
        "spec",
        "specification",
        "checklist",
        "policy",
        "policies",
        "standards",
        "the",
        "your",
        "our",
        "following",
        "key",
        "general",
        "important",
        "additional",
        "other",
        "more",
    }
    rest = [w for w in words if w not in generic]
    if not rest or len(words) > 4:
        return None, False
    if len(rest) > 2 or any(w in _VERBS for w in rest):
        return None, False
    subject = _canon_np(" ".join(rest))
    return (subject or None), False


_MAX_SENTENCE = 400
_TWO_LETTERS = lazy_compile(r"[A-Za-z]{2}")


def _bounded(flat: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split an overlong run-on sentence at clause boundaries so every piece stays short."""
    out = []
    while b - a > _MAX_SENTENCE:
        window = flat[a : a + _MAX_SENTENCE]
        cut = max(window.rfind("; "), window.rfind(", "), window.rfind(" - "), window.rfind(" — "))
        if cut < _MAX_SENTENCE // 4:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = _MAX_SENTENCE
        out.append((a, a + cut + 1))
        a += cut + 1
    out.append((a, b))
    return out


def _may_hold_constraint(block: str) -> bool:
    """False when no sentence of the block (its lines joined with spaces) passes the gate of
    ``_pending_uncached``: it has no digit, no word of ``_ANY_WORDS`` and no "language".

    Flattening only drops "*" and "`" and turns whitespace into single spaces, and sentences are cut
    between words except by ``_bounded`` in a word of ``_MAX_SENTENCE - 1`` characters or more (a
    block with a word of half that length is kept), so the words of each sentence are words of the block.

    The words (runs of ASCII letters of the lower-cased text) are read from bytes where every other
    character is a space (non-ASCII ones through their "?" stand-in): lower-casing and dropping
    markup never add or remove a digit."""
    if _DIGIT.search(block) is not None:
        return True
    if block.isascii():
        letters = block.encode("ascii").translate(_LOWER_LETTERS, b"*`")
    else:
        low = block.replace("*", "").replace("`", "").lower().translate(_FOLD)
        letters = low.encode("ascii", "replace").translate(_LOWER_LETTERS)
    if b"language" in letters or not _ANY_WORD_BYTES.isdisjoint(letters.split()):
        return True
    if len(block) < _MAX_SENTENCE:
        return False
    block = block.replace("*", "").replace("`", "")
    return len(block) >= _MAX_SENTENCE and max(map(len, block.split()), default=0) >= _MAX_SENTENCE // 2


# ASCII letters lower-cased, every other byte a space
_LOWER_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))


def _sentences(text: str, skip: Callable[[int], bool] | str | None, gated: bool = False) -> list[_Sentence]:
    """The sentences of the text; with ``gated``, only those of blocks where some sentence may pass
    the gate of ``_pending_uncached`` (the others have no constraint)."""
    masked = _mask(text, _skip_mask(text, skip))
    out: list[_Sentence] = []
    for spans, intro, heading_line in _blocks(masked, text):
        if gated:
            block = masked[spans[0][0] : spans[0][1]] if len(spans) == 1 else " ".join(masked[a:b] for a, b in spans)
            if not _may_hold_constraint(block):
                continue
        context, cond, heading = _block_context(intro, heading_line)
        if gated and cond:
            continue
        flat, flat_starts, masked_starts = _flatten(masked, spans)
        pos = 0
        pieces = []
        for m in _SENT_END.finditer(flat):
            end = m.start()  # just after the ".", "!" or "?" (``_ABBREV`` ends with ".")
            if flat[end - 1] == "." and _ABBREV.search(flat[max(0, end - 12) : end]):
                continue
            pieces.append((pos, end))
            pos = m.end()
        pieces.append((pos, len(flat)))
        if len(flat) > _MAX_SENTENCE and any(b - a > _MAX_SENTENCE for a, b in pieces):
            pieces = [chunk for a, b in pieces for chunk in _bounded(flat, a, b)]
        index = -1
        for a, b in pieces:
            while a < b and flat[a] == " ":
                a += 1
            while b > a and flat[b - 1] == " ":
                b -= 1
            if b - a < 3:
                continue
            seg = flat[a:b]
            if _TWO_LETTERS.search(seg) is None:
                continue
            index += 1
            k = bisect_right(flat_starts, a) - 1
            start = masked_starts[k] + a - flat_starts[k]
            k = bisect_right(flat_starts, b - 1, k) - 1
            end = masked_starts[k] + b - flat_starts[k]
            out.append(_Sentence(start, end, seg, context, cond, index, heading))
    return out


# ---------------------------------------------------------------------------------------------
# Subjects
# ---------------------------------------------------------------------------------------------


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_NP_WORD = lazy_compile(r"[#@\w][\w'./#-]*")


@lru_cache(maxsize=4096)
def _canon_np(np: str) -> str:
    """Normalise a noun phrase: drop determiners, pronouns and generic adjectives, singularise."""
    words = _NP_WORD.findall(np.lower())
    words = [w.rstrip(".'") for w in words]
    words = [w for w in words if w and w not in _DETERMINERS and w not in _GENERIC_ADJ]
    words = [w for w in words if not (w.endswith(("'s", "’s")) and len(words) > 1) or w in _PRONOUNS]
    if not words or all(w in _PRONOUNS or w in _RESPONSE_NOUNS for w in words):
        return "response"
    if " ".join(words) in _LIST_NOUNS:
        return "response"
    words = [_singular(w) for w in words if w not in _PRONOUNS]
    if not words:
        return "response"
    if all(w in _RESPONSE_NOUNS or w + "s" in _RESPONSE_NOUNS for w in words):
        return "response"
    return " ".join(words[:4])


_CLAUSE_BOUNDARY = CaselessPattern(
    r"(?:[;:(—–]|\s-\s|,\s|\b(?:and|but|so|then|because|while|which|that|since|whereas|so that)\s)"
)


def _clause_prefix(text: str, at: int) -> str:
    """The part of the clause holding offset ``at`` that precedes it."""
    return text[_clause_start(text, at) : at]


@lru_cache(maxsize=1024)
def _clause_start(text: str, at: int) -> int:
    """Where the clause holding offset ``at`` starts."""
    last = 0
    for m in _CLAUSE_BOUNDARY.finditer(text[:at]):
        last = m.end()
    return last


_LEADING_FILLER = lazy_compile(r"^\s*" + _FILLERS + r"\s*", re.I)


def _drop_aux(np: str) -> str:
    """``_AUX.sub("", np)``: the one match there can be, which runs to the end, removed."""
    m = _AUX.search(np)
    return np[: m.start()] + np[m.end() :] if m else np


@lru_cache(maxsize=1024)
def _strip_fillers(s: str) -> str:
    prev = None
    while prev != s:
        prev = s
        s = _LEADING_FILLER.sub("", s)
    return s


@dataclass
class _Ctx:
    """Per-sentence facts shared by the extractors."""

    text: str  # sentence text after an optional label
    low: str
    label: str | None  # raw label ("Title", "Output format")
    label_subject: str | None  # subject the label names, or None
    label_kind: str | None  # "format", "tone", "language", "length", "date" for generic labels
    context: str | None  # subject from a list intro line
    lead_scope: str | None  # "For #ops-alerts, ..."
    index: int = 0  # position of the sentence in its paragraph
    heading: str | None = None


def _subject(ctx: _Ctx, start: int, end: int, strong_output: bool = False) -> str | None:
    """The subject a constraint at text[start:end] governs; None when it cannot be told."""
    text, low = ctx.text, ctx.low
    if ctx.label_subject:
        return _with_context(ctx.label_subject, ctx)
    obj = _object_and_input(text, start) if ctx.index > 0 else None
    if obj is not None and rx.fullmatch(
        r"(?:they|them|these|those|both|the latter|the former)(?: as .*)?", obj[0].strip(" ,").lower()
    ):
        return None  # refers back to something named in an earlier sentence
    # "3 bullet points, each under 15 words" / "15 words each"
    after = low[end : end + 30]
    trailing_each = rx.match(r"^\s*(?:each|apiece)\b(?!\s+(?:a|an|the|with|of|one|should|must|is|has)\b)", after)
    if trailing_each or _clause_prefix(low, start).strip() in ("each", "each one", "each of them"):
        words = rx.findall(r"[a-z][\w-]*|\d+", low[:start])
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w.endswith("s") and w not in _DETERMINERS and w not in _STOP_NP and not w.endswith("ss"):
                mods = []
                for v in reversed(words[:k]):
                    if v in _DETERMINERS or v in _STOP_NP or v in _VERBS or v.isdigit() or v in _PREPS:
                        break
                    mods.insert(0, _singular(v))
                noun = " ".join([*mods[-2:], _singular(w)])
                return _with_context("each " + _group_noun(noun), ctx)
        return None
    # "... under 15 words per bullet"
    m = rx.match(r"^\s*(?:per|for each|for every|in each|in every|of each)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?)", after)
    if m:
        return _with_context(_scope_noun(m.group(1)), ctx)
    head, qual = "", None
    np, source = obj if obj is not None else _object_and_input(text, start)
    if ctx.heading and rx.fullmatch(r"\s*(?:it|this|that)\s*", _drop_aux(np)):
        np = ctx.heading  # "### Title" / "Keep it under 60 characters."
    if not np.strip(" ,"):
        # "answers about benefits can be longer, up to 300 words": the subject is in the previous clause
        cs = _clause_start(text, start)
        if cs > 0 and text[:cs].rstrip().endswith(",") and not (ctx.lead_scope and _clause_start(text, cs - 2) == 0):
            np = _object_np(text, len(text[:cs].rstrip()) - 1)
    # drop a trailing auxiliary / preposition chain ("should be", "can run up to")
    prev = None
    while prev != np:
        prev = np
        np = _drop_aux(np)
    np = np.strip(" ,")
    if _DEGREE.match(np):
        np = ""
    if ctx.index > 0 and rx.fullmatch(r"(?:they|them|these|those|both|the latter|the former)", np.lower()):
        return None  # refers back to something named in an earlier sentence
    if ctx.index > 0 and not np and not ctx.label_kind and not _is_directive(ctx):
        return None  # a verbless fragment continuing an earlier sentence ("Less than 20 instructions.")
    # scope words "each X" inside the phrase
    m = rx.search(r"\b(?:each|every|per)\s+([a-z][\w-]*)", np, re.I)
    if m:
        head = _scope_noun(m.group(1))
    else:
        parts = rx.split(
            r"\s+(?=(?:in|on|for|within|inside|at|from|under|across|to|into|via|during|about|regarding)\s)",
            np,
            maxsplit=1,
        )
        head = _canon_np(parts[0]) if parts[0].strip() else "response"
        if len(parts) > 1:
            q = rx.sub(r"^\w+\s+", "", parts[1])
            q = _canon_np(q)
            if q != "response" and q not in _SCOPE_STOP:
                qual = q
        if strong_output and head != "response":
            last = head.split()[-1]
            if last in _DATA_NOUNS or last + "s" in _DATA_NOUNS:
                head = "response"
    qual = ctx.lead_scope or qual or _for_scope(low, end)
    return _with_context(f"{head} @ {qual}" if qual else head, ctx, source)


_FOR_SCOPE = lazy_compile(
    r"^(?:\s+[\w'-]+){0,3}?\s+(?:for|in|within|inside)\s+(?:all\s+|the\s+|any\s+|each\s+|every\s+|your\s+|our\s+|"
    r"a\s+|an\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*)?)"
)


def _for_scope(low: str, end: int) -> str | None:
    """Qualifier from "for X" right after a constraint ("Use JSON for config files")."""
    m = _FOR_SCOPE.match(low[end : end + 80])
    if not m or rx.search(r"[,;:.(]", low[end : end + m.start(1)]):
        return None
    between = low[end : end + m.start(1)].split()[:-1]
    if any(w in _STOP_NP or w in ("fits", "fit", "so", "because") for w in between[:-1] if w not in ("for", "in")):
        return None
    words = m.group(1).split()
    if len(words) > 1 and (words[1] in _STOP_NP or words[1] in _PREPS):
        words = words[:1]
    q = _canon_np(" ".join(words))
    if q == "response" or q in _SCOPE_STOP or words[0] in _SCOPE_STOP or words[0] in _FOR_STOP:
        return None
    return q


_FOR_STOP = _set(
    """example instance now clarity readability brevity consistency simplicity reference convenience emphasis
    context accuracy completeness speed safety scanning skimming easy quick better best later future use
    ease markdown json yaml xml csv html format total order sequence full detail depth line words characters
    sentences bullets paragraph paragraphs english plain priority parallel advance terms case"""
)


def _with_context(subject: str, ctx: _Ctx, source: str | None = None) -> str:
    """Add the soft qualifiers of a subject: the list intro or heading it sits under ("Java:", "## Email") and
    the input a transforming verb names ("summarize the meeting notes in ..."). A soft qualifier only separates
    two subjects that both have one of the same sort."""
    under = None
    if ctx.context and subject == "response":
        subject = ctx.context
    elif ctx.context and subject != ctx.context:
        under = ctx.context
    elif ctx.heading and subject != ctx.heading:
        under = ctx.heading
    if under:
        subject += f" (under {under})"
    if source:
        subject += f" (re {source})"
    return subject


_DEGREE = lazy_compile(
    r"^(?:(?:much|more|very|a bit|a little|slightly|somewhat|rather|quite|fairly|extremely|super|less|too|really|"
    r"even|way|far|longer|shorter|short|long|brief|concise|and|or|but|a lot)\b\s*)+$",
    re.I,
)


def _object_np(text: str, start: int) -> str:
    """The noun phrase a constraint at ``start`` is about, from the clause before it."""
    return _object_and_input(text, start)[0]


def _object_and_input(text: str, start: int) -> tuple[str, str | None]:
    """(noun phrase the constraint is about, input named by a transforming verb or None)."""
    prefix = _strip_fillers(_clause_prefix(text, start))
    words = prefix.split()
    verb = words[0].lower().rstrip(",") if words else ""
    source = None
    if verb in _VERBS and not (len(words) > 1 and words[1].lower() in ("is", "are", "should", "must")):
        rest = words[1:]
        while rest and rest[0].lower() in _PARTICLES:
            rest = rest[1:]
        np = " ".join(rest)
        # "reply to the user in ...": an indirect object, not what the constraint is about
        np = rx.sub(r"^(?:to|with)\s+(?:the\s+|each\s+|every\s+|your\s+)?\w+(?=\s+(?:in|as|with|using)\b|\s*$)", "", np)
        if verb in _TRANSFORM_VERBS:
            obj = rx.split(r"\s+(?:in|into|as|using|with|to|within|under|at)\s", " " + np + " ")[0]
            canon = _canon_np(obj) if obj.strip() else "response"
            source = None if canon == "response" else canon
            np = ""
    else:
        np = prefix
    if _DEGREE.match(np.strip()):
        np = ""
    return np, source


def _scope_noun(np: str) -> str:
    words = [w for w in np.lower().split() if w not in _DETERMINERS]
    if not words:
        return "response"
    # keep "bullet point", "H2 heading"; stop at verbs/prepositions
    kept = [words[0]]
    if len(words) > 1 and words[1] in ("point", "points", "item", "items", "heading", "headings", "name", "names",
                                       "field", "fields"):  # fmt: skip
        kept.append(words[1])
    canon = _canon_np(" ".join(kept))
    return _group_noun(canon) if canon != "response" else canon


_NOUN_GROUPS = {
    "bullets": ("bullet", "bullet point", "point", "list item", "item", "key point", "takeaway"),
    "findings": ("comment", "issue", "finding", "problem", "concern", "bug", "review comment"),
    "sections": ("section", "heading", "h2", "h2 heading", "header"),
    "field names": ("key", "json key", "field", "field name", "property", "property name", "json field name",
                    "json field", "attribute", "attribute name", "json property", "object key", "response field"),
    "variables": ("variable", "variable name", "local variable"),
    "functions": ("function", "function name", "method", "method name"),
    "files": ("file", "file name", "filename"),
    "classes": ("class", "class name", "type", "type name"),
    "columns": ("column", "column name", "database column", "table column"),
}  # fmt: skip
_NOUN_GROUP = {alias: group for group, aliases in _NOUN_GROUPS.items() for alias in aliases}


def _group_noun(noun: str) -> str:
    return _NOUN_GROUP.get(noun, noun)


# ---------------------------------------------------------------------------------------------
# Numbers: lengths and counts
# ---------------------------------------------------------------------------------------------

_LENGTH_UNITS = {
    "word": "words",
    "character": "characters",
    "char": "characters",
    "sentence": "sentences",
    "paragraph": "paragraphs",
    "line": "lines",
    "token": "tokens",
    "page": "pages",
}
_NON_COUNT = _set(
    """time times percent minute minutes hour hours day days week weeks month months year years second seconds
    ms px pt em rem kb mb gb tb people person users user customers customer clients client dollars dollar cents
    euros languages language children kids adults years-old am pm a.m p.m replicas retries attempts others ones
    more less things thing way ways of and or to in on for at by as is are was were be with from than the that
    this these those other another new old most least many much few several various different same times x
    hp pixels bytes digits decimal decimals stars star points_ version versions percentages cup cups pound pounds
    lb lbs mile miles kilometer kilometers km meter meters metre metres gallon gallons liter liters litre litres
    ounce ounces oz gram grams kg kilogram kilograms tablespoon tablespoons teaspoon teaspoons calorie calories
    inch inches foot feet yard yards degree degrees mph kph hertz volts watts servings serving"""
)
_LE = lazy_compile(
    r"(?:\bunder|\bbelow|\bless than|\bfewer than|\bat most|\bno more than|\bnot more than|\bno longer than|"
    r"\bshorter than|\bmaximum(?: of)?|\bmax\.?(?: of)?|\bup to|\bwithin|\bcap(?:ped)? at|\bnot to exceed|"
    r"\bnot exceeding|\bno greater than|\ba maximum of|\blimit of|\blimited to|\bmaximum length of|\btops)"
    r"\s+(?:the\s+|a\s+|an\s+)?$"
)
_LE_TO = lazy_compile(
    r"\b(?:limit|restrict|cap|cut|trim|shorten|reduce|keep|condense|constrain)\b[^.;]*\bto\s+(?:the\s+|a\s+)?$"
)
_EXCEED = lazy_compile(r"\b(?:not|never|n't)\s+(?:\w+\s+)?exceed(?:ing)?\s+(?:the\s+|a\s+)?$")
_GE = lazy_compile(
    r"(?:\bat least|\bminimum(?: of)?|\bmin\.?|\bmore than|\bover|\bno fewer than|\bno less than|\ba minimum of|"
    r"\bnot less than|\bnot fewer than)\s+$"
)
_EQ = lazy_compile(r"(?:\bexactly|\bprecisely|\bonly|\bjust|\bstrictly)\s+$")
_APPROX = lazy_compile(r"(?:~|\b(?:about|around|approximately|approx\.?|roughly|circa|aim for|target(?: of)?))\s*$")
_BETWEEN = lazy_compile(r"\bbetween\s+$")
_ORDINAL_LEFT = lazy_compile(
    r"(?:\b(?:first|last|next|previous|top|every|each|per|step|version|v|rule|level|page|line|item|section|"
    r"chapter|phase|no\.?|number|#|than|out of|score of|rating of|scale of|for|after|before|by|since|from|at|on|"
    r"week|day|month|year|"
    r"sprint|iteration|round|stage|part|tier|priority|p|q|h|grade|age|aged|ages|out)\s*|[$€£#:/]\s*)$"
)
_NOUN_WORD = lazy_compile(r"[A-Za-z][\w-]*")
_STOP_NP = _set(
    """that which who whom whose where when while if so to in on for of with and or but per each by as at from
    about into than then before after under over should must will can is are be you your it they them this
    these those describing covering explaining summarising summarizing listing including using describing
    maximum max minimum min total long apiece only instead like such more"""
)
_NP_ADJ = _set(
    "most least important relevant critical significant key main top best short brief concise numbered bulleted "
    "separate distinct additional extra suggested"
)
_UNBOUNDED_CUE = CaselessPattern(
    r"\b(?:no matter how many|however many|however minor|regardless of (?:how many|the number)|"
    r"even if there are more than \w+|(?:the |a )?(?:full|complete|exhaustive) list|"
    r"no (?:upper )?limit(?: on (?:the )?(?:number|count))?|without (?:a |any )?limit|unlimited|"
    r"as many as (?:you (?:can|find|like|want|need)|possible|needed|necessary|apply|there are|relevant)|"
    r"don't limit|do not limit|every single|all of them)\b",
)
_UNBOUNDED_NOUN = CaselessPattern(
    r"\b(?:every|each|all(?: of)?(?: the)?|as many|any number of)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})"
)
_UNBOUNDED_LENGTH = CaselessPattern(
    r"\b(?:no (?:word|length|size) (?:limit|cap|restriction|constraint)s?|as long as (?:you need|needed|necessary|"
    r"it needs|required|it takes)|any length|no limit on (?:the )?length|(?:length|size) (?:is )?unlimited)\b",
)


def _to_int(s: str) -> int | None:
    s = s.lower().strip()
    if s.replace(",", "").isdigit():
        return int(s.replace(",", ""))
    if s in _UNITS:
        return _UNITS[s]
    m = rx.match(r"(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](\w+))?$", s)
    if m:
        return _TENS[m.group(1)] + (_UNITS.get(m.group(2), 0) if m.group(2) else 0)
    return None


def _noun_after(text: str, plural: bool | None = True) -> tuple[str | None, int]:
    """Head noun (with modifiers) right after a number: returns (phrase, end offset in text)."""
    words: list[tuple[str, int]] = []
    pos = 0
    for m in _NOUN_WORD.finditer(text):
        gap = text[pos : m.start()]
        if gap.strip() not in ("", "-") or len(words) >= 4:
            break
        w = m.group(0)
        if w.lower() in _STOP_NP:
            break
        words.append((w, m.end()))
        pos = m.end()
        if plural and w.lower().endswith("s") and w.lower() not in _NP_ADJ:
            break
        if plural is False and w.lower() not in _NP_ADJ:
            break
    if not words:
        return None, 0
    return " ".join(w for w, _ in words), words[-1][1]


def _count_kind(phrase: str, n: int | None) -> tuple[str, str] | None:
    """(kind, noun) for the phrase after a number; None when it is not a counted output unit."""
    words = [w.lower() for w in phrase.split()]
    words = [w for w in words if w not in ("most", "important", "relevant", "key", "main", "short", "brief")] or words
    head = words[-1]
    sing = _singular(head)
    if sing in _LENGTH_UNITS or head in _LENGTH_UNITS:
        return "length:" + _LENGTH_UNITS.get(sing, _LENGTH_UNITS.get(head, head)), sing
    if head in _NON_COUNT or sing in _NON_COUNT or not head.isalpha() or len(head) < 3:
        return None
    if n != 1 and not head.endswith("s"):
        return None
    if head.endswith(("ing", "ly", "ed")):
        return None
    mods = [w for w in words[:-1] if w.isalpha()]
    noun = sing
    if sing in ("item", "point", "heading", "name", "field") and mods and mods[-1] not in ("bullet", "list", "key"):
        noun = f"{mods[-1]} {sing}"
    elif sing == "point" and mods and mods[-1] == "bullet":
        noun = "bullet point"
    group = _group_noun(noun)
    return "count:" + group.replace(" ", "-"), noun


_NAME_BEFORE = lazy_compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w.+#-]*\s+$")
_CUE_BEFORE = lazy_compile(
    r"\b(?:[A-Z][a-z]+\s+)?(?:Exactly|Max|Maximum|Min|Minimum|Under|Up|Only|At|No|Limit|Use|Write|Give|List|"
    r"Keep|Provide|Return|Output|Include|Add|Offer|Suggest|Create|Produce|Generate|Summarize|Summarise|"
    r"Between|About|Around|Approximately|Roughly|Less|Fewer|More|Over|Below|Within)\s+$"
)
_RANGE_HI = CaselessPattern(r"\s*(?:-|–|—|to|or)\s*(" + _NUM + r")\b")
_AND_HI = CaselessPattern(r"\s+and\s+(" + _NUM + r")\b")
_SYMBOL_OP = lazy_compile(r"(<=?|≤|>=?|≥)\s*$")
_EXISTING_BEFORE = lazy_compile(r"\b(?:all|the|these|those|both|my|your|our|its|their|his|her|of)\s+$")
_HYPHEN_OTHER = lazy_compile(r"-(?!(?:word|character|sentence|line|paragraph|page|token|bullet|item|point)s?\b)[a-z]")
_HYPHEN_UNIT = lazy_compile(r"-(word|character|sentence|line|paragraph|page|token|bullet|item|point)s?\b")
_LE_AFTER = lazy_compile(r"\s*(?:or (?:less|fewer|shorter|under)|max(?:imum)?\b|at most|tops|limit\b|at the most)")
_GE_AFTER = lazy_compile(r"\s*(?:or (?:more|longer)|minimum\b|min\b|at least|at minimum)")
_ING_AFTER = lazy_compile(r"\s+([a-z]+ing)\b")


# The ``$``-anchored patterns searched on the text left of a number (``_LE``, ``_EXCEED``, ``_GE``, ``_EQ``,
# ``_APPROX``, ``_BETWEEN``, ``_SYMBOL_OP``, ``_ORDINAL_LEFT``, ``_EXISTING_BEFORE``, ``_TO_END``,
# ``_NAME_BEFORE``, ``_CUE_BEFORE``) match at most 4 runs of whitespace and nothing else that can match
# whitespace, so a match lies within the last ``_TAIL_WORDS`` words of the text: searching from where
# they start finds the same match as searching the whole text.
_TAIL_WORDS = 5
_TO_END = lazy_compile(r"\bto\s+(?:the\s+|a\s+)?$")  # how every ``_LE_TO`` match ends


def _tail_start(text: str) -> int:
    """An offset at or before the start of the last ``_TAIL_WORDS`` words of the text."""
    parts = text.rsplit(None, _TAIL_WORDS)
    return len(parts[0]) if len(parts) > _TAIL_WORDS else 0


def _numeric(ctx: _Ctx, directive: bool, sent_words: set[str]) -> list[tuple[str, str, int, int, str | None]]:
    """(kind, value, start, end, subject override) for lengths and counts in the sentence, given a
    superset of its words (``_pending_uncached``)."""
    low = ctx.low
    out: list[tuple[str, str, int, int, str | None]] = []
    taken: list[tuple[int, int]] = []
    # unbounded counts/lengths first ("list every action item, even if there are more than three")
    cues = _UNBOUNDED_CUE.finditer(low) if not sent_words.isdisjoint(_UNBOUNDED_CUE_WORDS) else ()
    nouns = None
    for cue in cues:
        if nouns is None:
            nouns = list(_UNBOUNDED_NOUN.finditer(low))
        best = None
        for m in nouns:
            if best is None or abs(m.start() - cue.start()) < abs(best.start() - cue.start()):
                best = m
        noun_phrase = None
        if best is not None:
            plural = None if best.group(0).lower().startswith(("every", "each")) else True
            noun_phrase, _ = _noun_after(low[best.start(1) :], plural=plural)
        if not noun_phrase:
            continue
        words = [w for w in noun_phrase.split() if w not in _NP_ADJ] or noun_phrase.split()
        head = _singular(words[-1])
        if head in _NON_COUNT or head in _LENGTH_UNITS:
            continue
        if head in ("item", "point") and len(words) > 1 and words[-2] not in ("bullet", "list", "key"):
            noun = f"{words[-2]} {head}"
        else:
            noun = head
        kind = "count:" + _group_noun(noun).replace(" ", "-")
        s = min(best.start(), cue.start())
        # "a comment on every issue" -> include "a comment on"
        lead = rx.search(r"\b(?:a|one)\s+[a-z]+\s+(?:on|for|about|per)\s+$", low[:s])
        if lead:
            s = lead.start()
        e = max(best.end(), cue.end())
        out.append((kind, "unbounded", s, e, None))
        taken.append((s, e))
    for m in _UNBOUNDED_LENGTH.finditer(low) if not sent_words.isdisjoint(_UNBOUNDED_LENGTH_WORDS) else ():
        out.append(("length:words", "unbounded", m.start(), m.end(), None))
        taken.append(m.span())
    for m in _NUM_RE.finditer(low):
        s, e = m.span()
        if any(a <= s < b for a, b in taken):
            continue
        n = _to_int(m.group(0))
        if n is None:
            continue
        if (
            1900 <= n <= 2100
            and len(m.group(0)) == 4
            and not rx.match(r"\s*(?:words?|characters?|chars?|tokens?)\b", low[e:])
        ):
            continue  # a year
        before = ctx.text[:s]
        tail = _tail_start(before)
        if _NAME_BEFORE.search(before, tail) and not _CUE_BEFORE.search(before, tail):
            continue  # "Vue 3", "Python 3", "Windows 11": a version or a name
        left = low[:s]
        tail = _tail_start(left)
        hi = None
        rest = low[e:]
        op = "="
        explicit = False
        start = s
        bm = _BETWEEN.search(left, tail)
        if bm:
            am = _AND_HI.match(rest)
            if am:
                hi = _to_int(am.group(1))
                rest = rest[am.end() :]
                explicit = True
                start = bm.start()
        elif rm := _RANGE_HI.match(rest):
            hi = _to_int(rm.group(1))
            rest = rest[rm.end() :]
        if sym := _SYMBOL_OP.search(left, tail):
            op, explicit, start = ("<=" if sym.group(1) in ("<", "<=", "≤") else ">="), True, sym.start()
        elif opm := (_LE.search(left, tail) or _EXCEED.search(left, tail)):
            op, explicit, start = "<=", True, opm.start()
        elif _TO_END.search(left, tail) and _LE_TO.search(left):
            op, explicit, start = "<=", True, left.rstrip().rfind(" to") + 1
        elif gm := _GE.search(left, tail):
            op, explicit, start = ">=", True, gm.start()
            if rx.search(r"\b(?:not|never|n't|no)\b(?:\s+[\w'-]+){0,3}\s+$", left[_clause_start(left, start) : start]):
                op = "<="  # "never ask more than one question"
        elif eq := _EQ.search(left, tail):
            op, explicit, start = "=", True, eq.start()
        elif approx := _APPROX.search(left, tail):
            op, explicit, start = "~", True, approx.start()
        elif not bm and (_ORDINAL_LEFT.search(left, tail) or _EXISTING_BEFORE.search(left, tail)):
            continue  # "step 3", "version 2"; "review all 14 leases", "the 30 unread emails": not an output count
        if op == ">=" and rx.search(
            r"\b(?:with|having|has|have|contains?|containing|for|if|when)\s+[^,;]{0,12}$", left[:start]
        ):
            continue  # "for anything with more than one step": a condition, not a limit
        if rest.startswith("+"):
            op, explicit = ">=", True
            rest = rest[1:]
        consumed = len(low) - len(rest)
        taken.append((s, consumed))
        if _HYPHEN_OTHER.match(rest):
            continue  # "a 6-year-old", "3-tier"
        override = None
        hyph = _HYPHEN_UNIT.match(rest)
        if hyph:
            phrase = hyph.group(1)
            pend = consumed + hyph.end()
            if rx.match(r"\s*(?:limit|cap|ceiling)\b", low[pend:]):
                op, explicit = "<=", True
            else:
                lm = rx.match(r"\s*(?:or (?:less|fewer|shorter|under)|max(?:imum)?|at most)\b", low[pend:])
                if lm:
                    op, explicit = "<=", True
                after_unit = low[pend + (lm.end() if lm else 0) :]
                nm = rx.match(
                    r"\s+([a-z][\w-]*)(?:\s+(?:of|about|on)\s+(?:the\s+|a\s+|an\s+|your\s+)?([a-z][\w-]*))?", after_unit
                )
                if nm and nm.group(1) not in _STOP_NP and nm.group(1) not in ("or", "and"):
                    override = _canon_np(nm.group(1))
                    if nm.group(2) and nm.group(2) not in _STOP_NP:
                        override += " @ " + _singular(nm.group(2))
        else:
            phrase, off = _noun_after(rest, plural=(hi or n) != 1)
            pend = consumed + off
        if not phrase:
            if ctx.label_subject and explicit and len(low[:start].split()) <= 1:
                # "Action items: at most 3"
                kind = "count:" + _group_noun(ctx.label_subject).replace(" ", "-")
                out.append((kind, _value(op, n, hi), start, e, "response"))
            continue
        ck = _count_kind(phrase, n if hi is None else hi)
        if ck is None:
            continue
        kind, _noun = ck
        tail = low[pend:]
        if _LE_AFTER.match(tail):
            op, explicit = "<=", True
        elif _GE_AFTER.match(tail):
            op, explicit = ">=", True
        if hi is not None:
            if hi < n:
                continue
            explicit = True
        if not explicit and not directive:
            continue
        pm = _ING_AFTER.match(tail)
        if override is None and pm and pm.group(1) not in ("long", "nothing", "something", "anything", "everything"):
            override = f"{{}} @ {pm.group(1)}"  # "one sentence explaining it"
        elif kind.startswith("count:") and override is None:
            om = rx.match(
                r"\s+(?:of|about|on|covering|describing|summari[sz]ing|listing|explaining|detailing)\s+(?:the\s+|your\s+)?"
                r"(?!no\b|at\b|up\b|under\b|exactly\b|about\b|around\b|between\b|max|min|\d)([a-z][\w'-]*(?:\s+[a-z][\w-]*)?)",
                tail,
            )
            if om:
                q = _canon_np(rx.split(r"\s+(?:that|which|who|the|to|and|or|in|of|for)\b", om.group(1))[0])
                if q != "response":
                    override = f"{{}} @ {q}"
        if op == "=" and n == 1 and hi is None and not explicit and kind.startswith("count:"):
            continue  # "one object per row", "a single file": too weak for counts
        out.append((kind, _value(op, n, hi), start, pend, override))
    return out


def _value(op: str, n: int, hi: int | None) -> str:
    if hi is not None and hi != n:
        if op == "<=":
            return f"<={hi}"
        return f"{n}-{hi}"
    return f"{op}{n}"


@lru_cache(maxsize=1024)
def _interval(value: str) -> tuple[float, float, str]:
    if value == "unbounded":
        return 0, float("inf"), "unbounded"
    m = rx.match(r"(\d+)-(\d+)$", value)
    if m:
        return int(m.group(1)), int(m.group(2)), "range"
    m = rx.match(r"(<=|>=|=|~)(\d+)$", value)
    if not m:
        return 0, float("inf"), "?"
    op, n = m.group(1), int(m.group(2))
    if op == "<=":
        return 0, n, op
    if op == ">=":
        return n, float("inf"), op
    if op == "~":
        return n * 0.8, n * 1.25, op
    return n, n, op


def _numbers_conflict(a: str, b: str) -> bool:
    if a == b:
        return False
    lo1, hi1, t1 = _interval(a)
    lo2, hi2, t2 = _interval(b)
    if "?" in (t1, t2):
        return False
    if t1 == "unbounded" or t2 == "unbounded":
        other = (lo2, hi2) if t1 == "unbounded" else (lo1, hi1)
        return other[1] != float("inf")
    if t1 == t2 and t1 in ("<=", ">=", "=", "range"):
        return True
    return hi1 < lo2 or hi2 < lo1


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------

_FORMAT = CaselessPattern(
    r"\b(?P<fmt>markdown[- ]tables?|md tables?|json ?l(?:ines)?|ndjson|json|ya?ml|xml|csv|tsv|html|toml|markdown|"
    r"plain[- ]?text|plaintext|plain prose|tables?|tabular)\b",
)
_FMT_VALUE = {
    "markdown table": "markdown-table",
    "markdown tables": "markdown-table",
    "markdown-table": "markdown-table",
    "markdown-tables": "markdown-table",
    "md table": "markdown-table",
    "md tables": "markdown-table",
    "jsonl": "jsonl",
    "json lines": "jsonl",
    "jsonlines": "jsonl",
    "json l": "jsonl",
    "ndjson": "jsonl",
    "yml": "yaml",
    "plain text": "plain-text",
    "plain-text": "plain-text",
    "plaintext": "plain-text",
    "plain prose": "plain-text",
    "table": "table",
    "tables": "table",
    "tabular": "table",
}
_FMT_COMPATIBLE = [
    {"markdown", "markdown-table", "table"},
    {"html", "table"},
    {"csv", "table"},
    {"tsv", "table"},
    {"json", "jsonl"},
]
_FMT_NOT_OUTPUT = CaselessPattern(
    r"\s*(?:code\s*)?(?:blocks?|fences?|fenced|snippets?|schemas?|parser|parsing|librar(?:y|ies)|syntax|keys?|"
    r"field|fields|tags?|comments?|input|inputs|payloads?|config|configuration|files?|mode|strings?|paths?|"
    r"attributes?|elements?|values?|propert(?:y|ies)|bod(?:y|ies)|escaping|escapes?|entities|links?|"
    r"headers?(?! row)|rendering|renderer|editor|viewer|documents? you receive|source|sources|structure of the input|"
    r"response bodies|api|apis|endpoints?|requests?|data you|export of|dump|tools?|columns?|cells?|rows?\b(?! with)|"
    r"formatting inside|comment|diff|table of contents)\b",
)
_FMT_VERB = (
    r"(?:return|output|respond|reply|answer|format|produce|generate|emit|print|write|give|provide|send|render|present|"
    r"structure|report|post|deliver|express|convert|display|show|save|export|wrap|put|lay out|organi[sz]e|"
    r"summari[sz]e|list|compose|draft|create|reformat|transform|serialize|serialise|encode)"
)
_FMT_CUE_PREP = CaselessPattern(
    r"(?:\b" + _FMT_VERB + r"\b[^;:!?]*?\b(?:as|in|using|with)"
    r"|\b(?:convert|export|save|output|switch|change|transform|reformat|serialize|serialise|write|turn)\b[^;:!?]{0,40}?"
    r"\b(?:to|into))\s+"
    r"(?:(?:a|an|the|one|valid|raw|plain|strict|pure|well-formed|properly formatted|minified|pretty-printed|simple|"
    r"single|standard|clean|github-flavou?red|gfm|proper|compact|short|small|concise|clear|neat|tidy|structured|"
    r"parseable|parsable|machine-readable|rich|basic|simple)\s+)*$",
)
_FMT_CUE_OBJ = CaselessPattern(
    r"\b(?:return|output|produce|emit|print|generate|give|provide|send|respond with|reply with|answer with|"
    r"write|use|create|draft|render|deliver)\s+(?:only|just|back|me|us)?\s*"
    r"(?:(?:a|an|the|one|valid|raw|strict|pure|well-formed|properly formatted|minified|pretty-printed|simple|"
    r"single|standard|clean|github-flavou?red|gfm|proper|compact|short|small|concise|clear|structured|"
    r"parseable|parsable|machine-readable|rich|basic)\s+)*$",
)
_FMT_CUE_NOUN = CaselessPattern(
    r"\b(?:response|output|answer|reply|replies|responses|result|results|report|summary)s?\s+(?:format\s+)?"
    r"(?:must|should|will|shall|has to|needs to|have to)?\s*(?:always\s+)?(?:be|is|are)\s+(?:formatted\s+|written\s+|"
    r"returned\s+|delivered\s+|provided\s+|given\s+)?(?:as\s+|in\s+)?(?:(?:a|an|valid|raw|plain|strict|pure|"
    r"well-formed|single)\s+)*$",
)
_FMT_AFTER_OK = CaselessPattern(
    r"\s*(?:only\b|format\b|output\b|object|array|document|response|responses|reply|answer|list|table|$|[.,;:!)])",
)


def _fmt_value(raw: str) -> str:
    raw = rx.sub(r"\s+", " ", raw.lower())
    return _FMT_VALUE.get(raw, raw)


def _formats_compatible(a: str, b: str) -> bool:
    return a == b or any(a in g and b in g for g in _FMT_COMPATIBLE)


_FMT_SHAPES = _set(
    """object objects array arrays document documents format formatted output outputs response responses reply
    replies answer answers list lists table tables only text syntax code content structure form mode version
    representation payload schema string strings line lines block blocks"""
)
_FMT_CONTAINER_OF = _set(
    "object item record row entry result field key value dict dictionary string data string finding issue"
)


def _formats(ctx: _Ctx) -> list[tuple[str, int, int, bool, str | None]]:
    """(value, start, end, strong_verb, subject override) for positive output-format statements."""
    low = ctx.low
    found = []
    for m in _FORMAT.finditer(low):
        value = _fmt_value(m.group("fmt"))
        s, e = m.span()
        after = low[e:]
        if value == "table":
            # "table" alone only counts as "a table"/"as a table"/"in tabular form"
            if not rx.search(r"\b(?:as|in|into|a|an)\s+(?:\w+\s+)?$", low[:s]):
                continue
            if rx.match(r"\s+of contents", after):
                continue
        if _FMT_NOT_OUTPUT.match(after):
            continue
        cstart = _clause_start(low, s)
        left = low[cstart:s]
        if rx.search(r"\b(?:markdown|md)\s*$", left) and value not in ("table",):
            continue
        label_cue = ctx.label_kind == "format" and len(low[:s].split()) <= 4
        cue = _FMT_CUE_PREP.search(low[:s]) or _FMT_CUE_OBJ.search(left) or _FMT_CUE_NOUN.search(left)
        only = rx.match(r"\s*(?:only|format only|output only)\b", after) and len(low[:s].split()) <= 3
        if not (cue or label_cue or only):
            continue
        if not (_FMT_AFTER_OK.match(after) or cue):
            continue
        if _NEGATION.search(left) or _NEGATION.search(low[max(0, s - 25) : s]):
            continue
        if rx.match(r"\s*(?:or|/|and/or|,\s*\w+\s+or)\s", after) or rx.search(r"\b(?:or|either)\s+(?:\w+\s+)?$", left):
            return []  # a list of alternatives
        verb_m = rx.search(r"\b(\w+)\b", _strip_fillers(left))
        strong = bool(verb_m and verb_m.group(1) in _STRONG_OUTPUT_VERBS)
        pm = rx.search(
            r"(?:\b(?:as|in|into|using|with|to)\s+)?(?:(?:a|an|the|one|only|just|valid|raw|plain|strict|"
            r"pure|well-formed|[\w-]+ly|single|clean|simple|standard|proper|compact|structured)\s+)*$",
            low[:s],
        )
        span_start = pm.start() if pm else s
        override = None
        om = rx.match(
            r"\s+(list|table|array|summary|overview|breakdown|section)\s+of\s+(?:the\s+|all\s+|your\s+)?([a-z][\w-]*)",
            after,
        )
        if om and _singular(om.group(2)) not in _FMT_CONTAINER_OF:
            override = f"{om.group(1)} of {_singular(om.group(2))}"
        else:
            nm = rx.match(r"\s+([a-z][\w-]*)", after)
            if nm and nm.group(1) not in _FMT_SHAPES and nm.group(1) not in _STOP_NP and nm.group(1) not in _PREPS:
                noun = _canon_np(nm.group(1))
                if noun != "response":
                    override = noun  # "a JSON summary", "a CSV export": a named artefact
        found.append((value, span_start, e, strong, override))
    values = {v for v, *_ in found}
    if any(not _formats_compatible(a, b) for a in values for b in values):
        return []  # several artefacts or alternatives in one sentence: too ambiguous
    return found


# ---------------------------------------------------------------------------------------------
# Language, tone, person, case, date format, units, spelling
# ---------------------------------------------------------------------------------------------

_LANG_RE = CaselessPattern(r"\b(" + "|".join(_LANGUAGES) + r")\b")
_LANG_VERB = CaselessPattern(
    r"\b(?:respond|reply|answer|write|speak|communicate|converse|talk|chat|draft|compose|produce|generate|output|"
    r"give|provide|narrate|explain|summari[sz]e|be written|be|are written|is written|interact|deliver|present|"
    r"use|keep|stick to|stay|stay in|always)\b",
)
_LANG_ADJ = (
    r"(?:(?:plain|simple|clear|proper|fluent|standard|formal|informal|british|american|us|uk|european|brazilian|"
    r"latin american|canadian|mexican|simplified|traditional|modern|natural|native|good|correct|australian|"
    r"castilian|international|neutral|swiss|austrian|high)\s+)*"
)
_MATCH_USER = CaselessPattern(
    r"\b(?:in|using|use)\s+(?:the\s+)?(?:same language as (?:the |their )?(?:user|customer|input|question|message|"
    r"request|original|query|conversation|prompt)|(?:user|customer|client|patient|person|reader|caller|player|"
    r"student|child|visitor|sender)(?:'s|’s|s'|s’)\s+(?:own\s+)?(?:preferred\s+)?language|their (?:own |preferred )?"
    r"language|whatever language (?:the )?\w+ (?:uses?|used|writes?|wrote)|(?:the )?language (?:of the (?:user|input|"
    r"question|message|request|query)|(?:the )?(?:user|customer)s? (?:uses?|used|writes?|wrote)))",
)
_USER_SUBJECT = CaselessPattern(
    r"\b(?:user|users|customer|customers|client|clients|input|text|document|source|email|they|he|she|people|"
    r"student|students|children|child|patient|patients|caller|reader|visitor|player|team|speaker|author|"
    r"authors|we|i)\b[^,;]*$",
)

_TONE_AXES = {
    "tone:formality": {
        "formal": ("formal", "formally", "businesslike", "formal register"),
        "informal": ("casual", "casually", "informal", "informally", "colloquial", "slangy", "laid-back", "laid back",
                     "relaxed", "chatty"),
    },
    "tone:energy": {
        "enthusiastic": ("upbeat", "enthusiastic", "energetic", "excited", "exuberant", "peppy", "bubbly", "hyped"),
        "understated": ("understated", "restrained", "subdued", "muted", "low-key", "reserved", "sober"),
    },
}  # fmt: skip
_TONE_WORD = {w: (axis, val) for axis, vals in _TONE_AXES.items() for val, ws in vals.items() for w in ws}
_TONE_RE = CaselessPattern(
    r"(?<![\w-])(" + "|".join(sorted((re.escape(w) for w in _TONE_WORD), key=len, reverse=True)) + r")(?![\w-])"
)
_TONE_CONTEXT = CaselessPattern(r"\b(?:tone|voice|register|style|manner|vibe|tenor|writing|wording|language|feel)\b")
_TONE_LEAD = CaselessPattern(
    r"^(?:be|keep (?:it|things|the \w+|your \w+)|stay|sound|remain|write in an?|use an?|adopt an?|maintain an?|"
    r"make (?:it|the \w+)|go|write|respond|reply|speak|talk|answer)\b",
)
_TONE_NOT = CaselessPattern(
    r"\b(?:verification|methods?|proofs?|specifications?|definitions?|logic|education|training|complaints?|"
    r"requests?|grammar|semantics|parameters?|arguments?|model|models|methods|meeting|meetings|dress|wear|"
    r"game|games|users?|visitors?|readers?|observers?|mode)\b",
)

_PERSON_RE = lazy_compile(r"\b(first|second|third|1st|2nd|3rd)[- ]person\b", re.I)
_PERSON_VALUE = {"1st": "first", "2nd": "second", "3rd": "third"}

_CASE_RE = lazy_compile(
    r"(?<![\w-])(camel[ -]?case|lower camel[ -]?case|lowercamelcase|snake[ _-]?case|kebab[ -]?case|"
    r"pascal[ -]?case|upper ?camel[ -]?case|screaming[ _-]snake[ _-]case|upper[ _-]snake[ _-]case|constant[ _-]case|"
    r"train[ -]case|dot\.case)(?![\w-])",
    re.I,
)
_NAMING_NOUN = lazy_compile(
    r"\s*((?:json\s+|object\s+|response\s+|request\s+|api\s+|database\s+|db\s+|table\s+|local\s+|css\s+|"
    r"environment\s+|env\s+|url\s+|query\s+|component\s+)?(?:field\s+names?|fields|keys|property\s+names|properties|"
    r"attributes?|variable\s+names|variables|function\s+names|functions|method\s+names|methods|file\s+names|"
    r"filenames|files|class\s+names|classes|column\s+names|columns|identifiers|names|constants|components|types|"
    r"routes|paths|urls|slugs|branch(?:es|\s+names)|tables|parameters|params|arguments|args|hooks|modules|"
    r"packages|directories|folders|enums?|props|events|tags|labels))\b",
    re.I,
)

_DATE_FORMATS = [
    ("iso", r"iso[- ]?8601|yyyy-mm-dd(?:thh:mm(?::ss)?z?)?|rfc ?3339|iso (?:date )?format|iso dates?|iso strings?"),
    ("mm/dd/yyyy", r"mm/dd/yyyy|mm/dd/yy|m/d/yyyy|mm-dd-yyyy|month/day/year"),
    ("dd/mm/yyyy", r"dd/mm/yyyy|dd/mm/yy|d/m/yyyy|dd\.mm\.yyyy|dd-mm-yyyy|day/month/year"),
    ("yyyy/mm/dd", r"yyyy/mm/dd"),
    ("unix", r"unix (?:timestamps?|time|epoch)|epoch (?:seconds|milliseconds|ms|time)"),
    ("month d, yyyy", r"month d{1,2}, yyyy|mmmm d{1,2}, yyyy|mmm d{1,2}, yyyy"),
    ("d month yyyy", r"d{1,2} month yyyy|d{1,2} mmmm yyyy|dd mmm yyyy"),
]
_DATE_RE = lazy_compile(r"(?<![\w/-])(" + "|".join(p for _, p in _DATE_FORMATS) + r")(?![\w/-])", re.I)
_DATE_NOUN = lazy_compile(r"\b(dates?|datetimes?|timestamps?|date fields?|date columns?|time ?stamps?)\b", re.I)

_UNITS_RE = lazy_compile(
    r"\b(metric(?: units?| system| measurements?)?|imperial(?: units?| system| measurements?)?|"
    r"(?:us|u\.s\.|american) (?:customary )?(?:units?|measurements?|system)|us customary)\b",
    re.I,
)
_SPELLING_RE = lazy_compile(
    r"\b(british|uk|american|us|u\.s\.|canadian|australian)\s+(?:english\s+)?(spelling|english)\b", re.I
)
_SPELLING_VALUE = {"uk": "british", "us": "american", "u.s.": "american"}


def _negated(low: str, s: int, window: int = 30) -> bool:
    left = low[_clause_start(low, s) : s]
    return bool(_NEGATION.search(left[-window:]))


def _languages(ctx: _Ctx) -> list[tuple[str, int, int]]:
    low = ctx.low
    if rx.search(r"\btranslat", low):
        return []
    out = []
    for m in _MATCH_USER.finditer(low):
        left = low[_clause_start(low, m.start()) : m.start()]
        left = rx.sub(r"\b(?:to|with|for)\s+(?:the\s+|each\s+|every\s+)?\w+\s*$", " ", left)  # "reply to the user"
        if _LANG_VERB.search(left) and not _NEGATION.search(left) and not _USER_SUBJECT.search(left):
            out.append(("match-user", m.start(), m.end()))
    for m in _LANG_RE.finditer(low):
        s, e = m.span()
        lang = _LANG_ALIAS.get(m.group(1).lower(), m.group(1).lower())
        cstart = _clause_start(low, s)
        left = low[cstart:s]
        after = low[e:]
        if rx.match(r"\s*(?:-|–)?\s*(?:speaking|speakers?|language\s+(?:input|text|documents?|sources?)|text|input|"
                    r"translation|version|words?|terms?|names?|titles?|keyboard|locale)\b", after):  # fmt: skip
            continue
        ok = False
        if (
            (rx.search(r"\b(?:in|into)\s+" + _LANG_ADJ + r"$", left) and _LANG_VERB.search(left))
            or (ctx.label_kind == "language" and len(low[:s].split()) <= 3)
            or (
                rx.search(r"\b(?:use|using|write in|speak)\s+" + _LANG_ADJ + r"$", left)
                and rx.match(r"\s*(?:only|for (?:all|every|your)|throughout|at all times|[.,;]|$)", after)
            )
            or (
                rx.match(r"\s*only\b", after)
                and rx.search(
                    r"\b(?:respond|reply|answer|write|speak|communicate)\b[^,;]*\b(?:in\s+)?" + _LANG_ADJ + r"$", left
                )
            )
        ):
            ok = True
        if not ok:
            continue
        if _NEGATION.search(left) or _USER_SUBJECT.search(rx.sub(r"\byou(?:r)?\b", "", left)):
            continue
        if rx.search(r"\b(?:from|of)\s+" + _LANG_ADJ + r"$", left):
            continue
        pm = rx.search(r"\b(?:in|into|use|using|write in|speak)\s+" + _LANG_ADJ + r"$", left)
        out.append((lang, cstart + pm.start() if pm else s, e))
    values = {v for v, *_ in out}
    return out if len(values) <= 1 else []


def _tones(ctx: _Ctx) -> list[tuple[str, str, int, int]]:
    low = ctx.low
    hits = []
    for m in _TONE_RE.finditer(low):
        s, e = m.span()
        word = m.group(1).lower()
        if _TONE_NOT.match(low[e:]) or rx.search(r"\bsemi-?$", low[:s]):
            continue
        if word in ("reserved", "sober", "muted", "relaxed", "excited") and not _TONE_CONTEXT.search(low):
            continue
        left = low[max(0, s - 30) : s]
        if rx.search(r"\b(?:not|no|never|avoid|don't|dont|without|rather than|instead of|too|overly|nor|less|"
                     r"n't|neither|excessively|unnecessarily|over-)\s+(?:\w+[,]?\s+){0,2}$", left):  # fmt: skip
            continue
        context_ok = (
            _TONE_CONTEXT.search(low)
            or _TONE_LEAD.match(_strip_fillers(low[_clause_start(low, s) :]))
            or _TONE_LEAD.match(_strip_fillers(low))
            or ctx.label_kind == "tone"
        )
        if not context_ok:
            continue
        axis, value = _TONE_WORD[word]
        hits.append((axis, value, s, e))
    out = []
    for axis in dict.fromkeys(h[0] for h in hits):  # in order of appearance (a set's order follows the hash seed)
        vals = {h[1] for h in hits if h[0] == axis}
        if len(vals) == 1:  # both poles in one sentence ("formal with clients, casual with peers"): skip
            first = next(h for h in hits if h[0] == axis)
            out.append(first)
    return out


def _persons(ctx: _Ctx) -> list[tuple[str, int, int]]:
    low = ctx.low
    out = []
    for m in _PERSON_RE.finditer(low):
        s, e = m.span()
        left = low[max(0, s - 20) : s]
        after = low[e:]
        if rx.match(r"\s*(?:shooter|game|view camera|camera)\b", after):
            continue
        if not (
            rx.search(r"\b(?:in|use|using|from)\s+(?:the\s+|a\s+)?$", left)
            or rx.match(
                r"\s*(?:singular\s+|plural\s+)?(?:voice|perspective|point of view|pov|narration|narrative)", after
            )
        ):
            continue
        if _negated(low, s):
            continue
        out.append((_PERSON_VALUE.get(m.group(1).lower(), m.group(1).lower()), _clause_start(low, s), e))
    return out if len({v for v, *_ in out}) <= 1 else []


def _case_value(raw: str) -> str:
    r = rx.sub(r"[ _.-]", "", raw.lower())
    if r in ("camelcase", "lowercamelcase"):
        return "camelCase"
    if r in ("pascalcase", "uppercamelcase"):
        return "PascalCase"
    if r == "snakecase":
        return "snake_case"
    if r == "kebabcase":
        return "kebab-case"
    if r in ("screamingsnakecase", "uppersnakecase", "constantcase"):
        return "UPPER_SNAKE_CASE"
    if r == "traincase":
        return "Train-Case"
    return r


def _cases(ctx: _Ctx) -> list[tuple[str, str, int, int]]:
    """(value, subject, start, end) for naming-case rules."""
    low = ctx.low
    if rx.search(r"\b(?:convert|transform|map|translate|mapping)\b[^.]*\bfrom\b", low):
        return []
    out = []
    mentions = list(_CASE_RE.finditer(low))
    for i, m in enumerate(mentions):
        s, e = m.span()
        if _negated(low, s, 25):
            continue
        nxt = mentions[i + 1].start() if i + 1 < len(mentions) else len(low)
        after = low[e:nxt]
        subject = None
        fm = rx.match(r"\s*(?:naming\s+)?(?:for|on|in|with)\s+(?:all\s+|the\s+|any\s+|every\s+|each\s+|our\s+|your\s+)?"
                      r"([^,;.()]+?)(?=\s*(?:,|;|\.|\(|$|\band\b|\bor\b|\bbut\b|\bwhile\b|\bwhereas\b|\bto\b|\bso\b))",
                      after)  # fmt: skip
        nm = _NAMING_NOUN.match(after)
        name_m = rx.search(
            r"\bname\s+(?:all\s+|the\s+|your\s+|any\s+)?([a-z][\w/ -]{0,40}?)\s+(?:using|with|in|as)\s+$", low[:s]
        )
        if rx.match(r"\s*(?:or|/|and/or)\s", after) or rx.search(r"\b(?:or|either)\s+$", low[:s]):
            return []  # alternatives ("snake_case or kebab-case")
        if nm:
            subject = nm.group(1)
        elif fm:
            subject = fm.group(1)
        elif name_m:
            subject = name_m.group(1)
        elif ctx.label_subject:
            subject = ctx.label_subject
        else:
            left = low[_clause_start(low, s) : s]
            left = rx.sub(
                r"\s*\b(?:use|uses|using|in|are|is|should|must|be|written|named|always|as|follow|follows|"
                r"following|with|the)\b\s*$",
                "",
                left,
            )
            prev = None
            while prev != left:
                prev = left
                left = rx.sub(
                    r"\s*\b(?:use|uses|using|in|are|is|should|must|be|written|named|always|as|follow|follows|"
                    r"following|with|the|all)\b\s*$",
                    "",
                    left,
                )
            left = _strip_fillers(left)
            if left.strip() and left.strip().split()[0] not in _VERBS:
                subject = left
        if subject is None:
            if not _is_directive(ctx):
                continue
            subject = "identifiers"
        subject = rx.sub(r"\s+(?:in|of|for|within|inside)\s+(?:the\s+|all\s+|our\s+|your\s+)?(?:responses?|"
                         r"outputs?|answers?|replies|api responses?|json)\b.*$", "", subject.strip())  # fmt: skip
        canon = _canon_np(subject)
        if canon == "response":
            canon = "identifiers"
        canon = _group_noun(canon)
        value = _case_value(m.group(1))
        if ctx.text[s : s + 10] == "CamelCase " or ctx.text[s:e] == "CamelCase":
            value = "PascalCase"  # Ruby/Python style guides: "CamelCase for classes"
        out.append((value, canon, _clause_start(low, s), e))
    by_subject: dict[str, set[str]] = {}
    for v, subj, *_ in out:
        by_subject.setdefault(subj, set()).add(v)
    return [o for o in out if len(by_subject[o[1]]) == 1]


def _dates(ctx: _Ctx) -> list[tuple[str, str, int, int]]:
    low = ctx.low
    noun = _DATE_NOUN.search(low)
    if not noun and ctx.label_kind != "date":
        return []
    out = []
    for m in _DATE_RE.finditer(low):
        s, e = m.span()
        if _negated(low, s, 25) or rx.search(r"\blike\s+(?:i|we)\s+said|\bfrom\s+$", low[max(0, s - 15) : s]):
            continue
        raw = m.group(1).lower()
        value = next(v for v, p in _DATE_FORMATS if rx.fullmatch(p, raw, re.I))
        out.append((value, s, e))
    if len({v for v, *_ in out}) != 1:
        return []
    value, s, e = out[0]
    if ctx.label_kind == "date" or ctx.label_subject in ("date", "dates"):
        subject = "date"
    else:
        nm = _DATE_NOUN.search(low)
        subject = _singular(nm.group(1).lower().replace("time stamp", "timestamp")) if nm else "date"
        # "dates in the UI", "created_at dates"
        qm = (
            rx.match(
                r"\s+(?:in|on|for|shown in|displayed in)\s+(?:the\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*)?)", low[nm.end() :]
            )
            if nm
            else None
        )
        if (
            qm
            and qm.group(1) not in _SCOPE_STOP
            and not _DATE_RE.match(qm.group(1))
            and qm.group(1).split()[0]
            not in (
                "iso",
                "the",
                "a",
                "utc",
                "format",
            )
        ):
            subject += " @ " + _canon_np(qm.group(1))
    return [(value, subject, min(s, noun.start()) if noun else s, e)]


def _unit_systems(ctx: _Ctx) -> list[tuple[str, int, int]]:
    low = ctx.low
    out = []
    for m in _UNITS_RE.finditer(low):
        s, e = m.span()
        left = low[max(0, s - 25) : s]
        if not rx.search(
            r"\b(?:in|use|using|into|to|switch to|stick to|prefer|give|express \w+ in)\s+(?:the\s+)?$", left
        ):
            continue
        if _negated(low, s, 25):
            continue
        raw = m.group(1).lower()
        out.append(("metric" if raw.startswith("metric") else "us-customary", s, e))
    return out if len({v for v, *_ in out}) == 1 else []


def _spellings(ctx: _Ctx) -> list[tuple[str, int, int]]:
    low = ctx.low
    out = []
    for m in _SPELLING_RE.finditer(low):
        s, e = m.span()
        left = low[max(0, s - 25) : s]
        if not rx.search(r"\b(?:use|using|in|write in|follow|prefer)\s+(?:the\s+)?$", left):
            continue
        if _negated(low, s, 25) or _USER_SUBJECT.search(low[_clause_start(low, s) : s]):
            continue
        v = m.group(1).lower()
        out.append((_SPELLING_VALUE.get(v, v), s, e))
    return out if len({v for v, *_ in out}) == 1 else []


# ---------------------------------------------------------------------------------------------
# Sentence analysis
# ---------------------------------------------------------------------------------------------

_LABEL = lazy_compile(r"^\s*([A-Za-z][\w '/&().-]{0,40}?)\s*:\s+(?=\S)")
_PREFACE_LABELS = lazy_compile(
    r"^(?:note|notes|nb|n\.b|remember|reminder|important|update|updated|edit|edited|correction|addendum|p\.?s|"
    r"pps|tip|also|finally|one more thing|again|warning|caution|reminder|"
    r"critical|key|crucial|bonus|change|new|ps|fyi|heads up|clarification|extra|plus|and|oh|ok|okay|remember this|"
    r"step \d+|\d+)$",
    re.I,
)
_GENERIC_LABELS = {
    "output": "format",
    "output format": "format",
    "format": "format",
    "formatting": "format",
    "response format": "format",
    "return format": "format",
    "answer format": "format",
    "response": "format",
    "responses": "format",
    "answer": "format",
    "reply": "format",
    "output style": "format",
    "tone": "tone",
    "voice": "tone",
    "register": "tone",
    "style": "tone",
    "tone of voice": "tone",
    "tone and style": "tone",
    "voice and tone": "tone",
    "language": "language",
    "response language": "language",
    "output language": "language",
    "languages": "language",
    "length": "length",
    "word count": "length",
    "word limit": "length",
    "length limit": "length",
    "max length": "length",
    "size": "length",
    "dates": "date",
    "date": "date",
    "date format": "date",
}
_SENTENCE_SKIP = lazy_compile(
    r"^(?:e\.g\.|for example|for instance|example|examples|sample|such as|input|inputs|(?:user|assistant|human|ai|bot|"
    r"q|a|question)\s*:|answer example)",
    re.I,
)


_QUOTE_LEAD = lazy_compile(r"^[>\s]+")
_LEAD_SCOPE = lazy_compile(
    r"^\s*(?:for|in|within|inside|on)\s+(?:the\s+|all\s+|each\s+|every\s+|any\s+|your\s+)?([^,]{1,40}),\s"
)
_NAMED_PART = lazy_compile(
    r"\b(?:section|heading|header|subsection|part|field|column|key|block|list|table)\s+(?:called|named|titled|"
    r"labell?ed|entitled)\s+([\w'-]+(?:\s+[\w'-]+){0,3})"
)


def _make_ctx(sent: _Sentence) -> _Ctx | None:
    text = sent.text.strip()
    if text.startswith(">"):  # (``strip`` left no leading whitespace)
        text = _QUOTE_LEAD.sub("", text)
    label = label_subject = label_kind = None
    m = _LABEL.match(text) if ":" in text else None
    if (
        m
        and len(m.group(1).split()) <= 4
        and not m.group(1).lower().startswith(("e.g", "i.e"))
        and (m.group(1).split()[0].lower() not in _VERBS or m.group(1).lower().strip("*_ ") in _GENERIC_LABELS)
    ):
        raw = m.group(1).strip()
        rest = text[m.end() :]
        key = raw.lower().strip("*_ ")
        if _PREFACE_LABELS.match(key):
            text = rest
        elif key in _GENERIC_LABELS:
            label, label_kind = raw, _GENERIC_LABELS[key]
            text = rest
        elif key in (
            "example",
            "examples",
            "input",
            "sample",
            "e.g",
            "user",
            "assistant",
            "human",
            "question",
            "q",
            "a",
        ):
            return None
        else:
            label = raw
            label_subject = _group_noun(_canon_np(rx.sub(r"\(.*?\)", "", key)))
            if label_subject == "response":
                label_subject = None
            text = rest
    if _SENTENCE_SKIP.match(text):
        return None
    low = text.lower()
    if not low.isascii():
        low = low.translate(_FOLD)  # "ſ"/"ı" match ASCII letters under IGNORECASE
    lead_scope = None
    lm = _LEAD_SCOPE.match(low)
    if lm:
        q = _canon_np(lm.group(1))
        if q not in _SCOPE_STOP and q != "response" and not lm.group(1).startswith(("short", "general", "addition")):
            lead_scope = q
    # every ``_NAMED_PART`` match holds one of these words
    if lead_scope is None and ("called" in text or "named" in text or "titled" in text or "label" in text):
        sm = _NAMED_PART.search(text)
        if sm:
            lead_scope = _canon_np(rx.split(r"\s+(?:that|which|with|and|in|of|where|to|for)\b", sm.group(1))[0])
    return _Ctx(text, low, label, label_subject, label_kind, sent.context, lead_scope, sent.index, sent.heading)


def _in_parens(low: str, pos: int) -> bool:
    before = low[:pos]
    return before.count("(") > before.count(")") or before.count("[") > before.count("]")


def _in_label(ctx: _Ctx, pos: int) -> bool:
    """True inside a leading "label:" that is not an instruction ("1-3 missing files: -5 points")."""
    colon = ctx.low.find(":", pos)
    if colon < 0:
        return False
    head = ctx.low[:colon]
    first = _strip_fillers(head).split()[:1]
    return len(head.split()) <= 8 and not (first and first[0] in _VERBS)


_THIRD_PARTY_LEAD = lazy_compile(r"(?:he|she|they|we|i|his|her|their|our|my|[a-z]+'s)\b")
_MODAL = lazy_compile(r"\b(?:should|must|shall|needs? to|has to|have to)\b")


def _is_directive(ctx: _Ctx) -> bool:
    """Imperative or modal sentence ("Use 5 bullets", "The outline should have 8 sections")."""
    low = _strip_fillers(ctx.low)
    first = low.split()[0].strip(",.") if low.split() else ""
    if first in _VERBS:
        return True
    if ctx.label_subject or ctx.label_kind:
        return True
    if _THIRD_PARTY_LEAD.match(low):
        return False
    return _MODAL.search(low) is not None


# Cheap necessary conditions for the extractors. Every match of an extractor's trigger pattern
# (``_FORMAT``, ``_NUM_RE``, ``_LANG_RE``...) holds a digit or one of the words below as a whole
# run of ASCII letters; a sentence with none of them cannot yield that kind of constraint, so the
# extractor (and, when no kind is possible, the whole analysis) is skipped. ``_make_ctx`` only
# drops a prefix ending in whitespace, so the words of the whole sentence are a superset of the
# words the extractors see.
_WORD_RUN = lazy_compile(r"[a-z]+")
_DIGIT = lazy_compile(r"\d")
# characters that IGNORECASE matches to an ASCII letter but ``str.lower`` leaves non-ASCII
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s"})
_NUM_WORDS = _set(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred dozen single"""
)
_UNBOUNDED_CUE_WORDS = _set("matter however regardless even full complete exhaustive limit unlimited many single them")
_UNBOUNDED_LENGTH_WORDS = _set("word length size long")
_NUMERIC_WORDS = _NUM_WORDS | _UNBOUNDED_CUE_WORDS | _UNBOUNDED_LENGTH_WORDS
# one word of each alternative of ``_CONDITIONAL``
_CONDITIONAL_WORDS = _set(
    """if when whenever unless case otherwise depending depends except provided long default defaults should
    until else where wherever during whether upon once after event"""
)
_FORMAT_WORDS = _set(
    "markdown md json jsonl jsonlines ndjson yaml yml xml csv tsv html toml plain plaintext table tables tabular"
)
_LANGUAGE_WORDS = frozenset(_LANGUAGES)  # _MATCH_USER needs "language" as a substring
_TONE_WORDS = frozenset(w.replace("-", " ").split()[0] for w in _TONE_WORD)  # first word of each
_CASE_WORDS = _set(
    "camel camelcase lowercamelcase snake snakecase kebab kebabcase pascal pascalcase uppercamel uppercamelcase "
    "constant train dot"
)
_DATE_WORDS = _set("iso yyyy yy rfc unix epoch year")
_UNIT_WORDS = _set("metric imperial customary unit units measurement measurements system")
_SPELLING_WORDS = _set("spelling english")
_ANY_WORDS = (
    _NUMERIC_WORDS
    | _FORMAT_WORDS
    | _LANGUAGE_WORDS
    | _TONE_WORDS
    | {"person"}
    | _CASE_WORDS
    | _DATE_WORDS
    | _UNIT_WORDS
    | _SPELLING_WORDS
)
_ANY_WORD_BYTES = frozenset(w.encode() for w in _ANY_WORDS)


# A constraint found in a sentence before its subject is known: (kind, value, subject), where the
# subject is a string or a function computing it (None: the constraint is dropped). Values never
# depend on subjects, so which values a document states is known without computing any subject.
_Pending = tuple[str, str, str | Callable[[], str | None]]


# Prompts repeat sentences (templates, shared boilerplate): the analysis of a sentence depends only on
# these fields, never on where the sentence is, so it is kept per process for a bounded number.
_PENDING_CACHE: dict[tuple[str, str | None, bool, int, str | None], list[_Pending]] = {}
_PENDING_CACHE_MAX = 8192


def _analyse_pending(sent: _Sentence) -> list[_Pending]:
    """The sentence's constraints with their subjects left to compute (see ``_resolve``)."""
    key = (sent.text, sent.context, sent.conditional, sent.index, sent.heading)
    found = _PENDING_CACHE.get(key)
    if found is None:
        if len(_PENDING_CACHE) >= _PENDING_CACHE_MAX:
            _PENDING_CACHE.clear()
        found = _PENDING_CACHE[key] = _pending_uncached(sent)
    return found


def _pending_uncached(sent: _Sentence) -> list[_Pending]:
    if sent.conditional:
        return []
    low0 = sent.text.lower()
    if not low0.isascii():
        low0 = low0.translate(_FOLD)
    word_list = _WORD_RUN.findall(low0)
    digit = _DIGIT.search(low0) is not None
    if not digit and _ANY_WORDS.isdisjoint(word_list) and "language" not in low0:
        return []
    words = set(word_list)
    ctx = _make_ctx(sent)
    if ctx is None:
        return []
    low = ctx.low
    if low.rstrip().endswith("?"):
        return []
    if not words.isdisjoint(_CONDITIONAL_WORDS):
        # an "if" inside "even if there are more than three" does not make the sentence conditional
        unbounded = not words.isdisjoint(_UNBOUNDED_CUE_WORDS)
        if _CONDITIONAL.search(_UNBOUNDED_CUE.sub(" ", low) if unbounded else low):
            return []
    out: list[_Pending] = []
    add = out.append

    numeric = digit or not words.isdisjoint(_NUMERIC_WORDS)
    directive = _is_directive(ctx) if numeric else False
    for value, s, e, strong, override in _formats(ctx) if not words.isdisjoint(_FORMAT_WORDS) else ():
        if not _in_parens(low, s):
            if override:
                add(("format", value, lambda override=override: _with_context(override, ctx)))
            else:
                add(("format", value, lambda s=s, e=e, strong=strong: _subject(ctx, s, e, strong)))
    for kind, value, s, e, override in _numeric(ctx, directive, words) if numeric else ():
        if _in_parens(low, s) or _in_label(ctx, s):
            continue
        add((kind, value, lambda s=s, e=e, override=override: _numeric_subject(ctx, s, e, override)))
    for value, s, e in _languages(ctx) if "language" in low0 or not words.isdisjoint(_LANGUAGE_WORDS) else ():
        add(("language", value, lambda s=s, e=e: _subject(ctx, s, e)))
    for axis, value, s, e in _tones(ctx) if not words.isdisjoint(_TONE_WORDS) else ():
        add((axis, value, lambda s=s, e=e: _subject(ctx, _clause_start(low, s), e)))
    for value, s, e in _persons(ctx) if "person" in words else ():
        add(("person", value, lambda s=s, e=e: _subject(ctx, s, e)))
    for value, subject, s, _e in _cases(ctx) if not words.isdisjoint(_CASE_WORDS) else ():
        if not _in_parens(low, s):
            add(("case", value, lambda subject=subject: _with_context(subject, ctx)))
    for value, subject, _s, _e in _dates(ctx) if not words.isdisjoint(_DATE_WORDS) else ():
        add(("date-format", value, lambda subject=subject: _with_context(subject, ctx)))
    for value, _s, e in _unit_systems(ctx) if not words.isdisjoint(_UNIT_WORDS) else ():
        add(("units", value, lambda e=e: _units_subject(ctx, e)))
    for value, _s, _e in _spellings(ctx) if not words.isdisjoint(_SPELLING_WORDS) else ():
        add(("spelling", value, "response"))
    return out


def _numeric_subject(ctx: _Ctx, s: int, e: int, override: str | None) -> str | None:
    if override and override != "response" and not override.startswith("{} @ ") and ctx.lead_scope:
        override = f"{override} @ {ctx.lead_scope}"
    if override and override.startswith("{} @ "):
        subj = _subject(ctx, s, e)
        if subj is None:
            return None  # dropped
        head, _qual, soft = _split_subject(subj)
        override = f"{head} @ {override[5:]}" + "".join(f" ({k} {v})" for k, v in soft.items())
    return override or _subject(ctx, s, e)


def _units_subject(ctx: _Ctx, e: int) -> str:
    qual = ctx.lead_scope
    fm = rx.match(r"\s*(?:units?\s+)?for\s+(?:the\s+|all\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*)?)", ctx.low[e:])
    if fm and _canon_np(fm.group(1)) not in _SCOPE_STOP and fm.group(1) not in ("everything", "all"):
        qual = _canon_np(fm.group(1))
    return f"measurements @ {qual}" if qual else "measurements"


def _resolve(sent: _Sentence, pending: list[_Pending], kinds: set[str] | None = None) -> list[Constraint]:
    """The constraints of ``pending`` (only those of ``kinds`` unless None) with their subjects.

    A constraint without a subject is dropped, equal ones are kept once, and constraints of the same
    kind and subject with different values in one sentence cancel out. All three only compare
    constraints of one kind, so resolving some kinds gives those kinds' constraints of a full run."""
    out: list[Constraint] = []
    for kind, value, subject in pending:
        if kinds is not None and kind not in kinds:
            continue
        if not isinstance(subject, str):
            subject = subject()
            if subject is None:
                continue
        c = Constraint(kind, subject, value, sent.start, sent.end, sent.text)
        if c not in out:
            out.append(c)
    # one value per (kind, subject) per sentence; conflicting ones cancel out
    seen: dict[tuple[str, str], set[str]] = {}
    for c in out:
        seen.setdefault((c.kind, c.subject), set()).add(c.value)
    return [c for c in out if len(seen[(c.kind, c.subject)]) == 1]


def _analyse(sent: _Sentence) -> list[Constraint]:
    return _resolve(sent, _analyse_pending(sent))


def extract_constraints(text: str, skip: Callable[[int], bool] | str | None = None) -> list[Constraint]:
    """Constraints stated in the text, ignoring what lies in code, quotes and examples: ``skip`` is
    a callable true for such offsets, or (faster) a string of the text's length with NUL there."""
    out: list[Constraint] = []
    for sent in _sentences(text, skip, gated=True):
        out.extend(_analyse(sent))
    return out


# ---------------------------------------------------------------------------------------------
# Contradictions
# ---------------------------------------------------------------------------------------------


def _compatible(kind: str, a: str, b: str) -> bool:
    if a == b:
        return True
    if kind == "format":
        return _formats_compatible(a, b)
    if kind.startswith(("length:", "count:")):
        return not _numbers_conflict(a, b)
    return False


def _split_subject(subject: str) -> tuple[str, str, dict[str, str]]:
    """(head, hard qualifier, soft qualifiers by sort) of a subject string."""
    if " (" not in subject:  # no soft qualifier
        head, _, qual = subject.partition(" @ ")
        return head, qual, {}
    soft = dict(rx.findall(r" \((under|re) ([^()]*)\)", subject))
    main = rx.sub(r" \((?:under|re) [^()]*\)", "", subject)
    head, _, qual = main.partition(" @ ")
    return head, qual, soft


def _same_subject(a: Constraint, b: Constraint) -> bool:
    if a.subject == b.subject:
        return True
    ha, qa, sa = _split_subject(a.subject)
    hb, qb, sb = _split_subject(b.subject)
    if ha != hb or any(sa[k] != sb[k] for k in sa.keys() & sb.keys()):
        return False
    if qa == qb:
        return True
    if qa and qb:
        return False
    # "Post your report in #ops-alerts as ..." vs "For #ops-alerts, write ..."
    q, other = (qa, b) if qa else (qb, a)
    return bool(rx.search(r"(?<![\w-])" + re.escape(q) + r"(?:e?s)?(?![\w-])", other.sentence.lower()))


def find_contradictions(constraints: list[Constraint]) -> list[tuple[Constraint, Constraint]]:
    """(earlier, later) pairs where the later one contradicts the earlier one: same kind and subject, incompatible values. Report each later constraint at most once (against the most recent earlier one it contradicts)."""  # noqa: E501
    pairs: list[tuple[Constraint, Constraint]] = []
    for j, later in enumerate(constraints):
        for i in range(j - 1, -1, -1):
            earlier = constraints[i]
            if earlier.kind != later.kind or not _same_subject(earlier, later):
                continue
            if earlier.start == later.start and earlier.sentence == later.sentence:
                continue
            if _compatible(later.kind, earlier.value, later.value):
                break  # the later one restates (or refines) the current value
            pairs.append((earlier, later))
            break
    return pairs


def find_document_contradictions(
    texts: Iterable[tuple[K, str, Callable[[int], bool] | str | None]],
) -> tuple[list[tuple[K, Constraint]], list[tuple[Constraint, Constraint]]]:
    """``find_contradictions`` over the constraints of several texts ((key, text, skip) in order).

    Returns the (key, constraint) pairs it looked at and the contradictions. Only kinds with two
    incompatible values in the texts can contradict, and dropping constraints (no subject, cancelled
    in a sentence) never makes two values incompatible, so subjects are only computed for those
    kinds; the pairs are those of ``find_contradictions`` over all of ``extract_constraints``."""
    pending: list[tuple[K, _Sentence, list[_Pending]]] = []
    values: dict[str, set[str]] = {}
    for key, text, skip in texts:
        for sent in _sentences(text, skip, gated=True):
            found = _analyse_pending(sent)
            if found:
                pending.append((key, sent, found))
                for kind, value, _s in found:
                    values.setdefault(kind, set()).add(value)
    live = {
        kind
        for kind, vals in values.items()
        if len(vals) > 1 and any(not _compatible(kind, a, b) for a in vals for b in vals)
    }
    if not live:
        return [], []
    constraints = [(key, c) for key, sent, found in pending for c in _resolve(sent, found, live)]
    return constraints, find_contradictions([c for _, c in constraints])
