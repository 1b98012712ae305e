"""PythonEditor: message-level edits rewrite string literals in place, or are refused."""

from __future__ import annotations

import ast
import textwrap
from typing import Any

import pytest

from promptlint.edits import apply_edits
from promptlint.engine import Settings, lint_text
from promptlint.fixes import apply_fixes
from promptlint.loaders.python import load
from promptlint.model import PromptDocument


def document(source: str, index: int = 0) -> PromptDocument:
    result = load("app.py", textwrap.dedent(source))
    assert result is not None and result.problems == []
    return result.documents[index]


def value_of(source: str, name: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(source, "fixed.py", "exec"), {"textwrap": textwrap, "__name__": "fixed"}, namespace)
    return namespace[name]


def set_text(doc: PromptDocument, index: int, new: str) -> str | None:
    edits = doc.editor.set_message_text(doc, index, new)
    if not edits:
        return None
    out = apply_edits(doc.file_text, edits)
    ast.parse(out)
    return out


LITERALS = {
    "double": 'SYSTEM_PROMPT = "You answer billing questions. Keep answers short."\n',
    "single": "SYSTEM_PROMPT = 'You answer billing questions. Keep answers short.'\n",
    "triple": 'SYSTEM_PROMPT = """You answer billing questions.\nKeep answers short."""\n',
    "triple-single": "SYSTEM_PROMPT = '''You answer billing questions.\nKeep answers short.'''\n",
    "escapes": 'SYSTEM_PROMPT = "You answer \\"billing\\" questions.\\tKeep answers short.\\n"\n',
    "prefix-u": 'SYSTEM_PROMPT = u"You answer billing questions. Keep answers short."\n',
    "fstring-no-fields": 'SYSTEM_PROMPT = f"You answer billing questions. Keep answers short."\n',
    "adjacent": (
        'SYSTEM_PROMPT = (\n    "You answer billing questions.\\n"\n    "Keep answers short.\\n"\n'
        "    'Escalate fraud to a human.'\n)\n"
    ),
    "dedent": (
        'import textwrap\nSYSTEM_PROMPT = textwrap.dedent("""\n    You answer billing questions.\n'
        '    Keep answers short.\n    """)\n'
    ),
}
NEW_TEXTS = [
    'You answer "billing" questions.\n\nKeep answers short: 3 sentences.',
    "Start.\n" + '{braces} and \\backslashes\\ and \'quotes\' and """ triple"',
    "",
    "One line only",
    "Tabs\tand\r\ncarriage returns and é and \x00 NUL",
]


@pytest.mark.parametrize("name", list(LITERALS))
@pytest.mark.parametrize("new", NEW_TEXTS)
def test_set_message_text_round_trips(name: str, new: str) -> None:
    source = LITERALS[name]
    doc = document(source)
    msg = doc.messages[0]
    target = new if name != "dedent" else new.replace("\r", "")
    out = set_text(doc, 0, target)
    if out is None:
        pytest.skip("refused (allowed when the style cannot hold the text)")
    assert value_of(out, "SYSTEM_PROMPT") == target
    before = source[: msg.source.file_offset(0)]
    assert out.startswith(before.rsplit("\n", 1)[0])  # code before the literal is untouched


def test_edits_keep_quote_style_and_prefix() -> None:
    doc = document('SYSTEM_PROMPT = u"You answer billing questions.\\nKeep answers short."\n')
    out = set_text(doc, 0, "You answer billing questions.\nKeep answers under 50 words.")
    assert out == 'SYSTEM_PROMPT = u"You answer billing questions.\\nKeep answers under 50 words."\n'
    doc = document('SYSTEM_PROMPT = """You answer billing questions.\nKeep answers short."""\n')
    out = set_text(doc, 0, 'You answer billing questions.\n\nKeep answers "short".')
    assert out == 'SYSTEM_PROMPT = """You answer billing questions.\n\nKeep answers "short"."""\n'
    out = set_text(doc, 0, 'You answer billing questions.\nEnd with a quote: "')
    assert out is not None and value_of(out, "SYSTEM_PROMPT").endswith('"')


def test_replace_text_edits_only_the_changed_characters() -> None:
    source = 'SYSTEM_PROMPT = "You answer \\"billing\\" questions.\\tKeep answers short."\n'
    doc = document(source)
    text = doc.messages[0].text
    start = text.index("short")
    edits = doc.editor.replace_text(doc, 0, start, start + 5, "brief")
    assert len(edits) == 1 and edits[0].content == "brief"
    assert apply_edits(doc.file_text, edits) == source.replace("short", "brief")


def test_adjacent_literals_drop_emptied_pieces() -> None:
    source = 'SYSTEM_PROMPT = (\n    "You answer billing questions.\\n"\n    "UPDATE: keep answers short.\\n"\n)\n'
    doc = document(source)
    out = set_text(doc, 0, "You answer billing questions.\n")
    assert out == 'SYSTEM_PROMPT = (\n    "You answer billing questions.\\n"\n)\n'
    out = set_text(doc, 0, "UPDATE: keep answers short.\n")
    assert out == 'SYSTEM_PROMPT = (\n    "UPDATE: keep answers short.\\n"\n)\n'
    out = set_text(doc, 0, "You answer billing questions in 3 sentences.\n")
    assert out is not None and value_of(out, "SYSTEM_PROMPT") == "You answer billing questions in 3 sentences.\n"


def test_dedent_reindents_inserted_lines() -> None:
    source = (
        'import textwrap\nSYSTEM_PROMPT = textwrap.dedent("""\n    You answer billing questions.\n'
        '    Keep answers short.\n    """)\n'
    )
    doc = document(source)
    out = set_text(doc, 0, "\nYou answer billing questions.\nCite the invoice number.\nKeep answers short.\n")
    assert out == source.replace("    Keep", "    Cite the invoice number.\n    Keep")


def test_raw_strings_edit_only_when_no_escape_is_needed() -> None:
    doc = document('SYSTEM_PROMPT = r"You explain paths like C:\\Users and never run them."\n')
    out = set_text(doc, 0, "You explain paths like C:\\Users\\me and never run them.")
    assert out == 'SYSTEM_PROMPT = r"You explain paths like C:\\Users\\me and never run them."\n'
    assert set_text(doc, 0, 'You explain "paths".') is None
    assert set_text(doc, 0, "Two\nlines") is None


@pytest.mark.parametrize(
    "source",
    [
        'def f(user):\n    system_prompt = f"You help {user} plan meals. Keep it short."\n    return system_prompt\n',
        'BASE_PROMPT = "You answer billing questions."\nSYSTEM_PROMPT = BASE_PROMPT + " Keep answers short."\n',
        'SYSTEM_PROMPT = " ".join(["You answer billing questions.", "Keep answers short."])\n',
        'SYSTEM_PROMPT = "You answer {topic} questions. Keep answers short.".format(topic="billing")\n',
        'SYSTEM_PROMPT = "You answer billing questions."\nSYSTEM_PROMPT += " Keep answers short."\n',
    ],
)
def test_computed_prompts_get_no_edit(source: str) -> None:
    doc = document(source, -1)
    assert doc.editor.set_message_text(doc, 0, "You answer billing questions.") == []


def test_remove_message_deletes_the_dict_and_its_comma() -> None:
    source = textwrap.dedent(
        """
        messages = [
            {"role": "user", "content": "How many seashells did Leigh have?"},
            {"role": "assistant", "content": "Okay, noted."},
            {"role": "user", "content": "Mimi picked up 2 dozen seashells on the beach."},
        ]
        inline = [{"role": "user", "content": "Plan a weekend in Porto."}, {"role": "user", "content": "We eat."}]
        """
    )
    result = load("app.py", source)
    assert result is not None
    doc, inline = result.documents
    out = apply_edits(source, doc.editor.remove_message(doc, 1))
    assert '"Okay, noted."' not in out and value_of(out, "messages")[1]["content"].startswith("Mimi")
    out = apply_edits(source, inline.editor.remove_message(inline, 1))
    assert value_of(out, "inline") == [{"role": "user", "content": "Plan a weekend in Porto."}]
    out = apply_edits(source, inline.editor.remove_message(inline, 0))
    assert value_of(out, "inline") == [{"role": "user", "content": "We eat."}]


def test_remove_message_is_refused_outside_list_literals() -> None:
    doc = document('client.messages.create(system="You are a helpful assistant for a bakery.", messages=msgs)\n')
    assert doc.editor.remove_message(doc, 0) == []


# --------------------------------------------------------------------------------------------
# AMD fixes end to end


def fix(source: str, settings: Settings) -> tuple[str, list[str]]:
    source = textwrap.dedent(source)
    result = lint_text("app.py", source, settings)
    codes = [f.code for f in result.findings]
    fixed, _ = apply_fixes(source, result.findings, unsafe=True)
    ast.parse(fixed)
    return fixed, codes


def test_amd001_fix_in_a_triple_quoted_constant(settings: Settings) -> None:
    fixed, codes = fix(
        '''
        CONTRACT_PROMPT = """You summarise commercial contracts for busy founders.

        Use 5 bullet points.
        Write in plain language and define every legal term you keep.

        UPDATE: use a numbered list of exactly 7 points.
        """
        ''',
        settings,
    )
    assert "AMD001" in codes
    assert value_of(fixed, "CONTRACT_PROMPT") == (
        "You summarise commercial contracts for busy founders.\n\nUse a numbered list of exactly 7 points.\n"
        "Write in plain language and define every legal term you keep.\n"
    )


def test_amd002_fix_in_adjacent_single_quoted_literals(settings: Settings) -> None:
    fixed, codes = fix(
        """
        HR_PROMPT = (
            "You answer HR policy questions for employees at Northwind.\\n"
            "1. Cite the handbook section number for every answer.\\n"
            "\\n"
            "Actually, don't cite the section numbers; employees find them confusing.\\n"
        )
        """,
        settings,
    )
    assert "AMD002" in codes
    assert "Actually" not in value_of(fixed, "HR_PROMPT")
    assert "Don't cite the section numbers" in value_of(fixed, "HR_PROMPT")


def test_amd004_fix_merges_turns_in_a_message_list(settings: Settings) -> None:
    fixed, codes = fix(
        """
        def ask(client):
            return client.messages.create(
                model="m",
                messages=[
                    {"role": "user", "content": "How many seashells did Leigh have?"},
                    {"role": "assistant", "content": "Okay, noted."},
                    {"role": "user", "content": "Mimi picked up 2 dozen seashells on the beach."},
                ],
            )
        """,
        settings,
    )
    assert "AMD004" in codes
    assert '"How many seashells did Leigh have?\\n\\nMimi picked up 2 dozen seashells on the beach."' in fixed
    assert "Okay, noted." not in fixed


def test_no_fix_is_applied_to_computed_prompts(settings: Settings) -> None:
    source = textwrap.dedent(
        """
        def build(n):
            system_prompt = f"You summarise {n} contracts for founders.\\n\\nUse 5 bullets.\\n\\nUPDATE: use 7 bullets."
            return system_prompt
        """
    )
    result = lint_text("app.py", source, settings)
    assert "AMD001" in [f.code for f in result.findings]
    fixed, _ = apply_fixes(source, result.findings, unsafe=True)
    assert fixed == source


@pytest.mark.parametrize("name", list(LITERALS))
def test_random_replacements_are_exact_or_refused(name: str) -> None:
    import random

    rng = random.Random(name)
    alphabet = ["a", " ", "\n", '"', "'", "\\", "{", "}", "\t", "é", '"""', "x"]
    doc = document(LITERALS[name])
    text = doc.messages[0].text
    applied = 0
    for _ in range(60):
        a = rng.randrange(len(text) + 1)
        b = rng.randrange(a, len(text) + 1)
        new = "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))
        edits = doc.editor.replace_text(doc, 0, a, b, new)
        if not edits:
            continue
        out = apply_edits(doc.file_text, edits)
        assert value_of(out, "SYSTEM_PROMPT") == text[:a] + new + text[b:]
        applied += 1
    assert applied >= 30
