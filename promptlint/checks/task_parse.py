"""Split a prompt's instruction text into units and tell deliverables from constraints (TSK family).

A *unit* is one list item (bullets, numbers, ``(1)`` inline enumerations, ``Step N``) or one prose
sentence of an instruction message, with the context it sits in: the nearest heading and the
paragraph that leads into its list. Units are read line by line from the message text with code,
quotes, comments, quoted strings and examples blanked out, so offsets still map to file lines.

A *deliverable* is something this session must produce: an imperative request led by a
production verb ("Write the migration guide", "Build a React admin UI") or, in a list introduced
as a request ("Produce all of the following:"), a noun phrase naming a work product ("A press
release", "Job descriptions for all 25 roles"). Everything else that instructs is a *constraint*:
rules about how to work ("Never use passive voice"), acceptance criteria of one deliverable, facts,
capabilities ("You can read files"), and tasks for hypothetical future requests ("When asked to
write a test, ...").

Only anchored ``match`` calls on single lines or sentences are used, and no pattern nests
optional whitespace runs, so parsing is linear in the size of the prompt.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from promptlint.checks.turns import instruction_messages
from promptlint.lazyre import CaselessPattern, lazy_compile
from promptlint.model import CODE, COMMENT, EXAMPLE, QUOTE, QUOTED, PromptDocument

SKIP = frozenset({CODE, COMMENT, QUOTE, EXAMPLE, QUOTED})
BUDGET_SKIP = frozenset({CODE, COMMENT, QUOTE, EXAMPLE})

# List contexts.
REQUEST = "request"  # a list introduced as this session's work ("Produce all of the following:")
PROCEDURE = "procedure"  # steps to follow ("Procedure:", "# STEPS", "in order")
RULES = "rules"  # guidelines, constraints, acceptance criteria, style
CONDITIONAL = "conditional"  # "When asked to ...:", "If the user ...:"
CAPABILITY = "capability"  # "You can:", "Tools:", "Your responsibilities:"
PARTS = "parts"  # parts of one deliverable ("Include the following sections:")
PLAIN = "plain"  # no telling lead-in
EXAMPLE_CTX = "example"  # under an "Examples" / "User:" heading: illustrations, not requests

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs whose object is a new or changed work product.
PRODUCE = _words(
    """write rewrite implement reimplement build rebuild create recreate generate regenerate draft redraft translate
    deploy redeploy refactor design redesign migrate produce prepare compose develop add fix upgrade replace convert
    containerize containerise integrate plan outline compile document publish localize localise port scaffold
    configure automate instrument summarize summarise rework modernize modernise establish launch recapture re-capture
    backfill tune decommission internationalize internationalise author code program construct assemble craft devise
    formulate update install record film illustrate optimize optimise split move rotate submit book schedule organize
    organise edit proofread overhaul restructure revamp reorganize reorganise rename extend expand enhance improve
    patch provision automate set-up setup draw sketch animate shoot storyboard script transcribe rebrand"""
)
# Verbs that change something without producing a work product of their own (procedure steps).
CHANGE = _words(
    """remove delete drop trim normalize normalise deduplicate dedupe dedup merge commit push apply insert lowercase
    uppercase capitalize format reformat clean sort clone copy switch enable disable downgrade seed load import export
    tag mask encrypt archive close release bump revert restart fill cut open send post email upload download
    attach store save persist cancel rotate standardize standardise map fold join append prepend replace
    reconcile simulate backup restore run execute train fine-tune retrain benchmark bootstrap initialize initialise
    register consolidate anonymize anonymise redact pseudonymize flag mark label annotate"""
)
# Verbs whose result is a finding or an answer: deliverables only in a list framed as this session's work.
ANALYSIS = _words(
    """review analyze analyse audit check assess evaluate investigate identify inventory profile research compare
    verify validate test explore examine inspect study estimate calculate forecast model diagnose triage benchmark
    measure survey map catalogue catalog figure-out answer"""
)
# Imperatives that state how to work, not what to produce.
CONSTRAINT_LEAD = _words(
    """always never don't dont do-not avoid use prefer must should keep ensure respond reply answer be follow only
    limit stick favor favour maintain respect adhere remember note consider leverage utilize utilise strive aim
    refrain stay treat assume ask mention cite include exclude omit focus emphasize emphasise minimize minimise
    maximize maximise return output print speak talk act think reason explain describe state express tell give show
    let allow try handle apply match mirror reference quote link place put start end begin close open sign greet
    address wrap bold italicize capitalize spell"""
)
_MODAL_WORDS = _words(
    """must should shall will would can cannot can't may might is are was were has have does doesn't don't isn't
    aren't won't gets sits appears shows updates works comes falls covers passes uses returns renders contains stays
    remains matches supports allows lets displays moves loads fits"""
)
_WORD_SPLIT = lazy_compile(r"[^a-z']+")


def has_modal(low: str) -> bool:
    """True when lower-case text holds a modal or finite verb ("must", "is", "sits", "needs to")."""
    if "need to" in low or "needs to" in low or "has to" in low or "have to" in low:
        return True
    return not _MODAL_WORDS.isdisjoint(_WORD_SPLIT.split(low))


# Objects that are part of one response, not a work product of their own.
RESPONSE_PARTS = _words(
    """section sections list lists summary table tables bullet bullets paragraph paragraphs sentence sentences output
    outputs response responses answer answers reply title titles heading headings header headers line lines word
    words point points note notes item items field fields column columns row rows key keys label labels tag tags
    score scores rating ratings verdict explanation explanations conclusion introduction intro recap tldr tl;dr
    takeaway takeaways idea ideas insight insights quote quotes example examples step steps version variants variant
    option options suggestion suggestions recommendation recommendations comment comments feedback thought thoughts
    question questions markdown json yaml csv xml html block blocks format structure diagram diagrams chart charts
    emoji emojis hashtag hashtags keyword keywords bulleted numbered subsection subsections part parts phrase phrases
    alternative alternatives caption captions overview analysis breakdown description descriptions definition
    definitions"""
)
# Plural nouns that measure data, time or people rather than count work products.
NON_DELIVERABLE_UNITS = _words(
    """year years month months week weeks day days hour hours minute minutes second seconds ms percent % times x
    users user customers customer employees employee people persons person members member visitors visitor rows row
    records record requests request transactions events event lines bytes kb mb gb tb tokens token characters
    chars words word points bullets bullet ideas items entries entry ms fps rps qps req dollars usd eur euros
    cents k km miles kg lbs calories steps languages language countries country times instances nodes servers
    pods cores gb/s mbps seconds/request percent. pieces people's accounts messages"""
)
_REQUEST_CUE = CaselessPattern(
    r"\b(?:the following|all of the|all these|all of these|everything (?:below|i|we|you)|in this session|this session|"
    r"for this session|today|tonight|this week|for this run|this run|in one go|in a single|in one (?:session|run|pass|"
    r"sitting|shot)|each of (?:these|the following)|i need|we need|i want|we want|i'd like|we'd like|i would like|"
    r"please|your tasks?|your job|deliverables?|to-?dos?|tasks? for|objectives? for|need(?:s)? (?:done|help)|"
    r"help (?:me )?with|work through|every step below|steps? below|end to end|end-to-end|get (?:these|this|all) done|"
    r"bunch of|list of (?:tasks|things)|things (?:i|we) need|can you|could you)\b"
)
_PARTS_CUE = CaselessPattern(
    r"\b(?:include|includes|including|section|sections|fields?|columns?|structure|format|formatted|template|"
    r"containing|consisting|covering|should (?:have|contain|be)|must (?:have|contain|be)|with the following|"
    r"following (?:parts|elements|components|headings|keys|properties|information|details|criteria)|contain|"
    r"contains|comprises?|made up of|looks? like|output|response|answer|reply|return)\b"
)
_RULES_CUE = CaselessPattern(
    r"\b(?:guidelines?|rules?|conventions?|standards?|best practices?|principles?|style|tone|voice|constraints?|"
    r"requirements?|acceptance|criteria|definition of done|do'?s|don'?ts|restrictions?|limitations?|boundaries|"
    r"polic(?:y|ies)|behaviou?rs?|preferences?|tips?|notes?|checklist|quality|naming|wording|formatting|formats?|"
    r"instructions for (?:the )?output|output instructions|output format|dos and don'?ts|never|always|avoid|must|"
    r"should|important|critical|remember|reminders?|considerations?|patterns?|anti-patterns?|code style|accessibility|"
    r"security|performance|testing|error handling|documentation|typescript|javascript|python|react|general|key|core|"
    r"expectations?|standards?|things to avoid|mistakes|pitfalls|length|language|persona|identity|purpose|goal|"
    r"context|background|about|overview|project|structure|tech stack|stack|environment|setup|dependencies)\b"
)
_PROCEDURE_CUE = CaselessPattern(
    r"\b(?:steps?|procedure|process|workflow|in order|sequence|sequentially|phases?|stages?|method|methodology|"
    r"how to|runbook|playbook|algorithm|one by one|order of operations)\b"
)
_CAPABILITY_CUE = CaselessPattern(
    r"\b(?:you can|you may|you are able|you're able|capabilit(?:y|ies)|abilities|tools?|you have access|skills?|"
    r"expertise|specialt(?:y|ies)|speciali[sz]ations?|areas?|responsibilit(?:y|ies)|you (?:will )?help|i can|can help|"
    r"you'?re (?:an? )?expert|you are (?:an? )?expert|competenc(?:y|ies)|knowledge|features?|commands?|what you do|"
    r"services|offerings|use cases?|examples? of)\b"
)
_CONDITIONAL = lazy_compile(
    r"(?:if|when|whenever|unless|in case|should the|once the user|once a user|for any|for each (?:request|task|"
    r"question|user|new)|for every (?:request|task|question|new)|each time|every time|any time|anytime|where|after "
    r"(?:the user|a user|you receive|receiving)|upon|on (?:request|receiving)|given (?:a|an|the user)|for requests|"
    r"while|during|before (?:you|the user|responding|answering|writing|making)|as soon as|in the event|"
    r"in situations|in cases?|for tasks|for (?:bug|feature)s?|for (?:every|each|any|all) [\w-]+(?: [\w-]+)? "
    r"(?:you|that|the user|we|i|a user)\b|(?:after|before|upon|when) [\w-]+ing\b|after (?:each|every|any)|"
    r"to (?:add|create|write|build|implement|fix|update|"
    r"generate|run|set up|deploy|refactor|make|test|debug) (?:a|an|new|the)\b)\b",
    re.I,
)
_INVOCATION = lazy_compile(
    r"(?:when|once|if) (?:this|the) (?:rule|prompt|command|file|workflow|agent|mode|chat ?mode|instruction)s? "
    r"(?:is|are|gets?) (?:invoked|run|used|triggered|called|applied|activated|selected|executed)",
    re.I,
)
_GENERIC = CaselessPattern(
    r"\b(?:whenever|every time|each time|any time|as needed|where (?:appropriate|applicable|possible|needed|relevant)|"
    r"if (?:needed|necessary|applicable|appropriate|relevant|possible|any|requested|asked)|when (?:needed|necessary|"
    r"appropriate|relevant|applicable|possible|asked|requested)|as appropriate|when it makes sense|"
    r"(?:every|each|any|all) (?:new|future|subsequent|relevant|public|modified|changed|non-trivial|new|complex|"
    r"exported|user-facing)|for (?:every|each|any|all) (?:new|change|pr|commit|feature|function|component|file|"
    r"endpoint|module|class|method|request|response|task|answer|reply)|consistently|by default|in general|generally|"
    r"typically|usually|always|never|proper|properly|appropriate|appropriately|robust|comprehensive|meaningful|"
    r"descriptive|clear|clean|concise|reusable|consistent|idiomatic|modular|maintainable|readable|efficient|"
    r"best practices?|accordingly)\b"
)
_FILLER = lazy_compile(
    r"(?:please|kindly|also|then|and|next|now|finally|lastly|first|firstly|second|secondly|third|thirdly|"
    r"afterwards|additionally|plus|so|ok|okay|just|oh|besides|last|after that|once done|once that's done|"
    r"in addition|on top of that|after this|and then|and also|to start|to begin|to finish|in this session|"
    r"today|for this run|in this run|as well|step \d{1,3}|phase \d{1,3})\b[ \t]*[,:;.–—-]?[ \t]*",
    re.I,
)
_REQUEST_PREFIX = lazy_compile(
    r"(?:i need you to|i'd like you to|i would like you to|i want you to|we need you to|we want you to|"
    r"we'd like you to|you need to|you'll need to|you will need to|you are to|you're to|your (?:task|job|goal|"
    r"mission|assignment|objective) (?:today |here |now )?(?:is|will be) to|can you|could you|would you|will you|"
    r"help me|help us|go ahead and|make sure to|be sure to|remember to|don't forget to|i need to|we need to|"
    r"the task is to|the goal is to|your work is to)\b[ \t]*",
    re.I,
)
_NOUN_REQUEST = lazy_compile(
    r"(?:i|we) (?:need|want|would like|'d like|also need|also want)[ \t]+(?P<obj>(?:a|an|the|some|\d[\d,]*|two|three|"
    r"four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|one hundred|a hundred|our|my)\b.*)",
    re.I,
)
_DETERMINER = _words(
    """a an the one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty
    hundred our my this that these those all every each both several separate new full complete entire whole its
    their his her some"""
)
_ITEM = lazy_compile(
    r"(?:(?P<bullet>[-*+•‣▪◦●])|(?P<num>\d{1,3})[.)]|\((?P<pnum>\d{1,3})\)|(?P<alpha>[a-z])[.)](?=[ \t]))[ \t]+",
    re.I,
)
_STEP = lazy_compile(
    r"(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:step|phase|stage|task)[ \t]*(?P<n>\d{1,3})(?![\d.,])[ \t]*(?:\*\*|__)?"
    r"[ \t]*(?:[:.)–—-]|\*\*|$)",
    re.I,
)
_HEADING = lazy_compile(r"#{1,6}[ \t]+(?P<h>.*)")
_BOLD_LINE = lazy_compile(r"(?:\*\*|__)(?P<h>[^*_\n]{1,80})(?:\*\*|__)[ \t]*:?[ \t]*$")
_CAPS_LINE = lazy_compile(r"(?P<h>[A-Z][A-Z0-9 &/'()-]{2,60}):?[ \t]*$")
_INLINE_ENUM = lazy_compile(r"(?:^|[ \t(:;,])\(?(?P<n>\d{1,2})\)[ \t]")
_SENTENCE_END = lazy_compile(r"[.!?][\"'”’)]?(?=[ \t]+[\"'“‘(]?[A-Z0-9])")
# Words a sentence-ending "." may follow without ending the sentence (besides "e.g", "i.e" and initials).
_ABBREVIATIONS = ("etc", "vs", "mr", "mrs", "ms", "dr", "no", "st", "approx", "incl", "cf", "fig", "p", "pp", "al")
_ABBREV = lazy_compile(r"(?:\b(?:e\.g|i\.e|" + "|".join(_ABBREVIATIONS) + r")|\b[A-Z])$", re.I)
_WORD = lazy_compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
_PREP_STOP = _words(
    """of for with about on in into to from that which who using per by based called named titled labeled labelled
    as at and or but so including plus via across between covering containing where when if while under over than
    like within without explaining describing showing"""
)


_STEP_FIRST = frozenset("sSpPtT")  # first letters of a step without markup
_ITEM_FIRST = frozenset("-*+•‣▪◦●(")
_CHECKBOX = lazy_compile(r"^\[[ xX]\][ \t]*")
_LOWER_WORD = lazy_compile(r"[a-z][a-z-]*")
_LABEL = lazy_compile(r"[a-z][a-z'-]*[ \t]*:")
_VERB = lazy_compile(r"([a-z][a-z'-]*)(?:[ \t]+(up|together|through|out|over|up with)\b)?[ \t]*")
_TOKEN_SPLIT = lazy_compile(r"([(,:;—–]|\s)")
_RULE_START = lazy_compile(r"(?:no|not|only|never|always|don't|do not|avoid|each|every|all|any|it|they|this|these)\b")
_MODAL_START = lazy_compile(r"(?:must|should|shall|will|would|can|may|might)\b")
_PRONOUN_START = lazy_compile(r"(?:you|we|i|they)\b")
_WORDY_START = lazy_compile(r"[\"'“(]?[A-Za-z0-9]")
_AND_THEN = lazy_compile(r"\b(?:and|then)\b")


@dataclass
class Unit:
    """One list item or prose sentence of an instruction message."""

    msg: int
    start: int  # offset in the message text
    end: int
    doc: PromptDocument = field(repr=False, compare=False)
    text: str  # one-line text, markup stripped
    kind: str  # "item", "step", "inline" or "sentence"
    block: int  # id of the list (items) or paragraph (sentences)
    number: int | None = None
    indent: int = 0
    depth: int = 0  # 0 for top-level items
    heading: str = ""
    lead: str = ""
    context: str = PLAIN
    conditional: bool = False
    umbrella: bool = False  # a sentence that introduces a request list or procedure ("Produce the following:")
    vote: bool = False  # an item of a plain list whose items are nearly all production requests
    children: list[Unit] = field(default_factory=list, repr=False)
    _line: int = field(default=0, repr=False, compare=False)

    @property
    def line(self) -> int:
        """1-based file line of the unit's first character (computed on first use)."""
        if not self._line:
            self._line = self.doc.position(self.msg, self.start)[0]
        return self._line


@dataclass
class Task:
    """A deliverable or a procedure step found in a unit."""

    text: str
    line: int
    verb: str
    obj: str
    unit: Unit = field(repr=False)
    noun: bool = False  # a noun-phrase item in a request list

    def label(self, width: int = 48) -> str:
        words = self.text.split()
        out = ""
        for w in words:
            if len(out) + len(w) + 1 > width:
                return out + "…"
            out = f"{out} {w}" if out else w
        return out


# ---------------------------------------------------------------------------------------------
# Splitting messages into units
# ---------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Collapse whitespace and drop Markdown emphasis, checkboxes and link syntax."""
    if "*" in text or "_" in text or "`" in text:
        text = text.replace("**", "").replace("__", "").replace("`", "")
    if text.startswith("["):
        text = _CHECKBOX.sub("", text)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # single-spaced already: the only printable whitespace is " "
    return " ".join(text.split())


def _heading_of(content: str) -> str | None:
    m = _HEADING.match(content)
    if m:
        return m.group("h").strip("#*_ :\t")
    m = _BOLD_LINE.match(content)
    if m and len(m.group("h").split()) <= 10:
        return m.group("h").strip(" :")
    m = _CAPS_LINE.match(content)
    if m and len(m.group("h").split()) <= 6 and any(c.isalpha() for c in m.group("h")):
        return m.group("h").strip(" :")
    return None


@lru_cache(maxsize=1024)
def _split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of the sentences of a paragraph (cached: a paragraph is split again as a lead-in)."""
    out = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if _after_abbreviation(text[max(pos, m.start() - 8) : m.start()]):
            continue
        out.append((pos, m.end()))
        pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    if pos < len(text):
        out.append((pos, len(text)))
    return tuple(out)


_WORD_RUN = lazy_compile(r"\w*")
_ABBREVIATION_SET = frozenset(_ABBREVIATIONS)


def _after_abbreviation(piece: str) -> bool:
    """``_ABBREV.search(piece)``: the text ends with an abbreviation ("e.g", "etc", "Dr") or an initial ("J").

    On ASCII text that is its last word (a run of word characters) being one letter or an abbreviation;
    "e.g" and "i.e" end in a one-letter word.
    """
    if not piece.isascii() or piece.endswith("\n"):
        return _ABBREV.search(piece) is not None
    word = _WORD_RUN.match(piece[::-1]).group()  # the last word, reversed
    return (len(word) == 1 and word.isalpha()) or word[::-1].lower() in _ABBREVIATION_SET


_STRONG_RULES = CaselessPattern(
    r"\b(?:guidelines?|rules?|conventions?|principles?|constraints?|requirements?|criteria|standards?|"
    r"best practices?|do'?s|don'?ts|style|tone|polic(?:y|ies)|restrictions?|checklist|notes?|reminders?|"
    r"considerations?|tips?|preferences?|expectations?)\b"
)
_STRONG_REQUEST = CaselessPattern(
    r"\b(?:all of the following|all of these|everything (?:below|i|we)|in this session|this session|today|"
    r"tonight|this week|this run|in one go|in a single|in one (?:session|run|pass|sitting|shot)|i need(?! to\b)|"
    r"we need(?! to\b)|i want(?! to\b)|we want(?! to\b)|i'd like|we'd like|i would like|deliverables?|to-?dos?|"
    r"tasks? for|objectives? for|need(?:s)? (?:done|help)|help (?:me )?with|work through|every step below|"
    r"steps? below|end to end|end-to-end|bunch of|things (?:i|we) need)\b"
)


_REQUEST_HEADING = lazy_compile(
    r"(?:\d{1,2}[.)] ?)?(?:your |today's |this session's |session |my |our )?(?:deliverables|tasks|to-?do(?: list)?|"
    r"work items|backlog|assignments?|asks|requests|things to do)(?: for (?:this session|today|this run|the session|"
    r"this sprint|you))?(?: today)?[ \t:]*$",
    re.I,
)
_EXAMPLE_HEADING = CaselessPattern(
    r"^(?:user|assistant|system|human|ai|bot|model|input|output)[ \t:]*$|\b(?:examples?|samples?|demos?|"
    r"illustrations?|transcripts?|few-shot|sample (?:input|output)|example (?:input|output)|knowledge|"
    r"appendix|references?|glossary|definitions?|faq)\b"
)
_BARE_REQUEST = lazy_compile(
    r"(?:(?:please |kindly |now |so |could you |can you )+[a-z-]+(?: up| together)?(?: (?:the following|these|all of "
    r"these|all of the following|the following items|all of this|everything below))?|[a-z-]+(?: up| together)? "
    r"(?:the following|these|all of these|all of the following|the following items|all of this|everything below))"
    r"[ \t]*:$"
)
_ALL_OF = CaselessPattern(
    r"\b(?:following|these|all of|everything|below|deliverables|items|complete|entire|full|whole|each of)\b"
)
_LIST_OF_WORK = lazy_compile(r"\b(?:all of the following|the following (?:deliverables|items|tasks|things|work))\b")
_CRITERIA = lazy_compile(r"\b(?:if|when|unless|whether|true|false|met|satisfied|hold|holds|apply|applies)\b")
_NOT_REQUEST_END = lazy_compile(
    r"\b(?:with|by|for|including|like|such as|as follows|e\.g\.|namely|about|on|to)[ \t]*:$"
)


def _sentences_of(text: str) -> list[str]:
    """Lower-cased sentences of a text (split on the original case)."""
    return [text[s:e].strip().lower() for s, e in _split_sentences(text) if text[s:e].strip()]


@lru_cache(maxsize=4096)
def _conditional_text(text: str) -> bool:
    """True when lower-case text opens with a condition ("if the user ...", "when asked to ...")."""
    return bool(text) and bool(_CONDITIONAL.match(_strip_fillers(text))) and not _INVOCATION.match(text)


@lru_cache(maxsize=1024)
def _heading_list_context(head_l: str) -> tuple[str, bool]:
    """The context a (lower-case) heading gives to a list whose lead-in says nothing telling."""
    if head_l:
        if _REQUEST_HEADING.match(head_l):
            return REQUEST, False
        if _EXAMPLE_HEADING.search(head_l):
            return EXAMPLE_CTX, False
        if _PROCEDURE_CUE.search(head_l):
            return PROCEDURE, False
        if _CAPABILITY_CUE.search(head_l):
            return CAPABILITY, False
        if _STRONG_RULES.search(head_l) or _RULES_CUE.search(head_l):
            return RULES, False
    return PLAIN, False


def _framed(x: str) -> bool:
    return bool(_STRONG_REQUEST.search(x)) and not _CRITERIA.search(x)


@lru_cache(maxsize=2048)
def _classify_context(heading: str, lead: str) -> tuple[str, bool]:
    """The context of a list from its heading and lead-in paragraph, and whether it is conditional."""
    if len(lead) > 600:
        cut = lead.find(" ", len(lead) - 600)
        lead = lead[cut + 1 :] if cut != -1 else lead[-600:]
    sentences = _sentences_of(lead) if lead else []
    last = sentences[-1] if sentences else ""
    head_l = heading.lower()
    first = sentences[0] if len(sentences) <= 3 and sentences else ""
    for text in (last, head_l, first):
        if text and _conditional_text(text):
            return CONDITIONAL, True
    m = _INVOCATION.match(last)
    if m:
        last = last[m.end() :].lstrip(" ,")
        sentences[-1] = last
    if last and _REQUEST_HEADING.match(last):
        return REQUEST, False
    if last:
        if _CAPABILITY_CUE.search(last) and not _has_produce_lead(last):
            return CAPABILITY, False
        if (
            _PARTS_CUE.search(last)
            and not _LIST_OF_WORK.search(last)
            and (_has_produce_verb(last) or not _REQUEST_CUE.search(last))
        ):
            return PARTS, False
        if _STRONG_RULES.search(last):
            return RULES, False
        if any(_has_produce_lead(x) and _framed(x) for x in sentences):
            return REQUEST, False  # "Rebuild the pipeline by performing every step below, in a single run."
        if last.endswith(":") and any(_framed(x) for x in sentences) and not _NOT_REQUEST_END.search(last):
            return REQUEST, False
        if (
            last.endswith(":")
            and _has_produce_lead(last)
            and _ALL_OF.search(last)
            and not _NOT_REQUEST_END.search(last)
        ):
            return REQUEST, False
        if _BARE_REQUEST.fullmatch(last) and _has_produce_lead(last):
            return REQUEST, False
        if last.endswith(":") and _has_produce_lead(last):
            return PARTS, False  # "Build the signup form:" then its parts or criteria
        if _PROCEDURE_CUE.search(last):
            return PROCEDURE, False
    return _heading_list_context(head_l)


def _strip_fillers(text: str) -> str:
    prev = None
    while prev != text:
        prev = text
        m = _FILLER.match(text)
        if m and m.end() > 0:
            text = text[m.end() :]
    return text


def _has_produce_verb(text: str) -> bool:
    return any(w in PRODUCE for w in _LOWER_WORD.findall(text.lower()))


def _has_produce_lead(text: str) -> bool:
    m = _LOWER_WORD.match(_strip_lead(text.lower()))
    return bool(m) and m.group(0) in PRODUCE


@lru_cache(maxsize=8192)
def _strip_lead(text: str) -> str:
    """Drop fillers ("Please", "Also", "Then") and request prefixes ("I need you to") from a unit's start."""
    m = _INVOCATION.match(text) if _may_open(text, _INVOCATION_FIRST) else None
    if m:
        comma = text.find(",", m.end())
        text = text[comma + 1 :].lstrip() if comma != -1 and comma - m.end() < 30 else text[m.end() :].lstrip()
    prev = None
    while prev != text:
        prev = text
        m = _FILLER.match(text) if _may_open(text, _FILLER_FIRST) else None
        if m and m.end() > 0:
            text = text[m.end() :]
        m = _REQUEST_PREFIX.match(text) if _may_open(text, _REQUEST_PREFIX_FIRST) else None
        if m and m.end() > 0:
            text = text[m.end() :]
    return text


def split_units(doc: PromptDocument) -> list[Unit]:
    """Every list item and prose sentence of the document's instruction messages, in order."""
    units: list[Unit] = []
    block = 0
    for i in instruction_messages(doc):
        msg = doc.messages[i]
        text = msg.masked_text(SKIP)
        block = _split_message(doc, i, text, units, block)
    return units


def _split_message(doc: PromptDocument, mi: int, text: str, units: list[Unit], block: int) -> int:
    heading = ""
    lead = ""  # the paragraph right before the current list
    para: list[tuple[int, str]] = []  # (offset, line content) of the current prose paragraph
    item: list | None = None  # [start, indent, number, kind, [(offset, content)], list_id]
    list_id = -1
    list_context = (PLAIN, False)
    list_lead = ""
    last_num: dict[int, int] = {}
    blank_run = 0
    parents: list[Unit] = []
    para_block = -1
    umbrella_blocks: set[int] = set()
    first_unit = len(units)

    def flush_para() -> None:
        nonlocal para, lead, block, para_block
        if not para:
            return
        joined = para[0][1] if len(para) == 1 else " ".join([content for _, content in para])
        block += 1
        para_block = block
        _para_units(doc, mi, units, para, joined, block, heading)
        lead = joined
        para = []

    def flush_item() -> None:
        nonlocal item
        if item is None:
            return
        start, indent, number, kind, lines, lid = item
        content = _clean(lines[0][1] if len(lines) == 1 else " ".join([c for _, c in lines]))
        depth = 0
        while parents and parents[-1].indent >= indent and parents[-1].block == lid:
            parents.pop()
        parent = parents[-1] if parents and parents[-1].block == lid else None
        if parent is not None:
            depth = parent.depth + 1
        ctx, cond = list_context
        # Positional: a dataclass called with keywords costs twice as much.
        unit = Unit(mi, start, start + len(content), doc, content, kind, lid, number, indent, depth, heading, list_lead)
        unit.context, unit.conditional = ctx, cond
        if parent is not None:
            parent.children.append(unit)
            if parent.text.endswith(":"):  # unit texts are cleaned: no trailing whitespace
                sub_ctx, sub_cond = _classify_context("", parent.text)
                if sub_ctx != PLAIN:
                    unit.context, unit.conditional = sub_ctx, sub_cond or cond
                    unit.lead = parent.text
        parents.append(unit)
        units.append(unit)
        item = None

    pos = 0
    for raw in text.split("\n"):
        line_start = pos
        pos += len(raw) + 1
        if not raw or raw.isspace():  # a blank line (masked code is blank too)
            blank_run += 1
            if item is not None:
                flush_item()
            if para:
                flush_para()
            continue
        stripped = raw.lstrip(" \t")
        indent = len(raw) - len(stripped)
        content = stripped.rstrip()
        off = line_start + indent
        c0 = content[0]
        marked = c0 == "#" or content.startswith(("**", "__"))  # the only markup a heading or a step opens with
        # Headings: "#", "**"/"__" or all-capitals lines (for which ``content.isupper()`` holds).
        h = _heading_of(content) if marked or (c0.isupper() and content.isupper()) else None
        step = _STEP.match(content) if marked or c0 in _STEP_FIRST else None
        m = None
        if not step and (c0 in _ITEM_FIRST or c0.isdigit() or (content[1:2] in (".", ")") and c0.isalpha())):
            m = _ITEM.match(content)
        if h is not None and not step and not (m and not content.startswith("#")):
            if item is not None:
                flush_item()
            if para:
                flush_para()
            heading, lead = h, ""
            list_id = -1
            blank_run = 0
            continue
        if step or m:
            if item is not None:
                flush_item()
            if para:
                flush_para()
            number = None
            kind = "item"
            if step:
                number = int(step.group("n"))
                kind = "step"
                body_start = step.end()
            else:
                assert m is not None
                num, pnum = m.group("num", "pnum")
                n = num or pnum
                number = int(n) if n else None
                body_start = m.end()
            new_list = list_id == -1
            if not new_list and number is not None and indent in last_num:
                # A numbered list continues across blank lines when its numbers follow on.
                new_list = number != last_num[indent] + 1 and number <= last_num[indent]
            if not new_list and blank_run and lead and list_lead != lead:
                new_list = True
            if new_list:
                block += 1
                list_id = block
                list_lead = lead
                list_context = _classify_context(heading, lead)
                if lead and list_context[0] in (REQUEST, PROCEDURE):
                    umbrella_blocks.add(para_block)
                last_num = {}
                parents.clear()
            if number is not None:
                last_num[indent] = number
            item = [off + body_start, indent, number, kind, [(off + body_start, content[body_start:])], list_id]
            blank_run = 0
            continue
        if item is not None and (indent > item[1] or not blank_run):
            item[4].append((off, content))
            continue
        if item is None and list_id != -1 and indent > 0 and parents and not para:
            # An indented paragraph under a list item belongs to it; keep it out of the lead.
            blank_run = 0
            continue
        if blank_run and list_id != -1 and not para:
            list_id = -1
        para.append((off, content))
        blank_run = 0
    flush_item()
    flush_para()
    new_units = units[first_unit:]
    if umbrella_blocks:
        for unit in new_units:
            if unit.kind == "sentence" and unit.block in umbrella_blocks:
                unit.umbrella = True
    _vote(new_units)
    return block


def _vote(units: list[Unit]) -> None:
    """Mark the items of plain lists whose top-level items are nearly all production requests."""
    lists: dict[int, list[Unit]] = {}
    for unit in units:
        if unit.kind in ("item", "inline", "step") and unit.depth == 0 and unit.context in (PLAIN, PROCEDURE):
            lists.setdefault(unit.block, []).append(unit)
    for items in lists.values():
        if len(items) < 3:
            continue
        produce = len(items)  # at most; stop counting once the share of production requests cannot reach 80%
        for u in items:
            if lead_verb(u.text)[0] not in PRODUCE:
                produce -= 1
                if produce < 0.8 * len(items):
                    break
        if produce < 0.8 * len(items):
            continue
        rules = sum(1 for u in items if is_constraint(u) or _generic(u.text))
        if rules <= 0.1 * len(items):
            for u in items:
                u.vote = True


def _generic(text: str) -> bool:
    """True when the text is a standing rule ("whenever", "always", "clean", "every new ..."): ``_GENERIC``."""
    return _GENERIC.search(text) is not None


def _firsts(letters: str) -> frozenset[str]:
    return frozenset(letters + letters.upper())


# First letters of the alternatives of case-insensitive anchored patterns (tests/test_tasks.py checks them).
_CONDITIONAL_FIRST = _firsts("abdefgiostuw")
_FILLER_FIRST = _firsts("abfijklnopst")
_REQUEST_PREFIX_FIRST = _firsts("bcdghimrtwy")
_INVOCATION_FIRST = _firsts("iow")


def _may_open(text: str, first: frozenset[str]) -> bool:
    """False when an ASCII first character rules out every alternative of a pattern opening with ``first``."""
    c = text[:1]
    return c in first or not c.isascii()


def _condition_match(text: str) -> bool:
    """``_CONDITIONAL.match(text)``, skipped when the first character rules out every alternative."""
    return _may_open(text, _CONDITIONAL_FIRST) and _CONDITIONAL.match(text) is not None


def _para_units(
    doc: PromptDocument, mi: int, units: list[Unit], para: list[tuple[int, str]], joined: str, block: int, heading: str
) -> None:
    """The sentences of a prose paragraph: ``para`` holds its (offset, line) pairs, ``joined`` its lines' text."""
    starts = _line_starts(para) if len(para) > 1 else [0]
    cond_para = False
    for k, (s, e) in enumerate(_split_sentences(joined)):
        sentence = joined[s:e].strip()
        if not sentence:
            continue
        j = max(bisect_right(starts, s) - 1, 0) if len(starts) > 1 else 0  # the line holding offset s
        off = para[j][0] + (s - starts[j])
        if k == 0 and _condition_match(sentence) and not _INVOCATION.match(sentence):
            cond_para = sentence.endswith(":")  # sentences are stripped
        _inline_or_sentence(doc, mi, units, sentence, off, block, heading, cond_para)


def _line_starts(para: list[tuple[int, str]]) -> list[int]:
    """Offsets of a paragraph's lines in their space-joined text (increasing)."""
    starts = []
    pos = 0
    for _, content in para:
        starts.append(pos)
        pos += len(content) + 1
    return starts


def _inline_or_sentence(
    doc: PromptDocument, mi: int, units: list[Unit], sentence: str, off: int, block: int, heading: str, cond: bool
) -> None:
    """A prose sentence, or the lead and items of an inline enumeration "(1) ... (2) ... (3) ..."."""
    if "1)" in sentence and "2)" in sentence and "3)" in sentence:  # the first marks must be 1), 2), 3)
        marks = list(_INLINE_ENUM.finditer(sentence))
        if len(marks) >= 3 and [int(m.group("n")) for m in marks[:3]] == [1, 2, 3]:
            _inline_units(doc, mi, units, sentence, marks, off, block, heading, cond)
            return
    units.append(_sentence_unit(doc, mi, sentence, off, block, heading, cond))


def _inline_units(
    doc: PromptDocument,
    mi: int,
    units: list[Unit],
    sentence: str,
    marks: list[re.Match[str]],
    off: int,
    block: int,
    heading: str,
    cond: bool,
) -> None:
    """The lead and items of an inline enumeration "(1) ... (2) ... (3) ..."."""
    lead = sentence[: marks[0].start()].strip()
    ctx, c = _classify_context(heading if not lead else "", lead)
    if cond:
        ctx, c = CONDITIONAL, True
    if lead:
        units.append(_sentence_unit(doc, mi, lead, off, block, heading, cond))
        units[-1].umbrella = ctx in (REQUEST, PROCEDURE)
    for k, m in enumerate(marks):
        s = m.end()
        e = marks[k + 1].start() if k + 1 < len(marks) else len(sentence)
        body = sentence[s:e].strip(" ;,.")
        if body.lower().endswith(" and"):
            body = body[:-4]
        units.append(
            Unit(
                msg=mi,
                start=off + s,
                end=off + e,
                doc=doc,
                text=_clean(body),
                kind="inline",
                block=block * 1000 + 1,
                number=int(m.group("n")),
                heading=heading,
                lead=lead,
                context=ctx,
                conditional=c,
            )
        )


@lru_cache(maxsize=1024)
def _heading_context(heading: str) -> str:
    """The context a heading gives to the prose under it: examples, conditional rules, or none."""
    if _EXAMPLE_HEADING.search(heading):
        return EXAMPLE_CTX
    low = heading.lower()
    if _CONDITIONAL.match(low) and not _INVOCATION.match(low):
        return CONDITIONAL
    return PLAIN


def _sentence_unit(doc: PromptDocument, mi: int, sentence: str, off: int, block: int, heading: str, cond: bool) -> Unit:
    context = CONDITIONAL if cond else PLAIN
    if heading and not cond:
        context = _heading_context(heading)
        cond = context == CONDITIONAL
    # Positional: a dataclass called with keywords costs twice as much.
    unit = Unit(mi, off, off + len(sentence), doc, _clean(sentence), "sentence", block, None, 0, 0, heading)
    unit.context, unit.conditional = context, cond
    return unit


# ---------------------------------------------------------------------------------------------
# Classifying units
# ---------------------------------------------------------------------------------------------


_MAKE_OBJECT = lazy_compile(r"(?:a|an|\d|one|two|three|four|five|six|seven|eight|nine|ten|the \w+ (?:for|of))\b")


@lru_cache(maxsize=8192)
def lead_verb(text: str) -> tuple[str, str]:
    """The leading imperative verb of a unit (lower case) and the rest, after fillers and request prefixes."""
    body = _strip_lead(text.strip().lstrip("-–—:;,. ").lower())
    body = body.lstrip("*_ ")
    if ":" in body and _LABEL.match(body):
        return "", body  # a label ("EDIT:", "Update:"), not an imperative
    m = _VERB.match(body)
    if not m:
        return "", body
    verb = m.group(1)
    rest = body[m.end() :]
    if m.group(2) == "up" and verb in ("set", "clean", "spin", "stand", "write", "draw", "whip", "make", "draft"):
        verb = "set-up" if verb == "set" else verb
    elif m.group(2) == "together" and verb == "put":
        verb = "compile"
    elif m.group(2) == "up with" and verb == "come":
        verb = "devise"
    elif m.group(2):
        rest = body[m.start(2) :]
    if m.group(2) == "out" and verb in ("work", "figure", "find", "sort"):
        verb, rest = "figure-out", body[m.end() :]
    if verb == "get" and " ready" in f" {rest}":
        verb = "prepare"
    if verb == "go" and rest.startswith("through"):
        verb = "review"
    if verb == "make" and not _MAKE_OBJECT.match(rest):
        verb = "make-sure"  # "make sure", "make it concise": a constraint
    return verb, rest


def head_noun(obj: str) -> str:
    """The head noun of an object phrase: its last word before a preposition, parenthesis or clause."""
    words = []
    for tok in _TOKEN_SPLIT.split(obj):
        if not tok or tok.isspace():
            continue
        if tok in "(,:;—–":
            break
        w = tok.lower().strip(".!?\"'")
        if w in _PREP_STOP and words:
            break
        if w.endswith("ing") and words and len(w) > 5:
            break
        words.append(w)
        if len(words) >= 6:
            break
    while words and (words[-1] in _DETERMINER or not words[-1]):
        words.pop()
    return words[-1] if words else ""


_IMAGINARY = lazy_compile(
    r"\b(?:in your (?:mind|head)|mentally|imagine|imaginary|virtual whiteboard|(?:team|panel|group) of [\w ]{0,20}"
    r"(?:agents|experts|personas)|section (?:called|named|titled)|(?:in|into|under) (?:a|the) (?:section|heading)|"
    r"in (?:the|your) (?:output|response|answer|reply)|in (?:this|the following|that|a|the same) format|as follows|"
    r"like this)\b",
    re.I,
)


def is_specific(obj: str) -> bool:
    """True when the object names a particular work product ("a", "the", a number, a path or a name)."""
    words = obj.split()
    if not words:
        return False
    first = words[0].strip("\"'(").lower()
    if first in _DETERMINER or first[:1].isdigit():
        return True
    raw = obj.split()[0]
    return "/" in raw or "." in raw.strip(".") or "_" in raw


def is_constraint(unit: Unit) -> bool:
    """A rule about how to work: prohibitions, modals, "use/keep/ensure", criteria with a finite verb."""
    text = unit.text.strip()
    if not text:
        return False
    verb, rest = lead_verb(text)
    if verb in CONSTRAINT_LEAD or verb == "make-sure" or (verb in ("do", "does") and rest.startswith("not")):
        return True
    low = text.lower()
    if _RULE_START.match(low):
        return True
    return verb not in PRODUCE and has_modal(low)


_NOT_WORK = (RULES, CONDITIONAL, CAPABILITY, PARTS, EXAMPLE_CTX)
_NOT_REQUESTED = RESPONSE_PARTS | {"help", "you", "answer", "response"}  # "I need help", "we want a response"


def classify(unit: Unit, agent_file: bool, loose: bool = False) -> Task | None:
    """The deliverable a unit asks for in this session, or None.

    ``loose`` accepts a production verb with any object (a later clause of an imperative sentence, or an item of
    a list whose items are nearly all production requests).
    """
    if unit.conditional or unit.context in _NOT_WORK:
        return None
    if agent_file and (unit.context != REQUEST or not unit.lead):
        return None  # standing rules; only a list introduced as this session's work counts
    text = unit.text.strip()
    if len(text) < 4 or text.endswith("?"):
        return None
    verb, rest = lead_verb(text)
    in_request = unit.context == REQUEST
    low = text.lower()
    # Each way to a deliverable rejects a unit that opens with a condition; checked once the way is known.
    if verb in PRODUCE or (in_request and (verb in ANALYSIS or verb == "do")):
        if _opens_with_condition(low):
            return None
        return _production(unit, text, low, verb, rest, in_request, loose)
    if in_request and unit.kind in ("item", "inline", "step") and unit.depth == 0:
        # A noun-phrase item of a request list: "A press release (600–800 words)", "50 named NPCs ...".
        label = text.split(":", 1)[0] if ":" in text[:60] else text
        if is_constraint(unit) or has_modal(label.lower()):
            return None
        if not _WORDY_START.match(label) or _opens_with_condition(low):
            return None
        return Task(text=text, line=unit.line, verb="", obj=text, unit=unit, noun=True)
    if unit.kind == "sentence" and not agent_file:
        m = _NOUN_REQUEST.match(_strip_lead(low))
        if m and head_noun(m.group("obj")) not in _NOT_REQUESTED and not _opens_with_condition(low):
            return Task(text=text, line=unit.line, verb="need", obj=m.group("obj"), unit=unit, noun=True)
    return None


def _opens_with_condition(low: str) -> bool:
    """True when lower-case unit text opens with a condition, after fillers and request prefixes."""
    return _condition_match(_strip_lead(low)) and not _INVOCATION.match(low)


def _production(unit: Unit, text: str, low: str, verb: str, rest: str, in_request: bool, loose: bool) -> Task | None:
    """The deliverable of a unit led by a production verb (or any verb in a request list), or None."""
    user_turn = unit.doc.kind == "chat" and unit.doc.messages[unit.msg].role == "user"
    loose = loose or unit.vote or user_turn
    if verb in PRODUCE and not in_request:
        if not (loose or is_specific(rest)) or _generic(low):
            return None
        if unit.kind == "sentence" and (_MODAL_START.match(low) or _PRONOUN_START.match(low)):
            return None
    noun = head_noun(rest)
    if noun in RESPONSE_PARTS and not in_request and not user_turn:
        return None
    vague = not rest.strip() or noun in ("it", "them", "this", "that", "everything", "anything", "something")
    if vague and not in_request:
        return None
    if _IMAGINARY.search(text):
        return None
    return Task(text=text, line=unit.line, verb=verb, obj=rest, unit=unit)


def is_action_step(unit: Unit) -> bool:
    """A procedure step that produces or changes something."""
    verb, rest = lead_verb(unit.text)
    if verb in PRODUCE or verb in CHANGE:
        return True
    # "Investigate and fix every mismatch", "Read the header and confirm ...": a later verb may act.
    for part in _AND_THEN.split(rest)[1:3]:
        v = part.strip().split(" ", 1)[0] if part.strip() else ""
        if v in PRODUCE or v in CHANGE:
            return True
    return False
