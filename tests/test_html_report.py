"""The ensemble HTML report: the builder (similarity, structure, escaping, self-containment), the
``--format html`` / ``--report FILE`` options, and the page of a real run against the fake API
rendered in headless Chromium (screenshot, DOM, console)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from fake_anthropic import FakeAnthropic, Refuse

from promptlint.cli import main
from promptlint.engine import FileResult
from promptlint.ensemble.config import PromptOptions
from promptlint.ensemble.cost import price_for
from promptlint.ensemble.html_report import SCALE, colour, pairwise_similarity, render_html
from promptlint.ensemble.metrics import score_samples
from promptlint.ensemble.report import divergent_message
from promptlint.ensemble.run import Outcome, PromptRun
from promptlint.ensemble.sampler import Job, Sample, Stats
from promptlint.ensemble.similarity import similarity_matrix
from promptlint.ensemble.templates import Rendered, Request
from promptlint.findings import Finding

KEY = "sk-test-HTML"
EVIL = '</pre><script>alert("pwned")</script><img src=x onerror=alert(1)> & "quotes" \'single\''
REFUND = (
    'A customer asks for a refund 40 days after purchase. Decide.\nEnd with "Verdict: approve" or "Verdict: reject".\n'
)
CLASSIFY = (
    "Classify the ticket as billing, bug or feature_request. Reply with the category only.\n\nTicket: charged twice\n"
)
STORY = "Write two sentences about the sea.\n"


# -- a small HTML parser ---------------------------------------------------------------------------


class Page(HTMLParser):
    """Tags with their attributes, the text, and element ids."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    @property
    def ids(self) -> set[str]:
        return {str(a["id"]) for _, a in self.tags if a.get("id")}

    @property
    def plain(self) -> str:
        return "".join(self.text)


def assert_self_contained(html: str) -> None:
    """No scripts, no external resources, a CSP that forbids both; every link is in-page."""
    page = Page(html)
    assert not re.search(r"https?://", html, re.I), "no absolute URLs at all"
    assert not re.search(r"url\(|@import|@font-face", html, re.I)
    assert page.all("script") == [] and page.all("link") == [] and page.all("iframe") == []
    assert page.all("img") == [] and page.all("object") == [] and page.all("embed") == []
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if "href" in attrs:
            assert str(attrs["href"]).startswith("#"), attrs
    [csp] = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "default-src 'none'" in str(csp["content"]) and "script" not in str(csp["content"])


# -- building outcomes without the API -------------------------------------------------------------


def prompt_run(path: str, samples: list[str], *, failures: int = 0, cached: int = 0, **score) -> PromptRun:
    """A sampled prompt as the ensemble leaves it: job with samples and usage, divergence, findings."""
    div = score_samples(samples, **score)
    job = Job(
        id=0,
        model="claude-haiku-4-5",
        max_tokens=64,
        payload={},
        keys=[],
        n_max=len(samples) + failures,
        price=price_for("claude-haiku-4-5"),
    )
    for i, text in enumerate(samples):
        fresh = i >= cached
        usage = {"input_tokens": 100, "output_tokens": 10} if fresh else {}
        job.samples[i] = Sample(i, text, cached=not fresh, attempts=int(fresh), usage=usage, cost=0.00015 * fresh)
    for k in range(len(samples), len(samples) + failures):
        job.samples[k] = Sample(k, error="HTTP 500: boom <b>", attempts=2)
    request = Request(None, [{"role": "user", "content": "x"}])
    run = PromptRun(FileResult(path, path), None, 0, PromptOptions(), Rendered(request), 1, {"ENS001"}, job=job)  # type: ignore[arg-type]
    run.divergence = div
    if div.flagged:
        run.findings.append(Finding("ENS001", "divergent-outputs", divergent_message(div), path, 1, 1, 1, 2))
    return run


def outcome(*runs: PromptRun) -> Outcome:
    stats = Stats(calls=9, cached=2, input_tokens=900, output_tokens=90, cost=0.00135, saved_by_adaptive=3)
    return Outcome(prompts=list(runs), stats=stats)


# -- pairwise similarity ----------------------------------------------------------------------------


def test_similarity_of_projected_answers_is_agreement() -> None:
    div = score_samples(["Verdict: approve", "Verdict: reject", "Thinking.\nVerdict: Approve.", "Verdict: reject"])
    assert div.projection == "answer"
    sim = pairwise_similarity(div)
    assert sim.basis == "projected"
    expected = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
    np.testing.assert_array_equal(sim.matrix, expected)


def test_similarity_of_prose_is_the_metrics_lexical_similarity() -> None:
    samples = [
        "The sea is vast and blue. Waves crash on the shore.",
        "Oceans cover most of Earth. Tides follow the moon.",
        "The sea is deep and blue. Waves roll onto the beach.",
        "Sailors love the open water and the salt air.",
    ]
    div = score_samples(samples, projection="prose")
    sim = pairwise_similarity(div)
    assert sim.basis == "lexical"
    np.testing.assert_allclose(sim.matrix, similarity_matrix(samples))
    np.testing.assert_allclose(sim.matrix, sim.matrix.T)
    i, j = div.contrast or (0, 0)
    assert sim.matrix[i, j] == pytest.approx(div.contrast_similarity)  # the pair the text report names
    assert sim.matrix[0, 2] > sim.matrix[0, 1]


def test_similarity_of_json_is_the_share_of_agreeing_fields() -> None:
    div = score_samples(['{"a": 1, "b": "x"}', '{"a": 1, "b": "y"}', '{"a": 2, "b": "y"}', "not json at all"])
    assert div.projection == "json" and div.format_failures == [3]
    m = pairwise_similarity(div).matrix
    assert (m[0, 1], m[0, 2], m[1, 2]) == (0.5, 0.0, 0.5)
    assert list(m[3]) == [0.0, 0.0, 0.0, 1.0]  # no projected value: similar only to itself


def test_refusals_are_similar_to_each_other_only() -> None:
    div = score_samples(["I can't help with that.", "billing", "I can't help with that.", "billing", "billing"])
    assert div.refusals == [0, 2]
    m = pairwise_similarity(div).matrix
    assert m[0, 2] == 1.0 and m[0, 1] == 0.0 and m[1, 3] == 1.0


def test_colour_scale_runs_light_to_dark() -> None:
    assert colour(0) == SCALE[0] and colour(1) == SCALE[-1] and colour(-3) == SCALE[0] and colour(7) == SCALE[-1]

    def luminance(c: str) -> float:
        r, g, b = (int(c[k : k + 2], 16) for k in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    values = [luminance(colour(v / 20)) for v in range(21)]
    assert values == sorted(values, reverse=True)


def test_verdict_line_tells_a_bound_just_above_the_threshold_apart() -> None:
    from promptlint.ensemble.html_report import _versus

    assert _versus(0.20002, 0.2, ">") == "0.20002 > threshold 0.20000"
    assert _versus(0.11, 0.2, "≤") == "0.11 ≤ threshold 0.20" and _versus(0.2, 0.2, "≤") == "0.20 ≤ threshold 0.20"


# -- the builder ------------------------------------------------------------------------------------


def test_page_structure_summary_sections_heatmap_clusters_verdict_cost() -> None:
    verdicts = ["Verdict: approve", "Verdict: reject"] * 4
    flagged = prompt_run("prompts/refund.prompt.md", verdicts, failures=1)
    agree = prompt_run("prompts/classify.prompt.md", ["billing", "Billing.", "billing"], cached=2)
    html = render_html(outcome(flagged, agree))
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>") and page.all("meta", charset="utf-8")
    assert {"summary", "prompt-1", "prompt-2"} <= page.ids
    # Summary: one row per prompt linking to its section.
    assert [a["href"] for a in page.all("a") if str(a["href"]).startswith("#prompt-")] == ["#prompt-1", "#prompt-2"]
    text = page.plain
    for part in ("divergent", "consistent", "0.50", "[0.", "answer", "label", "ENS001"):
        assert part in text, part
    # Heat-maps: n × n coloured cells with a tooltip, and a legend with the colour scale.
    tables = page.all("table")
    assert sum(1 for t in tables if "heatmap" in str(t.get("class"))) == 2
    cells = [a for a in page.all("td") if "background:#" in str(a.get("style"))]
    assert len(cells) == 8 * 8 + 3 * 3
    assert all(re.fullmatch(r"samples \d+ and \d+: [01]\.\d\d", str(c["title"])) for c in cells)
    assert html.count('class="legend"') == 2 and "linear-gradient" in html
    # Clusters with their representative outputs; verdict with the threshold; the interval chart.
    assert "Clusters (2)" in text and "approve" in text and "reject" in text
    assert "flagged" in text and "threshold 0.20" in text and html.count("<svg") == 2
    # Cost per prompt and for the run.
    # 8 answered + 1 failed sample that was tried twice: 10 calls (retries count).
    assert "10 API call(s) made, 0 sample(s) from the cache, 800 input / 80 output tokens" in text
    assert "1 API call(s) made, 2 sample(s) from the cache" in text
    assert "9 API call(s), 2 cached sample(s)" in text and "adaptive sampling saved 3" in text
    assert "sample 9: HTTP 500: boom <b>" in text  # a failure, escaped
    assert_self_contained(html)


def test_untrusted_sample_and_path_text_is_escaped() -> None:
    run = prompt_run("prompts/<b>evil</b>.md", [EVIL, "ok fine", EVIL, "<script>x</script>"], projection="prose")
    html = render_html(outcome(run))
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>evil" not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html
    page = Page(html)
    assert EVIL in page.plain and "prompts/<b>evil</b>.md" in page.plain  # shown as text, verbatim
    assert not any(t in ("script", "img") for t, _ in page.tags)
    assert_self_contained(html)


def test_lone_surrogates_and_control_characters_do_not_break_the_page(tmp_path: Path) -> None:
    from promptlint.ensemble.html_report import write_html

    run = prompt_run("a.md", ["bad \ud800 text", "nul \x00 char", "plain"], projection="prose")
    path = tmp_path / "r.html"
    write_html(outcome(run), str(path))
    assert "\ufffd" in path.read_text(encoding="utf-8")


def test_empty_and_unsampled_prompts() -> None:
    assert "No prompts to sample." in render_html(Outcome(prompts=[]))
    skipped = PromptRun(
        FileResult("t.prompt.yml", "t.prompt.yml"),
        None,  # type: ignore[arg-type]
        0,
        PromptOptions(),
        Rendered(None, missing=["ticket"]),
        3,
        {"ENS004"},
    )
    html = render_html(Outcome(prompts=[skipped], stats=Stats()))
    assert "not sampled" in html and "no value for ticket" in html
    assert_self_contained(html)


# -- the CLI against the fake API -------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint]\n")
    for var in ("ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts/refund.prompt.md").write_text(REFUND)
    (tmp_path / "prompts/classify.prompt.md").write_text(CLASSIFY)
    (tmp_path / "prompts/story.prompt.md").write_text(STORY)
    return tmp_path


@pytest.fixture
def fake(project: Path, monkeypatch: pytest.MonkeyPatch):
    with FakeAnthropic(api_key=KEY) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        server.script("refund", ["Thinking.\nVerdict: approve", "Verdict: reject " + EVIL, Refuse("I can't help.")])
        server.script("Classify the ticket", ["billing", "Billing.", "billing"])
        server.script(
            "about the sea",
            [
                "The sea is vast and blue. Waves crash on the shore.",
                "Oceans cover most of Earth. Tides follow the moon.",
                "The sea is deep and blue. Waves roll onto the beach.",
                EVIL + " Sailors love the open water.",
            ],
        )
        yield server


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_format_html_prints_the_page(fake, project, capsys) -> None:
    code, out, err = cli(capsys, "ensemble", "--format", "html", "prompts")
    assert code == 1 and out.startswith("<!DOCTYPE html>") and "API call(s)" in err
    assert {"prompt-1", "prompt-2", "prompt-3"} <= Page(out).ids
    assert_self_contained(out)


def test_report_option_on_check_and_ensemble(fake, project, capsys) -> None:
    code, out, _ = cli(capsys, "check", "--ensemble", "--format", "json", "--report", "check.html", "prompts")
    assert code == 1 and out.lstrip().startswith("[")  # the findings output is unchanged
    check_html = (project / "check.html").read_text(encoding="utf-8")
    assert "ENS001" in check_html and "prompts/story.prompt.md" in check_html
    code, out, _ = cli(capsys, "ensemble", "--report", "ens.html", "prompts")
    assert code == 1 and "clusters (" in out  # text report on stdout, HTML in the file
    ens_html = (project / "ens.html").read_text(encoding="utf-8")
    assert "0 API call(s)" in ens_html and "cached sample(s)" in ens_html  # second run: all from the cache
    for html in (check_html, ens_html):
        assert_self_contained(html)
    # --report needs --ensemble on check; an unwritable report is an error (exit 2).
    code, _, err = cli(capsys, "check", "--report", "x.html", "prompts")
    assert code == 2 and "--report needs --ensemble" in err and not (project / "x.html").exists()
    code, _, err = cli(capsys, "ensemble", "-q", "--report", str(project / "no/such/dir/r.html"), "prompts")
    assert code == 2 and "cannot write the report" in err


def test_dry_run_report_shows_the_estimate(project, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    code, out, _ = cli(capsys, "ensemble", "--dry-run", "--format", "html", "prompts")
    assert code == 0 and "Dry run: nothing was sent" in out and "up to 10 call(s)" in out


# -- the page in a real browser ---------------------------------------------------------------------


def chromium() -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed: apt-get install chromium")
    return browser


def headless(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run with a fresh profile, no network chatter, console to stderr."""
    profile = Path(tmp_path, f"profile-{len(list(tmp_path.glob('profile-*')))}")
    profile.mkdir()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    """Console messages (errors, CSP violations, uncaught exceptions) Chromium logged for the page."""
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln or "Uncaught" in ln]


@pytest.mark.slow
def test_report_renders_in_headless_chromium(fake, project, capsys, tmp_path: Path) -> None:
    browser = chromium()
    code, _, _ = cli(capsys, "ensemble", "-q", "--report", "out.html", "prompts")
    assert code == 1
    report = project / "out.html"
    url = report.resolve().as_uri()

    # Screenshot: a real, non-blank PNG of the requested size (a blank page of that size is ~10 KB).
    shot = tmp_path / "shot.png"
    proc = headless(browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 40_000, len(data)
    assert console_lines(proc.stderr) == []

    # The DOM as the browser built it: the sections are there, untrusted text stayed text.
    proc = headless(browser, tmp_path, "--dump-dom", url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = Page(proc.stdout)
    assert {"summary", "prompt-1", "prompt-2", "prompt-3"} <= dom.ids
    assert len([t for t in dom.all("table") if "heatmap" in str(t.get("class"))]) == 3
    assert len(dom.all("section")) == 3 and len([a for a in dom.all("a") if a["href"] == "#prompt-3"]) == 1
    assert not any(t in ("script", "img", "iframe") for t, _ in dom.tags)
    assert EVIL in dom.plain and "divergent" in dom.plain and "Pairwise similarity" in dom.plain
    assert console_lines(proc.stderr) == []

    # Control: the same page with a script injected. Chromium reports it on the console (so the
    # checks above would see one) and the page's Content-Security-Policy keeps it from running.
    injected = tmp_path / "injected.html"
    marker = "INJECTED-SCRIPT-RAN"
    injected.write_text(
        report.read_text(encoding="utf-8").replace("<footer>", f"<script>document.title='{marker}'</script><footer>"),
        encoding="utf-8",
    )
    proc = headless(browser, tmp_path, "--dump-dom", injected.as_uri())
    logged = console_lines(proc.stderr)
    assert any("Content Security Policy" in ln for ln in logged), proc.stderr[-2000:]
    assert f"<title>{marker}</title>" not in proc.stdout
