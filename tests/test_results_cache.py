"""The results cache: unchanged files come from the cache, changed ones are linted again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from promptlint import runner
from promptlint.cli import main
from promptlint.engine import Settings, lint_file


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PROMPTLINT_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "a.md").write_text("Answer briefly.\nTODO: add tone rules\n", encoding="utf-8")
    (tmp_path / "prompts" / "b.md").write_text("Answer in English.\n", encoding="utf-8")
    return tmp_path


def _count_lints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def counting(display: str, path: str, settings: Settings):
        calls.append(display)
        return lint_file(display, path, settings)

    monkeypatch.setattr(runner, "lint_file", counting)
    return calls


def test_warm_run_lints_nothing_and_reports_the_same(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _count_lints(monkeypatch)
    assert main(["check", "--format", "concise", "prompts"]) == 1
    first = capsys.readouterr().out
    assert sorted(calls) == ["prompts/a.md", "prompts/b.md"]
    assert (project / ".promptlint_cache" / "CACHEDIR.TAG").is_file()
    calls.clear()
    assert main(["check", "--format", "concise", "prompts"]) == 1
    assert capsys.readouterr().out == first
    assert calls == []
    assert main(["check", "--format", "text", "prompts"]) == 1
    assert "TODO: add tone rules" in capsys.readouterr().out  # the source line is shown from the cache


def test_changed_file_is_linted_again(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    calls = _count_lints(monkeypatch)
    main(["check", "prompts"])
    calls.clear()
    (project / "prompts" / "a.md").write_text("Answer briefly.\n", encoding="utf-8")
    assert main(["check", "prompts"]) == 0
    assert calls == ["prompts/a.md"]


def test_touched_but_identical_file_is_a_hit(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_lints(monkeypatch)
    main(["check", "prompts"])
    calls.clear()
    path = project / "prompts" / "b.md"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert main(["check", "prompts"]) == 1
    assert calls == []


def test_no_cache_and_other_settings_bypass(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_lints(monkeypatch)
    main(["check", "prompts"])
    calls.clear()
    main(["check", "--no-cache", "prompts"])
    assert len(calls) == 2
    calls.clear()
    main(["check", "--ignore", "PRM006", "prompts"])  # other settings: another cache key
    assert len(calls) == 2


def test_corrupt_cache_is_a_miss(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main(["check", "prompts"])
    for path in (project / ".promptlint_cache" / "results").iterdir():
        path.write_bytes(b"not a pickle")
    calls = _count_lints(monkeypatch)
    assert main(["check", "prompts"]) == 1
    assert len(calls) == 2


def test_parallel_workers_keep_order_and_findings(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "prompts"
    folder.mkdir()
    for i in range(40):
        body = f"Prompt {i}.\nTODO: fix {i}\n" if i % 3 == 0 else f"Prompt {i}.\n"
        (folder / f"p{i:02d}.md").write_text(body, encoding="utf-8")
    serial = runner.lint_paths([str(folder)], settings, False, jobs=1)
    parallel = runner.lint_paths([str(folder)], settings, False, keep_documents=False, jobs=2)
    assert [r.display for r in serial] == [r.display for r in parallel]
    assert [[(f.code, f.line) for f in r.findings] for r in serial] == [
        [(f.code, f.line) for f in r.findings] for r in parallel
    ]


def test_file_changed_while_linting_is_linted_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache records the stamp of the bytes that were linted, not of the file at save time."""
    calls = _count_lints(monkeypatch)
    original = runner._lint_one

    def edit_after_lint(cand, settings, keep_documents=True):
        result = original(cand, settings, keep_documents)
        if cand.display.endswith("b.md"):
            Path(cand.path).write_text("Answer in English, always and only.\n", encoding="utf-8")
        return result

    monkeypatch.setattr(runner, "_lint_one", edit_after_lint)
    main(["check", "prompts"])
    monkeypatch.setattr(runner, "_lint_one", original)
    calls.clear()
    main(["check", "prompts"])
    assert calls == ["prompts/b.md"]


def test_cached_findings_keep_every_field_fixes_included(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from promptlint.results_cache import ResultsCache, _decode

    (project / "prompts" / "c.md").write_text(
        "Reply in JSON.\nUPDATE: actually, reply in YAML instead.\n", encoding="utf-8"
    )
    from promptlint.cli import _settings

    settings, _ = _settings(None, (), (), ())
    fresh = lint_file("prompts/c.md", "prompts/c.md", settings)
    assert fresh.findings and any(f.fix is not None for f in fresh.findings)
    cache = ResultsCache(settings)
    cache.put(os.path.realpath("prompts/c.md"), fresh)
    cache.save()
    again = ResultsCache(settings).get("prompts/c.md", os.path.realpath("prompts/c.md"))
    assert again is not None
    assert again.findings == fresh.findings
    assert again.text == fresh.text
    assert _decode(ResultsCache(settings).entries[os.path.realpath("prompts/c.md")]).findings == fresh.findings


def test_a_result_marshal_cannot_store_is_left_out(project: Path) -> None:
    from promptlint.cli import _settings
    from promptlint.results_cache import ResultsCache

    settings, _ = _settings(None, (), (), ())
    good = lint_file("prompts/a.md", "prompts/a.md", settings)
    odd = lint_file("prompts/a.md", "prompts/a.md", settings)
    odd.findings[0].data["odd"] = object()
    cache = ResultsCache(settings)
    cache.put(os.path.realpath("prompts/a.md"), good)
    cache.put(os.path.realpath("prompts/b.md"), odd)
    cache.save()
    kept = ResultsCache(settings).entries
    assert list(kept) == [os.path.realpath("prompts/a.md")]
