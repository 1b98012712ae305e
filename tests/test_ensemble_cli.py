"""``check --ensemble`` and ``promptlint ensemble`` end to end: the real SDK against a local fake API."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_anthropic import Fail, FakeAnthropic, Hang, Refuse

from promptlint.catalog import catalog_dir
from promptlint.cli import main
from promptlint.ensemble.sampler import AIMDLimiter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEY = "sk-test-SECRET123"
REFUND = (
    'A customer asks for a refund 40 days after purchase. Decide.\nEnd with "Verdict: approve" or "Verdict: reject".\n'
)
CLASSIFY = (
    "Classify the ticket as billing, bug or feature_request. Reply with the category only.\n\nTicket: charged twice\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint]\n")
    (tmp_path / "prompts").mkdir()
    for var in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS", "PROMPTLINT_NO_CACHE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture
def fake(project: Path, monkeypatch: pytest.MonkeyPatch):
    with FakeAnthropic(api_key=KEY) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        yield server


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def config(project: Path, text: str) -> None:
    (project / "pyproject.toml").write_text("[tool.promptlint.ensemble]\n" + text)


def write(project: Path, name: str, text: str) -> Path:
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def codes(out: str) -> list[str]:
    return [f["code"] for f in json.loads(out)]


# -- findings -------------------------------------------------------------------------------------


def test_divergent_verdicts_are_flagged_and_agreeing_labels_are_not(fake, project, capsys) -> None:
    write(project, "prompts/refund.prompt.md", REFUND)
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("refund", ["Verdict: approve", "Verdict: reject"])
    fake.script("Classify the ticket", ["billing", "Billing.", "billing"])
    code, out, err = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    assert code == 1
    findings = json.loads(out)
    assert [(f["code"], Path(f["filename"]).name) for f in findings] == [("ENS001", "refund.prompt.md")]
    assert findings[0]["data"]["clusters"] == [{"size": 4, "value": "approve"}, {"size": 4, "value": "reject"}]
    # Adaptive sampling: the agreeing prompt stopped after 3 samples, the divergent one after 8
    # (its interval was then clearly above the threshold).
    assert fake.calls == 11
    assert "11 API call(s)" in err and "adaptive sampling saved 9 call(s)" in err
    body = fake.requests[0]["body"]
    assert body["model"] == "claude-haiku-4-5" and body["max_tokens"] == 512
    assert not {"temperature", "top_p", "top_k"} & set(body)


def _rule_examples() -> list:
    cases = []
    for code in ("ENS001", "ENS002", "ENS003"):
        data = tomllib.loads((catalog_dir() / f"{code}.toml").read_text())
        for kind in ("valid", "invalid"):
            for i, ex in enumerate(data[kind]):
                cases.append(pytest.param(code, kind, ex, id=f"{code}-{kind}-{i}"))
    return cases


@pytest.mark.parametrize(("code", "kind", "example"), _rule_examples())
def test_rule_examples_replayed_through_the_fake_api(fake, project, capsys, code, kind, example) -> None:
    config(project, "adaptive = false\n")
    write(project, example["filename"], example["text"])
    fake.script(example["text"].strip()[:30], example["samples"])
    samples = str(len(example["samples"]))
    _result, out, _ = run(capsys, "check", "--ensemble", "--samples", samples, "--format", "json", example["filename"])
    found = [c for c in codes(out) if c.startswith("ENS")]
    if kind == "invalid":
        assert code in found, found
    else:
        assert found == [], found
    assert fake.calls == len(example["samples"])


def test_unfilled_template_is_reported_at_the_placeholder(fake, project, capsys) -> None:
    data = tomllib.loads((catalog_dir() / "ENS004.toml").read_text())
    bad, good = data["invalid"][0], data["valid"][0]
    write(project, "bad/ticket.prompt.yml", bad["text"])
    write(project, "good/ticket.prompt.yml", good["text"])
    fake.script("Classify the ticket", ["billing"])
    _code, out, _ = run(capsys, "check", "--ensemble", "--format", "json", "bad", "good")
    findings = json.loads(out)
    assert [(f["code"], f["location"]["row"]) for f in findings] == [("ENS004", bad["line"])]
    assert "ticket_text" in findings[0]["message"]
    assert fake.calls == 3  # the prompt with test data was sampled
    sent = fake.requests[0]["body"]
    assert sent["system"] == "Classify the ticket as billing, bug or feature_request."
    assert sent["messages"] == [{"role": "user", "content": "I was charged twice this month."}]


def test_config_variables_and_per_glob_projection(fake, project, capsys) -> None:
    config(
        project,
        'adaptive = false\nsamples = 8\n[tool.promptlint.ensemble.variables]\nticket = "charged twice"\n'
        '[[tool.promptlint.ensemble.overrides]]\nfiles = ["prompts/classify/*"]\nprojection = "json:$.label"\n',
    )
    text = "Classify this ticket as JSON with a label and a reason: {{ticket}}\n"
    write(project, "prompts/classify/a.prompt.md", text)
    write(project, "prompts/other/a.prompt.md", text.replace("Classify", "Sort"))
    outputs = ['{"label": "billing", "reason": "double charge"}', '{"label": "billing", "reason": "refund needed"}']
    fake.script("Classify this", outputs)
    fake.script("Sort this", outputs)
    _code, out, _ = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    findings = json.loads(out)
    # Only the label matters under the override; elsewhere the worst field (reason) decides.
    assert [(f["code"], f["filename"].split("/")[-2]) for f in findings] == [("ENS001", "other")]
    assert "charged twice" in fake.requests[0]["body"]["messages"][0]["content"]


def test_selection_ignore_and_suppression_filter_ens_findings(fake, project, capsys) -> None:
    write(project, "prompts/refund.prompt.md", REFUND)
    write(project, "prompts/quiet.prompt.md", "<!-- promptlint: ignore[ENS] -->\n" + REFUND.replace("refund", "return"))
    fake.script("refund", ["Verdict: approve", "Verdict: reject"])
    fake.script("return", ["Verdict: approve", "Verdict: reject"])
    code, out, _ = run(capsys, "check", "--ensemble", "--ignore", "ENS001", "--format", "json", "prompts")
    assert code == 0 and codes(out) == []
    assert all("return" not in json.dumps(r["body"]) for r in fake.requests)  # suppressed: never sampled
    code, out, _ = run(capsys, "check", "--ensemble", "--select", "ENS003", "--format", "json", "prompts")
    assert codes(out) == []
    code, out, _ = run(capsys, "check", "--ensemble", "--select", "ENS001", "--format", "json", "prompts")
    assert codes(out) == ["ENS001"]
    # Without --ensemble nothing is sampled and no ENS rule reports.
    before = fake.calls
    code, out, _ = run(capsys, "check", "--format", "json", "prompts")
    assert fake.calls == before and "ENS" not in out


# -- reliability ----------------------------------------------------------------------------------


def test_429_529_and_5xx_are_retried_honouring_retry_after(fake, project, capsys) -> None:
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("Classify", ["billing"])
    fake.fail_next(Fail(429, {"retry-after": "0"}), Fail(529, {"retry-after-ms": "5"}), Fail(503, {"retry-after": "0"}))
    code, out, err = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    assert code == 0 and codes(out) == []
    assert fake.calls == 3 + 3 and "(3 retried)" in err


def test_a_hung_request_times_out_and_is_retried(fake, project, capsys) -> None:
    config(project, "timeout = 0.3\n")
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("Classify", ["billing"])
    fake.fail_next(Hang(3.0))
    code, out, err = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    assert code == 0 and codes(out) == [], out
    assert "retried" in err


def test_failed_samples_are_reported_and_partial_results_kept(fake, project, capsys) -> None:
    config(project, "adaptive = false\nmax-attempts = 2\ntimeout = 0.3\n")
    write(project, "prompts/refund.prompt.md", REFUND)
    fake.script("refund", ["Verdict: approve", "Verdict: reject", Fail(400, message="bad request")])
    _code, out, _ = run(capsys, "check", "--ensemble", "--samples", "12", "--format", "json", "prompts")
    findings = {f["code"]: f for f in json.loads(out)}
    assert set(findings) == {"ENS001", "ENS005"}
    assert "4 of 12 samples failed: HTTP 400: bad request (×4); scored on the other 8" in findings["ENS005"]["message"]
    assert fake.calls == 12


def test_persistent_overload_gives_up_within_the_attempt_limit(fake, project, capsys) -> None:
    config(project, "max-attempts = 2\n")
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("Classify", [Fail(529, {"retry-after": "0"})])
    _code, out, _ = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    [finding] = json.loads(out)
    assert finding["code"] == "ENS005" and "gave up after 2 attempts" in finding["message"]
    assert "too few samples to score" in finding["message"]


def test_retry_after_beyond_the_deadline_is_not_waited_for(fake, project, capsys) -> None:
    config(project, "deadline = 1\n")
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("Classify", [Fail(429, {"retry-after": "120"})])
    _code, out, _ = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    [finding] = json.loads(out)
    assert finding["code"] == "ENS005" and "deadline" in finding["message"]


def test_aimd_window_halves_on_throttling_and_grows_back() -> None:
    async def scenario() -> list[int]:
        limiter = AIMDLimiter(8)
        seen = []
        await limiter.acquire()
        await limiter.release(throttled=True)
        seen.append(limiter.limit)
        await limiter.acquire()
        await limiter.release(throttled=True)
        seen.append(limiter.limit)
        for _ in range(5):
            await limiter.acquire()
            await limiter.release(success=True)
        seen.append(limiter.limit)
        return seen

    assert asyncio.run(scenario()) == [4, 2, 3]


def test_concurrency_is_bounded(project, capsys, monkeypatch) -> None:
    with FakeAnthropic(api_key=KEY, latency=0.05) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        config(project, "adaptive = false\n")
        for i in range(3):
            write(project, f"prompts/p{i}.prompt.md", f"Prompt {i}: reply OK.\n")
        code, _, _ = run(capsys, "check", "--ensemble", "--concurrency", "2", "--samples", "4", "prompts")
        assert code == 0 and server.calls == 12 and server.max_in_flight <= 2


# -- cache, cost, dry run -------------------------------------------------------------------------


def test_rerun_of_unchanged_prompts_makes_no_call(fake, project, capsys) -> None:
    write(project, "prompts/refund.prompt.md", REFUND)
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("refund", ["Verdict: approve", "Verdict: reject"])
    fake.script("Classify", ["billing"])
    first = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    calls = fake.calls
    second = run(capsys, "check", "--ensemble", "--format", "json", "prompts")
    assert fake.calls == calls and second[0] == first[0] and codes(second[1]) == codes(first[1])
    assert "0 API call(s)" in second[2] and f"{calls} cached sample(s)" in second[2]
    assert (project / ".promptlint_cache" / "CACHEDIR.TAG").is_file()
    # A dry run of the cached state needs no call either; --refresh samples again.
    _, _, err = run(capsys, "check", "--ensemble", "--dry-run", "prompts")
    assert "up to 0 API call(s)" in err
    run(capsys, "check", "--ensemble", "--refresh", "prompts")
    assert fake.calls == 2 * calls
    # A changed prompt misses the cache.
    write(project, "prompts/classify.prompt.md", CLASSIFY.replace("twice", "three times"))
    run(capsys, "check", "--ensemble", "prompts")
    assert fake.calls == 2 * calls + 3


def test_errors_are_never_cached(fake, project, capsys) -> None:
    config(project, "max-attempts = 1\nadaptive = false\nsamples = 2\n")
    write(project, "prompts/classify.prompt.md", CLASSIFY)
    fake.script("Classify", [Fail(500), "billing", "billing"])
    run(capsys, "check", "--ensemble", "prompts")
    assert fake.calls == 2
    run(capsys, "check", "--ensemble", "prompts")
    assert fake.calls == 3  # only the failed sample is requested again


def test_dry_run_sends_nothing_and_needs_no_key(project, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    write(project, "prompts/refund.prompt.md", REFUND)
    code, out, err = run(capsys, "check", "--ensemble", "--dry-run", "prompts")
    assert code == 0
    assert "nothing is sent" in err and "up to 10 API call(s)" in err and "$" in err and "tokens" in err
    code, out, _ = run(capsys, "ensemble", "--dry-run", "prompts")
    assert code == 0 and "estimate: up to 10 API call(s)" in out


def test_budget_refusal_exits_2_before_any_call(fake, project, capsys) -> None:
    write(project, "prompts/refund.prompt.md", REFUND)
    code, _out, err = run(capsys, "check", "--ensemble", "--max-cost", "0.0001", "prompts")
    assert code == 2 and fake.calls == 0
    assert "exceeds --max-cost $0.0001" in err and "nothing was sent" in err


def test_budget_stops_the_run_before_it_is_exceeded(project, capsys, monkeypatch) -> None:
    # The API reports 40x the estimated input tokens: the running budget stops before the limit.
    with FakeAnthropic(api_key=KEY, usage_scale=40) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        config(project, "adaptive = false\nmax-tokens = 16\n")
        write(project, "prompts/classify.prompt.md", CLASSIFY)
        server.script("Classify", ["billing"])
        _code, out, err = run(capsys, "check", "--ensemble", "--concurrency", "1", "--max-cost", "0.0025", "-q", ".")
        assert 0 < server.calls < 10
        assert "ENS005" in out and "--max-cost budget would be exceeded" in out
        spent = float(err.split("$")[1].split(" ")[0]) if "$" in err else 0.0
        assert spent <= 0.0025


def test_prompt_caching_for_a_long_shared_system_prompt(fake, project, capsys) -> None:
    config(project, "adaptive = false\nsamples = 4\n")
    system = "You are a meticulous contract reviewer. " * 300  # ~3,000 tokens: worth caching
    text = (
        f"messages:\n  - role: system\n    content: {system.strip()}\n  - role: user\n    content: Review clause 4.\n"
    )
    write(project, "prompts/review.prompt.yml", text)
    _code, _, err = run(capsys, "check", "--ensemble", "prompts")
    assert fake.calls == 4
    bodies = [r["body"] for r in fake.requests]
    assert all(b["system"][0]["cache_control"] == {"type": "ephemeral"} for b in bodies)
    first = min(fake.requests, key=lambda r: r["time"])
    assert all(r["time"] >= first["done"] for r in fake.requests if r is not first)  # one request, then the rest
    assert "input / " in err


# -- credentials ----------------------------------------------------------------------------------


def test_api_key_appears_in_no_output_and_no_cache_file(fake, project, capsys) -> None:
    write(project, "prompts/refund.prompt.md", REFUND)
    fake.script("refund", ["Verdict: approve", "Verdict: reject", Refuse("I can't help with that.")])
    outputs = []
    for args in (["check", "--ensemble"], ["ensemble"], ["ensemble", "--format", "json"], ["check", "--ensemble"]):
        _code, out, err = run(capsys, *args, "prompts")
        outputs.append(out + err)
    assert fake.requests[0]["headers"].get("x-api-key") == KEY or KEY in fake.requests[0]["headers"].get(
        "authorization", ""
    )
    assert all(KEY not in text for text in outputs)
    files = [p for p in (project / ".promptlint_cache").rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files)
    assert all(KEY.encode() not in p.read_bytes() for p in files)


def test_a_rejected_key_stops_the_run_without_printing_it(project, capsys, monkeypatch) -> None:
    with FakeAnthropic(api_key="sk-other") as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        write(project, "prompts/refund.prompt.md", REFUND)
        code, out, err = run(capsys, "check", "--ensemble", "prompts")
        assert code == 2 and "refused the credentials" in err and KEY not in out + err
        assert server.calls <= 4  # stopped after the first wave, not 10 calls


def test_missing_key_and_config_credentials_exit_2(project, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    write(project, "prompts/refund.prompt.md", REFUND)
    code, _, err = run(capsys, "check", "--ensemble", "prompts")
    assert code == 2 and "ANTHROPIC_API_KEY is not set" in err
    for key in ("base_url", "api_key"):
        config(project, f'{key} = "https://attacker.example"\n')
        code, _, err = run(capsys, "check", "prompts")
        assert code == 2 and "environment" in err


# -- changed-since, report, static runs -----------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_changed_since_samples_only_changed_prompts(fake, project, capsys) -> None:
    _git(project, "init", "-q")
    _git(project, "config", "user.email", "t@example.com")
    _git(project, "config", "user.name", "t")
    for name in ("same", "edited", "renamed"):
        write(project, f"prompts/{name}.prompt.md", f"Prompt {name}: reply OK.\n")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "init")
    write(project, "prompts/edited.prompt.md", "Prompt edited: reply OK now.\n")
    _git(project, "mv", "prompts/renamed.prompt.md", "prompts/moved.prompt.md")
    write(project, "prompts/new.prompt.md", "Prompt new: reply OK.\n")
    code, _, _ = run(capsys, "check", "--ensemble", "--changed-since", "HEAD", "prompts")
    sent = {FakeAnthropic.prompt_text(r["body"]).split(":")[0] for r in fake.requests}
    assert sent == {"Prompt edited", "Prompt renamed", "Prompt new"}
    code, _, err = run(capsys, "check", "--ensemble", "--changed-since", "no-such-ref", "prompts")
    assert code == 2 and "no-such-ref" in err


def test_ensemble_report_text_and_json(fake, project, capsys) -> None:
    write(project, "prompts/refund.prompt.md", REFUND)
    fake.script("refund", ["Thinking.\nVerdict: approve", "Verdict: reject"])
    code, out, _ = run(capsys, "ensemble", "prompts")
    assert code == 1
    for part in ("score 0.50", "interval [", "decided by: final answer / verdict", "clusters (2):", "4× 'approve'"):
        assert part in out
    assert "most contrasting pair: samples" in out and "ENS001" in out
    code, out, _ = run(capsys, "ensemble", "--format", "json", "prompts")
    [item] = json.loads(out)
    div = item["divergence"]
    assert item["samples_ok"] == 8 and div["projection"] == "answer" and div["flagged"]
    assert div["stop_reason"] == "clearly above the threshold"
    assert [c["size"] for c in div["clusters"]] == [4, 4] and len(div["contrast"]["pair"]) == 2


def test_static_run_imports_no_sdk_numpy_or_httpx(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("Summarise the text.\n")
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint.ensemble]\nsamples = 3\n")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "promptlint", "check", "x.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    heavy = [ln for ln in proc.stderr.splitlines() if any(m in ln for m in ("anthropic", "numpy", "httpx"))]
    assert heavy == []


def test_agent_instructions_are_sampled_only_with_an_input(fake, project, capsys) -> None:
    write(project, "AGENTS.md", "You are a careful coding agent. Run the tests before every commit.\n")
    code, out, _ = run(capsys, "check", "--ensemble", "--format", "json", "AGENTS.md")
    assert code == 0 and codes(out) == [] and fake.calls == 0
    config(project, '[[tool.promptlint.ensemble.overrides]]\nfiles = ["AGENTS.md"]\ninput = "Add a --verbose flag."\n')
    fake.script("careful coding agent", ["Added the flag and ran the tests."])
    code, out, _ = run(capsys, "check", "--ensemble", "--format", "json", "AGENTS.md")
    assert code == 0 and fake.calls == 3
    assert fake.requests[0]["body"]["messages"] == [{"role": "user", "content": "Add a --verbose flag."}]
