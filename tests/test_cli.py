"""The command line: exit codes, options, ``rule``, ``prompts``, and the fix machinery."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from promptlint import __version__
from promptlint.catalog import load_catalog
from promptlint.cli import cli, main
from promptlint.edits import editor_for
from promptlint.findings import Edit, Finding, Fix
from promptlint.fixes import applicable, apply_fixes, unified_diff, write_atomic

REPO = Path(__file__).resolve().parent.parent
RULES = load_catalog()
TODO_FILE = "Answer politely.\nTODO: add the refund policy.\n"
CLEAN_FILE = "Answer politely.\nKeep answers short.\n"
PRM = ["--select", "PRM"]  # keep the tests independent of other rule families


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "clean.md").write_text(CLEAN_FILE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_todo(project: Path, name: str = "todo.md", text: str = TODO_FILE) -> Path:
    path = project / "prompts" / name
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- exit codes


def test_clean_run_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *PRM, "prompts"]) == 0
    assert "All checks passed!" in capsys.readouterr().out


def test_default_path_is_the_current_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project)
    assert main(["check", *PRM, "--format", "concise"]) == 1
    assert "prompts/todo.md:2:1: PRM006" in capsys.readouterr().out


def test_findings_exit_1_with_text_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project)
    assert main(["check", *PRM, "prompts"]) == 1
    out = capsys.readouterr().out
    assert "prompts/todo.md:2:1: PRM006 Leftover note 'TODO:'" in out
    assert "2 | TODO: add the refund policy." in out
    assert "Found 1 error." in out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--format", "bogus"],
        ["check", "--bogus-option"],
        ["frobnicate"],
        ["rule", "--format", "xml", "PRM006"],
        [],
    ],
)
def test_usage_errors_exit_2(project: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Usage:" in captured.err + captured.out


def test_bad_config_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project)
    (project / "promptlint.toml").write_text("unknown-key = 1\n")
    assert main(["check", "prompts"]) == 2
    captured = capsys.readouterr()
    assert "unknown-key" in captured.err and "promptlint.toml" in captured.err
    assert captured.out == ""


def test_exit_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project)
    assert main(["check", *PRM, "--exit-zero", "prompts"]) == 0
    assert "PRM006" in capsys.readouterr().out
    assert main(["check", *PRM, "-e", "prompts"]) == 0


def test_help_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--exit-zero" in out and "--force-exclude" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"promptlint, version {__version__}"
    assert main(["-V"]) == 0
    assert __version__ in capsys.readouterr().out


def test_python_dash_m_version() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-m", "promptlint", "--version"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"promptlint, version {__version__}"


def test_python_dash_m_exit_code(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "a.md").write_text(TODO_FILE)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-m", "promptlint", "check", *PRM, "--format", "concise", "prompts"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("prompts/a.md:2:1: PRM006")


def test_click_runner_on_the_group(project: Path) -> None:
    add_todo(project)
    result = CliRunner().invoke(cli, ["check", *PRM, "--format", "json", "prompts"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(d["code"], d["filename"], d["location"]["row"]) for d in data] == [("PRM006", "prompts/todo.md", 2)]


# --------------------------------------------------------------------------- output options


def test_quiet_prints_findings_only(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project)
    assert main(["check", *PRM, "--quiet", "--format", "concise", "prompts"]) == 1
    out = capsys.readouterr().out
    assert out == "prompts/todo.md:2:1: PRM006 Leftover note 'TODO:': the model reads it as an instruction\n"
    assert main(["check", *PRM, "-q", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "PRM006" in out and "Found" not in out
    (project / "prompts" / "todo.md").unlink()
    assert main(["check", *PRM, "-q", "prompts"]) == 0
    assert capsys.readouterr().out == ""


def test_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project)
    assert main(["check", *PRM, "--format", "json", "--output-file", "report.json", "prompts"]) == 1
    assert capsys.readouterr().out == ""
    data = json.loads((project / "report.json").read_text())
    assert [(d["code"], d["filename"]) for d in data] == [("PRM006", "prompts/todo.md")]
    assert main(["check", *PRM, "-o", "report.txt", "prompts"]) == 1
    text = (project / "report.txt").read_text()
    assert "\x1b[" not in text  # never coloured in a file
    assert "prompts/todo.md:2:1: PRM006" in text and text.endswith("\n")


def test_statistics_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project, "a.md")
    add_todo(project, "b.md", "TODO: one\nFIXME: two\n")
    (project / "prompts" / "logo.prompt").write_bytes(b"\x00\x01\x02")
    assert main(["check", *PRM, "--statistics", "prompts"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [re.split(r"\t", line)[:2] for line in lines] == [["3", "PRM006"], ["1", "PRM003"]]
    assert lines[0].endswith("leftover-todo") and lines[1].endswith("unreadable-file")


def test_statistics_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project, "a.md")
    add_todo(project, "b.md")
    assert main(["check", *PRM, "--statistics", "--format", "json", "prompts"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data == [{"code": "PRM006", "name": "leftover-todo", "count": 2, "fixable": False, "fixable_count": 0}]


def test_statistics_clean(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *PRM, "--statistics", "--format", "json", "prompts"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_output_is_sorted_by_path_and_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_todo(project, "z.md", "TODO: z\n")
    (project / "prompts" / "a").mkdir()
    add_todo(project, "a/b.md", "x\nTODO: b2\nTODO: b3\n")
    add_todo(project, "m.md", "TODO: m\n")
    assert main(["check", *PRM, "--format", "concise", "-q", "prompts/z.md", "prompts"]) == 1
    locations = [line.split(": ")[0] for line in capsys.readouterr().out.splitlines()]
    assert locations == ["prompts/a/b.md:2:1", "prompts/a/b.md:3:1", "prompts/m.md:1:1", "prompts/z.md:1:1"]


def test_force_exclude_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "README.md").write_text(TODO_FILE)
    assert main(["check", *PRM, "--format", "concise", "README.md"]) == 1
    assert "README.md:2:1: PRM006" in capsys.readouterr().out
    assert main(["check", *PRM, "--format", "concise", "--force-exclude", "README.md"]) == 0
    (project / "promptlint.toml").write_text("force-exclude = true\n")
    assert main(["check", *PRM, "--format", "concise", "README.md"]) == 0


def test_missing_path_is_reported_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *PRM, "--format", "concise", "nope.md", "prompts"]) == 1
    assert "nope.md:1:1: PRM003 no such file or directory" in capsys.readouterr().out


# --------------------------------------------------------------------------- rule


def test_rule_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "PRM006"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# leftover-todo (PRM006)")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "Use instead:"):
        assert heading in out
    assert main(["rule", "prm006"]) == 0
    assert capsys.readouterr().out == out
    assert main(["rule", "leftover-todo"]) == 0
    assert capsys.readouterr().out == out


def test_rule_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "PRM006", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "PRM006" and data["name"] == "leftover-todo"
    assert "## What it does" in data["explanation"]


def test_rule_all_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "--all", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list)
    assert [item["code"] for item in data] == list(RULES)
    assert {"PRM001", "PRM006"} <= {item["code"] for item in data}
    for item in data:
        assert {"code", "name", "summary", "severity", "fix", "url", "explanation"} <= set(item)


def test_rule_all_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("## What it does") == len(RULES)


@pytest.mark.parametrize("argv", [["rule", "PRM999"], ["rule", "no-such-rule"], ["rule"]])
def test_rule_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "promptlint: error:" in err


# --------------------------------------------------------------------------- prompts


def test_prompts_json_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "promptlint.toml").write_text('select = ["PRM"]\n')
    (project / "prompts" / "review.prompt.md").write_text(
        "---\nmode: agent\ndescription: Review a pull request\n---\nReview the diff.\n\nBe specific.\n"
    )
    assert main(["prompts", "--format", "json", "prompts/review.prompt.md", "prompts/clean.md"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 2
    for item in data:
        assert {"filename", "line", "end_line", "kind", "messages"} <= set(item)
        assert isinstance(item["messages"], list) and item["messages"]
        for message in item["messages"]:
            assert set(message) == {"role", "line", "end_line"}
    review = next(item for item in data if item["filename"] == "prompts/review.prompt.md")
    # The front matter takes lines 1-4; the prompt text is lines 5-7.
    assert (review["line"], review["end_line"]) == (5, 7)
    assert review["messages"] == [{"role": "unknown", "line": 5, "end_line": 7}]
    clean = next(item for item in data if item["filename"] == "prompts/clean.md")
    assert (clean["line"], clean["end_line"]) == (1, 2)


def test_prompts_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "promptlint.toml").write_text('select = ["PRM"]\n')
    (project / "AGENTS.md").write_text("Use tabs.\n")
    assert main(["prompts", "AGENTS.md"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "AGENTS.md:1-1: agent-instructions (markdown) [system@1]"
    assert "1 prompt document(s) in 1 file(s)." in captured.err


# --------------------------------------------------------------------------- fixes: the library


def finding(
    line: int, start: int, end: int, content: str, applicability: str = "safe", code: str = "TST001"
) -> Finding:
    """A finding whose fix replaces ``[start, end)``; on a one-line text its column is ``start + 1``."""
    return Finding(
        code=code,
        name="fake",
        message="fake",
        path="f.md",
        line=line,
        column=start + 1,
        end_line=line,
        end_column=end + 2,
        fix=Fix(applicability, [Edit(start, end, content)]),  # type: ignore[arg-type]
    )


def test_apply_fixes_bottom_up() -> None:
    text = "aaa bbb ccc\nddd\n"
    findings = [finding(1, 0, 3, "A"), finding(1, 8, 11, "CCCCC"), finding(2, 12, 15, ""), finding(1, 4, 4, "+")]
    new, count = apply_fixes(text, findings, unsafe=False)
    assert count == 4
    assert new == "A +bbb CCCCC\n\n"


def test_apply_fixes_defers_overlapping_fixes() -> None:
    text = "0123456789"
    first = finding(1, 2, 6, "X")
    overlapping = finding(1, 4, 8, "Y")
    touching = finding(1, 6, 7, "Z")  # adjacent, not overlapping
    new, count = apply_fixes(text, [overlapping, first, touching], unsafe=False)
    # Sorted by position, the fix reported first wins; the overlapping one waits for a later pass.
    assert count == 2
    assert new == "01XZ789"
    assert applicable(overlapping, unsafe=False)


def test_apply_fixes_insertions_at_the_same_point_collide() -> None:
    new, count = apply_fixes("ab", [finding(1, 1, 1, "X"), finding(1, 1, 1, "Y")], unsafe=False)
    assert (new, count) == ("aXb", 1)


def test_unsafe_fixes_need_the_flag() -> None:
    text = "TODO: x\n"
    unsafe = finding(1, 0, 5, "NOTE:", "unsafe")
    assert not applicable(unsafe, unsafe=False)
    assert apply_fixes(text, [unsafe], unsafe=False) == (text, 0)
    assert apply_fixes(text, [unsafe], unsafe=True) == ("NOTE: x\n", 1)
    no_fix = Finding("TST001", "fake", "m", "f.md", 1, 1, 1, 2)
    assert not applicable(no_fix, unsafe=True)
    assert apply_fixes(text, [no_fix], unsafe=True) == (text, 0)


def test_write_atomic_keeps_mode_and_content(tmp_path: Path) -> None:
    path = tmp_path / "prompt.md"
    path.write_text("old\r\n")
    path.chmod(0o640)
    write_atomic(str(path), "new\r\nline é\n")
    assert path.read_bytes() == "new\r\nline é\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["prompt.md"]  # no temporary file left behind


def test_write_atomic_missing_file_raises_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomic(str(tmp_path / "missing.md"), "x")
    assert list(tmp_path.iterdir()) == []


def test_unified_diff_format() -> None:
    diff = unified_diff("prompts/a.md", "one\nTODO: two\nthree\n", "one\nNOTE: two\nthree\n")
    assert diff == ("--- a/prompts/a.md\n+++ b/prompts/a.md\n@@ -1,3 +1,3 @@\n one\n-TODO: two\n+NOTE: two\n three\n")
    assert unified_diff("a.md", "same\n", "same\n") == ""


# --------------------------------------------------------------------------- fixes: the runner loop


def todo_to_note(applicability: str = "safe"):
    """A stand-in for PRM006 that offers to replace each ``TODO:`` with ``NOTE:``."""

    def check(doc, ctx) -> None:
        editor = editor_for(doc)
        for i, msg in enumerate(doc.messages):
            for m in re.finditer(r"^TODO:", msg.text, re.M):
                edits = editor.replace_text(doc, i, m.start(), m.end(), "NOTE:")
                fix = Fix(applicability, edits, "Replace with NOTE:")  # type: ignore[arg-type]
                ctx.report("Leftover note", msg=i, start=m.start(), end=m.end(), fix=fix)

    return check


def one_todo_per_pass(doc, ctx) -> None:
    """Every finding rewrites the whole message but fixes only the first TODO: (one per pass)."""
    editor = editor_for(doc)
    for i, msg in enumerate(doc.messages):
        for m in re.finditer(r"^TODO:", msg.text, re.M):
            new_text = msg.text.replace("TODO:", "NOTE:", 1)
            fix = Fix("safe", editor.set_message_text(doc, i, new_text))
            ctx.report("Leftover note", msg=i, start=m.start(), end=m.end(), fix=fix)


@pytest.fixture
def fake_fix(monkeypatch: pytest.MonkeyPatch):
    def install(check) -> None:
        monkeypatch.setattr(RULES["PRM006"], "load_check", lambda: check)

    return install


def test_fix_writes_the_file_and_exits_0(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(todo_to_note())
    path = add_todo(project, text="Intro.\r\nTODO: a\r\nTODO: b\r\nend\r\n")
    path.chmod(0o600)
    assert main(["check", *PRM, "prompts"]) == 1
    assert "[*]" in capsys.readouterr().out
    assert main(["check", *PRM, "--fix", "prompts"]) == 0
    out = capsys.readouterr().out
    assert "Found 2 errors (2 fixed, 0 remaining)." in out
    assert path.read_bytes() == b"Intro.\r\nNOTE: a\r\nNOTE: b\r\nend\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (project / "prompts" / "clean.md").read_text() == CLEAN_FILE
    assert main(["check", *PRM, "prompts"]) == 0


def test_fix_loop_runs_several_passes(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(one_todo_per_pass)
    path = add_todo(project, text="TODO: a\nTODO: b\nTODO: c\n")
    assert main(["check", *PRM, "--fix", "prompts"]) == 0
    assert path.read_text() == "NOTE: a\nNOTE: b\nNOTE: c\n"
    assert "3 fixed, 0 remaining" in capsys.readouterr().out


def test_fix_leaves_unfixable_findings(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(todo_to_note())
    path = add_todo(project, text="TODO: a\n")
    (project / "prompts" / "logo.prompt").write_bytes(b"\x00")
    assert main(["check", *PRM, "--fix", "--format", "concise", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "PRM003" in out and "PRM006" not in out
    assert "1 fixed, 1 remaining" in out
    assert path.read_text() == "NOTE: a\n"


def test_unsafe_fix_needs_unsafe_fixes(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(todo_to_note("unsafe"))
    path = add_todo(project, text="TODO: a\n")
    assert main(["check", *PRM, "--fix", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "hidden fix" in out and "--unsafe-fixes" in out
    assert path.read_text() == "TODO: a\n"
    assert main(["check", *PRM, "--fix", "--unsafe-fixes", "prompts"]) == 0
    assert path.read_text() == "NOTE: a\n"


def test_diff_writes_nothing(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(todo_to_note())
    path = add_todo(project, text="Intro.\nTODO: a\n")
    assert main(["check", *PRM, "--diff", "prompts"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "--- a/prompts/todo.md\n+++ b/prompts/todo.md\n@@ -1,2 +1,2 @@\n Intro.\n-TODO: a\n+NOTE: a\n"
    )
    assert "1 file(s) would be changed." in captured.err
    assert path.read_text() == "Intro.\nTODO: a\n"
    # Nothing to fix: exit 0, empty diff.
    path.write_text(CLEAN_FILE)
    assert main(["check", *PRM, "--diff", "prompts"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No fixes available." in captured.err


def test_diff_to_output_file(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(todo_to_note())
    add_todo(project, text="TODO: a\n")
    assert main(["check", *PRM, "--diff", "-o", "fix.diff", "prompts"]) == 1
    assert (project / "fix.diff").read_text().splitlines()[-2:] == ["-TODO: a", "+NOTE: a"]
    assert capsys.readouterr().out == ""


def test_fix_keeps_a_utf8_bom(project: Path, fake_fix) -> None:
    fake_fix(todo_to_note())
    path = project / "prompts" / "bom.md"
    path.write_bytes(b"\xef\xbb\xbfIntro.\nTODO: a\n")
    assert main(["check", *PRM, "--fix", "prompts"]) == 0
    assert path.read_bytes() == b"\xef\xbb\xbfIntro.\nNOTE: a\n"


def test_fix_never_rewrites_a_file_with_invalid_utf8(
    project: Path, fake_fix, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_fix(todo_to_note())
    path = project / "prompts" / "latin1.md"
    original = b"Caf\xe9.\nTODO: a\n"
    path.write_bytes(original)
    assert main(["check", *PRM, "--fix", "--format", "concise", "prompts"]) == 1
    assert path.read_bytes() == original  # writing back would turn \xe9 into U+FFFD
    out = capsys.readouterr().out
    assert "PRM004" in out and "PRM006" in out


def test_quiet_hides_the_hidden_fix_hint(project: Path, fake_fix, capsys: pytest.CaptureFixture[str]) -> None:
    fake_fix(todo_to_note("unsafe"))
    add_todo(project, text="TODO: a\n")
    assert main(["check", *PRM, "-q", "--format", "concise", "prompts"]) == 1
    assert capsys.readouterr().out == "prompts/todo.md:1:1: PRM006 Leftover note\n"
    fake_fix(todo_to_note("safe"))
    assert main(["check", *PRM, "-q", "--format", "concise", "prompts"]) == 1
    assert capsys.readouterr().out == "prompts/todo.md:1:1: PRM006 [*] Leftover note\n"


def test_quiet_with_colour(
    project: Path, fake_fix, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    fake_fix(todo_to_note("safe"))
    add_todo(project, text="TODO: a\n")
    assert main(["check", *PRM, "prompts"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" in out and "fixable with the --fix option" in out
    assert main(["check", *PRM, "-q", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" in out and "TODO: a" in out
    assert "fixable" not in out and "Found" not in out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", *PRM, "prompts"]) == 1
    assert "\x1b[" not in capsys.readouterr().out
