"""Baselines: --write-baseline records findings; --baseline reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptlint.cli import main

PROMPT = (
    "You answer billing questions for an online bookshop.\n"
    "Be brief and friendly, and cite the order number.\n\n"
    "UPDATE: also mention the refund window of 30 days.\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "billing.md").write_text(PROMPT, encoding="utf-8")
    return tmp_path


def test_round_trip_survives_lines_inserted_above(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--write-baseline", "baseline.json", "prompts"]) == 0
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in data["findings"]] == ["AMD001"]
    assert data["findings"][0]["filename"] == "prompts/billing.md"
    capsys.readouterr()
    assert main(["check", "--baseline", "baseline.json", "prompts"]) == 0
    path = project / "prompts" / "billing.md"
    path.write_text("# Billing assistant\n\nSee the policy wiki for context.\n\n" + PROMPT, encoding="utf-8")
    assert main(["check", "--baseline", "baseline.json", "prompts"]) == 0
    assert "All checks passed!" in capsys.readouterr().out


def test_new_finding_is_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--write-baseline", "baseline.json", "prompts"])
    path = project / "prompts" / "billing.md"
    path.write_text(PROMPT + "\nActually, never mention refunds.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--baseline", "baseline.json", "--format", "concise", "prompts"]) == 1
    out = capsys.readouterr().out
    assert "AMD002" in out and "AMD001" not in out


def test_same_line_twice_counts_occurrences(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--write-baseline", "baseline.json", "prompts"])
    path = project / "prompts" / "billing.md"
    path.write_text(PROMPT + "\nUPDATE: also mention the refund window of 30 days.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--baseline", "baseline.json", "--format", "concise", "prompts"]) == 1
    assert capsys.readouterr().out.count("AMD001") == 1


@pytest.mark.parametrize("content", [None, "not json", '{"version": 99, "findings": []}'])
def test_bad_baseline_is_exit_2(project: Path, content: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    if content is not None:
        (project / "baseline.json").write_text(content, encoding="utf-8")
    assert main(["check", "--baseline", "baseline.json", "prompts"]) == 2
    assert "baseline" in capsys.readouterr().err
