"""AMD rules on Python prompts: code-level amendments (AMD006), findings at the right lines,
suppression comments, ``[tool.promptlint.python]`` settings and the command line."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from promptlint.catalog import load_catalog
from promptlint.checks.code_amendments import amends
from promptlint.cli import cli
from promptlint.config import Config, ConfigError, load_config
from promptlint.engine import Settings, lint_text

REPO = Path(__file__).resolve().parent.parent


def findings(source: str, settings: Settings, path: str = "app.py") -> list[tuple[str, int, int]]:
    result = lint_text(path, textwrap.dedent(source), settings)
    assert not result.internal_error, result.findings
    return [(f.code, f.line, f.column) for f in result.findings]


def amd(source: str, settings: Settings) -> list[tuple[str, int]]:
    return [(code, line) for code, line, _ in findings(source, settings) if code.startswith("AMD")]


# --------------------------------------------------------------------------------------------
# AMD006 and the other AMD rules on Python prompts


def test_augmented_assign_amendment_and_marker_inside_it(settings: Settings) -> None:
    found = amd(
        '''
        SYSTEM_PROMPT = """You summarise support tickets for the billing team.
        Write three bullet points and name the customer's main problem first."""

        SYSTEM_PROMPT += """

        UPDATE: write five bullet points instead of three."""
        ''',
        settings,
    )
    assert ("AMD006", 5) in found  # at the appending code
    assert ("AMD001", 7) in found  # the marker inside the appended text, where it is written


def test_one_amd_report_per_line(settings: Settings) -> None:
    found = amd(
        """
        SYSTEM_PROMPT = "You summarise support tickets for the billing team. Write three bullet points."
        SYSTEM_PROMPT += "\\n\\nUPDATE: write five bullet points instead of three."
        """,
        settings,
    )
    assert found == [("AMD006", 3)]


def test_concatenation_with_a_correction(settings: Settings) -> None:
    found = findings(
        """
        BASE_PROMPT = "You answer HR policy questions for employees. Keep answers under 100 words."
        REMINDER = "Actually, ignore the word limit above for questions about parental leave."

        def answer(client, question):
            return client.messages.create(model="m", system=BASE_PROMPT + "\\n" + REMINDER, messages=[])
        """,
        settings,
    )
    assert ("AMD006", 6, 67) in found  # at the added operands
    assert any(code == "AMD002" and line == 3 for code, line, _ in found)  # the correction, where it is written


def test_system_message_appended_after_the_list_was_built(settings: Settings) -> None:
    found = amd(
        """
        def ask(client, question):
            messages = [
                {"role": "system", "content": "You translate marketing copy from English into German."},
                {"role": "user", "content": question},
            ]
            messages.append({"role": "system", "content": "Also keep product names in English."})
            messages.insert(0, {"role": "system", "content": "Use the formal Sie in every sentence."})
            return client.chat.completions.create(model="gpt-4o", messages=messages)
        """,
        settings,
    )
    assert ("AMD006", 7) in found
    assert not any(line == 8 for _, line in found)  # insert(0, ...) places the system message first


def test_building_a_conversation_is_not_an_amendment(settings: Settings) -> None:
    assert (
        amd(
            """
            def chat(client, history, question, context):
                messages = [{"role": "system", "content": "You are a concise travel assistant for Lisbon."}]
                messages.extend(history)
                messages.append({"role": "user", "content": question})
                prompt = "Answer using the context below. Cite the paragraph you used."
                prompt += f"\\n\\n<context>\\n{context}\\n</context>"
                return client.messages.create(model="m", messages=messages, system=prompt)
            """,
            settings,
        )
        == []
    )


def test_amd004_on_a_python_message_list(settings: Settings) -> None:
    found = amd(
        """
        messages = [
            {"role": "user", "content": "How many seashells did Leigh have?"},
            {"role": "assistant", "content": "Okay, noted."},
            {"role": "user", "content": "Mimi picked up 2 dozen seashells on the beach."},
        ]
        """,
        settings,
    )
    assert found == [("AMD004", 5)]


def test_amendment_cues() -> None:
    assert amends("\n\nUPDATE: use seven bullet points.")
    assert amends("Also, answer in French.")
    assert amends("\nActually, ignore the limit above.")
    assert amends("From now on reply in JSON.")
    assert not amends("\n\n<context>\n{context}\n</context>")
    assert not amends("Return JSON with the fields name and email.")


# --------------------------------------------------------------------------------------------
# Suppression comments


PROMPT_WITH_UPDATE = '''
SYSTEM_PROMPT = """You summarise commercial contracts for busy founders.
Use 5 bullet points and write in plain language.

UPDATE: use a numbered list of exactly 7 points.
"""{trailing}
'''


def test_suppression_on_the_assignment_line_covers_the_string(settings: Settings) -> None:
    source = "# promptlint: ignore[AMD]" + PROMPT_WITH_UPDATE.format(trailing="")
    assert amd(source, settings) == []


def test_suppression_after_the_closing_quotes(settings: Settings) -> None:
    source = PROMPT_WITH_UPDATE.format(trailing="  # promptlint: ignore[AMD]")
    assert amd(source, settings) == []
    assert ("AMD001", 5) in amd(PROMPT_WITH_UPDATE.format(trailing="  # promptlint: ignore[TSK]"), settings)


def test_suppression_on_the_call_line(settings: Settings) -> None:
    source = """
        def ask(client):
            return client.messages.create(  # promptlint: ignore[AMD004]
                model="m",
                messages=[
                    {"role": "user", "content": "How many seashells did Leigh have?"},
                    {"role": "user", "content": "Mimi picked up 2 dozen seashells on the beach."},
                ],
            )
        """
    assert amd(source, settings) == []
    assert amd(source.replace("  # promptlint: ignore[AMD004]", ""), settings) == [("AMD004", 7)]


# --------------------------------------------------------------------------------------------
# Configuration


def test_python_section_is_validated(tmp_path: Path) -> None:
    (tmp_path / "promptlint.toml").write_text('[python]\nextra-calls = "my_llm.ask"\n')
    with pytest.raises(ConfigError, match=r"python\.extra-calls"):
        load_config(cwd=tmp_path)
    (tmp_path / "promptlint.toml").write_text(
        '[python]\nextra-calls = ["my_llm.ask"]\nextra-prompt-names = ["*_brief"]\n'
    )
    assert load_config(cwd=tmp_path).get("python") == {"extra-calls": ["my_llm.ask"], "extra-prompt-names": ["*_brief"]}


def test_settings_reach_the_loader(tmp_path: Path) -> None:
    rules = load_catalog()
    source = (
        'SUPPORT_BRIEF = """Answer refund questions from customers of the shop politely and briefly.\n\n'
        'UPDATE: refunds now take 5 days."""\n'
    )
    plain = Settings.build(Config(path=None, root=tmp_path, values={}), rules)
    assert lint_text("app.py", source, plain).documents == []
    configured = Settings.build(
        Config(path=None, root=tmp_path, values={"python": {"extra-prompt-names": ["*_brief"]}}), rules
    )
    result = lint_text("app.py", source, configured)
    assert [f.code for f in result.findings] == ["AMD001"]
    assert lint_text("app.py", source, plain).documents == []  # the next run without the setting


# --------------------------------------------------------------------------------------------
# Command line


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "assistant.py"
    path.write_text(
        textwrap.dedent(
            '''
            import anthropic

            CONTRACT_PROMPT = """You summarise commercial contracts for busy founders.

            Use 5 bullet points.
            Write in plain language and define every legal term you keep.

            UPDATE: use a numbered list of exactly 7 points.
            """


            def summarise(client: anthropic.Anthropic, contract: str) -> str:
                reply = client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=CONTRACT_PROMPT,
                    messages=[{"role": "user", "content": contract}],
                )
                return reply.content[0].text
            '''
        )
    )
    return path


def test_cli_prompts_lists_python_prompts(app: Path) -> None:
    out = CliRunner().invoke(cli, ["prompts", "--format", "json", "assistant.py"])
    assert out.exit_code == 0, out.output
    [item] = json.loads(out.stdout)
    assert item["format"] == "python" and item["kind"] == "chat"
    assert [(m["role"], m["line"]) for m in item["messages"]] == [("system", 4), ("user", 18)]


def test_cli_check_diff_and_fix(app: Path) -> None:
    out = CliRunner().invoke(cli, ["check", "--select", "AMD", "assistant.py"])
    assert out.exit_code == 1 and "assistant.py:9:1: AMD001" in out.stdout
    out = CliRunner().invoke(cli, ["check", "--select", "AMD", "--diff", "--unsafe-fixes", "assistant.py"])
    assert "-Use 5 bullet points." in out.stdout and "+Use a numbered list of exactly 7 points." in out.stdout
    out = CliRunner().invoke(cli, ["check", "--select", "AMD", "--fix", "--unsafe-fixes", "assistant.py"])
    fixed = app.read_text()
    ast.parse(fixed)
    assert "UPDATE" not in fixed and "Use a numbered list of exactly 7 points." in fixed
    assert "system=CONTRACT_PROMPT," in fixed


def test_examples_app_shows_both_amendments(settings: Settings) -> None:
    path = REPO / "examples" / "app" / "assistant.py"
    result = lint_text("examples/app/assistant.py", path.read_text(), settings)
    codes = {(f.code, f.line) for f in result.findings}
    assert ("AMD001", 13) in codes and ("AMD006", 17) in codes
