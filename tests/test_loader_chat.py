"""Tests for promptlint.loaders.chat (chat YAML/JSON) and promptlint.loaders.safe_json."""

from __future__ import annotations

import json
import random
import time

import pytest
import yaml

from promptlint.edits import apply_edits
from promptlint.loaders import chat, loader_for, safe_json
from promptlint.loaders.chat import (
    PRM002,
    ChatJsonEditor,
    ChatYamlEditor,
    JsonStringRef,
    YamlLoadError,
    YamlScalarRef,
    load_json,
    load_yaml,
    looks_like_chat,
    safe_yaml_load,
    yaml_double_quoted,
)
from promptlint.model import PromptDocument

# ---------------------------------------------------------------------------------------------
# helpers


def one_doc(result) -> PromptDocument:
    assert result is not None
    assert result.problems == []
    assert len(result.documents) == 1
    return result.documents[0]


def yaml_doc(text: str, path: str = "chat.yaml") -> PromptDocument:
    return one_doc(load_yaml(path, text))


def json_doc(text: str, path: str = "chat.json") -> PromptDocument:
    return one_doc(load_json(path, text))


def assert_exact_map(doc: PromptDocument) -> None:
    """Every character the source map calls verbatim is the same character in the file."""
    for msg in doc.messages:
        offsets = [a.file_offset for a in msg.source.anchors]
        assert offsets == sorted(offsets)
        for i, ch in enumerate(msg.text):
            if msg.source.is_verbatim(i, i + 1):
                assert doc.file_text[msg.source.file_offset(i)] == ch, (msg.text, i)


def pos_of(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def check_positions(doc: PromptDocument, index: int, needles: list[str]) -> None:
    """Each needle, found in the message text, is reported where it is in the file."""
    msg = doc.messages[index]
    for needle in needles:
        offset = msg.text.index(needle)
        assert doc.position(index, offset) == pos_of(doc.file_text, needle), needle


def contents(text: str) -> list:
    data = yaml.safe_load(text)
    return [m["content"] for m in data["messages"]]


def json_contents(text: str) -> list:
    return [m["content"] for m in json.loads(text)["messages"]]


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# ---------------------------------------------------------------------------------------------
# shapes


def test_messages_yaml_roles_and_format():
    text = (
        "messages:\n"
        "  - role: system\n    content: Be brief.\n"
        "  - role: developer\n    content: Dev note.\n"
        "  - role: human\n    content: Hi.\n"
        "  - role: ai\n    content: Hello.\n"
        "  - role: model\n    content: Hello again.\n"
        "  - role: tool\n    content: '{}'\n"
        "  - role: User\n    content: Caps.\n"
    )
    doc = yaml_doc(text)
    assert doc.format == "chat-yaml" and doc.kind == "chat"
    assert [m.role for m in doc.messages] == [
        "system",
        "system",
        "user",
        "assistant",
        "assistant",
        "unknown",
        "user",
    ]
    assert doc.messages[0].text == "Be brief."
    assert isinstance(doc.editor, ChatYamlEditor)
    assert isinstance(doc.messages[0].node, YamlScalarRef)
    assert_exact_map(doc)


def test_github_prompt_yml_meta():
    text = (
        "name: Summarizer\n"
        "description: Summarizes text\n"
        "model: openai/gpt-4o-mini\n"
        "modelParameters:\n  temperature: 0.5\n  max_tokens: 100\n"
        "messages:\n"
        "  - role: system\n    content: You summarize.\n"
        "  - role: user\n    content: '{{input}}'\n"
        "testData:\n  - input: hello\n    expected: hi\n"
        "evaluators:\n  - name: x\n"
    )
    doc = yaml_doc(text, "summarize.prompt.yml")
    assert doc.meta["name"] == "Summarizer"
    assert doc.meta["description"] == "Summarizes text"
    assert doc.meta["model"] == "openai/gpt-4o-mini"
    assert doc.meta["modelParameters"] == {"temperature": 0.5, "max_tokens": 100}
    assert doc.meta["testData"] == [{"input": "hello", "expected": "hi"}]
    assert [m.text for m in doc.messages] == ["You summarize.", "{{input}}"]
    assert doc.messages[1].placeholders == [(0, 9)]


def test_anthropic_json_system_string():
    text = json.dumps(
        {
            "model": "claude",
            "system": "You are terse.",
            "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}],
        },
        indent=2,
    )
    doc = json_doc(text)
    assert doc.format == "chat-json" and doc.kind == "chat"
    assert [(m.role, m.text) for m in doc.messages] == [
        ("system", "You are terse."),
        ("user", "Hi"),
        ("assistant", "Yo"),
    ]
    assert doc.meta["model"] == "claude"
    assert isinstance(doc.editor, ChatJsonEditor)
    assert isinstance(doc.messages[0].node, JsonStringRef)
    check_positions(doc, 0, ["You", "terse"])


def test_anthropic_system_blocks_and_content_blocks():
    text = json.dumps(
        {
            "system": [{"type": "text", "text": "First system block."}, {"type": "text", "text": "Second."}],
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image", "source": {"type": "base64", "data": "xx"}},
                        {"type": "text", "text": "Describe this."},
                        {"type": "text", "text": "Briefly."},
                    ],
                },
                {"role": "assistant", "content": [{"type": "tool_use", "name": "x"}]},
                {"role": "user", "content": [{"type": "text", "text": "Only block."}]},
            ],
        },
        indent=1,
    )
    doc = json_doc(text)
    assert [(m.role, m.text) for m in doc.messages] == [
        ("system", "First system block."),
        ("system", "Second."),
        ("user", "Describe this."),
        ("user", "Briefly."),
        ("user", "Only block."),
    ]
    check_positions(doc, 2, ["Describe", "this."])
    check_positions(doc, 3, ["Briefly"])


def test_openai_top_level_list_json_and_yaml():
    text = '[\n  {"role": "system", "content": "Sys"},\n  {"role": "user", "content": "Usr"}\n]\n'
    doc = json_doc(text)
    assert [(m.role, m.text) for m in doc.messages] == [("system", "Sys"), ("user", "Usr")]
    assert doc.position(1, 0) == (3, 32)
    ydoc = yaml_doc("- role: system\n  content: Sys\n- role: user\n  content: Usr\n")
    assert [(m.role, m.text) for m in ydoc.messages] == [("system", "Sys"), ("user", "Usr")]
    assert ydoc.position(1, 0) == (4, 12)


def test_gemini_contents_and_parts():
    text = json.dumps(
        {
            "system_instruction": {"parts": [{"text": "Be kind."}]},
            "contents": [
                {"role": "user", "parts": [{"text": "Hello"}]},
                {"role": "model", "parts": [{"text": "Hi"}]},
            ],
        }
    )
    doc = json_doc(text)
    assert [(m.role, m.text) for m in doc.messages] == [
        ("system", "Be kind."),
        ("user", "Hello"),
        ("assistant", "Hi"),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("docker-compose.yml", "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n"),
        (".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"),
        ("roles.yaml", "- role: admin\n  members: [a, b]\n"),
        ("messages.yaml", "messages:\n  - id: hello\n    content: Hello\n"),
        ("no-string.yaml", "messages:\n  - role: user\n    content: [{type: image, url: x}]\n"),
        ("null-content.yaml", "messages:\n  - role: user\n    content:\n"),
        ("empty.yaml", ""),
        ("scalar.yaml", "just a string with role and content words\n"),
        ("broken.yaml", "key: [unclosed\n"),
    ],
)
def test_yaml_files_without_chat_are_skipped(path, text):
    assert load_yaml(path, text) is None


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "pkg", "version": "1.0.0", "dependencies": {}}',
        '{"compilerOptions": {"strict": true}}',
        '{"role": "admin", "content": "not a chat"}',
        '[{"role": "admin"}, {"content": "x"}]',
        '{"name": ',
        "",
    ],
)
def test_json_files_without_chat_are_skipped(text):
    assert load_json("package.json", text) is None


def test_loader_dispatch():
    assert loader_for("a/b.prompt.yml") is load_yaml
    assert loader_for("a/b.yaml") is load_yaml
    assert loader_for("a/b.json") is load_json


def test_multi_document_yaml():
    text = (
        "kind: Config\nvalue: 1\n"
        "---\n"
        "messages:\n  - role: user\n    content: First doc\n"
        "---\n"
        "messages:\n  - role: user\n    content: Second doc\n"
    )
    result = load_yaml("multi.yaml", text)
    assert result is not None and result.problems == []
    assert [d.messages[0].text for d in result.documents] == ["First doc", "Second doc"]
    assert result.documents[1].position(0, 0) == (10, 14)
    doc = result.documents[1]
    edits = doc.editor.set_message_text(doc, 0, "Changed")
    assert list(yaml.safe_load_all(apply_edits(text, edits)))[2]["messages"][0]["content"] == "Changed"


def test_anchor_and_merge_keys():
    text = (
        "base: &base\n  role: system\n"
        "shared: &shared Shared text\n"
        "messages:\n"
        "  - <<: *base\n    content: Merged role\n"
        "  - role: user\n    content: *shared\n"
    )
    doc = yaml_doc(text)
    assert [(m.role, m.text) for m in doc.messages] == [("system", "Merged role"), ("user", "Shared text")]
    assert doc.position(1, 0) == (3, 17)  # the anchored scalar


# ---------------------------------------------------------------------------------------------
# YAML source maps


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_plain_scalars(newline):
    text = (
        "messages:\n"
        "  - role: user\n"
        "    content: Single line plain text\n"
        "  - role: user\n"
        "    content: first line of a\n"
        "      multi-line plain   \n"
        "\n"
        "      scalar after a blank line\n"
    ).replace("\n", newline)
    doc = yaml_doc(text)
    assert doc.messages[0].text == "Single line plain text"
    assert doc.messages[1].text == "first line of a multi-line plain\nscalar after a blank line"
    check_positions(doc, 0, ["Single", "line plain", "text"])
    check_positions(doc, 1, ["first", "of a", "multi-line", "scalar", "blank line"])
    assert doc.position(1, doc.messages[1].text.index("plain")) == (6, 18)
    assert doc.message_lines(1) == (5, 8)
    # The folded space after "of a" maps to the end of line 5 (the line break).
    fold = doc.messages[1].text.index(" multi")
    assert doc.position(1, fold) == (5, len("    content: first line of a") + 1)
    assert_exact_map(doc)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_single_quoted_scalars(newline):
    text = (
        "messages:\n"
        "  - role: user\n"
        "    content: 'It''s a test: #1'\n"
        "  - role: user\n"
        "    content: 'folded\n"
        "      quoted ''text''\n"
        "\n"
        "      end'\n"
    ).replace("\n", newline)
    doc = yaml_doc(text)
    assert doc.messages[0].text == "It's a test: #1"
    assert doc.messages[1].text == "folded quoted 'text'\nend"
    check_positions(doc, 0, ["It", "s a test", "#1"])
    check_positions(doc, 1, ["folded", "quoted", "text", "end"])
    quote = doc.messages[0].text.index("'")
    assert doc.position(0, quote) == pos_of(text, "''")
    assert not doc.messages[0].source.is_verbatim(0, 4)
    assert doc.messages[0].source.is_verbatim(3, 15)
    assert_exact_map(doc)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_double_quoted_scalars_with_escapes(newline):
    text = (
        "messages:\n"
        "  - role: user\n"
        '    content: "Say \\"hi\\"\\nthen \\u00e9t\\u00e9 and \\U0001F600 done\\tend"\n'
        "  - role: user\n"
        '    content: "first \\\n'
        "      continued\n"
        "      next line\n"
        '      last"\n'
    ).replace("\n", newline)
    doc = yaml_doc(text)
    assert doc.messages[0].text == 'Say "hi"\nthen été and 😀 done\tend'
    assert doc.messages[1].text == "first continued next line last"
    msg = doc.messages[0]
    # An escape maps (non-exactly) to its backslash, then exact mapping resumes.
    assert doc.position(0, msg.text.index('"')) == pos_of(text, '\\"')
    assert doc.position(0, msg.text.index("\n")) == pos_of(text, "\\n")
    assert doc.position(0, msg.text.index("é")) == pos_of(text, "\\u00e9")
    assert doc.position(0, msg.text.index("😀")) == pos_of(text, "\\U0001F600")
    check_positions(doc, 0, ["Say", "hi", "then", "and", "done"])
    assert doc.position(0, msg.text.index("té a")) == pos_of(text, "t\\u00e9 a")
    assert doc.position(0, len(msg.text) - 3) == pos_of(text, 'end"')
    check_positions(doc, 1, ["first", "continued", "next line", "last"])
    assert not msg.source.is_verbatim(0, len(msg.text))
    assert msg.source.is_verbatim(0, 4)
    assert_exact_map(doc)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_literal_block_scalars(newline):
    text = (
        "messages:\n"
        "  - role: system\n"
        "    content: |\n"
        "      Line one.\n"
        "        Indented line.\n"
        "\n"
        "      After blank.\n"
        "  - role: user\n"
        "    content: |-\n"
        "      Stripped\n"
        "      end.\n"
        "\n"
        "  - role: user\n"
        "    content: |+  # keep\n"
        "      Kept\n"
        "\n"
        "  - role: user\n"
        "    content: |2\n"
        "        two extra spaces\n"
        "      back\n"
    ).replace("\n", newline)
    doc = yaml_doc(text)
    expected = yaml.safe_load(text)
    assert [m.text for m in doc.messages] == [m["content"] for m in expected["messages"]]
    assert doc.messages[0].text == "Line one.\n  Indented line.\n\nAfter blank.\n"
    assert doc.messages[1].text == "Stripped\nend."
    assert doc.messages[2].text == "Kept\n\n"
    assert doc.messages[3].text == "  two extra spaces\nback\n"
    check_positions(doc, 0, ["Line one", "one.", "Indented", "After blank"])
    check_positions(doc, 1, ["Stripped", "end."])
    check_positions(doc, 2, ["Kept"])
    check_positions(doc, 3, ["two extra", "back"])
    # Content starts on the line after the indicator, without the block indentation.
    assert doc.position(0, 0) == (4, 7)
    assert doc.message_lines(0) == (4, 7)
    assert doc.position(3, 0) == (19, 7)
    ref = doc.messages[0].node
    assert ref.style == "|" and ref.indent == 6
    assert_exact_map(doc)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_folded_block_scalars(newline):
    text = (
        "messages:\n"
        "  - role: user\n"
        "    content: >\n"
        "      Folded first\n"
        "      and second.\n"
        "\n"
        "      New paragraph\n"
        "        kept indented\n"
        "      last\n"
        "  - role: user\n"
        "    content: >-\n"
        "      short\n"
        "      folded\n"
    ).replace("\n", newline)
    doc = yaml_doc(text)
    expected = yaml.safe_load(text)
    assert [m.text for m in doc.messages] == [m["content"] for m in expected["messages"]]
    assert doc.messages[1].text == "short folded"
    check_positions(doc, 0, ["Folded", "first", "and second", "New paragraph", "kept indented", "last"])
    check_positions(doc, 1, ["short", "folded"])
    # A folded line break becomes a space that maps to the line break.
    space = doc.messages[0].text.index(" and")
    assert doc.position(0, space) == (4, len("      Folded first") + 1)
    assert_exact_map(doc)


def test_flow_style_messages():
    text = 'messages: [{role: system, content: "Be brief"}, {role: user, content: Hello there}]\n'
    doc = yaml_doc(text)
    assert [m.text for m in doc.messages] == ["Be brief", "Hello there"]
    check_positions(doc, 0, ["Be brief"])
    check_positions(doc, 1, ["Hello", "there"])
    assert doc.messages[0].node.flow


def test_unicode_and_bom_positions():
    text = "\ufeffmessages:\n  - role: user\n    content: |\n      中文 text 😀 here\n      next\n"
    doc = yaml_doc(text)
    check_positions(doc, 0, ["中文", "text", "😀", "here", "next"])
    assert_exact_map(doc)


def test_seeded_roundtrip_of_dumped_yaml():
    """yaml.safe_dump in every scalar style: values match PyYAML and maps are exact."""
    rng = random.Random(7)
    alphabet = [*"abcxyz  \n\t'\"\\#:-{}[],é中😀", "  ", "\n\n", " \n", "\x85", "\u2028"]
    for _ in range(300):
        msgs = [
            {"role": "user", "content": "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))}
            for _ in range(rng.randint(1, 3))
        ]
        text = yaml.safe_dump(
            {"messages": msgs},
            default_style=rng.choice([None, "|", ">", '"', "'"]),
            width=rng.choice([12, 80]),
            allow_unicode=rng.random() < 0.7,
            default_flow_style=rng.random() < 0.2,
        )
        if rng.random() < 0.3:
            text = crlf(text)
        doc = yaml_doc(text)
        assert [m.text for m in doc.messages] == contents(text)
        assert all(m.node.exact for m in doc.messages)
        assert_exact_map(doc)


# ---------------------------------------------------------------------------------------------
# JSON source maps


def test_json_string_positions_and_escapes():
    text = (
        "{\n"
        '  "messages": [\n'
        '    {"role": "user", "content": "Line one\\nLine \\"two\\" caf\\u00e9 \\ud83d\\ude00 end"}\n'
        "  ]\n"
        "}\n"
    )
    doc = json_doc(text)
    msg = doc.messages[0]
    assert msg.text == 'Line one\nLine "two" café 😀 end'
    check_positions(doc, 0, ["Line one", "one", "two", "caf", "end"])
    assert doc.position(0, msg.text.index("\n")) == pos_of(text, "\\n")
    assert doc.position(0, msg.text.index("é")) == pos_of(text, "\\u00e9")
    assert doc.position(0, msg.text.index("😀")) == pos_of(text, "\\ud83d")
    assert msg.source.is_verbatim(0, 8)
    assert not msg.source.is_verbatim(0, 10)
    assert_exact_map(doc)


def test_json_crlf_and_raw_unicode():
    text = crlf(
        json.dumps({"messages": [{"role": "user", "content": "héllo\twörld 中文"}]}, indent=2, ensure_ascii=False)
    )
    doc = json_doc(text)
    check_positions(doc, 0, ["héllo", "wörld", "中文"])
    assert doc.position(0, 0)[0] == 5
    assert_exact_map(doc)


# ---------------------------------------------------------------------------------------------
# Problems and safety


def test_broken_prompt_yml_is_prm002():
    text = "messages:\n  - role: user\n    content: [unclosed\n"
    result = load_yaml("x.prompt.yml", text)
    assert result is not None and result.documents == []
    (problem,) = result.problems
    assert problem.code == PRM002
    assert "YAML" in problem.message
    assert problem.line >= 3


def test_broken_yaml_that_looks_like_chat_is_prm002():
    text = "messages:\n  - role: user\n    content: hi\n   bad: indentation\n"
    result = load_yaml("chat.yaml", text)
    assert result is not None and result.problems[0].code == PRM002
    assert result.problems[0].line == 4


def test_broken_json_chat_is_prm002_with_position():
    text = '{\n  "messages": [\n    {"role": "user", "content": "hi"},\n  ]\n}\n'
    result = load_json("chat.json", text)
    assert result is not None and result.documents == []
    (problem,) = result.problems
    assert problem.code == PRM002
    assert (problem.line, problem.column) == (4, 3)


def test_non_printable_yaml_is_prm002():
    result = load_yaml("x.prompt.yml", "messages:\n  - role: user\n    content: a\x00b\n")
    assert result is not None and result.problems[0].code == PRM002


def test_looks_like_chat():
    assert looks_like_chat("messages:\n  - role: user\n    content: x\n")
    assert looks_like_chat('[{"role": "user", "content": "x"}]')
    assert not looks_like_chat("services:\n  role: x\n")


def _alias_bomb() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


@pytest.mark.parametrize(
    "tail",
    [
        "testData: *i\n",
        "modelParameters: {x: *i}\n",
        "messages:\n  - role: user\n    content: [*i, *i]\n",
    ],
)
def test_alias_bomb_is_bounded(tail):
    text = _alias_bomb() + ("" if "messages" in tail else "messages:\n  - role: user\n    content: hi\n") + tail
    started = time.perf_counter()
    result = load_yaml("bomb.prompt.yml", text)
    assert time.perf_counter() - started < 2
    assert result is None or result.documents == []
    if result is not None:
        assert result.problems[0].code == PRM002
        assert "alias" in result.problems[0].message or "too large" in result.problems[0].message


def test_alias_bomb_in_meta_is_refused():
    text = "messages:\n  - role: user\n    content: hi\n" + _alias_bomb() + "testData: *i\n"
    result = load_yaml("bomb.prompt.yml", text)
    assert result is not None and result.documents == []
    assert result.problems[0].code == PRM002
    assert "too many aliases" in result.problems[0].message


def test_recursive_alias_is_refused():
    result = load_yaml("x.prompt.yml", "messages:\n  - role: user\n    content: hi\ntestData: &a [x, *a]\n")
    assert result is not None and result.problems and result.problems[0].code == PRM002


@pytest.mark.parametrize(
    "text",
    [
        "messages:\n  - role: user\n    content: " + "[" * 10000 + "]" * 10000 + "\n",
        "role: x\ncontent: y\nmessages: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n",
        "messages:\n" + "".join("  " * i + "- role: user\n" + "  " * i + "  content:\n" for i in range(1, 400)),
    ],
)
def test_deep_yaml_nesting_is_bounded(text):
    started = time.perf_counter()
    result = load_yaml("deep.prompt.yml", text)
    assert time.perf_counter() - started < 2
    assert result is None or (result.documents == [] and result.problems[0].code == PRM002)


def test_deep_yaml_in_generic_file_without_chat_words():
    started = time.perf_counter()
    assert load_yaml("deep.yaml", "[" * 10000 + "]" * 10000) is None
    assert time.perf_counter() - started < 2


def test_deep_json_nesting_is_bounded():
    text = '{"messages": [{"role": "user", "content": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
    started = time.perf_counter()
    result = load_json("deep.json", text)
    assert time.perf_counter() - started < 2
    assert result is not None and result.problems[0].code == PRM002
    assert "nesting too deep" in result.problems[0].message
    assert load_json("deep.json", "[" * 100_000 + "]" * 100_000) is None


def test_safe_yaml_load():
    assert safe_yaml_load("a: 1\nb: [x, 2.5, true, null]\nc: 2024-01-01\n") == {
        "a": 1,
        "b": ["x", 2.5, True, None],
        "c": "2024-01-01",
    }
    with pytest.raises(YamlLoadError) as err:
        safe_yaml_load(_alias_bomb())
    assert "alias" in err.value.message
    with pytest.raises(YamlLoadError) as err:
        safe_yaml_load("a: [1, 2\n")
    assert err.value.offset > 0


# ---------------------------------------------------------------------------------------------
# safe_json


def test_safe_json_parse_matches_json_module():
    samples = [
        '{"a": [1, -2.5e3, true, false, null, "x\\u00e9"], "b": {}, "c": [], "d": {"e": [{}]}}',
        "[]",
        '  "just a string"  ',
        "0",
        '{"dup": 1, "dup": 2}',
    ]
    for sample in samples:
        assert safe_json.to_python(safe_json.parse(sample)) == json.loads(sample)


def test_safe_json_offsets():
    text = '{"k": ["ab", 12]}'
    root = safe_json.parse(text)
    value = root.get("k")
    assert value is not None and (value.start, value.end) == (6, 16)
    assert [(n.start, n.end) for n in value.items] == [(7, 11), (13, 15)]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"a": 1,}', 1, 9),
        ('{\n  "a": tru\n}', 2, 8),
        ("[1, 2", 1, 6),
        ('{"a" 1}', 1, 6),
        ('["\x01"]', 1, 3),
        ("[1] 2", 1, 5),
    ],
)
def test_safe_json_errors(text, line, column):
    with pytest.raises(safe_json.JsonError) as err:
        safe_json.parse(text)
    assert (err.value.line, err.value.column) == (line, column)


def test_safe_json_depth_and_comments():
    with pytest.raises(safe_json.JsonError, match="nesting too deep"):
        safe_json.parse("[" * 100_000 + "]" * 100_000)
    assert safe_json.to_python(safe_json.parse("[" * 500 + "]" * 500)) is not None
    assert safe_json.to_python(safe_json.parse('// c\n{"a": /* x */ 1}', allow_comments=True)) == {"a": 1}


# ---------------------------------------------------------------------------------------------
# YAML editor

EDIT_YAML = (
    "name: demo\n"
    "messages:\n"
    "  - role: system\n"
    "    content: |  # the system prompt\n"
    "      You are helpful.\n"
    "      Be brief.\n"
    "\n"
    "  - role: user   # first\n"
    '    content: "Say \\"hi\\""\n'
    "  - role: user\n"
    "    content: plain text here # trailing\n"
    "  - role: assistant\n"
    "    content: 'it''s'\n"
    "testData: []\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_yaml_set_message_text_keeps_block_style(newline):
    text = EDIT_YAML.replace("\n", newline)
    doc = yaml_doc(text)
    edits = doc.editor.set_message_text(doc, 0, "New system\nline two\n")
    out = apply_edits(text, edits)
    assert contents(out)[0] == "New system\nline two\n"
    assert contents(out)[1:] == contents(text)[1:]
    assert f"content: |  # the system prompt{newline}      New system{newline}      line two{newline}" in out
    assert out.startswith(f"name: demo{newline}") and out.endswith(f"testData: []{newline}")
    # Without a final newline the block becomes |- with the same indentation.
    out = apply_edits(text, doc.editor.set_message_text(doc, 0, "One line"))
    assert f"content: |-  # the system prompt{newline}      One line{newline}" in out
    assert contents(out)[0] == "One line"


def test_yaml_set_message_text_other_styles():
    doc = yaml_doc(EDIT_YAML)
    ed = doc.editor
    # Plain stays plain when it round-trips; trailing comment kept.
    out = apply_edits(EDIT_YAML, ed.set_message_text(doc, 2, "other plain"))
    assert "content: other plain # trailing" in out
    # Plain that would not round-trip becomes double-quoted.
    out = apply_edits(EDIT_YAML, ed.set_message_text(doc, 2, "{{x}}: yes"))
    assert 'content: "{{x}}: yes" # trailing' in out
    assert contents(out)[2] == "{{x}}: yes"
    # Text with newlines becomes a literal block; the trailing comment moves to the header.
    out = apply_edits(EDIT_YAML, ed.set_message_text(doc, 2, "multi\nline"))
    assert "content: |- # trailing\n      multi\n      line\n" in out
    assert contents(out)[2] == "multi\nline"
    # Single-quoted stays single-quoted.
    out = apply_edits(EDIT_YAML, ed.set_message_text(doc, 3, "it's fine"))
    assert "content: 'it''s fine'" in out
    # Double-quoted stays double-quoted.
    out = apply_edits(EDIT_YAML, ed.set_message_text(doc, 1, 'A "quote"'))
    assert 'content: "A \\"quote\\""' in out
    for i, new in enumerate(["", "  leading", "trailing  ", "x\r\ny", "tab\there", "a\n\n\n", "\x7f\x85\u2028"]):
        for index in range(4):
            out = apply_edits(EDIT_YAML, ed.set_message_text(doc, index, new))
            got = contents(out)
            assert got[index] == new, (i, index, out)
            assert got[:index] + got[index + 1 :] == contents(EDIT_YAML)[:index] + contents(EDIT_YAML)[index + 1 :]


def test_yaml_block_with_leading_spaces_uses_indentation_indicator():
    doc = yaml_doc(EDIT_YAML)
    out = apply_edits(EDIT_YAML, doc.editor.set_message_text(doc, 0, "  indented first\nsecond\n"))
    assert contents(out)[0] == "  indented first\nsecond\n"
    assert "content: |2" in out


def test_yaml_replace_text_is_local():
    doc = yaml_doc(EDIT_YAML)
    ed = doc.editor
    msg = doc.messages[0]
    start = msg.text.index("helpful")
    edits = ed.replace_text(doc, 0, start, start + len("helpful"), "very helpful")
    assert len(edits) == 1 and edits[0].end - edits[0].start == len("helpful")
    assert contents(apply_edits(EDIT_YAML, edits))[0] == "You are very helpful.\nBe brief.\n"
    # Inserting a line inside a literal block keeps the indentation.
    start = msg.text.index("Be brief")
    out = apply_edits(EDIT_YAML, ed.replace_text(doc, 0, start, start, "New rule.\n"))
    assert contents(out)[0] == "You are helpful.\nNew rule.\nBe brief.\n"
    assert "      New rule.\n      Be brief.\n" in out
    # Deleting across an escape in a double-quoted scalar re-renders it.
    out = apply_edits(EDIT_YAML, ed.replace_text(doc, 1, 3, 8, ""))
    assert contents(out)[1] == "Say"
    # Replacing inside a single-quoted scalar escapes quotes.
    out = apply_edits(EDIT_YAML, ed.replace_text(doc, 3, 0, 2, "that's"))
    assert contents(out)[3] == "that's's"


def test_yaml_replace_text_seeded():
    rng = random.Random(3)
    doc = yaml_doc(EDIT_YAML)
    base = contents(EDIT_YAML)
    pieces = ["", "x", " ", "\n", "'", '"', ": ", " #", "{{v}}", "é", "a\nb"]
    for _ in range(200):
        index = rng.randrange(4)
        text = doc.messages[index].text
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        new = rng.choice(pieces) + rng.choice(pieces)
        edits = doc.editor.replace_text(doc, index, a, b, new)
        got = contents(apply_edits(EDIT_YAML, edits))
        assert got[index] == text[:a] + new + text[b:]
        assert got[:index] + got[index + 1 :] == base[:index] + base[index + 1 :]


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_yaml_remove_message(index):
    doc = yaml_doc(EDIT_YAML)
    out = apply_edits(EDIT_YAML, doc.editor.remove_message(doc, index))
    expected = contents(EDIT_YAML)
    del expected[index]
    assert contents(out) == expected
    data = yaml.safe_load(out)
    assert data["name"] == "demo" and data["testData"] == []
    assert out.startswith("name: demo\nmessages:\n")


def test_yaml_remove_only_message_and_system_member():
    text = "model: x\nsystem: Be brief.\nmessages:\n  - role: user\n    content: hi\nnotes: keep\n"
    doc = yaml_doc(text)
    out = apply_edits(text, doc.editor.remove_message(doc, 1))
    assert yaml.safe_load(out) == {"model": "x", "system": "Be brief.", "messages": [], "notes": "keep"}
    out = apply_edits(text, doc.editor.remove_message(doc, 0))
    assert yaml.safe_load(out) == {
        "model": "x",
        "messages": [{"role": "user", "content": "hi"}],
        "notes": "keep",
    }


def test_yaml_remove_in_flow_sequence():
    text = "messages: [{role: system, content: a}, {role: user, content: b}, {role: user, content: c}]\n"
    doc = yaml_doc(text)
    for index in range(3):
        out = apply_edits(text, doc.editor.remove_message(doc, index))
        expected = ["a", "b", "c"]
        del expected[index]
        assert contents(out) == expected


def test_yaml_double_quoted_is_json_compatible():
    for s in ['a "b" \\ c', "line\nbreak\ttab", "\x00\x7f\x85\u2028\ufeff", "é中😀"]:
        rendered = yaml_double_quoted(s)
        assert yaml.safe_load("k: " + rendered) == {"k": s}
        assert json.loads(rendered) == s


# ---------------------------------------------------------------------------------------------
# JSON editor

EDIT_JSON = """{
  "model": "claude",
  "system": "Be brief.",
  "messages": [
    {"role": "user", "content": "First \\"one\\""},
    {"role": "assistant", "content": "Second"},
    {"role": "user", "content": "Third\\nline"}
  ]
}
"""


def test_json_set_and_replace_text():
    doc = json_doc(EDIT_JSON)
    ed = doc.editor
    assert [m.text for m in doc.messages] == ["Be brief.", 'First "one"', "Second", "Third\nline"]
    out = apply_edits(EDIT_JSON, ed.set_message_text(doc, 1, 'New "text"\nwith é'))
    assert json_contents(out) == ['New "text"\nwith é', "Second", "Third\nline"]
    assert '"content": "New \\"text\\"\\nwith é"' in out
    # Local replacement inside a verbatim run.
    edits = ed.replace_text(doc, 2, 0, 3, "Fir")
    assert len(edits) == 1 and edits[0].end - edits[0].start == 3
    assert json_contents(apply_edits(EDIT_JSON, edits))[1] == "Firond"
    out = apply_edits(EDIT_JSON, ed.replace_text(doc, 2, 0, 0, 'A "b"\n'))
    assert json_contents(out)[1] == 'A "b"\nSecond'
    # Across an escape: the whole string is re-rendered.
    assert json_contents(apply_edits(EDIT_JSON, ed.replace_text(doc, 3, 4, 7, "X")))[2] == "ThirXine"
    assert json_contents(apply_edits(EDIT_JSON, ed.replace_text(doc, 1, 0, 7, "")))[0] == 'one"'
    assert json.loads(apply_edits(EDIT_JSON, ed.set_message_text(doc, 0, "\ud800 lone")))["system"] == "\ud800 lone"


@pytest.mark.parametrize("index", [1, 2, 3])
def test_json_remove_first_middle_last(index):
    doc = json_doc(EDIT_JSON)
    out = apply_edits(EDIT_JSON, doc.editor.remove_message(doc, index))
    expected = ['First "one"', "Second", "Third\nline"]
    del expected[index - 1]
    data = json.loads(out)
    assert [m["content"] for m in data["messages"]] == expected
    assert data["system"] == "Be brief." and data["model"] == "claude"


def test_json_remove_system_member_and_sole_item():
    doc = json_doc(EDIT_JSON)
    out = apply_edits(EDIT_JSON, doc.editor.remove_message(doc, 0))
    assert json.loads(out) == {"model": "claude", "messages": json.loads(EDIT_JSON)["messages"]}
    text = '{"messages": [{"role": "user", "content": "only"}]}'
    doc = json_doc(text)
    assert json.loads(apply_edits(text, doc.editor.remove_message(doc, 0))) == {"messages": []}


def test_json_remove_text_block_of_several():
    text = json.dumps(
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}
    )
    doc = json_doc(text)
    out = json.loads(apply_edits(text, doc.editor.remove_message(doc, 1)))
    assert out == {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]}
    out = json.loads(apply_edits(text, doc.editor.set_message_text(doc, 0, "A")))
    assert out["messages"][0]["content"][0]["text"] == "A"


def test_json_openai_list_remove():
    text = '[\n  {"role": "system", "content": "S"},\n  {"role": "user", "content": "U"}\n]\n'
    doc = json_doc(text)
    assert json.loads(apply_edits(text, doc.editor.remove_message(doc, 0))) == [{"role": "user", "content": "U"}]
    assert json.loads(apply_edits(text, doc.editor.remove_message(doc, 1))) == [{"role": "system", "content": "S"}]


_SAME_NODES_CASES = [
    "messages:\n  - role: system\n    content: |\n      héllo “x” 😀\n      line2\n"
    '  - {role: user, content: "t\\tq"}\n',
    "a: &x [1, 2]\nb: *x\nmessages:\n  - role: user\n    content: >-\n      folded\n      text\n",
    "---\nmessages: []\n---\nother: 'it''s'\n...\n",
    "messages:\n  - role: user\n    content: 'unterminated\n",
    "messages: [[[[\n",
]


@pytest.mark.parametrize("text", _SAME_NODES_CASES)
def test_libyaml_and_pure_python_compose_the_same_nodes(text):
    """The fast libyaml parser must give the nodes, marks and errors of the pure-Python one."""
    if chat._CParser is None:
        pytest.skip("PyYAML without libyaml")

    def walk(node, acc):
        value = node.value if isinstance(node.value, str) else None
        acc.append(
            (
                type(node).__name__,
                node.tag,
                node.start_mark.index,
                node.end_mark.index,
                getattr(node, "style", None) or None,
                value,
            )
        )
        if isinstance(node.value, list):
            for item in node.value:
                for sub in item if isinstance(item, tuple) else (item,):
                    walk(sub, acc)
        return acc

    def compose(cls):
        try:
            return [walk(d, []) for d in chat._compose_with(cls(text))]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            return ("error", mark.index if mark else None)

    assert compose(chat._CLoader) == compose(chat._Loader)
