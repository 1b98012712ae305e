"""Declarative rules: a regular expression from the rule file, matched outside skipped regions."""

from __future__ import annotations

import re
from functools import lru_cache

from promptlint.context import RuleContext
from promptlint.lazyre import compile_cached
from promptlint.model import PromptDocument

DEFAULT_SKIP = ("code", "comment", "quote", "example", "quoted")


@lru_cache(maxsize=256)
def _compile(regex: str, flags: str) -> re.Pattern[str]:
    value = 0
    for ch in flags:
        value |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[ch]
    return compile_cached(regex, value)


def pattern_check(doc: PromptDocument, ctx: RuleContext) -> None:
    """Report every match of ``[pattern] regex`` with ``[pattern] message``.

    Keys: ``regex``, ``message`` (may use ``{match}``), ``flags`` (letters of ``imsx``),
    ``skip`` (region kinds to ignore), ``roles`` (message roles to search), ``requires`` (strings
    of which every match holds one, compared case-insensitively with the ``i`` flag: a message
    without any is not searched, which spares scanning prompts the regex cannot match).
    """
    spec = ctx.rule.pattern or {}
    flags = spec.get("flags", "m")
    regex = _compile(spec["regex"], flags)
    skip = set(spec.get("skip", DEFAULT_SKIP))
    roles = set(spec.get("roles", ("system", "user", "unknown")))
    requires = spec.get("requires")
    caseless = "i" in flags
    for i, msg in enumerate(doc.messages):
        if msg.role not in roles:
            continue
        if requires and not _holds_any(msg.text, requires, caseless):
            continue  # masking only blanks characters out: the masked text holds none either
        text = msg.masked_text(skip)
        for m in regex.finditer(text):
            ctx.report(spec["message"].format(match=m.group(0).strip()), msg=i, start=m.start(), end=m.end())


def _holds_any(text: str, needles: list[str], caseless: bool) -> bool:
    if caseless:
        text = text.lower()
        return any(n.lower() in text for n in needles)
    return any(n in text for n in needles)
