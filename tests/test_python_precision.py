"""Python loader: what is not a prompt, and files that must never stop the run."""

from __future__ import annotations

import sys
import textwrap

import pytest

from promptlint.loaders.python import load
from promptlint.pyextract import classify, scan


def texts(source: str, path: str = "app.py") -> list[str]:
    result = load(path, textwrap.dedent(source))
    if result is None:
        return []
    assert result.problems == []
    return [m.text for d in result.documents for m in d.messages]


NOT_PROMPTS = {
    "docstrings": '''
        """You are reading the module docstring. Always keep it short."""

        class Assistant:
            """You must call run() before you ask the model anything."""

            def prompt_user(self):
                """Ask the user for input and return it. You should strip it."""
        ''',
    "logging and exceptions": """
        import logging
        log = logging.getLogger(__name__)

        def check(system_prompt):
            log.info("Using system prompt: %s. You should see it in the trace.", system_prompt)
            if not system_prompt:
                raise ValueError("You must provide a system prompt; never pass an empty string.")
            warnings.warn("Always set a system prompt, you will get better answers.")
        """,
    "sql": """
        UPDATE_SYSTEM_SQL = "UPDATE users SET role = 'admin' WHERE id = ?"
        SYSTEM_QUERY = "SELECT prompt, instructions FROM templates WHERE name = %s"
        PROMPT_TEMPLATE = "select * from prompts where owner = :owner and you = 1"
        """,
    "regexes": r"""
        import re
        PROMPT_RE = re.compile(r"^\s*(?:>>>|\.\.\.)\s")
        PROMPT_PATTERN = r"^(?P<user>\w+)@(?P<host>[\w.-]+)\$ "
        SYSTEM_PROMPT_REGEX = "you\\s+must\\s+(\\w+)"
        """,
    "paths and urls": """
        PROMPTS_DIR = "/var/lib/app/prompts"
        SYSTEM_PROMPT_PATH = "prompts/system.md"
        PROMPT_URL = "https://example.com/you/should/read/this"
        SYSTEM_TEMPLATE = "templates/system/you_must_read.j2"
        """,
    "cli help": """
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--system-prompt", help="Use this system prompt; you must quote it in the shell.")
        SYSTEM_PROMPT_HELP = "Set the system prompt you want the model to follow."
        prompt = "Continue? [y/N] "

        def ask():
            answer = input("Enter your name: ")
            prompt = "Open the report in your browser? (Y/n) "
            return input(prompt)
        """,
    "html templates": """
        EMAIL_TEMPLATE = '''<html><body><p>Dear {name},</p><p>You must confirm your address.</p></body></html>'''
        PAGE_TEMPLATE = '''<!DOCTYPE html>
        <html><head><title>Prompt</title></head><body>Always welcome.</body></html>'''
        """,
    "expected-output fixtures": """
        EXPECTED_PROMPT = "You are a helpful assistant. Answer in French."
        expected = [
            {"role": "user", "content": "Hello, please answer in French from now on."},
            {"role": "assistant", "content": ""},
        ]
        mock_system_prompt = "You are a fake model used in tests. Always answer OK."
        """,
    "json schema dicts": """
        RESPONSE_SCHEMA = {
            "type": "object",
            "properties": {"role": {"type": "string", "enum": ["user", "assistant"]}, "content": {"type": "string"}},
        }
        tool = {"name": "get_weather", "description": "You must call this to get the weather.", "input_schema": {}}
        MESSAGE_FORMAT = {"role": "{role}", "content": 3}
        """,
    "code and config templates": '''
        SETUP_TEMPLATE = """
        def inner(_it, _timer):
            for _i in _it:
                pass
            return _timer()
        """
        CONFIG_TEMPLATE = """
        [default]
        prompt = no
        base_url = http://example.com
        user = you
        """
        JSON_TEMPLATE = '{"prompt": "You must answer", "system": true}'
        ''',
    "short or non-instruction strings": """
        SYSTEM = "linux"
        system_name = "You are connected to the build system."
        SYSTEM_PROMPT = ""
        PROMPT = ">>> "
        sys_prompt_color = "You are red"
        REPORT_TEMPLATE = "Revenue for {quarter}: {amount} ({change}%)"
        """,
    "tests fixtures and role dicts that are not messages": """
        def test_alternating_roles():
            messages = [
                {"role": "user", "content": "Hello"},
                {"role": "user", "content": "Are you there? Please answer me now."},
            ]
            assert fix(messages)
        PERMISSIONS = {"role": "admin", "content": "You can edit every page of the wiki."}
        """,
}


@pytest.mark.parametrize("name", list(NOT_PROMPTS))
def test_not_a_prompt(name: str) -> None:
    path = "test_roles.py" if name.startswith("tests") else "app.py"
    assert texts(NOT_PROMPTS[name], path) == []


def test_prompts_next_to_non_prompts_are_still_found() -> None:
    found = texts(
        """
        import logging
        SYSTEM_PROMPT = "You are a careful SQL reviewer. Never run the queries you review."
        REVIEW_SQL = "SELECT * FROM users"

        def run(client, sql):
            logging.info("reviewing %s", sql)
            return client.messages.create(model="m", system=SYSTEM_PROMPT, messages=[{"role": "user", "content": sql}])
        """
    )
    assert found == ["You are a careful SQL reviewer. Never run the queries you review.", "{sql}"]


def test_instruction_heuristics() -> None:
    assert classify.reads_as_instructions("You are a helpful assistant.")
    assert classify.reads_as_instructions("Return only JSON with the fields name and email.")
    assert classify.reads_as_instructions("Act as an expert software developer.\nAlways use best practices.")
    assert not classify.reads_as_instructions("UPDATE users SET name = 'x' WHERE id = 1")
    assert not classify.reads_as_instructions("https://api.example.com/v1/prompts")
    assert not classify.reads_as_instructions("Enter your name: ")
    assert not classify.reads_as_instructions("Revenue for {quarter} grew by {pct} percent this year")
    assert classify.name_says_prompt("SYSTEM_PROMPT") and classify.name_says_prompt("main_system")
    assert classify.name_says_prompt("summaryInstructions") and classify.name_says_prompt("lint_reminder")
    assert not classify.name_says_prompt("PROMPT_HELP") and not classify.name_says_prompt("system_path")
    assert not classify.name_says_prompt("expected_prompt") and not classify.name_says_prompt("ecosystem")


# --------------------------------------------------------------------------------------------
# Cheap scan and robustness


def test_files_without_signals_are_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    import ast

    def boom(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(ast, "parse", boom)
    assert load("util.py", "import os\n\ndef f(x):\n    return os.path.join(x, 'a')\n") is None
    assert load("util.py", "system = platform.system()\nrole_count = 3\n") is None
    assert not scan.may_hold_prompts("def f():\n    return os.system('ls')\n")
    assert scan.may_hold_prompts('client.messages.create(model="m")')
    assert scan.may_hold_prompts('x = {"role": "user", "content": "hi"}')
    assert scan.may_hold_prompts('    main_system = """Act as..."""')
    assert scan.may_hold_prompts("class EditBlockPrompts(CoderPrompts):\n    pass\n")
    assert scan.may_hold_prompts("def f():\n    prompt = f'Summarise {x}'\n")


def test_syntax_error_is_a_prm002_problem() -> None:
    result = load("broken.py", 'SYSTEM_PROMPT = "You are a helpful assistant.\n\ndef f(:\n')
    assert result is not None and result.documents == []
    [problem] = result.problems
    assert problem.code == "PRM002" and problem.line == 1 and "syntax" in problem.message.lower()


def test_syntax_error_without_signals_is_skipped() -> None:
    assert load("broken.py", "def f(:\n    pass\n") is None


def test_long_chain_of_adjacent_literals_does_not_crash() -> None:
    pieces = "\n".join(f'    "Rule {i}: answer politely and you must cite sources.\\n"' for i in range(3000))
    source = f"SYSTEM_PROMPT = (\n{pieces}\n)\n"
    result = load("rules.py", source)
    assert result is not None and result.problems == []
    [doc] = result.documents
    msg = doc.messages[0]
    assert msg.text.count("\n") == 3000
    assert doc.position(0, msg.text.index("Rule 2999")) == (3001, 6)


def test_deep_nesting_and_long_plus_chains_are_problems_not_crashes() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        plus = "SYSTEM_PROMPT = " + " + ".join(['"You must answer. "'] * 20000) + "\n"
        result = load("plus.py", plus)
        assert result is not None and [p.code for p in result.problems] == ["PRM002"]
        nested = "PROMPT_LIST = " + "[" * 300 + "]" * 300 + "\n"
        result = load("nested.py", nested)
        assert result is not None and [p.code for p in result.problems] == ["PRM002"]
        unary = "SYSTEM_PROMPT = " + "-" * 200000 + "1\n"
        result = load("unary.py", unary)
        assert result is not None and [p.code for p in result.problems] == ["PRM002"]
    finally:
        sys.setrecursionlimit(limit)


def test_moderate_plus_chain_is_resolved_iteratively() -> None:
    source = "SYSTEM_PROMPT = " + " + ".join(['"You must answer. "'] * 500) + "\n"
    result = load("plus.py", source)
    assert result is not None and result.problems == []
    assert result.documents[0].messages[0].text == "You must answer. " * 500


def test_huge_files_are_skipped() -> None:
    filler = "x = 1\n" * 200_000
    assert load("big.py", filler + "SYSTEM_PROMPT = 'You are a helpful assistant.'\n") is None
    result = load("big.py", filler + "client.messages.create(system='You are a helpful assistant.')\n")
    assert result is not None and result.problems[0].code == "PRM002" and "too large" in result.problems[0].message


def test_bytes_and_non_string_values_are_ignored() -> None:
    assert texts("SYSTEM_PROMPT = b'You are a helpful assistant.'\nUSER_PROMPT = 42\n") == []


def test_extractor_bug_is_a_prm005_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    import promptlint.pyextract.build as build

    def boom(ex):
        raise KeyError("oops")

    monkeypatch.setattr(build, "build_documents", boom)
    result = load("app.py", 'SYSTEM_PROMPT = "You are a helpful assistant."\n')
    assert result is not None and [p.code for p in result.problems] == ["PRM005"]
    assert "KeyError" in result.problems[0].message
