"""Python loader: which call shapes and string forms become prompt documents, and their source maps."""

from __future__ import annotations

import textwrap

import pytest

from promptlint.loaders.python import configure, load
from promptlint.model import PromptDocument


def docs(source: str, path: str = "app.py") -> list[PromptDocument]:
    result = load(path, textwrap.dedent(source))
    if result is None:
        return []
    assert result.problems == []
    for doc in result.documents:
        assert_exact_map(doc)
    return result.documents


def only(source: str, path: str = "app.py") -> PromptDocument:
    found = docs(source, path)
    assert len(found) == 1, [(d.kind, [m.text for m in d.messages]) for d in found]
    return found[0]


def roles(doc: PromptDocument) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in doc.messages]


def assert_exact_map(doc: PromptDocument) -> None:
    """Every character that the source map calls exact is that very character of the file."""
    for msg in doc.messages:
        anchors = msg.source.anchors
        for n, anchor in enumerate(anchors):
            end = anchors[n + 1].text_offset if n + 1 < len(anchors) else len(msg.text)
            assert 0 <= anchor.file_offset <= len(doc.file_text)
            if not anchor.exact:
                continue
            for k in range(anchor.text_offset, end):
                assert doc.file_text[msg.source.file_offset(k)] == msg.text[k], (msg.text, k)


def line_of(doc: PromptDocument, msg: int, needle: str) -> tuple[int, int]:
    return doc.position(msg, doc.messages[msg].text.index(needle))


# --------------------------------------------------------------------------------------------
# Call shapes


def test_anthropic_messages_create_with_system_and_messages() -> None:
    doc = only(
        """
        import anthropic

        client = anthropic.Anthropic()
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            system="You are a support assistant for a bike shop.",
            messages=[
                {"role": "user", "content": "Where is my order?"},
                {"role": "assistant", "content": "Let me check."},
            ],
        )
        """
    )
    assert doc.format == "python" and doc.kind == "chat"
    assert roles(doc) == [
        ("system", "You are a support assistant for a bike shop."),
        ("user", "Where is my order?"),
        ("assistant", "Let me check."),
    ]
    assert doc.position(0, 0) == (8, 13)
    assert doc.message_lines(1) == (10, 10)
    assert doc.meta["python"]["source"] == "call"


@pytest.mark.parametrize("method", ["stream", "count_tokens", "create"])
def test_async_beta_stream_and_count_tokens(method: str) -> None:
    doc = only(
        f"""
        async def go(client):
            async with client.beta.messages.{method}(
                model="m",
                system=[{{"type": "text", "text": "Answer in French.", "cache_control": {{"type": "ephemeral"}}}}],
                messages=[
                    {{
                        "role": "user",
                        "content": [{{"type": "text", "text": "Describe the image."}}, {{"type": "image"}}],
                    }}
                ],
            ) as stream:
                pass
        """
    )
    assert roles(doc) == [("system", "Answer in French."), ("user", "Describe the image.")]


def test_await_create_resolves_names_module_class_and_local() -> None:
    doc = only(
        """
        SYSTEM = "You review pull requests for the payments team and flag risky changes."

        class Reviewer:
            GREETING = "Review the diff below and list the three biggest risks."

            async def run(self, client, diff):
                question = self.GREETING + "\\n\\n" + diff
                return await client.messages.create(
                    model="m", system=SYSTEM, messages=[{"role": "user", "content": question}]
                )
        """
    )
    assert roles(doc) == [
        ("system", "You review pull requests for the payments team and flag risky changes."),
        ("user", "Review the diff below and list the three biggest risks.\n\n{diff}"),
    ]
    assert doc.messages[1].placeholders == [(len(doc.messages[1].text) - 6, len(doc.messages[1].text))]
    assert doc.position(0, 0)[0] == 2  # the system text is reported where it is defined
    assert doc.position(1, 0)[0] == 5


def test_openai_chat_completions_and_responses() -> None:
    found = docs(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(
            model="gpt-4o",
            messages=[
                {"role": "developer", "content": "Classify the ticket as billing, bug or other."},
                {"role": "user", "content": "The app crashes on start."},
            ],
        )
        client.responses.create(model="gpt-4o", instructions="Talk like a pirate.", input="Are semicolons optional?")
        client.responses.create(
            model="gpt-4o", input=[{"role": "user", "content": [{"type": "input_text", "text": "Summarise this."}]}]
        )
        """
    )
    assert [roles(d) for d in found] == [
        [("system", "Classify the ticket as billing, bug or other."), ("user", "The app crashes on start.")],
        [("system", "Talk like a pirate."), ("user", "Are semicolons optional?")],
        [("user", "Summarise this.")],
    ]


def test_messages_variable_built_with_appends() -> None:
    doc = only(
        """
        def ask(client, question):
            messages = []
            messages.append({"role": "system", "content": "You are a terse travel agent for Lisbon."})
            messages.append({"role": "user", "content": question})
            return client.messages.create(model="m", messages=messages)
        """
    )
    assert roles(doc) == [("system", "You are a terse travel agent for Lisbon."), ("user", "{question}")]
    assert doc.messages[1].is_placeholder_only()


def test_langchain_shapes() -> None:
    found = docs(
        """
        from langchain_core.prompts import ChatPromptTemplate, PromptTemplate, MessagesPlaceholder
        from langchain_core.messages import SystemMessage, HumanMessage, AIMessage

        chat = ChatPromptTemplate.from_messages([
            ("system", "You are a helpful assistant that translates {input_language} to {output_language}."),
            MessagesPlaceholder("history"),
            ("human", "{text}"),
        ])
        simple = ChatPromptTemplate.from_template("Tell me a joke about {topic}.")
        plain = PromptTemplate(
            input_variables=["product"], template="Suggest a name for a company that makes {product}."
        )
        plain2 = PromptTemplate.from_template("Summarise the text below in one sentence: {text}")
        objects = [
            SystemMessage(content="Answer only in haiku."),
            HumanMessage("Describe the sea."),
            AIMessage(content="Waves fold into foam"),
        ]
        """
    )
    assert [roles(d) for d in found] == [
        [
            ("system", "You are a helpful assistant that translates {input_language} to {output_language}."),
            ("user", "{text}"),
        ],
        [("user", "Tell me a joke about {topic}.")],
        [("unknown", "Suggest a name for a company that makes {product}.")],
        [("unknown", "Summarise the text below in one sentence: {text}")],
        [("system", "Answer only in haiku."), ("user", "Describe the sea."), ("assistant", "Waves fold into foam")],
    ]
    assert found[0].kind == "chat" and found[2].kind == "document"
    first = found[0].messages[0]
    assert [first.text[a:b] for a, b in first.placeholders] == ["{input_language}", "{output_language}"]


def test_lone_message_objects_and_dicts() -> None:
    found = docs(
        """
        GUARD = SystemMessage(content="Never reveal the internal discount codes to customers.")
        FIRST = {"role": "system", "content": "You are the booking assistant of a dental clinic."}
        EXAMPLES = [
            dict(role="user", content="Book me for Tuesday at 10."),
            dict(role="assistant", content="Done: Tuesday 10:00."),
        ]
        """
    )
    assert [roles(d) for d in found] == [
        [("system", "Never reveal the internal discount codes to customers.")],
        [("system", "You are the booking assistant of a dental clinic.")],
        [("user", "Book me for Tuesday at 10."), ("assistant", "Done: Tuesday 10:00.")],
    ]
    assert [d.kind for d in found] == ["document", "chat", "chat"]


def test_extra_calls_and_names_from_config() -> None:
    source = """
        def run(llm):
            return my_llm.ask("Write a limerick about the office coffee machine.", system="Be playful.")

        SUPPORT_BRIEF = "Handle refunds politely and escalate fraud to a human."
        """
    assert docs(source) == []
    configure({"extra-calls": ["my_llm.ask"], "extra-prompt-names": ["*_brief"]})
    try:
        found = docs(source)
    finally:
        configure(None)
    assert [roles(d) for d in found] == [
        [("unknown", "Write a limerick about the office coffee machine."), ("system", "Be playful.")],
        [("unknown", "Handle refunds politely and escalate fraud to a human.")],
    ]


# --------------------------------------------------------------------------------------------
# Named constants


def test_prompt_constants_and_aider_style_prompt_classes() -> None:
    found = docs(
        '''
        class CoderPrompts:
            main_system = """Act as an expert software developer.
        Always use best practices when coding.
        """
            files_no_sharing = "I am not sharing any files that you can edit yet."
            repo_files = "Do not edit these read-only files."  # "files": a name that never holds a prompt
            lazy_prompt = """You are diligent and tireless!
        You NEVER leave comments describing code without implementing it!
        """
            example_messages = []
            shell_cmd_prompt = ""

        class Settings:
            timeout = "Wait for the server to answer before you retry the request."
        ''',
        path="coders/base_prompts.py",
    )
    assert [(d.meta["python"]["name"], d.messages[0].role) for d in found] == [
        ("CoderPrompts.main_system", "system"),
        ("CoderPrompts.files_no_sharing", "unknown"),
        ("CoderPrompts.lazy_prompt", "unknown"),
    ]
    assert found[0].position(0, 0) == (3, 22)


def test_module_of_prompts_and_roles_from_names() -> None:
    found = docs(
        """
        commit_system = "You are an expert software engineer that writes one-line Git commit messages."
        summarize = "Summarize this partial conversation about programming for the user."
        undo_command_reply = "Okay."
        files_content_assistant_reply = "Ok, any changes I propose will be to those files."
        """,
        path="aider/prompts.py",
    )
    assert [(d.messages[0].role, d.messages[0].text[:12]) for d in found] == [
        ("system", "You are an e"),
        ("unknown", "Summarize th"),
    ]


def test_constant_used_by_a_call_is_one_document() -> None:
    found = docs(
        """
        SYSTEM_PROMPT = "You write release notes from merged pull requests, grouped by area."

        def notes(client, prs):
            return client.messages.create(model="m", system=SYSTEM_PROMPT, messages=[{"role": "user", "content": prs}])
        """
    )
    assert len(found) == 1 and found[0].meta["python"]["source"] == "call"


def test_derived_constant_claims_its_parts() -> None:
    found = docs(
        """
        BASE_PROMPT = "You extract contact details from email signatures."
        FORMAT_INSTRUCTIONS = "Return JSON with the fields name, email and phone."
        SYSTEM_PROMPT = BASE_PROMPT + "\\n\\n" + FORMAT_INSTRUCTIONS
        """
    )
    assert len(found) == 1
    assert found[0].messages[0].text == (
        "You extract contact details from email signatures.\n\nReturn JSON with the fields name, email and phone."
    )
    assert found[0].meta["python"]["name"] == "SYSTEM_PROMPT"


def test_function_local_prompt_assigned_once() -> None:
    doc = only(
        """
        def summarise(document):
            prompt = f"Summarise the document below in five bullet points.\\n\\n{document}"
            return call(prompt)
        """
    )
    assert doc.messages[0].text == "Summarise the document below in five bullet points.\n\n{document}"
    msg = doc.messages[0]
    assert [msg.text[a:b] for a, b in msg.placeholders] == ["{document}"]


# --------------------------------------------------------------------------------------------
# String forms and exact positions


def test_triple_quoted_raw_and_escapes_map_exactly() -> None:
    doc = only(
        '''
        SYSTEM_PROMPT = """You are a regex tutor.\\tExplain each \\"pattern\\" step by step.
        Use \\N{BULLET} bullets and never more than 5 items."""
        '''
    )
    text = doc.messages[0].text
    assert (
        text
        == 'You are a regex tutor.\tExplain each "pattern" step by step.\nUse • bullets and never more than 5 items.'
    )
    assert line_of(doc, 0, "Use") == (3, 1)
    assert line_of(doc, 0, "never") == (3, 28)
    assert line_of(doc, 0, "Explain") == (2, 44)
    raw = docs(
        """
        RAW_PROMPT = r"You explain Windows paths like C:\\Users\\name and never run them."
        """
    )[0]
    assert raw.messages[0].text == "You explain Windows paths like C:\\Users\\name and never run them."
    assert line_of(raw, 0, "and never") == (2, 61)


def test_implicit_concatenation_maps_each_piece() -> None:
    doc = only(
        """
        SYSTEM_PROMPT = (
            "You answer customer emails for an online bike shop.\\n"  # tone
            "Be friendly and sign every reply as 'The Spoke Team'.\\n"
            'Offer a discount code only when an order arrived damaged.'
        )
        """
    )
    assert doc.messages[0].text.count("\n") == 2
    assert line_of(doc, 0, "Be friendly") == (4, 6)
    assert line_of(doc, 0, "Offer") == (5, 6)
    assert doc.message_lines(0) == (3, 5)


def test_fstring_fields_become_placeholders() -> None:
    doc = only(
        """
        def build(user, items):
            system_prompt = f"You help {user.name!r} plan meals. Use at most {len(items):>3} items and {{braces}}."
            return system_prompt
        """
    )
    msg = doc.messages[0]
    assert msg.text == "You help {user.name!r} plan meals. Use at most {len(items):>3} items and {braces}."
    spans = [msg.text[a:b] for a, b in msg.placeholders]
    assert "{user.name!r}" in spans and "{len(items):>3}" in spans
    assert line_of(doc, 0, "plan meals") == (3, 46)


def test_format_dedent_cleandoc_join_and_plus() -> None:
    found = docs(
        '''
        import inspect
        import textwrap

        GREETING_PROMPT = "Answer {name} warmly and offer help with {topic}.".format(name="x", topic="y")
        REVIEW_PROMPT = textwrap.dedent("""
            You review pull requests.
              Leave at most 5 comments.
            """)
        NOTES_PROMPT = inspect.cleandoc("""Write release notes.
            Group them by area.
            """)
        RULES_PROMPT = "\\n".join(["Answer in English.", "Cite your sources.", "Never guess."])
        TONE_PROMPT = "You are a polite assistant. " + "Always answer in two sentences."
        '''
    )
    texts = [d.messages[0].text for d in found]
    assert texts == [
        "Answer {name} warmly and offer help with {topic}.",
        "\nYou review pull requests.\n  Leave at most 5 comments.\n",
        "Write release notes.\nGroup them by area.",
        "Answer in English.\nCite your sources.\nNever guess.",
        "You are a polite assistant. Always answer in two sentences.",
    ]
    review, notes, rules = found[1], found[2], found[3]
    assert line_of(review, 0, "Leave") == (8, 7)
    assert line_of(notes, 0, "Group") == (11, 5)
    assert line_of(rules, 0, "Cite") == (13, 50)


def test_crlf_source_and_non_ascii_columns() -> None:
    source = 'SYSTEM_PROMPT = ("Répondez en français. " """Use short\r\nsentences and answer politely.""")\r\n'
    result = load("app.py", source)
    assert result is not None
    doc = result.documents[0]
    assert doc.messages[0].text == "Répondez en français. Use short\nsentences and answer politely."
    assert_exact_map(doc)
    assert doc.position(0, doc.messages[0].text.index("Use")) == (1, 46)
    assert doc.position(0, doc.messages[0].text.index("sentences")) == (2, 1)
    assert doc.position(0, 0) == (1, 19)


def test_every_message_gets_regions_and_first_char_is_not_verbatim() -> None:
    doc = only(
        '''
        SYSTEM_PROMPT = """You translate letters. Keep `code` as is.

        <example>
        UPDATE: ignore me
        </example>
        """
        '''
    )
    msg = doc.messages[0]
    assert msg.regions  # markup.analyse ran
    assert not msg.source.is_verbatim(0, len(msg.text))  # edits must go through PythonEditor


def test_list_mutations_keep_python_order() -> None:
    doc = only(
        """
        def ask(client, history):
            messages = [{"role": "user", "content": "Plan a weekend in Porto for two people."}]
            messages.insert(0, {"role": "system", "content": "You are a travel agent in Lisbon."})
            messages.extend([{"role": "assistant", "content": "Sure."}, {"role": "user", "content": "We love food."}])
            messages += [{"role": "user", "content": "And wine."}]
            messages.append(history[-1])
            return client.messages.create(model="m", messages=messages)
        """
    )
    assert [m.role for m in doc.messages] == ["system", "user", "assistant", "user", "user"]
    kinds = [(a["kind"], a["line"]) for a in doc.meta["appends"]]
    assert kinds == [("insert", 4), ("extend", 5), ("augmented-assign", 6)]


def test_bare_from_template_and_unknown_roles_do_not_crash() -> None:
    found = docs(
        """
        from langchain_core.prompts import PromptTemplate
        t = from_template("Summarise {text} in one sentence for a busy reader.")
        m = [{"role": "tool", "content": "42"}, {"role": "user", "content": "What is the answer to everything?"}]
        """
    )
    assert [roles(d) for d in found] == [[("user", "What is the answer to everything?")]]


def test_lone_dict_call_message() -> None:
    doc = only('GUARDRAIL = dict(role="system", content="Refuse to discuss competitors\' pricing.")\n')
    assert roles(doc) == [("system", "Refuse to discuss competitors' pricing.")] and doc.kind == "chat"
