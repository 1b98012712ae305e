"""Tests for promptlint.loaders.prompty."""

from __future__ import annotations

import time

from promptlint.edits import apply_edits
from promptlint.loaders import loader_for
from promptlint.loaders.prompty import PromptyEditor, PromptySection, load, split_front_matter
from promptlint.model import PromptDocument

PROMPTY = """---
name: Math Buddy
description: Friendly tutor
model:
  api: chat
  parameters:
    temperature: 0.4
sample:
  question: What is 3 x 4?
---

system:
You are Math Buddy.

Never give the answer directly.

user:
{{question}}

assistant:
Let's count together.
"""


def one_doc(text: str, path: str = "tutor.prompty") -> PromptDocument:
    result = load(path, text)
    assert result is not None
    assert result.problems == []
    assert len(result.documents) == 1
    return result.documents[0]


def line_of(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


def test_sections_roles_and_meta():
    doc = one_doc(PROMPTY)
    assert doc.format == "prompty" and doc.kind == "chat"
    assert [(m.role, m.text) for m in doc.messages] == [
        ("system", "You are Math Buddy.\n\nNever give the answer directly."),
        ("user", "{{question}}"),
        ("assistant", "Let's count together."),
    ]
    fm = doc.meta["front_matter"]
    assert fm["name"] == "Math Buddy"
    assert fm["model"]["parameters"]["temperature"] == 0.4
    assert doc.meta["sample"] == {"question": "What is 3 x 4?"}
    assert doc.messages[1].placeholders == [(0, 12)]
    assert isinstance(doc.editor, PromptyEditor)
    assert isinstance(doc.messages[0].node, PromptySection)


def test_positions_are_verbatim():
    doc = one_doc(PROMPTY)
    assert doc.message_lines(0) == (13, 15)
    assert doc.message_lines(1) == (18, 18)
    assert doc.message_lines(2) == (21, 21)
    msg = doc.messages[0]
    offset = msg.text.index("answer")
    assert doc.position(0, offset) == (line_of(PROMPTY, "answer"), len("Never give the ") + 1)
    for i, m in enumerate(doc.messages):
        start = m.source.file_offset(0)
        assert PROMPTY[start : start + len(m.text)] == m.text
        assert m.source.is_verbatim(0, len(m.text))
        assert doc.position(i, 0)[1] == 1


def test_text_before_first_marker_is_system_and_no_front_matter():
    text = "You are terse.\n\nuser:\nHi\n"
    doc = one_doc(text)
    assert [(m.role, m.text) for m in doc.messages] == [("system", "You are terse."), ("user", "Hi")]
    assert doc.meta == {}


def test_body_without_markers_is_one_system_message():
    doc = one_doc("---\nname: x\n---\nJust instructions.\n")
    assert [(m.role, m.text) for m in doc.messages] == [("system", "Just instructions.")]
    assert doc.position(0, 0) == (4, 1)


def test_marker_variants_and_crlf():
    text = (
        "---\r\nname: x\r\n---\r\n\r\n# System:\r\nBe kind.\r\n\r\n  USER :  \r\nQuestion?\r\nAssistant:\r\nAnswer.\r\n"
    )
    doc = one_doc(text)
    assert [(m.role, m.text) for m in doc.messages] == [
        ("system", "Be kind."),
        ("user", "Question?"),
        ("assistant", "Answer."),
    ]
    assert doc.message_lines(0) == (6, 6)
    assert doc.message_lines(1) == (9, 9)
    assert doc.position(2, 0) == (11, 1)


def test_marker_like_text_inside_a_line_is_not_a_marker():
    doc = one_doc("system:\nThe user: is not a marker.\nuser: neither\n")
    assert len(doc.messages) == 1
    assert doc.messages[0].text == "The user: is not a marker.\nuser: neither"


def test_empty_sections_are_skipped():
    doc = one_doc("system:\n\nuser:\nHi\nassistant:\n")
    assert [(m.role, m.text) for m in doc.messages] == [("user", "Hi")]


def test_broken_front_matter_is_prm002_but_body_is_linted():
    text = "---\nname: [unclosed\nmodel: x\n---\nsystem:\nHello there.\n"
    result = load("broken.prompty", text)
    assert result is not None
    assert [p.code for p in result.problems] == ["PRM002"]
    assert "front matter" in result.problems[0].message
    assert 2 <= result.problems[0].line <= 4
    (doc,) = result.documents
    assert [(m.role, m.text) for m in doc.messages] == [("system", "Hello there.")]
    assert doc.meta["front_matter"] == {}
    assert doc.position(0, 0) == (6, 1)


def test_front_matter_that_is_not_a_mapping():
    result = load("x.prompty", "---\n- a\n- b\n---\nsystem:\nHi\n")
    assert result is not None and [p.code for p in result.problems] == ["PRM002"]
    assert result.documents[0].messages[0].text == "Hi"


def test_unclosed_front_matter():
    result = load("x.prompty", "---\nname: x\nsystem:\nHi\n")
    assert result is not None and [p.code for p in result.problems] == ["PRM002"]
    assert "not closed" in result.problems[0].message


def test_alias_bomb_front_matter_is_bounded():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    started = time.perf_counter()
    result = load("bomb.prompty", "---\n" + bomb + "---\nsystem:\nHi\n")
    assert time.perf_counter() - started < 2
    assert result is not None and result.problems[0].code == "PRM002"
    assert result.documents[0].messages[0].text == "Hi"


def test_empty_files_are_skipped():
    assert load("x.prompty", "") is None
    assert load("x.prompty", "---\nname: x\n---\n\n") is None
    assert load("x.prompty", "system:\n\n") is None


def test_split_front_matter():
    assert split_front_matter("no front matter") is None
    assert split_front_matter("---\na: 1\n---\nbody") == (4, 9, 13)
    assert split_front_matter("---\n---\n") == (4, 4, 8)
    assert split_front_matter("---\na: 1\n") == (4, -1, 4)


def test_remove_message_removes_marker_line():
    doc = one_doc(PROMPTY)
    out = apply_edits(PROMPTY, doc.editor.remove_message(doc, 1))
    assert "user:" not in out and "{{question}}" not in out
    redo = one_doc(out)
    assert [m.role for m in redo.messages] == ["system", "assistant"]
    out = apply_edits(PROMPTY, doc.editor.remove_message(doc, 2))
    assert [m.role for m in one_doc(out).messages] == ["system", "user"]
    out = apply_edits(PROMPTY, doc.editor.remove_message(doc, 0))
    assert out.startswith("---\nname: Math Buddy")
    assert [m.role for m in one_doc(out).messages] == ["user", "assistant"]


def test_remove_unmarked_leading_section():
    text = "Intro instructions.\nuser:\nHi\n"
    doc = one_doc(text)
    assert apply_edits(text, doc.editor.remove_message(doc, 0)) == "user:\nHi\n"


def test_set_and_replace_text():
    doc = one_doc(PROMPTY)
    out = apply_edits(PROMPTY, doc.editor.set_message_text(doc, 1, "{{question}}\nShow your work."))
    assert one_doc(out).messages[1].text == "{{question}}\nShow your work."
    assert "\n\nassistant:\n" in out
    msg = doc.messages[0]
    start = msg.text.index("directly")
    out = apply_edits(PROMPTY, doc.editor.replace_text(doc, 0, start, start + len("directly"), "right away"))
    assert one_doc(out).messages[0].text == "You are Math Buddy.\n\nNever give the answer right away."


def test_loader_dispatch_and_never_raises():
    assert loader_for("prompts/chat.prompty") is load
    for text in ["\x00\x01", "---\n\x00: [\n---\n", "---\n" + "[" * 10000 + "\n---\nHi\n", "user:" * 1000]:
        result = load("x.prompty", text)
        assert result is None or isinstance(result.problems, list)
