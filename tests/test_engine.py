"""The per-file pipeline on bad input: binary, invalid UTF-8, huge, unreadable files, rule crashes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import promptlint.checks.hygiene
import promptlint.engine
import promptlint.runner
from promptlint.cli import main
from promptlint.engine import Settings, lint_file, lint_text, read_text
from promptlint.model import LoadResult
from promptlint.runner import lint_paths

TODO_FILE = "Answer politely.\nTODO: add the refund policy.\n"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, narrowed to the PRM family so other families' rules cannot interfere."""
    settings.enabled = {code for code in settings.enabled if code.startswith("PRM")}
    return settings


def codes(findings) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings]


def by_display(results) -> dict[str, list[tuple[str, int]]]:
    return {r.display: codes(r.findings) for r in results}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a prompts/ folder; cwd is the project."""
    (tmp_path / "prompts").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- reading


def test_read_text_plain(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"hello\n")
    assert read_text(str(path), 100) == ("hello\n", None, None)


def test_binary_file_is_prm003_and_the_run_goes_on(project: Path, settings: Settings) -> None:
    (project / "prompts" / "logo.prompt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (project / "prompts" / "todo.md").write_text(TODO_FILE)
    (project / "prompts" / "zz.md").write_text(TODO_FILE)
    results = lint_paths(["prompts"], settings, force_exclude=False)
    found = by_display(results)
    assert found == {
        "prompts/logo.prompt": [("PRM003", 1)],
        "prompts/todo.md": [("PRM006", 2)],
        "prompts/zz.md": [("PRM006", 2)],
    }
    binary = next(r for r in results if r.display == "prompts/logo.prompt")
    assert "binary" in binary.findings[0].message
    assert binary.text is None
    assert not binary.internal_error


def test_nul_byte_after_the_sniff_window_is_still_text(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"a" * 9000 + b"\n\x00\nTODO: late\n")
    result = lint_file("prompt.md", str(path), settings)
    assert codes(result.findings) == [("PRM006", 3)]


def test_invalid_utf8_is_prm004_at_its_line_and_the_rest_is_linted(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"Be polite.\nGreet the guest.\nWelcome to the Caf\xe9.\n\nTODO: add the menu.\n")
    result = lint_file("prompt.md", str(path), settings)
    assert codes(result.findings) == [("PRM004", 3), ("PRM006", 5)]
    prm004 = result.findings[0]
    assert "invalid UTF-8" in prm004.message and "line 3" in prm004.message
    assert prm004.severity == "warning"
    assert "Caf\ufffd" in (result.text or "")
    assert not result.internal_error


def test_invalid_utf8_on_the_first_line(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"\xff\xfeoops\nfine\n")
    assert codes(lint_file("prompt.md", str(path), settings).findings) == [("PRM004", 1)]


def test_invalid_utf8_can_be_suppressed_and_ignored(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"<!-- promptlint: ignore-file[PRM004] -->\nCaf\xe9\n")
    assert lint_file("prompt.md", str(path), settings).findings == []
    path.write_bytes(b"Caf\xe9\n")
    settings.enabled.discard("PRM004")
    assert lint_file("prompt.md", str(path), settings).findings == []


def test_huge_file_is_skipped_quickly(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "huge.prompt.md"
    line = b"TODO: this line repeats to make the file big.\n"
    with open(path, "wb") as fh:
        fh.write(line * (20 * 1024 * 1024 // len(line) + 1))
    assert path.stat().st_size > 20 * 1024 * 1024
    started = time.perf_counter()
    result = lint_file("huge.prompt.md", str(path), settings)
    elapsed = time.perf_counter() - started
    assert codes(result.findings) == [("PRM003", 1)]
    assert "too large" in result.findings[0].message
    assert "20.0 MB" in result.findings[0].message
    assert result.text is None
    assert elapsed < 5, "a file above max-file-size must not be read"


def test_sparse_huge_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "sparse.md"
    with open(path, "wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    result = lint_file("sparse.md", str(path), settings)
    assert codes(result.findings) == [("PRM003", 1)]
    assert "too large" in result.findings[0].message


def test_max_file_size_boundary(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"TODO: x\n" + b"a" * 92)  # exactly 100 bytes
    settings.max_file_size = 100
    assert codes(lint_file("prompt.md", str(path), settings).findings) == [("PRM006", 1)]
    path.write_bytes(b"TODO: x\n" + b"a" * 93)
    assert codes(lint_file("prompt.md", str(path), settings).findings) == [("PRM003", 1)]


def test_max_file_size_from_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "promptlint.toml").write_text("max-file-size = 10\n")
    (project / "prompts" / "a.md").write_text(TODO_FILE)
    assert main(["check", "--format", "concise", "--select", "PRM", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "prompts/a.md:1:1: PRM003" in out and "too large" in out
    assert "PRM006" not in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root bypasses file permissions")
def test_permission_denied_is_prm003(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "secret.md"
    path.write_text(TODO_FILE)
    path.chmod(0)
    try:
        result = lint_file("secret.md", str(path), settings)
    finally:
        path.chmod(0o644)
    assert codes(result.findings) == [("PRM003", 1)]
    assert "cannot read file" in result.findings[0].message


def test_directory_where_a_file_is_expected_is_prm003(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "dir.md").mkdir()
    result = lint_file("dir.md", str(tmp_path / "dir.md"), settings)
    assert codes(result.findings) == [("PRM003", 1)]
    assert "cannot read file" in result.findings[0].message


def test_dangling_symlink_is_prm003_and_the_run_goes_on(project: Path, settings: Settings) -> None:
    (project / "prompts" / "gone.md").symlink_to(project / "nowhere.md")
    (project / "prompts" / "ok.md").write_text(TODO_FILE)
    results = lint_paths(["prompts/gone.md", "prompts/ok.md"], settings, force_exclude=False)
    found = by_display(results)
    assert found == {"prompts/gone.md": [("PRM003", 1)], "prompts/ok.md": [("PRM006", 2)]}
    assert "cannot read file" in results[0].findings[0].message


def test_symlink_loop_file_is_prm003(project: Path, settings: Settings) -> None:
    (project / "prompts" / "a.md").symlink_to("b.md")
    (project / "prompts" / "b.md").symlink_to("a.md")
    results = lint_paths(["prompts/a.md"], settings, force_exclude=False)
    assert by_display(results) == {"prompts/a.md": [("PRM003", 1)]}


def test_nonexistent_path_is_prm003(project: Path, settings: Settings) -> None:
    (project / "prompts" / "ok.md").write_text(TODO_FILE)
    results = lint_paths(["missing.md", "prompts"], settings, force_exclude=False)
    assert by_display(results) == {"missing.md": [("PRM003", 1)], "prompts/ok.md": [("PRM006", 2)]}
    assert "no such file" in results[0].findings[0].message


def test_unreadable_file_is_not_reported_when_prm003_is_off(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "logo.prompt"
    path.write_bytes(b"\x00\x01")
    settings.enabled.discard("PRM003")
    assert lint_file("logo.prompt", str(path), settings).findings == []


# --------------------------------------------------------------------------- internal errors


def failing_check(doc, ctx) -> None:
    if doc.path.endswith("bad.md"):
        raise RuntimeError("boom")
    ctx.report_line("fake finding from a patched PRM001", line=1)


def test_rule_crash_is_prm005_and_other_rules_still_run(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(promptlint.checks.hygiene, "empty_message", failing_check)
    result = lint_text("prompts/bad.md", TODO_FILE, settings)
    assert result.internal_error
    assert codes(result.findings) == [("PRM005", 1), ("PRM006", 2)]
    message = result.findings[0].message
    assert "rule PRM001" in message and "RuntimeError: boom" in message and "test_engine.py" in message
    assert result.findings[0].severity == "error"
    good = lint_text("prompts/good.md", TODO_FILE, settings)
    assert not good.internal_error
    assert codes(good.findings) == [("PRM001", 1), ("PRM006", 2)]


def test_prm005_is_reported_even_when_not_selected(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(promptlint.checks.hygiene, "empty_message", failing_check)
    settings.enabled = {"PRM001"}
    result = lint_text("bad.md", "<!-- promptlint: ignore -->\nText\n", settings)
    assert [f.code for f in result.findings] == ["PRM005"]


def test_loader_crash_is_prm005(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    def broken_loader(path: str, text: str) -> LoadResult:
        raise ValueError("cannot load")

    monkeypatch.setattr(promptlint.engine, "loader_for", lambda name: broken_loader)
    result = lint_text("prompt.md", TODO_FILE, settings)
    assert result.internal_error
    assert codes(result.findings) == [("PRM005", 1)]
    assert "while loading" in result.findings[0].message and "ValueError: cannot load" in result.findings[0].message


def test_crash_outside_the_pipeline_is_caught_by_the_runner(
    project: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    real = promptlint.runner.lint_file

    def flaky(display: str, path: str, s: Settings):
        if display.endswith("bad.md"):
            raise MemoryError("simulated")
        return real(display, path, s)

    monkeypatch.setattr(promptlint.runner, "lint_file", flaky)
    (project / "prompts" / "bad.md").write_text(TODO_FILE)
    (project / "prompts" / "good.md").write_text(TODO_FILE)
    results = lint_paths(["prompts"], settings, force_exclude=False)
    assert by_display(results) == {"prompts/bad.md": [("PRM005", 1)], "prompts/good.md": [("PRM006", 2)]}
    assert results[0].internal_error
    assert "MemoryError: simulated" in results[0].findings[0].message


def test_internal_error_via_cli_exits_2_and_reports_other_files(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(promptlint.checks.hygiene, "empty_message", failing_check)
    (project / "prompts" / "bad.md").write_text("Fine text.\n")
    (project / "prompts" / "good.md").write_text(TODO_FILE)
    assert main(["check", "--format", "concise", "--select", "PRM", "prompts"]) == 2
    out = capsys.readouterr().out
    assert "prompts/bad.md:1:1: PRM005" in out
    assert "prompts/good.md:2:1: PRM006" in out
    # --exit-zero only hides findings, never an internal error.
    assert main(["check", "--exit-zero", "--format", "json", "--select", "PRM", "prompts"]) == 2


# --------------------------------------------------------------------------- line numbers


def test_crlf_line_numbers(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"Be polite.\r\n\r\nGreet the guest.\r\nTODO: add the menu.\r\n")
    result = lint_file("prompt.md", str(path), settings)
    assert [(f.code, f.line, f.column, f.end_line, f.end_column) for f in result.findings] == [("PRM006", 4, 1, 4, 6)]


def test_utf8_bom_line_numbers(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"\xef\xbb\xbfTODO: first line.\nSecond.\n  TODO: third.\n")
    result = lint_file("prompt.md", str(path), settings)
    assert [(f.code, f.line, f.column) for f in result.findings] == [("PRM006", 1, 1), ("PRM006", 3, 1)]
    assert not (result.text or "").startswith("\ufeff")


def test_bom_and_crlf_and_invalid_utf8_together(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "prompt.md"
    path.write_bytes(b"\xef\xbb\xbfHello.\r\nCaf\xe9\r\nTODO: x\r\n")
    result = lint_file("prompt.md", str(path), settings)
    assert codes(result.findings) == [("PRM004", 2), ("PRM006", 3)]


def test_front_matter_shifts_lines(settings: Settings) -> None:
    text = "---\ndescription: test\n---\nIntro.\nTODO: x\n"
    assert codes(lint_text("review.prompt.md", text, settings).findings) == [("PRM006", 5)]


def test_findings_are_sorted(settings: Settings) -> None:
    text = "TODO: a\nFIXME: b\n\nTBD: c\n"
    result = lint_text("prompt.md", text, settings)
    assert codes(result.findings) == [("PRM006", 1), ("PRM006", 2), ("PRM006", 4)]


def test_each_rule_directory_keeps_its_own_catalog_cache(tmp_path: Path, monkeypatch) -> None:
    # Two installs sharing the user cache (a virtualenv and pre-commit's) must not evict each other.
    import shutil

    from promptlint.catalog import _load_catalog, catalog_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = tmp_path / "rules"
    shutil.copytree(catalog_dir(), copy)
    first = _load_catalog(None, None)
    second = _load_catalog(str(copy), None)
    assert sorted(first) == sorted(second)
    files = sorted((tmp_path / "cache" / "promptlint").glob("catalog-*.marshal"))
    assert len(files) == 2
    stamps = [f.stat().st_mtime_ns for f in files]
    assert sorted(_load_catalog(None, None)) == sorted(first)  # a hit: nothing rewritten
    assert [f.stat().st_mtime_ns for f in files] == stamps


def test_pattern_requires_spares_messages_without_its_strings(tmp_path: Path, monkeypatch) -> None:
    from promptlint.catalog import CatalogError, load_catalog, parse_rule
    from promptlint.checks import pattern
    from promptlint.config import load_config

    searched: list[str] = []
    real = pattern._compile

    class Spy:
        def __init__(self, compiled):
            self.compiled = compiled

        def finditer(self, text):
            searched.append(text)
            return self.compiled.finditer(text)

    monkeypatch.setattr(pattern, "_compile", lambda regex, flags: Spy(real(regex, flags)))
    settings = Settings.build(load_config(cwd=tmp_path), load_catalog(), select=["PRM006"])
    clean = lint_text("a.md", "Answer in English.\nKeep it short.\n", settings)
    todo = lint_text("b.md", "Answer in English.\nTODO: add tone rules\n", settings)
    assert clean.findings == [] and [f.code for f in todo.findings] == ["PRM006"]
    assert len(searched) == 1 and "TODO" in searched[0]  # the clean prompt was never scanned
    with pytest.raises(CatalogError):
        parse_rule({**_rule_data(), "pattern": {"regex": "x", "message": "m", "requires": []}}, "x.toml")


def _rule_data() -> dict:
    from promptlint.catalog import load_catalog

    rule = load_catalog()["PRM006"]
    return {
        "code": "PRM999",
        "name": "n",
        "summary": "s",
        "severity": "warning",
        "docs": rule.docs,
        "valid": [],
        "invalid": [],
    }
