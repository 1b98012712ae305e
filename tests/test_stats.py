"""``promptlint stats``: the per-prompt task load against the TSK limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptlint.cli import main

BIG = "In this session, produce all of the following:\n" + "".join(
    f"{i}. Write the {topic} for the launch.\n"
    for i, topic in enumerate(
        [
            "press release",
            "landing page copy",
            "launch email",
            "video script",
            "investor memo",
            "FAQ page",
            "blog post",
        ],
        1,
    )
)


def test_stats_json_counts_and_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "big.md").write_text(BIG, encoding="utf-8")
    (tmp_path / "prompts" / "small.md").write_text("Answer in two sentences. Be kind.\n", encoding="utf-8")
    assert main(["stats", "--format", "json", "prompts"]) == 0
    rows = {r["filename"]: r for r in json.loads(capsys.readouterr().out)}
    big, small = rows["prompts/big.md"], rows["prompts/small.md"]
    assert big["deliverables"] == 7 and big["limits"]["deliverables"] == 5
    assert "deliverables" in big["over"]
    assert small["deliverables"] == 0 and small["over"] == []
    assert small["tokens"] > 0 and set(small["limits"]) >= {"deliverables", "steps", "topics", "tokens"}


def test_stats_text_marks_values_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "big.md").write_text(BIG, encoding="utf-8")
    assert main(["stats", "prompts"]) == 0
    out = capsys.readouterr().out
    assert "prompts/big.md:1" in out and "7/5!" in out
