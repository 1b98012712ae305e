"""AMD006: split amendments made in code (Python prompts).

The Python loader records how a prompt was patched after it was defined in
``doc.meta["appends"]`` (one dict per appending statement or expression: ``kind``, ``target``,
``scope``, ``text``, ``line``/``column``/``end_line``/``end_column`` of the appending code and, for
message lists, ``role``, ``had_messages`` and ``at_start``). The appended text is also part of the
document, so AMD001/AMD002 see an ``UPDATE:`` inside it; this check reports the code that appends.
"""

from __future__ import annotations

import re
from typing import Any

from promptlint.checks.amendments import _OVERRIDE, CORRECTION, MARKER, _line_matches, _sentence_starts
from promptlint.context import RuleContext
from promptlint.lazyre import lazy_compile
from promptlint.model import PromptDocument

_LEAD_CUE = lazy_compile(
    r"(?:also|additionally|in addition|plus|one more thing|oh,?[ \t]+and|p\.[ \t]?s\.|ps:|n\.b\.|note:|important:|"
    r"reminder:|update[ds]?\b|correction|addendum|actually|wait\b|scratch that|on second thoughts?|ignore|"
    r"disregard|forget|instead|override|from now on|going forward|new (?:rules?|instructions?|requirements?)\b)",
    re.I,
)
_PLACEHOLDER = lazy_compile(r"\{[^{}\n]*\}")
_WORD = lazy_compile(r"[A-Za-z]{2,}")


def amends(text: str) -> bool:
    """True when appended text reads as an amendment: a marker, a correction, an override, "Also ..."."""
    stripped = text.strip()
    if not stripped:
        return False
    if _LEAD_CUE.match(stripped):
        return True
    for m in _line_matches(MARKER, text):
        if m.group("sep").strip():
            return True
    if any(CORRECTION.match(text, pos) for pos in _sentence_starts(text)):
        return True
    return bool(_OVERRIDE.search(text))


def _prose_words(text: str) -> int:
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", text)))


def _is_amendment(fact: dict[str, Any]) -> bool:
    kind = fact.get("kind")
    text = fact.get("text", "")
    if kind in ("append", "insert", "extend") or (kind == "augmented-assign" and "role" in fact):
        if not fact.get("had_messages") or fact.get("at_start"):
            return False
        return fact.get("role") == "system" or amends(text)
    if kind == "augmented-assign":
        # Patching a module constant or class attribute after its definition is an amendment;
        # inside a function, `prompt += f"...{context}"` builds a prompt unless the text amends it.
        return amends(text) or (fact.get("scope") in ("module", "class") and _prose_words(text) >= 3)
    if kind == "concatenation":
        return amends(text)
    return False


def _snippet(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= 50 else one[:47] + "..."


def code_level_amendment(doc: PromptDocument, ctx: RuleContext) -> None:
    """AMD006: ``PROMPT += "UPDATE: ..."``, ``BASE + "Actually, ..."``, ``messages.append(system)``."""
    for fact in doc.meta.get("appends", ()):
        if not _is_amendment(fact):
            continue
        kind, target = fact["kind"], fact.get("target") or "the prompt"
        if kind == "augmented-assign" and "role" not in fact:
            what = f"'{target} += ...' patches the prompt defined on line {fact.get('base_line')}"
            advice = "write the text into the definition"
        elif kind == "concatenation":
            what = f"text added to '{target}' amends it ('{_snippet(fact.get('text', ''))}')"
            advice = "merge it into the prompt's definition"
        else:
            method = "+=" if kind == "augmented-assign" else f".{kind}(...)"
            what = f"'{target}{method}' adds a {fact.get('role')} message after the conversation was built"
            advice = "merge it into the initial message"
        ctx.report_line(
            f"Code-level amendment: {what}; {advice}",
            line=fact["line"],
            column=fact["column"],
            end_line=fact["end_line"],
            end_column=fact["end_column"],
            data={"kind": kind, "target": target, "base_line": fact.get("base_line")},
        )
