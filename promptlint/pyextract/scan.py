"""The cheap text scan run on every Python file before anything is parsed.

A file is parsed only when its text carries a signal: an LLM call (``messages.create``,
``chat.completions``, ``ChatPromptTemplate``, ``SystemMessage`` ...), a message dict key
(``"role":`` / ``role=``), or an assignment to a prompt-like name (``SYSTEM_PROMPT =``,
``main_system =``, ``class EditBlockPrompts``). Substring tests come first (they cost microseconds);
the one regular expression runs only on files that contain one of its stems. The offsets of the
strong signals (calls, message dicts) also tell the extractor which statements to walk.
"""

from __future__ import annotations

import re

CALL_NEEDLES = (
    "messages.create",
    "messages.stream",
    "messages.count_tokens",
    "completions.create",
    "completions.parse",
    "completions.stream",
    "responses.create",
    "responses.stream",
    "responses.parse",
    "PromptTemplate",
    "from_messages",
    "from_template",
    "SystemMessage",
    "HumanMessage",
    "AIMessage",
    "ChatMessage",
)
NAME_STEMS = tuple(
    variant
    for stem in ("prompt", "instruction", "system", "reminder", "template", "persona", "preamble")
    for variant in (stem, stem.capitalize(), stem.upper())
)
# The line holding a stem: an assignment to (or a class named after) an identifier.
_ASSIGN_LINE = re.compile(
    r"[ \t]*(?:class[ \t]+(?P<cls>\w+)"
    r"|(?P<name>\w+)[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*(?P<value>[rRbBuUfF]{0,2}[\"']|\(|\w?))"
)
_ROLE_KEY_AFTER = re.compile(r"[ \t]*[:=](?!=)")


def role_offsets(text: str) -> list[int]:
    """Offsets of ``"role":`` / ``'role':`` dict keys and ``role=`` keyword arguments."""
    out = []
    i = text.find("role")
    while i != -1:
        before = text[i - 1] if i else ""
        if before in ("'", '"'):
            if text.startswith(before, i + 4) and _ROLE_KEY_AFTER.match(text, i + 5):
                out.append(i)
        elif (
            not (before.isalnum() or before == "_") and text.startswith("=", i + 4) and not text.startswith("==", i + 4)
        ):
            out.append(i)
        i = text.find("role", i + 4)
    return out


def may_hold_prompts(
    text: str, calls: tuple[str, ...] = (), names: tuple[str, ...] = (), message_dicts: bool = True
) -> bool:
    """True when the file text carries any prompt signal (call, message dict or prompt-like name).
    ``message_dicts=False`` ignores ``"role":`` keys (in tests, message lists are fixtures)."""
    if any(n in text for n in CALL_NEEDLES) or any(c in text for c in calls):
        return True
    if message_dicts and "role" in text and role_offsets(text):
        return True
    if names:
        low = text.lower()
        if any(n.lower() in low for n in names):
            return True
    return any(_assigns_stem(text, stem) for stem in NAME_STEMS if stem in text)


def _prompt_assignment(m: re.Match[str], stem: str) -> bool:
    from promptlint.pyextract.classify import container_says_prompt, name_says_prompt, name_words

    cls = m.group("cls")
    if cls is not None:
        return stem in cls and container_says_prompt(cls)
    name = m.group("name")
    if stem not in name or not name_says_prompt(name):
        return False
    # A bare `system = ...` / `template = ...` counts only with a string literal value.
    return len(name_words(name)) > 1 or m.group("value")[-1:] in ('"', "'", "(")


def _assigns_stem(text: str, stem: str) -> bool:
    """True when some line assigns to an identifier holding ``stem`` (or defines a class so named)."""
    i = text.find(stem)
    while i != -1:
        start = text.rfind("\n", 0, i) + 1
        m = _ASSIGN_LINE.match(text, start)
        if m and _prompt_assignment(m, stem):
            return True
        end = text.find("\n", i)
        if end == -1:
            return False
        i = text.find(stem, end)
    return False


def call_signal_offsets(text: str, calls: tuple[str, ...] = ()) -> list[int]:
    """Offsets of the strong signals (LLM calls, message dict keys) in the text."""
    out = role_offsets(text) if "role" in text else []
    for needle in (*CALL_NEEDLES, *calls):
        i = text.find(needle)
        while i != -1:
            out.append(i)
            i = text.find(needle, i + len(needle))
    return out


def is_test_file(path: str) -> bool:
    """Test modules: their message lists are fixtures (inputs and expected outputs), not prompts."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
