"""``promptlint: ignore`` comments, parsed directly and end to end with PRM006 (leftover-todo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptlint.cli import main
from promptlint.engine import Settings, lint_text
from promptlint.suppress import parse_suppressions


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, narrowed to the PRM family so other families' rules cannot interfere."""
    settings.enabled = {code for code in settings.enabled if code.startswith("PRM")}
    return settings


def todo_lines(text: str, settings: Settings, filename: str = "prompt.md") -> list[int]:
    result = lint_text(filename, text, settings)
    assert not result.internal_error, result.findings
    return [f.line for f in result.findings if f.code == "PRM006"]


# --------------------------------------------------------------------------- parsing


def test_no_comment_suppresses_nothing() -> None:
    sup = parse_suppressions("TODO: x\nignore[PRM006]\npromptlint ignore\n")
    assert not sup.suppresses("PRM006", 1, 1)
    assert not sup.suppresses("PRM006", 2, 2)


def test_own_line_comment_applies_to_next_non_blank_line() -> None:
    text = "intro\n<!-- promptlint: ignore[PRM006] -->\n\n   \nTODO: x\nTODO: y\n"
    sup = parse_suppressions(text)
    assert sup.suppresses("PRM006", 5, 5)
    assert sup.suppresses("PRM006", 2, 2)  # its own line too
    assert not sup.suppresses("PRM006", 1, 1)
    assert not sup.suppresses("PRM006", 6, 6)


def test_trailing_comment_applies_to_its_line_only() -> None:
    sup = parse_suppressions("TODO: x <!-- promptlint: ignore[PRM006] -->\nTODO: y\n")
    assert sup.suppresses("PRM006", 1, 1)
    assert not sup.suppresses("PRM006", 2, 2)


def test_other_code_is_not_suppressed() -> None:
    sup = parse_suppressions("<!-- promptlint: ignore[PRM001] -->\nTODO: x\n")
    assert sup.suppresses("PRM001", 2, 2)
    assert not sup.suppresses("PRM006", 2, 2)


def test_several_codes_and_spacing() -> None:
    sup = parse_suppressions("TODO: x  <!--promptlint:ignore[ prm001 , PRM006 ]-->\n")
    assert sup.suppresses("PRM001", 1, 1)
    assert sup.suppresses("PRM006", 1, 1)
    assert not sup.suppresses("PRM002", 1, 1)


def test_bare_ignore_suppresses_every_code() -> None:
    sup = parse_suppressions("<!-- promptlint: ignore -->\nTODO: x\nTODO: y\n")
    for code in ("PRM001", "PRM006", "AMD001"):
        assert sup.suppresses(code, 2, 2)
    assert not sup.suppresses("PRM006", 3, 3)


def test_bare_ignore_wins_over_codes_on_the_same_line() -> None:
    sup = parse_suppressions("x <!-- promptlint: ignore[PRM001] --> <!-- promptlint: ignore -->\n")
    assert sup.suppresses("PRM006", 1, 1)
    sup = parse_suppressions("x <!-- promptlint: ignore --> <!-- promptlint: ignore[PRM001] -->\n")
    assert sup.suppresses("PRM006", 1, 1)


def test_prefix_selects_a_family() -> None:
    sup = parse_suppressions("<!-- promptlint: ignore[PRM] -->\nTODO: x\n")
    assert sup.suppresses("PRM006", 2, 2)
    assert sup.suppresses("PRM001", 2, 2)
    assert not sup.suppresses("AMD001", 2, 2)


def test_empty_brackets_suppress_nothing() -> None:
    sup = parse_suppressions("TODO: x <!-- promptlint: ignore[] -->\n")
    assert not sup.suppresses("PRM006", 1, 1)


def test_hash_comments_for_yaml_and_python() -> None:
    text = "messages:\n  # promptlint: ignore[PRM006]\n  - content: 'TODO: x'\n  - content: y  # promptlint: ignore\n"
    sup = parse_suppressions(text)
    assert sup.suppresses("PRM006", 3, 3)
    assert not sup.suppresses("PRM001", 3, 3)
    assert sup.suppresses("PRM001", 4, 4)


def test_ignore_file() -> None:
    sup = parse_suppressions("a\nb\n<!-- promptlint: ignore-file -->\n")
    assert sup.file_all
    assert sup.suppresses("PRM006", 1, 1)
    assert sup.suppresses("AMD001", 99, 100)


def test_ignore_file_with_codes() -> None:
    sup = parse_suppressions("# promptlint: ignore-file[PRM006, AMD]\nTODO: x\n")
    assert not sup.file_all
    assert sup.suppresses("PRM006", 2, 2)
    assert sup.suppresses("AMD002", 40, 40)
    assert not sup.suppresses("PRM001", 2, 2)


def test_multi_line_finding_suppressed_by_its_last_line() -> None:
    sup = parse_suppressions("a\nb\nc <!-- promptlint: ignore[PRM006] -->\nd\n")
    assert sup.suppresses("PRM006", 1, 3)
    assert not sup.suppresses("PRM006", 1, 2)


def test_crlf_line_endings() -> None:
    sup = parse_suppressions("intro\r\n<!-- promptlint: ignore[PRM006] -->\r\n\r\nTODO: x\r\nTODO: y\r\n")
    assert sup.suppresses("PRM006", 4, 4)
    assert not sup.suppresses("PRM006", 5, 5)


# --------------------------------------------------------------------------- end to end (PRM006)


def test_unsuppressed_todo_is_reported(settings: Settings) -> None:
    assert todo_lines("Be brief.\nTODO: add the refund policy.\n", settings) == [2]


def test_own_line_html_comment_suppresses_next_line(settings: Settings) -> None:
    text = "Be brief.\n<!-- promptlint: ignore[PRM006] -->\n\nTODO: first\nTODO: second\n"
    assert todo_lines(text, settings) == [5]


def test_trailing_comment_end_to_end(settings: Settings) -> None:
    text = "TODO: first <!-- promptlint: ignore[PRM006] -->\nTODO: second\n"
    assert todo_lines(text, settings) == [2]


def test_comment_for_another_code_does_not_suppress(settings: Settings) -> None:
    text = "<!-- promptlint: ignore[PRM001] -->\nTODO: first\nTODO: second <!-- promptlint: ignore[AMD] -->\n"
    assert todo_lines(text, settings) == [2, 3]


@pytest.mark.parametrize(
    "comment",
    ["<!-- promptlint: ignore -->", "<!-- promptlint: ignore[PRM] -->", "<!-- promptlint: ignore[PRM00] -->"],
)
def test_bare_and_prefix_end_to_end(settings: Settings, comment: str) -> None:
    assert todo_lines(f"{comment}\nTODO: first\nTODO: second\n", settings) == [3]


def test_ignore_file_end_to_end(settings: Settings) -> None:
    text = "TODO: first\n\nSome text.\n<!-- promptlint: ignore-file[PRM006] -->\nTODO: second\n"
    assert todo_lines(text, settings) == []
    assert todo_lines(text.replace("[PRM006]", ""), settings) == []
    assert todo_lines(text.replace("[PRM006]", "[PRM001]"), settings) == [1, 5]


def test_text_file_with_hash_comment(settings: Settings) -> None:
    text = "Be brief.\n# promptlint: ignore[PRM006]\nTODO: first\nTODO: second\n"
    assert todo_lines(text, settings, "system.txt") == [4]


def test_suppression_via_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "a.md").write_text("<!-- promptlint: ignore[PRM006] -->\nTODO: suppressed\n")
    (prompts / "b.md").write_text("<!-- promptlint: ignore-file -->\nTODO: suppressed\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "concise", "--select", "PRM", "prompts"]) == 0
    (prompts / "c.md").write_text("<!-- promptlint: ignore[PRM001] -->\nTODO: reported\n")
    assert main(["check", "--format", "concise", "--select", "PRM", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "prompts/c.md:2:1: PRM006" in out
    assert "a.md" not in out and "b.md" not in out


def test_yaml_chat_file_with_hash_comments(settings: Settings) -> None:
    text = (
        "messages:\n"
        "  - role: system\n"
        "    # promptlint: ignore[PRM006]\n"
        "    content: 'TODO: one'\n"
        "  - role: user\n"
        "    content: 'TODO: two'  # promptlint: ignore[PRM006]\n"
        "  - role: user\n"
        "    content: 'TODO: three'  # promptlint: ignore[PRM001]\n"
    )
    assert todo_lines(text, settings, "chat.yaml") == [8]
