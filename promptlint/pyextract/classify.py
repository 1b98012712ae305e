"""Is it a prompt? Name and value heuristics for Python string constants (precision first).

A module constant or class attribute is a prompt when its *name* says prompt (``*_PROMPT``,
``system*``, ``*_instructions``, ``*_template``, ``*_reminder`` ... or any attribute of a class / any
constant of a module whose own name says prompt, like aider's ``EditBlockPrompts`` classes in
``*_prompts.py``) **and** its *value* reads as instructions: prose addressed to a model, not SQL, a
regex, a path, a URL, HTML, JSON, code, a CLI prompt or a log format.
"""

from __future__ import annotations

import json
import re

_SPLIT = re.compile(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])")

# Words of a name that make it a prompt name (anywhere in the name).
PROMPT_WORDS = frozenset({"prompt", "prompts", "instruction", "instructions", "persona", "preamble", "sysprompt"})
# Words that make it a prompt name at the start or the end of the name only.
EDGE_WORDS = frozenset({"system", "reminder", "reminders", "template", "directive", "directives", "guidelines"})
# A last word that makes the name a non-prompt (log formats, help texts, paths, patterns ...).
NEGATIVE_LAST = frozenset(
    {
        "help",
        "doc",
        "docs",
        "description",
        "desc",
        "usage",
        "msg",
        "error",
        "errors",
        "err",
        "warning",
        "url",
        "uri",
        "urls",
        "endpoint",
        "path",
        "paths",
        "dir",
        "directory",
        "file",
        "files",
        "filename",
        "ext",
        "re",
        "regex",
        "pattern",
        "patterns",
        "rx",
        "sql",
        "query",
        "name",
        "names",
        "id",
        "ids",
        "key",
        "keys",
        "label",
        "title",
        "version",
        "encoding",
        "color",
        "colour",
        "style",
        "length",
        "len",
        "size",
        "count",
        "limit",
        "tokens",
        "type",
        "types",
        "kind",
        "mode",
        "format",
        "fmt",
        "html",
        "css",
        "schema",
        "env",
        "var",
        "flag",
        "timeout",
        "level",
        "char",
        "chars",
        "sep",
        "separator",
        "prefix_len",
        "cls",
        "class",
    }
)
# Any of these words anywhere: test fixtures and expected outputs are not prompts.
NEGATIVE_ANY = frozenset({"expected", "fixture", "golden", "snapshot", "mock", "fake", "dummy"})
# Role of a prompt constant from the words of its name.
SYSTEM_WORDS = frozenset({"system", "instruction", "instructions", "persona", "preamble", "sysprompt", "developer"})
USER_WORDS = frozenset({"user", "human", "question"})
ASSISTANT_WORDS = frozenset({"assistant", "reply", "replies", "response", "answer", "ai"})


def name_words(name: str) -> list[str]:
    """``mainSystem_PROMPT`` -> ["main", "system", "prompt"]."""
    return [w.lower() for w in _SPLIT.split(name) if w]


def name_says_prompt(name: str) -> bool:
    """True when a variable or attribute name says it holds a prompt."""
    words = name_words(name)
    if not words or name.startswith("__"):
        return False
    if words[-1] in NEGATIVE_LAST or NEGATIVE_ANY.intersection(words):
        return False
    if PROMPT_WORDS.intersection(words):
        return True
    return words[0] in EDGE_WORDS or words[-1] in EDGE_WORDS


def local_says_prompt(name: str) -> bool:
    """A function's local variable: a prompt name of two words or more, or one with "prompt" in it
    (a bare ``template`` or ``system`` local is too often something else)."""
    words = name_words(name)
    return name_says_prompt(name) and (len(words) > 1 or bool(PROMPT_WORDS.intersection(words)))


def name_vetoed(name: str) -> bool:
    """True for names that never hold prompts, even inside a prompt class or module."""
    words = name_words(name)
    return not words or name.startswith("__") or words[-1] in NEGATIVE_LAST or bool(NEGATIVE_ANY.intersection(words))


def container_says_prompt(name: str) -> bool:
    """A class or module whose name says it holds prompts (``EditBlockPrompts``, ``prompts.py``)."""
    return bool({"prompt", "prompts"}.intersection(name_words(name)))


def role_for_name(name: str) -> str:
    words = set(name_words(name))
    if words & SYSTEM_WORDS:
        return "system"
    if words & USER_WORDS:
        return "user"
    if words & ASSISTANT_WORDS:
        return "assistant"
    return "unknown"


_PLACEHOLDER = re.compile(r"\{[^{}\n]{0,80}\}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SQL = re.compile(
    r"^\s*(?:SELECT\b[\s\S]*\b(?:FROM|WHERE)\b|INSERT\s+INTO\b|UPDATE\s+\w[\w.\"`]*\s+SET\b|DELETE\s+FROM\b|"
    r"CREATE\s+(?:TABLE|INDEX|VIEW|UNIQUE|OR|TEMP|TRIGGER|DATABASE|SCHEMA)\b|ALTER\s+TABLE\b|DROP\s+"
    r"(?:TABLE|INDEX|VIEW)\b|WITH\s+\w+\s+AS\s*\(|PRAGMA\b|BEGIN\s+TRANSACTION\b)",
    re.I,
)
_HTML = re.compile(
    r"^\s*(?:<!DOCTYPE|<html\b|<\?xml\b|<(?:div|span|p|table|tr|td|ul|li|a|body|head|style|script|form|svg)\b)", re.I
)
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?>")
_URL_OR_PATH = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://\S*|[~.]?/[\w.@%+~/-]*|[A-Za-z]:\\[^\n]*|[\w.-]+/[\w./-]+)\s*$")
_REGEX_HINTS = re.compile(r"\\[dswbDSWB]|\(\?[:=!<P]|\[\^|\.\*|\.\+|\\\.|\$\)?\s*$|^\^")
_CODE_HINTS = re.compile(
    r"^\s*(?:def |class |import |from \w+ import|function |const |var |let |#include|SELECT |<\?php)", re.M
)
_SECOND_PERSON = re.compile(r"\byou(?:r|rs|rself|'re|'ll|'ve|’re|’ll)?\b", re.I)
_MODAL = re.compile(
    r"\b(?:must|should|always|never|do not|don't|don’t|please|make sure|be sure|ensure|avoid|act as|"
    r"pretend|respond|reply|answer|only output|output only|return only)\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"(?:^|[.!?:]\s+|\n\s*(?:[-*+]\s+|\d+[.)]\s+)?)(?:please\s+)?"
    r"(?:act|answer|analy[sz]e|ask|assess|be|break|build|check|choose|cite|classify|compare|compose|convert|"
    r"correct|count|create|decide|describe|detect|determine|do|don't|draft|edit|evaluate|explain|extract|fill|"
    r"find|fix|focus|follow|format|generate|give|grade|help|identify|ignore|imagine|include|infer|keep|label|"
    r"list|look|make|map|mark|never|always|note|only|outline|output|paraphrase|pick|plan|predict|prefer|"
    r"produce|proofread|propose|provide|rank|rate|read|reason|recommend|refuse|rephrase|reply|respond|"
    r"return|review|rewrite|say|score|select|simplify|solve|sort|speak|start|state|suggest|summari[sz]e|"
    r"take|tell|think|translate|treat|try|turn|use|verify|wait|write)\b",
    re.I,
)
_CODE_LINE = re.compile(
    r"\s*(?:(?:def|class|for|while|if|elif|else|try|except|finally|with|async def)\b[^\n]*:\s*$"
    r"|(?:return|import|pass|yield|raise|break|continue|var|let|const|function)\b(?![ \t]+[A-Za-z]+[ \t]+[a-z])"
    r"|[A-Za-z_][\w.\[\]'\"]*\s*(?:[-+*/%|&]|//|\*\*)?=\s*\S"
    r"|[\w.]+\([^()\n]*\)\s*;?\s*$"
    r"|[{}()\[\];,]+\s*$)"
)
_KEY_VALUE = re.compile(r"^\s*(?:[\w.-]+\s*=\s*\S|\[[\w .:-]+\]\s*$)")
_CLI_PROMPT = re.compile(r"[:?>$#]\s*$")
_YES_NO = re.compile(r"[(\[]y(?:es)?/no?[)\]]", re.I)


def _strip_placeholders(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)


def looks_like_data(text: str) -> bool:
    """True for SQL, HTML, URLs, paths, regexes, JSON and code: strings that are not prose."""
    stripped = text.strip()
    if not stripped:
        return True
    if _SQL.match(stripped) or _HTML.match(stripped) or _URL_OR_PATH.match(stripped):
        return True
    if stripped[0] in "{[" and stripped[-1] in "}]":
        try:
            json.loads(stripped)
            return True
        except ValueError:
            pass
    tags = sum(len(m.group(0)) for m in _TAG.finditer(stripped))
    if tags > 0.3 * len(stripped):
        return True
    if len(_CODE_HINTS.findall(stripped)) >= 2:
        return True
    lines = [ln for ln in stripped.split("\n") if ln.strip()]
    if len(lines) >= 3 and sum(1 for ln in lines if _KEY_VALUE.match(ln)) >= 0.4 * len(lines):
        return True  # INI / .env / config templates
    code = sum(1 for ln in lines if _CODE_LINE.match(ln))
    if code >= 3 and code >= 0.4 * len(lines):
        return True  # source code templates
    if " " not in stripped and len(_REGEX_HINTS.findall(stripped)) >= 1:
        return True
    return len(_REGEX_HINTS.findall(stripped)) >= 3 and len(_WORD.findall(stripped)) < 8


def reads_as_instructions(text: str) -> bool:
    """True when a string reads as instructions to a model (prose with directive cues)."""
    prose = _strip_placeholders(text)
    words = _WORD.findall(prose)
    if len(words) < 4 or looks_like_data(prose):
        return False
    letters = sum(1 for ch in prose if ch.isalpha() or ch.isspace())
    if letters < 0.6 * len(prose):
        return False
    if (len(words) < 10 and _CLI_PROMPT.search(prose)) or _YES_NO.search(prose):
        return False  # "Enter your name: ", "Open the browser? (Y/n) "
    score = 2 * bool(_SECOND_PERSON.search(prose)) + 2 * bool(_IMPERATIVE.search(prose))
    score += min(2, len(_MODAL.findall(prose)))
    return score >= 2
