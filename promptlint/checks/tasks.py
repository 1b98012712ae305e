"""Oversized per-session tasks (TSK family): too many deliverables, long procedures, unbounded scope,
bundled objectives and a heavy instruction budget.

The longer a model works in one session, the larger the share of its errors that is variance
rather than bias (Hägele et al., "The Hot Mess of AI", 2026), and instruction following falls off
as instructions pile up (IFScale, 2025). These rules count what one prompt asks for *in this
session* (see :mod:`promptlint.checks.task_parse`) and propose a split into sessions.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

from promptlint.checks.task_parse import (
    _PREP_STOP,
    ANALYSIS,
    BUDGET_SKIP,
    CAPABILITY,
    CHANGE,
    CONDITIONAL,
    EXAMPLE_CTX,
    PARTS,
    PROCEDURE,
    PRODUCE,
    REQUEST,
    RULES,
    Task,
    Unit,
    _firsts,
    _may_open,
    _words,
    classify,
    is_action_step,
    is_constraint,
    lead_verb,
    split_units,
)
from promptlint.checks.turns import instruction_messages
from promptlint.context import RuleContext
from promptlint.lazyre import CaselessPattern, lazy_compile
from promptlint.model import Message, PromptDocument

DEFAULTS = {
    "max_deliverables": 5,
    "max_steps": 12,
    "max_count": 20,
    "max_words": 10000,
    "max_pages": 50,
    "max_languages": 5,
    "max_topics": 3,
    "max_tokens": 6000,
}


@dataclass
class Analysis:
    """Everything the TSK rules need about one document, computed once."""

    units: list[Unit]
    deliverables: list[Task]
    procedure: list[Task]  # the longest sequential procedure's steps
    action_steps: list[Task]  # its steps that produce or change something

    @property
    def constraints(self) -> int:
        """Rules and constraints that are not deliverables (rough count)."""
        delivered = {id(t.unit) for t in self.deliverables}
        return sum(1 for u in self.units if not u.conditional and id(u) not in delivered and _is_rule(u))


_CACHE: dict[int, tuple[PromptDocument, Analysis]] = {}


def analyse(doc: PromptDocument) -> Analysis:
    """Units, deliverables and procedures of a document (cached per document object)."""
    hit = _CACHE.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    agent_file = doc.kind == "agent-instructions"
    units = split_units(doc)
    deliverables = _deliverables(units, agent_file)
    procedure, actions = _longest_procedure(units)
    result = Analysis(units, deliverables, procedure, actions)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(doc)] = (doc, result)
    return result


def _is_rule(unit: Unit) -> bool:
    if unit.context in (RULES, PARTS) and unit.kind != "sentence":
        return True
    return is_constraint(unit)


# Each alternative opens with a literal (",", ";", " " or a tab before "and"), so the regex engine skips ahead
# to those characters.
_CLAUSE_SPLIT = lazy_compile(
    r"(?:,[ \t]*(?:and[ \t]+|or[ \t]+)?(?:then[ \t]+|also[ \t]+)?|;[ \t]*(?:and[ \t]+|then[ \t]+)?|"
    r" [ \t]*and[ \t]+(?:then[ \t]+|also[ \t]+)?|\t[ \t]*and[ \t]+(?:then[ \t]+|also[ \t]+)?)(?=[a-z])"
)


def _deliverables(units: list[Unit], agent_file: bool) -> list[Task]:
    if agent_file and not any(u.context == REQUEST and u.lead for u in units):
        return []  # standing rules only: classify() would reject every unit
    out: list[Task] = []
    seen: set[str] = set()
    parents_with_task: set[int] = set()
    stack: list[Unit] = []
    for unit in units:
        # Sub-items of a deliverable are its parts.
        while stack and (stack[-1].block != unit.block or stack[-1].indent >= unit.indent):
            stack.pop()
        parent = stack[-1] if stack and unit.depth else None
        if unit.kind in ("item", "step", "inline"):
            stack.append(unit)
        if parent is not None and (id(parent) in parents_with_task or parent.context == REQUEST):
            continue
        if unit.umbrella:
            continue
        if unit.conditional or unit.context in _NOT_WORK or (agent_file and (unit.context != REQUEST or not unit.lead)):
            continue  # classify() rejects the unit, and each of its clauses, on these fields alone
        tasks: list[Task] = []
        if unit.kind == "sentence":
            texts = _clause_texts(unit.text)
            first = classify(unit if len(texts) == 1 else _sub_unit(unit, texts[0]), agent_file)
            if first is not None:
                tasks.append(first)
                for text in texts[1:]:
                    task = classify(_sub_unit(unit, text), agent_file, loose=True)
                    if task is not None:
                        tasks.append(task)
        else:
            task = classify(unit, agent_file)
            if task is not None:
                tasks.append(task)
        for task in tasks:
            key = " ".join(task.text.lower().split())[:80]
            if key in seen:
                continue
            seen.add(key)
            out.append(task)
            parents_with_task.add(id(unit))
    return out


def _clause_texts(text: str) -> list[str]:
    """A sentence split where a new imperative starts: "Write X, draft Y, and then translate it"."""
    if "," not in text and ";" not in text and " and" not in text and "\tand" not in text:
        return [text]  # every split point is a comma, a semicolon or "and" after a space or tab
    parts = _CLAUSE_SPLIT.split(text)
    if len(parts) == 1:
        return [text]
    texts = [parts[0]]
    for part in parts[1:]:
        if lead_verb(part)[0] in PRODUCE and not part.lower().startswith(("and ", "or ")):
            texts.append(part)
        else:
            texts[-1] = f"{texts[-1]}, {part}"  # a continuation: "Write X, Y and Z"
    return texts


def _sub_unit(unit: Unit, text: str) -> Unit:
    return Unit(
        msg=unit.msg,
        start=unit.start,
        end=unit.end,
        doc=unit.doc,
        _line=unit.line,
        text=text.strip(),
        kind=unit.kind,
        block=unit.block,
        heading=unit.heading,
        lead=unit.lead,
        context=unit.context,
        conditional=unit.conditional,
    )


_SEQ_MARK = lazy_compile(
    r"(?:first(?:ly)?|to start|to begin|start by|begin by|then|next|after that|afterwards|finally|lastly|"
    r"second(?:ly)?|third(?:ly)?|once (?:that|this|done)[^,]{0,30},)\b[ \t,]*",
    re.I,
)


_FIRST_MARK = lazy_compile(r"(?:first|to start|to begin|start by|begin by)", re.I)
_SEQ_MARK_FIRST = _firsts("abflnost")  # first letters of the alternatives of ``_SEQ_MARK``


def _longest_procedure(units: list[Unit]) -> tuple[list[Task], list[Task]]:
    """The steps of the longest sequential procedure (numbered list, "Step N", or first/then/finally prose)."""
    blocks: dict[int, list[Unit]] = {}
    for unit in units:
        if unit.conditional or unit.context in _NOT_WORK:
            continue
        blocks.setdefault(unit.block, []).append(unit)
    best: list[Unit] = []
    best_acting: list[bool] = []
    best_actions = 0
    for members in blocks.values():
        steps = _steps_of(members)
        if not steps:
            continue
        acting = [is_action_step(u) or _seq_action(u) for u in steps]
        actions = sum(acting)
        if actions > best_actions or (actions == best_actions and len(steps) > len(best)):
            best, best_acting, best_actions = steps, acting, actions
    tasks = [_step_task(u) for u in best]  # only the longest procedure's steps become tasks
    return tasks, [t for t, a in zip(tasks, best_acting) if a]


def _steps_of(members: list[Unit]) -> list[Unit]:
    """The steps of one block: "Step N" units, numbered or procedure items, or first/then/finally sentences."""
    kinds = {u.kind for u in members}
    if "step" in kinds:
        step_units = [u for u in members if u.kind == "step"]
        if len(step_units) >= 2:
            return step_units
    if "item" in kinds or "inline" in kinds:
        top = [u for u in members if u.kind in ("item", "inline") and u.depth == 0]
        numbered = [u for u in top if u.number is not None]
        if len(numbered) >= 2:
            return numbered
        if top and top[0].context == PROCEDURE:
            return top
    sentences = [u for u in members if u.kind == "sentence"] if "sentence" in kinds and len(members) >= 3 else []
    if len(sentences) >= 3:
        marked = [u for u in sentences if _may_open(u.text, _SEQ_MARK_FIRST) and _SEQ_MARK.match(u.text)]
        first = any(_FIRST_MARK.match(u.text) for u in marked)
        if first and len(marked) >= 3:
            return marked
    return []


def _seq_action(unit: Unit) -> bool:
    m = _SEQ_MARK.match(unit.text) if _may_open(unit.text, _SEQ_MARK_FIRST) else None
    if not m:
        return False
    verb = lead_verb(unit.text[m.end() :])[0]
    return verb in PRODUCE or verb in CHANGE


def _step_task(unit: Unit) -> Task:
    verb = lead_verb(unit.text)[0]
    return Task(text=unit.text, line=unit.line, verb=verb, obj="", unit=unit)


# ---------------------------------------------------------------------------------------------
# Splitting into sessions and reporting
# ---------------------------------------------------------------------------------------------


def split_sessions(count: int, limit: int) -> list[list[int]]:
    """1-based indices of ``count`` items split, in order, into the fewest balanced groups of at most ``limit``."""
    if count <= 0:
        return []
    limit = max(1, limit)
    sessions = math.ceil(count / limit)
    base, extra = divmod(count, sessions)
    out = []
    start = 1
    for k in range(sessions):
        size = base + (1 if k < extra else 0)
        out.append(list(range(start, start + size)))
        start += size
    return out


def _ranges(sessions: list[list[int]], tasks: list[Task]) -> str:
    parts = []
    shown = sessions if len(sessions) <= 4 else [*sessions[:2], sessions[-1]]
    for group in shown:
        if len(sessions) > 4 and group is sessions[-1]:
            parts.append("…")
        first, last = tasks[group[0] - 1], tasks[group[-1] - 1]
        where = f"line {first.line}" if first.line == last.line else f"lines {first.line}-{last.line}"
        parts.append(f"[{group[0]}-{group[-1]}] {where}" if len(group) > 1 else f"[{group[0]}] {where}")
    return ", ".join(parts)


def _labels(tasks: list[Task], shown: int = 3, width: int = 32) -> str:
    out = "; ".join(f"'{t.label(width)}' (line {t.line})" for t in tasks[:shown])
    return out + ("; …" if len(tasks) > shown else "")


def _task_data(tasks: list[Task]) -> list[dict[str, Any]]:
    return [{"text": t.text, "line": t.line} for t in tasks]


def _param(ctx: RuleContext, key: str) -> int:
    return int(ctx.params.get(key, DEFAULTS[key]))


def _report_at(ctx: RuleContext, task: Task, message: str, data: dict[str, Any]) -> None:
    u = task.unit
    ctx.report(message, msg=u.msg, start=u.start, data=data)


def too_many_deliverables(doc: PromptDocument, ctx: RuleContext) -> None:
    """TSK001: more distinct deliverables than ``max_deliverables`` in one session."""
    limit = _param(ctx, "max_deliverables")
    tasks = analyse(doc).deliverables
    if len(tasks) <= limit:
        return
    sessions = split_sessions(len(tasks), limit)
    message = (
        f"{len(tasks)} deliverables in one session (limit {limit}): {_labels(tasks)}; "
        f"split into {len(sessions)} sessions: {_ranges(sessions, tasks)}"
    )
    data = {"deliverables": _task_data(tasks), "sessions": sessions, "limit": limit}
    _report_at(ctx, tasks[0], message, data)


def long_procedure(doc: PromptDocument, ctx: RuleContext) -> None:
    """TSK002: a sequential procedure with more than ``max_steps`` steps that produce or change something."""
    limit = _param(ctx, "max_steps")
    a = analyse(doc)
    if len(a.action_steps) <= limit:
        return
    steps = a.procedure
    sessions = split_sessions(len(steps), limit)
    message = (
        f"{len(steps)}-step procedure, {len(a.action_steps)} steps that produce or change something (limit {limit}): "
        f"{_labels(steps, 2)}; split into {len(sessions)} sessions with a checkpoint after each: "
        f"{_ranges(sessions, steps)}"
    )
    data = {
        "steps": _task_data(steps),
        "action_steps": [s.line for s in a.action_steps],
        "sessions": sessions,
        "limit": limit,
    }
    _report_at(ctx, steps[0], message, data)


# ---------------------------------------------------------------------------------------------
# TSK003: unbounded scope
# ---------------------------------------------------------------------------------------------

_CONTAINERS = (
    r"codebase|code base|code-base|repo|repository|monorepo|project|application|app|product|platform|site|website|"
    r"web site|system|game|infrastructure|stack|backend|back end|frontend|front end|database|catalog|catalogue|"
    r"handbook|documentation|docs|docs site|api|service|suite|company|business|content package|school year|season|"
    r"curriculum|course|textbook|book|novel|encyclopedia|wiki|knowledge base|org|organization|organisation|"
    r"data warehouse|warehouse|pipeline|monolith|design system|test suite|backlog|inbox|drive|workspace|portfolio|"
    r"directory|folder|src|source tree|solution|workspace|library|sdk|cms|store|shop|catalog"
)
_ENTIRE = lazy_compile(
    r"\b(?:entire|whole|complete|full|full-scale|end-to-end)[ \t]+(?:[\w'-]+[ \t]+){0,3}?(?P<noun>"
    + _CONTAINERS
    + r")\b",
    re.I,
)
_ALL_IN = lazy_compile(
    r"\b(?:every|all|each)[ \t]+(?:(?:single|one of the|of the|the|of our|our|my|your)[ \t]+)?(?:[\w-]+[ \t]+){0,2}?"
    r"(?P<item>files?|modules?|pages?|functions?|methods?|classes?|components?|services?|microservices?|tables?|"
    r"endpoints?|screens?|documents?|packages?|repos?|repositories|dashboards?|reports?|scripts?|notebooks?|"
    r"pipelines?|jobs?|templates?|articles?|posts?|chapters?|lessons?|products?|listings?|contracts?|tickets?|"
    r"views?|routes?|tests?|models?|projects?|courses?|apps?|applications?)[ \t]+(?:in|of|across|on|within|from|"
    r"throughout)[ \t]+(?:the|this|our|my|your|that|its)?[ \t]*(?:[\w-]+[ \t]+){0,2}?(?P<where>" + _CONTAINERS + r")\b",
    re.I,
)
_END_TO_END = lazy_compile(
    r"\bend[ -]to[ -]end\b(?![ -](?:tests?|testing|encryption|encrypted|latency|flows?|e2e))", re.I
)
_NUMBER_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "one hundred": 100,
    "two hundred": 200,
    "three hundred": 300,
    "five hundred": 500,
    "a thousand": 1000,
    "one thousand": 1000,
    "thousand": 1000,
    "a dozen": 12,
    "dozens of": 24,
    "hundreds of": 200,
    "thousands of": 2000,
}
_NUM = (
    r"(?P<num>\d{1,3}(?:[,  ]\d{3})+|\d+(?:\.\d+)?[ \t]?[kK]\b|\d+|(?:a |one |two |three |five )?hundred|"
    r"(?:a |one )?thousand|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds of|thousands of|dozens of)"
)
_COUNT = lazy_compile(
    r"(?<![\w.,/$€£#-])~?" + _NUM + r"(?![\w%.,/-]|[ \t]?%|[ \t]?[-–][ \t]?\d)(?P<tail>(?:[ \t]+[\w'’-]+){1,4})",
    re.I,
)
_PER_ENTITY = lazy_compile(
    r"\b(?:for|to|on|across)[ \t]+(?:each[ \t]+of[ \t]+|all[ \t]+(?:of[ \t]+)?|every[ \t]+one[ \t]+of[ \t]+)"
    r"(?:the[ \t]+|my[ \t]+|our[ \t]+|these[ \t]+|those[ \t]+|your[ \t]+)?~?" + _NUM + r"\b",
    re.I,
)
_EACH_OF = lazy_compile(
    r"\b(?:each|every one|all)[ \t]+of[ \t]+(?:the[ \t]+|my[ \t]+|our[ \t]+|these[ \t]+)?~?" + _NUM + r"\b", re.I
)
_SIZE = lazy_compile(r"(?<![\w.,])" + _NUM + r"[ \t-]*(?P<unit>words?|pages?)\b", re.I)
_INTO_LANGS = lazy_compile(r"\binto[ \t]+" + _NUM + r"[ \t]+(?:\w+[ \t]+)?languages\b", re.I)
_LANGUAGES = frozenset(
    _words(
        """english spanish portuguese french german italian japanese korean chinese mandarin cantonese indonesian
        turkish polish dutch swedish norwegian danish finnish russian ukrainian arabic hebrew hindi bengali urdu
        thai vietnamese greek czech romanian hungarian malay tagalog swahili persian farsi catalan"""
    )
)
DOCUMENT_NOUNS = frozenset(
    _words(
        """plans plan posts articles emails letters pages chapters scripts stories essays reports documents
        descriptions dashboards screens models tables services endpoints components quests levels maps npcs songs
        tracks videos episodes slides decks proposals specs specifications worksheets assessments lessons modules
        courses recipes poems translations summaries reviews memos briefs templates listings ads advertisements
        newsletters tutorials guides manuals runbooks playbooks proposals contracts policies handbooks campaigns
        websites sites apps applications microservices features tests migrations pipelines jobs notebooks
        functions classes replies responses descriptions profiles bios cover blogs landing courses quizzes exams
        mockups wireframes designs illustrations images logos banners infographics podcasts webinars presentations
        spreadsheets invoices questionnaires surveys studies whitepapers white papers books novels scenes
        dialogues"""
    )
)
_RATE_UNITS = frozenset(
    _words(
        """requests rps qps tps req ms percent times x kb mb gb tb fps hz characters chars words tokens lines
        sentences bullets points of to and or"""
    )
)
_TIME_MONEY = frozenset(
    _words(
        """year years month months week weeks day days hour hours minute minutes second seconds percent % dollars usd
        eur euros"""
    )
)


def _number(text: str) -> int | None:
    t = text.lower().strip().replace("\u202f", "").replace("\u00a0", "")
    if t in _NUMBER_WORDS:
        return _NUMBER_WORDS[t]
    if t.endswith("k"):
        try:
            return int(float(t[:-1].strip()) * 1000)
        except ValueError:
            return None
    digits = t.replace(",", "").replace(" ", "")
    try:
        return int(float(digits))
    except ValueError:
        return None


@dataclass
class Scope:
    phrase: str
    line: int
    kind: str  # "entire", "all-in", "count", "size", "languages"
    unit: Unit
    count: int | None = None
    limit: int | None = None


_NOT_WORK = (RULES, CONDITIONAL, CAPABILITY, PARTS, EXAMPLE_CTX)


def _scope_units(a: Analysis, agent_file: bool) -> list[Unit]:
    """Units that ask for work in this session: deliverables, action steps, list lead-ins, and imperative
    sentences led by a production or change verb (whatever their object)."""
    seen: set[int] = set()
    out = []
    candidates = [t.unit for t in (*a.deliverables, *a.action_steps)]
    candidates += [u for u in a.units if u.umbrella]
    for unit in a.units:
        if unit.conditional or unit.context in _NOT_WORK or (agent_file and unit.context != REQUEST):
            continue
        verb = lead_verb(unit.text)[0]
        if (verb in PRODUCE or verb in CHANGE) and not _GENERIC_SCOPE.search(unit.text):
            candidates.append(unit)
    for unit in candidates:
        if agent_file and unit.context != REQUEST and not unit.umbrella:
            continue
        if id(unit) not in seen:
            seen.add(id(unit))
            out.append(unit)
    return sorted(out, key=lambda u: (u.msg, u.start))


_GENERIC_SCOPE = lazy_compile(
    r"\b(?:whenever|every time|each time|always|never|as needed|where (?:appropriate|possible|needed)|if (?:needed|"
    r"necessary|asked|requested)|when (?:asked|requested|needed))\b",
    re.I,
)


_TESTS = lazy_compile(r"\btests?\b")
_CLAUSE_END = lazy_compile(r"[.;:!?]")
_LOWER_WORD = lazy_compile(r"[a-z][a-z-]*")
_LETTERS = lazy_compile(r"[a-z]+")
_TRANSLATE = lazy_compile(r"\b(?:translate|locali[sz]e|into)\b", re.I)
# Necessary conditions (cues) of the scope patterns: words each match of the pattern contains.
_ENTIRE_CUE = CaselessPattern(r"entire|whole|complete|full|end-to-end")
_ALL_IN_CUE = CaselessPattern(r"every|all|each")
_END_TO_END_CUE = CaselessPattern(r"to[ -]end")
_NUMBER_CUE = CaselessPattern(r"\d|hundred|thousand|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|dozens of")


def _has_cue(cue: CaselessPattern, text: str, low: str) -> bool:
    """``cue.search(text)`` given ``low == text.lower()``.

    A case-insensitive pattern that matches text matches its cue words case-insensitively, so the cue is
    found too; without the cue the pattern's search can be skipped.
    """
    if text.isascii():
        return cue.lowercase.search(low) is not None
    return cue.ignorecase.search(text) is not None


def find_scopes(doc: PromptDocument, params: dict[str, Any] | None = None) -> list[Scope]:
    """Requests whose size has no session-sized bound."""
    p = {**DEFAULTS, **(params or {})}
    a = analyse(doc)
    out: list[Scope] = []
    for unit in _scope_units(a, doc.kind == "agent-instructions"):
        text = unit.text
        low = text.lower()
        verb = lead_verb(text)[0]
        acting = verb in PRODUCE or verb in _SCOPE_CHANGE or unit.context == REQUEST
        if not acting:
            continue
        m = _ENTIRE.search(text) if _has_cue(_ENTIRE_CUE, text, low) else None
        if m and _acts_on(text, m.start()):
            out.append(Scope(m.group(0), unit.line, "entire", unit))
            continue
        m = _ALL_IN.search(text) if _has_cue(_ALL_IN_CUE, text, low) else None
        if m and _acts_on(text, m.start()):
            out.append(Scope(m.group(0), unit.line, "all-in", unit))
            continue
        m = _END_TO_END.search(text) if _has_cue(_END_TO_END_CUE, text, low) else None
        if m and verb in PRODUCE and not _TESTS.search(low[: m.start()][-20:]):
            out.append(Scope(text[: m.end()], unit.line, "entire", unit))
            continue
        scope = _count_scope(text, low, unit, p)
        if scope is not None:
            out.append(scope)
    return out


_READ = frozenset(
    _words(
        """search scan read grep look check review explore understand index analyze analyse find inspect browse query
        consult reference examine study know knows familiar access traverse navigate map learn see"""
    )
)


def _acts_on(text: str, pos: int) -> bool:
    """True when the nearest verb before ``pos`` in its clause produces or changes (not "Search the entire repo")."""
    clause = _CLAUSE_END.split(text[:pos])[-1]
    for word in reversed(_LOWER_WORD.findall(clause.lower())):
        if word in _READ or word in ANALYSIS:
            return False
        if word in PRODUCE or word in _SCOPE_CHANGE:
            return True
    return True


_SCOPE_CHANGE = frozenset(
    _words(
        """remove delete clean format reformat rename standardize standardise anonymize anonymise redact tag label
        annotate dedupe deduplicate normalize normalise lowercase capitalize encrypt mask"""
    )
)


def _count_scope(text: str, low: str, unit: Unit, p: dict[str, Any]) -> Scope | None:
    if not _has_cue(_NUMBER_CUE, text, low):
        return _languages_scope(text, low, unit, p)  # every other pattern needs a number (``_NUM``)
    for m in _SIZE.finditer(text):
        n = _number(m.group("num"))
        kind = m.group("unit").lower().rstrip("s")
        limit = p["max_words"] if kind == "word" else p["max_pages"]
        if n is not None and n > limit:
            return Scope(m.group(0), unit.line, "size", unit, n, int(limit))
    m = _INTO_LANGS.search(text)
    if m and (_number(m.group("num")) or 0) > p["max_languages"]:
        return Scope(m.group(0), unit.line, "languages", unit, _number(m.group("num")), int(p["max_languages"]))
    scope = _languages_scope(text, low, unit, p)
    if scope is not None:
        return scope
    limit = int(p["max_count"])
    found: list[Scope] = []
    for pat in (_EACH_OF, _PER_ENTITY):
        for m in pat.finditer(text):
            n = _number(m.group("num"))
            after = text[m.end() :].split()
            nxt = after[0].lower().strip(".,;:)") if after else ""
            if (
                n is not None
                and n > limit
                and nxt
                and nxt not in _TIME_MONEY
                and nxt not in _RATE_UNITS
                and "/" not in nxt
                and not nxt.startswith(("%", "-"))
            ):
                tail = []
                for w in after[:3]:
                    if w.lower().strip(".,;:()") in _PREP_STOP or not w[:1].isalnum():
                        break
                    tail.append(w.strip(".,;:()"))
                phrase = " ".join([m.group(0), *tail])
                found.append(Scope(phrase.strip(" ,;:"), unit.line, "count", unit, n, limit))
    for m in _COUNT.finditer(text):
        n = _number(m.group("num"))
        if n is None or n <= limit:
            continue
        if 1900 <= n <= 2100 and m.group("num").isdigit():
            continue  # a year
        words = []
        for w in m.group("tail").split():
            w = w.lower().strip(".,;:()'’")
            if w in _PREP_STOP or w in _RATE_UNITS:
                break
            words.append(w)
        noun = next((w for w in words if w in DOCUMENT_NOUNS), None)
        if noun is None or (words and words[0] in _TIME_MONEY):
            continue
        upto = words.index(noun) + 1
        phrase = m.group("num") + " " + " ".join(m.group("tail").split()[:upto])
        found.append(Scope(phrase, unit.line, "count", unit, n, limit))
    return max(found, key=lambda sc: sc.count or 0) if found else None


def _languages_scope(text: str, low: str, unit: Unit, p: dict[str, Any]) -> Scope | None:
    """More named languages than ``max_languages`` in a translation request."""
    if not _TRANSLATE.search(text):
        return None
    langs = {w for w in _LETTERS.findall(low) if w in _LANGUAGES}
    if len(langs) > p["max_languages"]:
        return Scope(f"{len(langs)} languages", unit.line, "languages", unit, len(langs), int(p["max_languages"]))
    return None


def unbounded_scope(doc: PromptDocument, ctx: RuleContext) -> None:
    """TSK003: a request whose size has no session-sized bound."""
    scopes = find_scopes(doc, ctx.params)
    if not scopes:
        return
    first = scopes[0]
    if first.kind in ("count", "size", "languages") and first.count and first.limit:
        batches = math.ceil(first.count / first.limit)
        what = {"size": "words" if "word" in first.phrase.lower() else "pages", "languages": "languages"}.get(
            first.kind, "items"
        )
        advice = f"split into {batches} sessions of at most {first.limit} {what} each"
        sessions = [[k * first.limit + 1, min(first.count, (k + 1) * first.limit)] for k in range(min(batches, 50))]
    else:
        advice = "bound it to one module, directory or component per session"
        sessions = []
    more = f" (+{len(scopes) - 1} more)" if len(scopes) > 1 else ""
    message = f"Unbounded scope '{first.phrase.strip()}'{more} in one session; {advice}"
    data = {
        "scopes": [{"text": s.phrase, "line": s.line, "kind": s.kind, "count": s.count} for s in scopes],
        "sessions": sessions,
        "limit": first.limit,
    }
    u = first.unit
    ctx.report(message, msg=u.msg, start=u.start, data=data)


# ---------------------------------------------------------------------------------------------
# TSK004: bundled objectives
# ---------------------------------------------------------------------------------------------


def _vocab(words: str, *phrases: str) -> frozenset[str]:
    return frozenset(words.split()) | frozenset(phrases)


DOMAINS: dict[str, frozenset[str]] = {
    "software": _vocab(
        """code bug bugs test tests pr prs pull refactor module modules api endpoint endpoints database deploy
        deployment function functions repo repository service services backend frontend auth session sessions
        library migration migrations schema ci pipeline docker kubernetes server query sql script app component
        components ui css html typescript javascript python java django react rails node worker crash error
        exception lint compile commit branch merge regression latency cache keyerror""",
        "race condition",
        "pull request",
    ),
    "travel": _vocab(
        """trip travel itinerary flight flights hotel hotels vacation holiday visa tour tours sightseeing airport
        airbnb destination destinations tickets cruise honeymoon offsite"""
    ),
    "event": _vocab(
        """speech wedding toast eulogy party birthday invitation invitations ceremony anniversary best-man guests
        celebration""",
        "best man",
    ),
    "money": _vocab(
        """tax taxes deduction deductions accounting expenses investment investments portfolio retirement mortgage
        loan loans budget savings irs refund payroll bookkeeping"""
    ),
    "fitness": _vocab(
        "marathon workout workouts fitness gym exercise exercises running diet calories yoga cardio",
        "training plan",
        "strength training",
    ),
    "correspondence": _vocab("inbox unread replies voicemail dms"),
    "marketing": _vocab(
        """blog landing campaign ads newsletter seo copy marketing brand launch tweet tweets linkedin instagram
        influencer""",
        "press release",
        "social posts",
        "social media",
        "landing page",
    ),
    "legal": _vocab("contract contracts lease leases clause litigation gdpr compliance nda lawsuit court"),
    "people": _vocab(
        "handbook hiring onboarding compensation employee employees recruiting interview candidates resume cv",
        "job descriptions",
        "job description",
        "performance review",
    ),
    "education": _vocab(
        "lesson lessons worksheet worksheets curriculum quiz homework students classroom pupils syllabus"
    ),
    "cooking": _vocab("recipe recipes meal meals dinner grocery groceries cook cooking menu"),
    "home": _vocab("garden apartment house moving furniture cleaning renovation plumbing landlord"),
}
_STOP = frozenset(
    _words(
        """a an the and or of for to in on with by from at as is are be it its this that these those my our your
        their me us i we you he she they them each every all any some new plan plans write draft make create build
        add help fix notes note list document documents one two three four five six seven eight nine ten about
        into up out using use used via per also then please need want get go through do done more most best good
        short long day days week weeks month months year years time first next last"""
    )
)


_CONTENT_WORD = lazy_compile(r"[a-z][a-z0-9-]+")
_DOMAIN_WORD = lazy_compile(r"[a-z][a-z0-9-]*")


def _content_words(task: Task) -> set[str]:
    words = set()
    for w in _CONTENT_WORD.findall(task.text.lower()):
        if w in _STOP or len(w) < 3:
            continue
        words.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return words


def _domain(task: Task) -> str | None:
    words = _DOMAIN_WORD.findall(task.text.lower())
    tokens = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
    best, hits = None, 0
    for name, vocab in DOMAINS.items():
        n = len(tokens & vocab)
        if n > hits:
            best, hits = name, n
    return best


@dataclass
class Topic:
    domain: str | None
    members: list[int]  # 1-based deliverable indices


def find_topics(tasks: list[Task]) -> list[Topic]:
    """Cluster deliverables by topic: the same domain vocabulary or shared content words."""
    n = len(tasks)
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    words = [_content_words(t) for t in tasks]
    domains = [_domain(t) for t in tasks]
    # Join each deliverable to the first one sharing a content word or a domain: the same clusters as joining
    # every such pair, in linear time.
    first_word: dict[str, int] = {}
    first_domain: dict[str, int] = {}
    for i in range(n):
        linked = [first_word.setdefault(w, i) for w in words[i]]
        if domains[i] is not None:
            linked.append(first_domain.setdefault(domains[i], i))
        for j in linked:
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k + 1)
    topics = []
    for members in groups.values():
        doms = [domains[m - 1] for m in members if domains[m - 1]]
        # The most frequent domain; on a tie the first named (a set's order would depend on the hash seed).
        topics.append(Topic(max(dict.fromkeys(doms), key=doms.count) if doms else None, members))
    return topics


def bundled_objectives(doc: PromptDocument, ctx: RuleContext) -> None:
    """TSK004: deliverables about several unrelated topics in one prompt."""
    limit = _param(ctx, "max_topics")
    tasks = analyse(doc).deliverables
    if len(tasks) < limit:
        return
    topics = [t for t in find_topics(tasks) if t.domain is not None]
    distinct = {t.domain for t in topics}
    if len(distinct) < limit:
        return
    ordered = sorted(topics, key=lambda t: t.members[0])
    desc = ", ".join(f"{t.domain} [{', '.join(str(m) for m in t.members)}]" for t in ordered)
    message = (
        f"{len(distinct)} unrelated objectives in one prompt (fires at {limit}): {desc}; "
        f"give each topic its own session"
    )
    data = {
        "deliverables": _task_data(tasks),
        "topics": [{"topic": t.domain, "deliverables": t.members} for t in ordered],
        "sessions": [t.members for t in ordered],
        "limit": limit,
    }
    _report_at(ctx, tasks[0], message, data)


# ---------------------------------------------------------------------------------------------
# TSK005: prompt budget
# ---------------------------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """Offline token estimate: the mean of characters / 4 and words × 1.3."""
    return _blend(len(text.strip()), len(text.split()))


def _blend(chars: int, words: int) -> int:
    return round((chars / 4 + words * 1.3) / 2)


def instruction_tokens(doc: PromptDocument) -> int:
    """Estimated tokens of instruction text, without code, quotes, comments and examples."""
    return sum(_blend(*_budget_counts(doc.messages[i])) for i in instruction_messages(doc))


def _budget_counts(msg: Message) -> tuple[int, int]:
    """``len(t.strip())`` and ``len(t.split())`` of ``t = msg.masked_text(BUDGET_SKIP)``, without building ``t``.

    The mask keeps every offset and turns each masked character into a blank (" " or a newline), so ``t`` is
    the message text with whitespace between its unmasked spans: the words of ``t`` are those of the spans, and
    its stripped text runs from the first to the last non-blank character of the spans. The spans are those
    ``Message._mask`` copies: the text between the (clipped, non-empty) regions of a kind to skip, by start.
    """
    text = msg.text
    if not msg.regions:
        return len(text.strip()), len(text.split())
    spans = []  # (start, end) of the unmasked spans
    pos = 0
    for region in sorted(msg.regions, key=lambda r: r.start):
        if region.kind not in BUDGET_SKIP:
            continue
        start, end = max(region.start, pos), min(region.end, len(text))
        if end <= start:
            continue
        spans.append((pos, start))
        pos = end
    spans.append((pos, len(text)))
    words = 0
    first = last = -1  # offsets of the first non-blank character and just past the last one
    for start, end in spans:
        span = text[start:end]
        n = len(span.split())
        if n:
            words += n
            if first == -1:
                first = start + len(span) - len(span.lstrip())
            last = start + len(span.rstrip())
    return (last - first if first != -1 else 0), words


def prompt_budget(doc: PromptDocument, ctx: RuleContext) -> None:
    """TSK005: instruction text above ``max_tokens``."""
    limit = _param(ctx, "max_tokens")
    tokens = instruction_tokens(doc)
    if tokens <= limit:
        return
    msgs = instruction_messages(doc)
    first = msgs[0] if msgs else 0
    text = doc.messages[first].text if doc.messages else ""
    lead = len(text) - len(text.lstrip())
    message = (
        f"Instruction text is about {tokens} tokens (limit {limit}); move reference material (style guides, "
        f"catalogues, background) into attached documents or split the work into smaller prompts"
    )
    ctx.report(message, msg=first, start=lead, data={"tokens": tokens, "limit": limit})


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


def task_load(doc: PromptDocument, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per-document statistics of the task load: deliverables, steps, constraints, topics and tokens."""
    p = {**DEFAULTS, **(params or {})}
    a = analyse(doc)
    topics = [t for t in find_topics(a.deliverables) if t.domain is not None] if a.deliverables else []
    return {
        "deliverables": len(a.deliverables),
        "steps": len(a.action_steps),
        "constraints": a.constraints,
        "topics": len({t.domain for t in topics}) or (1 if a.deliverables else 0),
        "tokens": instruction_tokens(doc),
        "limits": {
            "deliverables": p["max_deliverables"],
            "steps": p["max_steps"],
            "topics": p["max_topics"],
            "tokens": p["max_tokens"],
            "count": p["max_count"],
        },
    }


__all__ = [
    "DEFAULTS",
    "analyse",
    "bundled_objectives",
    "estimate_tokens",
    "find_scopes",
    "find_topics",
    "long_procedure",
    "prompt_budget",
    "split_sessions",
    "task_load",
    "too_many_deliverables",
    "unbounded_scope",
]
