"""Projections: the part of a sampled output whose agreement matters.

Raw text differs between any two samples even when they say the same thing, so divergence is
measured on a *projection* of each sample: a parsed JSON document, an extracted final answer or
verdict, a short label, a refusal flag, or a user-given ``regex:`` / ``json:`` projection. This
module is pure standard library: strings in, values out.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------------------------------------
# Normalising short answers

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_NUMBER_WORDS_TEXT = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_NUMBER_WORDS_TEXT.split())}
_YES_NO = {"yes", "no", "true", "false", "y", "n"}


def _canonical_number(token: str) -> str:
    try:
        value = float(token)
    except ValueError:
        return token
    if math.isinf(value) or math.isnan(value):
        return token
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(round(value, 9))


def normalise_answer(text: str) -> str:
    """Lower-case, drop Markdown, punctuation and articles, canonicalise numbers ("1,000.0" → "1000")."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = _THOUSANDS.sub("", s)
    s = re.sub(r"[*_`~]+", " ", s)
    out = []
    for i, ch in enumerate(s):
        if ch.isalnum() or ch.isspace():
            out.append(ch)
        elif ch in ".-+" and 0 < i < len(s) - 1 and s[i - 1].isdigit() and s[i + 1].isdigit():
            out.append(ch)  # 3.5, 2-3
        elif ch == "-" and i + 1 < len(s) and s[i + 1].isdigit() and (i == 0 or not s[i - 1].isalnum()):
            out.append(ch)  # -4
        else:
            out.append(" ")
    s = _ARTICLES.sub(" ", "".join(out))
    tokens = [_canonical_number(t) if _NUMBER.match(t) else t for t in s.split()]
    if len(tokens) == 1 and tokens[0] in _NUMBER_WORDS:
        tokens = [_NUMBER_WORDS[tokens[0]]]
    return " ".join(tokens)


def _levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _as_float(s: str) -> float | None:
    return float(s) if _NUMBER.match(s) else None


def same_answer(a: str, b: str) -> bool:
    """Whether two normalised answers are spellings of the same answer.

    Equal, equal without spaces ("hay fever"/"hayfever"), one typo apart for words of five or more
    letters ("colombia"/"columbia"), or one the other plus at most two words ("edison"/"thomas
    edison") unless an added word is a connective or negation ("red"/"red and white",
    "spanish"/"not spanish" differ). Numbers must be equal as numbers: 1984 and 1985 differ.
    """
    if a == b:
        return True
    if not a or not b:
        return False
    fa, fb = _as_float(a), _as_float(b)
    if fa is not None or fb is not None:
        return fa is not None and fb is not None and math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-12)
    ca, cb = a.replace(" ", ""), b.replace(" ", "")
    if ca == cb:
        return True
    if any(ch.isdigit() for ch in ca + cb):
        return False
    shortest = min(len(ca), len(cb))
    if shortest >= 5 and _levenshtein(ca, cb, 2) <= (1 if shortest < 10 else 2):
        return True
    ta, tb = a.split(), b.split()
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    extra = set(long_) - set(short)
    return (
        set(short) <= set(long_)
        and len(long_) - len(short) <= 2
        and len("".join(short)) >= 3
        and not extra & _CHANGES_MEANING
    )


# Words whose addition makes a different answer: "red" is not "red and white", "spanish" not "not spanish".
_CHANGES_MEANING = frozenset(
    {"and", "or", "nor", "not", "no", "non", "never", "neither", "either", "but", "except", "without", "vs", "versus"}
)


def cluster_answers(values: list[str | None]) -> list[list[int]]:
    """Group sample indices whose normalised answers are the same (``None`` values are left out).

    Greedy by frequency: the most frequent distinct answer seeds the first cluster, and every
    other answer joins the first cluster whose seed it matches, so variants never chain.
    """
    by_value: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if v is not None:
            by_value.setdefault(v, []).append(i)
    order = sorted(by_value, key=lambda v: (-len(by_value[v]), by_value[v][0]))
    seeds: list[str] = []
    clusters: list[list[int]] = []
    for value in order:
        for k, seed in enumerate(seeds):
            if same_answer(seed, value):
                clusters[k].extend(by_value[value])
                break
        else:
            seeds.append(value)
            clusters.append(list(by_value[value]))
    for c in clusters:
        c.sort()
    clusters.sort(key=lambda c: (-len(c), c[0]))
    return clusters


# ---------------------------------------------------------------------------------------------
# Final answers, verdicts and labels

ANSWER_KEYS = (
    r"final\s+answer|final\s+verdict|answer|verdict|decision|label|classification|category|conclusion"
    r"|rating|score|grade|sentiment|recommendation|choice|priority|severity|intent"
)
_MARKER = re.compile(
    r"^[ \t>#*_-]*(?:\*\*|__)?[ \t]*(?P<key>" + ANSWER_KEYS + r")[ \t]*(?:\*\*|__)?[ \t]*[:：=][ \t]*"
    r"(?:\*\*|__)?[ \t]*(?P<value>[^\n]*)",
    re.I | re.M,
)
_BOXED = re.compile(r"\\boxed\{(?P<value>[^{}\n]{1,200})\}")
_ANSWER_IS = re.compile(r"\b(?:final\s+)?answer\s+is\s*:?\s*(?P<value>[^\n]{1,200})", re.I)
_CUT = re.compile(r"\s+(?:[-–—]|because|since|as)\s+|[.;(\[]\s|[.;!?]$|,\s+(?:because|since|as|which|but)\b", re.I)


def clean_value(raw: str) -> str:
    """The head of an extracted value: "**Approve** — the change is safe." → "Approve"."""
    value = raw.strip().strip("*_`\"'“”‘’ ").strip()
    m = _CUT.search(value)
    if m and m.start() > 0:
        value = value[: m.start()]
    value = value.strip().rstrip(".,;:!").strip("*_`\"'“”‘’ ")
    words = normalise_answer(value).split()
    if len(words) > 1 and words[0] in _YES_NO and re.match(r"^\W*\w+\W*[,.;:!-]", value):
        return words[0]
    return value


def extract_marked_answer(text: str) -> str | None:
    """The value of the last explicit answer marker: ``\\boxed{}``, ``Final answer:``, ``Verdict:``, ….

    A marker whose value is empty takes the next non-empty line ("Answer:\\n42").
    """
    boxed = list(_BOXED.finditer(text))
    if boxed:
        return clean_value(boxed[-1].group("value"))
    marks = list(_MARKER.finditer(text))
    if marks:
        finals = [m for m in marks if m.group("key").lower().startswith("final")]
        m = (finals or marks)[-1]
        value = m.group("value").strip()
        if not value.strip("*_ "):
            rest = text[m.end() :].lstrip("\n")
            value = rest.split("\n", 1)[0] if rest.strip() else ""
        cleaned = clean_value(value)
        return cleaned or None
    said = list(_ANSWER_IS.finditer(text))
    if said:
        cleaned = clean_value(said[-1].group("value"))
        return cleaned or None
    return None


def short_label(text: str, max_words: int = 6, max_chars: int = 60) -> str | None:
    """The whole output when it is a single short line ("bug", "Positive.", "42")."""
    stripped = text.strip()
    if not stripped or "\n" in stripped or len(stripped) > max_chars:
        return None
    if len(stripped.split()) > max_words:
        return None
    return clean_value(stripped) or None


def last_line_label(text: str, max_words: int = 4) -> str | None:
    """A short label on the last line after some reasoning ("…\\n\\nCategory A")."""
    lines = [ln.strip() for ln in text.strip().split("\n") if ln.strip()]
    if len(lines) < 2:
        return None
    last = lines[-1].strip("*_`#> ")
    if not last or len(last.split()) > max_words or last.endswith((",", ":", "?")) or last.startswith("```"):
        return None
    return clean_value(last) or None


# ---------------------------------------------------------------------------------------------
# JSON

_FENCE = re.compile(r"```[ \t]*(?:json5?|javascript|js)?[ \t]*\n(?P<body>.*?)\n[ \t]*```", re.S | re.I)


def looks_like_json(text: str) -> bool:
    """Whether an output tries to be JSON (starts with a brace or bracket, or has a JSON fence)."""
    stripped = text.strip()
    return stripped.startswith(("{", "[")) or bool(re.search(r"```[ \t]*json", text, re.I))


def extract_json(text: str) -> tuple[bool, Any]:
    """Parse the JSON of an output: the whole text, a fenced block, or the outermost braces."""
    stripped = text.strip()
    candidates = [stripped]
    candidates += [m.group("body") for m in _FENCE.finditer(text)]
    for open_, close in (("{", "}"), ("[", "]")):
        a, b = stripped.find(open_), stripped.rfind(close)
        if 0 <= a < b:
            candidates.append(stripped[a : b + 1])
    for cand in candidates:
        cand = cand.strip()
        if not cand.startswith(("{", "[")):
            continue
        try:
            value = json.loads(cand)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, (dict, list)):
            return True, value
    return False, None


MISSING = "\u2205missing"  # the value of a field a sample lacks


def _key_path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if re.fullmatch(r"[A-Za-z_][\w-]*", key) else f"{prefix}[{json.dumps(key)}]"


def flatten_json(value: Any, prefix: str = "$", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Leaves of a JSON document by path (``$.a.b``, ``$.items[0].name``).

    Lists of scalars are one leaf (their order matters); lists of objects are walked by index.
    """
    out = {} if out is None else out
    if isinstance(value, dict):
        if not value:
            out[prefix] = "{}"
        for key in sorted(value):
            flatten_json(value[key], _key_path(prefix, str(key)), out)
    elif isinstance(value, list):
        if value and all(isinstance(v, (dict, list)) for v in value):
            out[f"{prefix}.length"] = len(value)
            for i, v in enumerate(value):
                flatten_json(v, f"{prefix}[{i}]", out)
        else:
            out[prefix] = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        out[prefix] = value
    return out


def canonical_scalar(value: Any) -> str:
    """A comparable string for a JSON leaf: numbers canonical, strings normalised."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _canonical_number(repr(float(value)))
    if isinstance(value, str):
        return normalise_answer(value)
    return str(value)


_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[(['\"])(.*?)\3\]")


def json_path(value: Any, path: str) -> tuple[bool, Any]:
    """Follow a simple JSON path (``$.a.b``, ``$.items[0]``, ``$['odd key']``)."""
    if not path.startswith("$"):
        path = "$." + path
    pos = 1
    current = value
    while pos < len(path):
        m = _PATH_PART.match(path, pos)
        if not m:
            raise ValueError(f"invalid JSON path {path!r} at {path[pos:]!r}")
        pos = m.end()
        key = m.group(1) if m.group(1) is not None else m.group(4)
        if m.group(2) is not None:
            if not isinstance(current, list) or int(m.group(2)) >= len(current):
                return False, None
            current = current[int(m.group(2))]
        elif isinstance(current, dict) and key in current:
            current = current[key]
        else:
            return False, None
    return True, current


# ---------------------------------------------------------------------------------------------
# Refusals

_REFUSAL = re.compile(
    r"^\W*(?:(?:i'?m|i\s+am)\s+(?:really\s+|very\s+)?sorry|i\s+apologi[sz]e|unfortunately|as\s+an\s+ai(?:\s+language\s+model)?"
    r"|sorry)?[,.!\s]*(?:but\s+)?(?:i\s+(?:can(?:no|['’])?t|cannot|won['’]?t|will\s+not|must\s+(?:decline|refuse)"
    r"|(?:am|['’]m)\s+(?:not\s+(?:able|allowed|permitted|comfortable)|unable)|do\s+not|don['’]?t\s+(?:feel|think))"
    r"|(?:that['’]?s|this\s+is)\s+(?:not\s+something|something)\s+i\s+(?:can(?:no|['’])?t|cannot|won['’]?t))"
    r"(?!\s+(?:wait|stress|emphasi[sz]e|overstate|thank|believe|imagine))"
    r"[^.\n]{0,80}?\b(?:help|assist|provide|comply|do\s+(?:that|this)|fulfil|fulfill|create|write|generate|share"
    r"|answer|support|engage|continue|complete|give|produce|discuss|participate|with\s+(?:that|this))",
    re.I,
)
_REFUSAL_LEAD = re.compile(r"^\W*(?:i\s+(?:must|have\s+to)\s+(?:decline|refuse)|i['’]?m\s+not\s+going\s+to)\b", re.I)


def is_refusal(text: str) -> bool:
    """Whether an output opens by declining the task ("I can't help with that", "I'm sorry, but I won't …")."""
    head = text.strip()[:300]
    return bool(_REFUSAL.match(head) or _REFUSAL_LEAD.match(head))


# ---------------------------------------------------------------------------------------------
# User projections

ProjectionFn = Callable[[str], "str | None"]


@dataclass(frozen=True)
class UserProjection:
    """A projection given in configuration: ``regex:PATTERN`` or ``json:$.path``."""

    spec: str
    kind: str  # "regex" | "json"
    pattern: re.Pattern[str] | None = None
    path: str = ""

    def __call__(self, text: str) -> str | None:
        if self.kind == "regex":
            assert self.pattern is not None
            m = self.pattern.search(text)
            if not m:
                return None
            if "value" in self.pattern.groupindex:
                value = m.group("value")
            else:
                value = m.group(1) if self.pattern.groups else m.group(0)
            return normalise_answer(value or "")
        ok, doc = extract_json(text)
        if not ok:
            return None
        found, value = json_path(doc, self.path)
        if not found:
            return None
        if isinstance(value, (dict, list)):
            return json.dumps(value, sort_keys=True, ensure_ascii=False)
        return canonical_scalar(value)


PROJECTION_KINDS = ("auto", "json", "answer", "label", "prose")


def parse_projection(spec: str | None) -> UserProjection | str:
    """Validate a projection spec: ``auto``/``json``/``answer``/``label``/``prose``, ``regex:…`` or ``json:$…``."""
    if spec is None or spec == "":
        return "auto"
    if spec in PROJECTION_KINDS:
        return spec
    kind, sep, rest = spec.partition(":")
    if sep and kind == "regex":
        try:
            pattern = re.compile(rest, re.M)
        except re.error as exc:
            raise ValueError(f"invalid projection {spec!r}: {exc}") from exc
        return UserProjection(spec, "regex", pattern=pattern)
    if sep and kind == "json":
        path = rest.strip() or "$"
        json_path({}, path)  # raises ValueError on a malformed path
        return UserProjection(spec, "json", path=path)
    raise ValueError(
        f"invalid projection {spec!r}: use auto, json, answer, label, prose, 'regex:PATTERN' or 'json:$.path'"
    )
