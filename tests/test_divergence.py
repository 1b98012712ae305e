"""``promptlint divergence FILE``: recorded samples scored offline with the ensemble stage's metric."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fake_anthropic import FakeAnthropic

from promptlint.cli import main
from promptlint.divergence_cmd import BadRecord, Record, parse_record
from promptlint.ensemble.metrics import DEFAULT_THRESHOLD, SPELLING_WEIGHT, score_samples

AGREE_VERDICTS = ["Verdict: approve", "**Verdict:** Approve — the refund is within policy.", "Verdict: approve."] * 2
SPLIT_VERDICTS = ["Verdict: approve", "Verdict: reject"] * 4
AGREE_JSON = ['{"label": "billing", "priority": 2}', '```json\n{"priority": 2.0, "label": "Billing"}\n```'] * 3
SPLIT_JSON = ['{"label": "billing", "priority": 2}', '{"label": "bug", "priority": 1}', '{"label": "feature"}'] * 2
AGREE_NUMBERS = ["Answer: 1,000", "Answer: 1000", "Final answer: 1000.0", "Answer: one thousand is 1000"][:3] * 2
SPLIT_NUMBERS = ["Answer: 1984", "Answer: 1985", "Answer: 1990", "Answer: 1984", "Answer: 2001", "Answer: 1962"]
AGREE_PROSE = [
    "Restart the router, then check that the cable is plugged in and the lights are green.",
    "Check the cable is plugged in and the router lights are green, then restart the router.",
    "First restart the router; then check the cable is plugged in and the lights are green.",
    "Restart the router and check that the cable is plugged in and all the lights are green.",
]
SPLIT_PROSE = [
    "Restart the router, then check that the cable is plugged in and the lights are green.",
    "Call your bank and cancel the card; a new one arrives by post within a week.",
    "Water the tomatoes every morning and keep them out of the afternoon sun.",
    "Refactor the parser into smaller functions and add unit tests for each branch.",
]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty directory: no repository configuration leaks into the thresholds."""
    monkeypatch.chdir(tmp_path)


def jsonl(path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["divergence", *args])
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# -- verdicts on consistent and divergent records --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "agree", "split", "projection"),
    [
        ("verdicts", AGREE_VERDICTS, SPLIT_VERDICTS, "answer"),
        ("json", AGREE_JSON, SPLIT_JSON, "json"),
        ("numbers", AGREE_NUMBERS, SPLIT_NUMBERS, "answer"),
        ("prose", AGREE_PROSE, SPLIT_PROSE, "prose"),
    ],
)
def test_consistent_and_divergent_records(tmp_path, capsys, name, agree, split, projection) -> None:
    path = jsonl(tmp_path / f"{name}.jsonl", {"id": "same", "samples": agree}, {"id": "split", "samples": split})
    code, out, err = run(capsys, "--format", "json", str(path))
    same, diverging = json_lines(out)
    assert (same["id"], diverging["id"]) == ("same", "split")
    assert same["projection"] == diverging["projection"] == projection
    assert same["score"] == 0.0 and not same["flagged"] and len(same["clusters"]) == 1
    assert diverging["score"] > DEFAULT_THRESHOLD and diverging["flagged"] and len(diverging["clusters"]) >= 2
    assert code == 1, err
    assert "2 record(s) scored, 1 divergent" in err  # JSON mode: the summary goes to stderr


def test_consistent_file_exits_0_and_text_lists_every_record(tmp_path, capsys) -> None:
    path = jsonl(tmp_path / "ok.jsonl", {"id": "a", "samples": AGREE_VERDICTS}, {"id": 7, "samples": AGREE_JSON})
    code, out, err = run(capsys, str(path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}:1: a consistent score 0.00 [0.00, 0.00]; projection answer")
    assert lines[1].startswith(f"{path}:2: 7 consistent score 0.00")
    assert "; 1 cluster; 6 samples" in lines[0]
    assert lines[2] == "divergence: 2 record(s) scored, 0 divergent (lower end of the 80% interval above 0.20)."


def test_text_output_names_score_interval_projection_and_clusters(tmp_path, capsys) -> None:
    path = jsonl(tmp_path / "s.jsonl", {"id": "refund", "samples": SPLIT_VERDICTS})
    code, out, _ = run(capsys, str(path))
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith(f"{path}:1: refund DIVERGENT score 0.50 [")
    assert "projection answer (final answer / verdict); 2 clusters; 8 samples" in first


def test_threshold_option_and_config(tmp_path, capsys) -> None:
    mild = ["Answer: 1"] * 7 + ["Answer: 2"] * 3  # score 0.3, interval roughly [0.15, 0.45]
    path = jsonl(tmp_path / "m.jsonl", {"id": "m", "samples": mild})
    assert run(capsys, "--threshold", "0.05", str(path))[0] == 1
    assert run(capsys, "--threshold", "0.6", str(path))[0] == 0
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint.ensemble]\nthreshold = 0.6\n")
    code, out, _ = run(capsys, "--format", "json", str(path))
    assert code == 0 and json_lines(out)[0]["threshold"] == 0.6
    assert run(capsys, "--threshold", "1.5", str(path))[0] == 2


def test_spelling_weight_option_and_config(tmp_path, capsys) -> None:
    spellings = ["Léopoldville", "Leopoldville"] * 5  # one answer, two spellings
    different = ["Kinshasa", "Brazzaville"] * 5
    path = jsonl(tmp_path / "s.jsonl", {"id": "s", "samples": spellings}, {"id": "d", "samples": different})
    code, out, _ = run(capsys, "--format", "json", str(path))
    same, other = json_lines(out)
    assert code == 1 and not same["flagged"] and other["flagged"]
    assert (same["score"], same["semantic_score"], same["surface_score"]) == (round(0.5 / 3, 4), 0.0, 0.5)
    assert same["spelling_weight"] == round(SPELLING_WEIGHT, 4) and other["score"] == 0.5
    code, out, _ = run(capsys, "--format", "json", "--spelling-weight", "1", str(path))
    assert code == 1 and [r["flagged"] for r in json_lines(out)] == [True, True]
    assert json_lines(out)[0]["score"] == 0.5
    assert json_lines(run(capsys, "--format", "json", "--spelling-weight", "0", str(path))[1])[0]["score"] == 0.0
    text = run(capsys, str(path))[1]
    assert "1 cluster (exact values disagree 0.50, weight 0.33)" in text and "2 clusters;" in text
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint.ensemble]\nspelling-weight = 1\n")
    code, out, _ = run(capsys, "--format", "json", str(path))
    assert code == 1 and json_lines(out)[0]["spelling_weight"] == 1.0 and json_lines(out)[0]["flagged"]
    assert json_lines(run(capsys, "--format", "json", "--spelling-weight", "0.5", str(path))[1])[0]["score"] == 0.25
    for bad in ("1.5", "-0.1", "nan"):
        code, _, err = run(capsys, "--spelling-weight", bad, str(path))
        assert code == 2 and "--spelling-weight must be in [0, 1]" in err
    assert run(capsys, "--spelling-weight", "much", str(path))[0] == 2  # not a number (click)
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint.ensemble]\nspelling-weight = 3\n")
    code, _, err = run(capsys, str(path))
    assert code == 2 and "'spelling-weight' must be in [0, 1]" in err


# -- expected output: bias², variance, incoherence ------------------------------------------------


def test_expected_adds_bias_variance_and_incoherence(tmp_path, capsys) -> None:
    path = jsonl(
        tmp_path / "e.jsonl",
        {"id": "right", "samples": ["Paris", "Paris.", "paris"], "expected": "Paris"},
        {"id": "mixed", "samples": ["Paris", "Lyon", "Paris", "Nice"], "expected": "Paris"},
        {"id": "wrong", "samples": ["Lyon", "Lyon", "Lyon"], "expected": "Paris"},
        {"id": "json", "samples": SPLIT_JSON, "expected": {"label": "billing", "priority": 2}},
        {"id": "prose", "samples": SPLIT_PROSE, "expected": AGREE_PROSE[0]},
        {"id": "none", "samples": ["Paris", "Lyon"]},
    )
    code, out, _ = run(capsys, "--format", "json", str(path))
    rows = {r["id"]: r for r in json_lines(out)}
    assert code == 1
    for name in ("right", "mixed", "wrong", "json", "prose"):
        r = rows[name]
        assert {"bias2", "variance", "incoherence", "expected"} <= set(r), name
        assert 0.0 <= r["incoherence"] <= 1.0
        total = r["bias2"] + r["variance"]
        assert r["incoherence"] == pytest.approx(r["variance"] / total if total else 0.0, abs=1e-3)
    assert rows["right"]["bias2"] == 0.0 and rows["right"]["variance"] == 0.0
    assert rows["wrong"]["variance"] == 0.0 and rows["wrong"]["bias2"] > 0 and rows["wrong"]["incoherence"] == 0.0
    assert 0 < rows["mixed"]["incoherence"] < 1
    assert "bias2" not in rows["none"]
    _, text, _ = run(capsys, str(path))
    assert "bias² 0.000, variance 0.000, incoherence 0.00" in text.splitlines()[0]
    assert "incoherence" not in text.splitlines()[5]


# -- fewer samples: --max-samples and --adaptive --------------------------------------------------


def test_max_samples_scores_only_the_first_k(tmp_path, capsys) -> None:
    samples = ["Answer: A"] * 4 + ["Answer: B"] * 4
    path = jsonl(tmp_path / "k.jsonl", {"id": "k", "samples": samples})
    code, out, _ = run(capsys, "--format", "json", "--max-samples", "4", str(path))
    (row,) = json_lines(out)
    assert code == 0
    assert row["samples"] == 4 and row["samples_given"] == 8 and row["score"] == 0.0
    _, text, _ = run(capsys, "--max-samples", "4", str(path))
    assert "4 of 8 samples" in text and "4 of 8 samples used" in text
    full = json_lines(run(capsys, "--format", "json", str(path))[1])[0]
    assert full["samples"] == 8 and full["score"] == 0.5
    assert run(capsys, "--max-samples", "1", str(path))[0] == 2


def test_adaptive_reports_the_samples_used(tmp_path, capsys) -> None:
    path = jsonl(
        tmp_path / "a.jsonl",
        {"id": "clear", "samples": ["Verdict: approve"] * 20},
        {"id": "split", "samples": SPLIT_VERDICTS * 2},
    )
    code, out, _ = run(capsys, "--format", "json", "--adaptive", str(path))
    clear, split = json_lines(out)
    assert clear["samples"] == 3 < clear["samples_given"] == 20
    assert clear["stop_reason"] == "all samples agree" and clear["score"] == 0.0
    assert split["samples"] < 16 and split["flagged"] and split["stop_reason"] == "clearly above the threshold"
    assert code == 1
    _, text, _ = run(capsys, "--adaptive", str(path))
    assert "3 of 20 samples (adaptive stop: all samples agree)" in text
    assert f"{3 + split['samples']} of 36 samples used" in text


# -- bad records ------------------------------------------------------------------------------------


BAD_LINES = {
    2: ("not json at all", "not JSON"),
    3: ('["a", "b"]', "not a JSON object (got array)"),
    4: ('{"id": "x"}', 'missing "samples"'),
    5: ('{"id": "x", "samples": "Paris"}', '"samples" must be an array of strings (got string)'),
    6: ('{"id": "x", "samples": ["Paris"]}', '"samples" has 1 item(s); at least 2 are needed'),
    7: ('{"id": "x", "samples": []}', '"samples" has 0 item(s)'),
    8: ('{"id": "x", "samples": ["Paris", 42]}', '"samples"[1] is not a string (got number)'),
    9: ('{"id": "x", "samples": ["Paris", null]}', '"samples"[1] is not a string (got null)'),
    10: ('{"id": "x", "samples": ["a", "b"], "extract": "regex:("}', 'bad "extract": invalid projection'),
    11: ('{"id": "x", "samples": ["a", "b"], "extract": "xpath:/a"}', 'bad "extract": invalid projection'),
    12: ('{"id": "x", "samples": ["a", "b"], "extract": 3}', '"extract" must be a string (got number)'),
}


def test_every_bad_record_is_reported_with_its_line_and_good_ones_are_scored(tmp_path, capsys) -> None:
    good_first = {"id": "first", "samples": AGREE_VERDICTS}
    good_last = {"id": "last", "samples": SPLIT_VERDICTS, "extract": "regex:Verdict: (\\w+)"}
    lines = [json.dumps(good_first)] + [BAD_LINES[n][0] for n in sorted(BAD_LINES)] + ["", json.dumps(good_last)]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "\xff\xfe", "samples": ["a", "b"]}\n')
    code, out, err = run(capsys, "--format", "json", str(path))
    assert [r["id"] for r in json_lines(out)] == ["first", "last"]
    assert json_lines(out)[1]["line"] == 14 and json_lines(out)[1]["projection"] == "regex:Verdict: (\\w+)"
    err_lines = err.splitlines()
    for line, (_text, reason) in BAD_LINES.items():
        hit = [e for e in err_lines if e.startswith(f"{path}:{line}: bad record skipped: ")]
        assert len(hit) == 1 and reason in hit[0], (line, hit)
    assert any(e.startswith(f"{path}:15: bad record skipped: not UTF-8") for e in err_lines)
    assert "2 record(s) scored, 1 divergent" in err and "12 bad record(s) skipped (line 2, 3, 4, 5" in err
    assert code == 1  # from the divergent record: bad records alone do not change the exit code


def test_bad_records_alone_do_not_fail_but_no_scorable_record_does(tmp_path, capsys) -> None:
    path = jsonl(tmp_path / "b.jsonl", {"id": "ok", "samples": AGREE_VERDICTS}, "oops")
    code, out, err = run(capsys, str(path))
    assert code == 0 and "1 bad record(s) skipped (line 2)" in out and f"{path}:2: bad record skipped" in err
    only_bad = jsonl(tmp_path / "c.jsonl", "oops", '{"samples": ["x"]}')
    assert run(capsys, str(only_bad))[0] == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    code, out, _ = run(capsys, str(empty))
    assert code == 0 and "the input has no records" in out


def test_parse_record_directly() -> None:
    rec = parse_record(1, '\ufeff{"id": "q", "samples": ["a", "b"], "expected": 42, "prompt": "P"}')
    assert isinstance(rec, Record) and rec.expected == "42" and rec.projection == "auto"
    assert parse_record(3, "   ") is None
    assert isinstance(parse_record(3, "{}"), BadRecord)
    assert parse_record(2, '{"samples": ["a", "b"]}', "label").projection == "label"  # type: ignore[union-attr]


# -- input and output ---------------------------------------------------------------------------------


def test_stdin(capsys, monkeypatch) -> None:
    data = json.dumps({"id": "in", "samples": SPLIT_VERDICTS}) + "\nnot json\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    code, out, err = run(capsys, "-")
    assert code == 1
    assert out.startswith("<stdin>:1: in DIVERGENT")
    assert "<stdin>:2: bad record skipped: not JSON" in err


def test_json_output_shape_has_id_first(tmp_path, capsys) -> None:
    path = jsonl(tmp_path / "j.jsonl", {"samples": AGREE_VERDICTS, "id": {"run": 3}, "expected": "Verdict: approve"})
    code, out, _ = run(capsys, "--format", "json", str(path))
    assert code == 0 and len(out.splitlines()) == 1  # JSON lines only on stdout
    row = json.loads(out)
    assert next(iter(row)) == "id" and row["id"] == {"run": 3}
    expected_keys = {"samples", "samples_given", "line", "score", "interval", "threshold", "flagged", "projection"}
    assert expected_keys | {"clusters", "decided_by", "bias2", "variance", "incoherence"} <= set(row)
    assert isinstance(row["interval"], list) and row["interval"][0] <= row["score"] <= row["interval"][1]
    assert row["clusters"][0]["size"] == 6
    nameless = jsonl(tmp_path / "n.jsonl", {"samples": AGREE_VERDICTS})
    assert json.loads(run(capsys, "--format", "json", str(nameless))[1])["id"] is None
    assert f"{nameless}:1: line 1 consistent" in run(capsys, str(nameless))[1]


def test_usage_errors_exit_2(tmp_path, capsys) -> None:
    code, _, err = run(capsys, str(tmp_path / "missing.jsonl"))
    assert code == 2 and "cannot read" in err
    assert run(capsys, str(tmp_path))[0] == 2  # a directory
    path = jsonl(tmp_path / "ok.jsonl", {"samples": AGREE_VERDICTS})
    code, _, err = run(capsys, "--projection", "nonsense", str(path))
    assert code == 2 and "--projection" in err
    assert main(["divergence"]) == 2  # no FILE
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint.ensemble]\nthreshold = 'high'\n")
    assert run(capsys, str(path))[0] == 2


def test_projection_option_is_the_default_and_extract_wins(tmp_path, capsys) -> None:
    samples = ["Verdict: approve. Reason: fine", "Verdict: approve. Reason: good"] * 2
    path = jsonl(
        tmp_path / "p.jsonl", {"id": "a", "samples": samples}, {"id": "b", "samples": samples, "extract": "answer"}
    )
    rows = json_lines(run(capsys, "--format", "json", "--projection", "prose", str(path))[1])
    assert [r["projection"] for r in rows] == ["prose", "answer"]


# -- one implementation, two entry points -------------------------------------------------------------


@pytest.mark.parametrize(
    ("samples", "extract", "expected"),
    [
        (SPLIT_VERDICTS, None, None),
        (AGREE_JSON + SPLIT_JSON, None, '{"label": "billing", "priority": 2}'),
        (SPLIT_NUMBERS, "answer", "Answer: 1984"),
        (SPLIT_PROSE + AGREE_PROSE, None, AGREE_PROSE[1]),
        (["I can't help with that.", "Sure: Verdict: approve", "Verdict: approve"], "regex:Verdict: (\\w+)", None),
    ],
)
@pytest.mark.parametrize("adaptive", [False, True])
def test_same_score_as_score_samples(tmp_path, capsys, samples, extract, expected, adaptive) -> None:
    record = {"id": "r", "samples": samples, **({"extract": extract} if extract else {})}
    if expected is not None:
        record["expected"] = expected
    path = jsonl(tmp_path / "same.jsonl", record)
    _, out, _ = run(capsys, "--format", "json", *(["--adaptive"] if adaptive else []), str(path))
    row = json.loads(out)
    direct = score_samples(samples, projection=extract, expected=expected, adaptive=adaptive).to_json()
    assert {k: v for k, v in row.items() if k not in ("id", "samples_given", "line")} == direct


def test_same_result_as_the_ensemble_stage_end_to_end(tmp_path, capsys, monkeypatch) -> None:
    """Sample a prompt through ``promptlint ensemble`` (local fake API), then score the same outputs
    as a recorded file: the divergence objects are identical."""
    for var in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS"):
        monkeypatch.delenv(var, raising=False)
    outputs = ["Verdict: approve", "Verdict: reject", "Verdict: approve", "Verdict: reject."] * 2
    (tmp_path / "pyproject.toml").write_text(
        "[tool.promptlint.ensemble]\nadaptive = false\nsamples = 8\n\n"
        '[[tool.promptlint.ensemble.overrides]]\nfiles = ["prompts/*"]\nexpected = "Verdict: approve"\n'
    )
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "refund.prompt.md").write_text(
        "Decide the refund. End with 'Verdict: approve' or 'Verdict: reject'.\n"
    )
    with FakeAnthropic(api_key="sk-test-key") as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-key")
        fake.script("Decide the refund", outputs)
        main(["ensemble", "--format", "json", "--concurrency", "1", "-q", "prompts"])
        report = json.loads(capsys.readouterr().out)
    stage = report[0]["divergence"]
    path = jsonl(tmp_path / "recorded.jsonl", {"id": "refund", "samples": outputs, "expected": "Verdict: approve"})
    code, out, _ = run(capsys, "--format", "json", str(path))
    row = json.loads(out)
    assert {k: v for k, v in row.items() if k not in ("id", "samples_given", "line")} == stage
    assert stage["flagged"] and code == 1 and "incoherence" in stage


def test_the_ensemble_stage_reads_the_spelling_weight_from_config(tmp_path, capsys, monkeypatch) -> None:
    """``spelling-weight`` reaches adaptive stopping (the sampler) and the final score (the stage)."""
    for var in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS"):
        monkeypatch.delenv(var, raising=False)
    outputs = ["Edison", "Thomas Edison", "Edisson", "Mr Edison", "Thomas Alva Edison"] * 2  # one answer
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "who.prompt.md").write_text("Who invented the phonograph? Name only.\n")
    stages = {}
    with FakeAnthropic(api_key="sk-test-key") as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-key")
        fake.script("phonograph", outputs)
        for weight in ("1", "0"):  # the second run reads the first run's cached samples
            (tmp_path / "pyproject.toml").write_text(
                f"[tool.promptlint.ensemble]\nsamples = 10\nmin-samples = 5\nspelling-weight = {weight}\n"
            )
            main(["ensemble", "--format", "json", "--concurrency", "1", "-q", "prompts"])
            stages[weight] = json.loads(capsys.readouterr().out)[0]["divergence"]
    strict, merged = stages["1"], stages["0"]
    assert strict["spelling_weight"] == 1.0 and strict["samples"] == 5 and strict["flagged"]
    assert strict["stop_reason"] == "clearly above the threshold" and strict["score"] == 0.8
    assert merged["spelling_weight"] == 0.0 and merged["samples"] == 5 and not merged["flagged"]
    assert merged["stop_reason"] == "all samples agree" and merged["score"] == 0.0
    path = jsonl(tmp_path / "recorded.jsonl", {"samples": outputs[:5]})
    row = json.loads(run(capsys, "--format", "json", "--spelling-weight", "1", str(path))[1])
    assert row["score"] == strict["score"] and row["interval"] == strict["interval"]


# -- the benchmark's helpers (no data needed) ------------------------------------------------------------


@pytest.fixture(scope="module")
def bench():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_divergence.py"
    spec = importlib.util.spec_from_file_location("bench_divergence", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_auroc_is_mann_whitney_with_ties(bench) -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    for _ in range(20):
        scores = rng.integers(0, 4, 30).astype(float)  # many ties
        positive = rng.random(30) < 0.4
        pos, neg = scores[positive], scores[~positive]
        brute = np.mean([(p > q) + 0.5 * (p == q) for p in pos for q in neg])
        assert bench.auroc(scores, positive) == pytest.approx(brute)
    assert bench.auroc(np.array([1.0, 1.0]), np.array([True, False])) == 0.5


def test_bench_normaliser_and_label(bench) -> None:
    assert bench.normalise("  The Beatles!  ") == "beatles"
    assert bench.is_correct(" Arundhati Roy", ["ARUNDHATI ROY"])
    assert bench.is_correct("Botswana and South Africa", ["Botswana"])  # containment
    assert not bench.is_correct("Roy", ["Arundhati Roy"])
    assert not bench.is_correct("Béla Bartók", ["(BELA) BARTOK"])
    assert bench.is_correct("Béla Bartók", ["(BELA) BARTOK"], fold_accents=True)
    assert bench.is_correct("Gotham", bench.gold_answers({"gold": "New York", "aliases": ["Gotham"]}))
    assert bench.baseline(["Paris", "paris.", "Lyon", "The Paris"]) == 0.25


def test_bench_replaces_only_its_section(bench, tmp_path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Benchmark results\n\n## Speed\n\nfast\n\n## Divergence (bench_divergence.py)\n\nold\n\n## Z\n\nz\n"
    )
    bench.write_section(results, "## Divergence (bench_divergence.py)\n\nnew table\n")
    assert results.read_text() == (
        "# Benchmark results\n\n## Speed\n\nfast\n\n## Divergence (bench_divergence.py)\n\nnew table\n\n## Z\n\nz\n"
    )
    fresh = tmp_path / "new.md"
    bench.write_section(fresh, "## Divergence (bench_divergence.py)\n\nt\n")
    assert fresh.read_text() == "# Benchmark results\n\n## Divergence (bench_divergence.py)\n\nt\n"
