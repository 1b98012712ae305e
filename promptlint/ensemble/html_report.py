"""The ensemble report as one self-contained HTML page (``ensemble --format html``, ``--report FILE``).

The page has no scripts, fonts, style sheets or images from anywhere: CSS is inline, the charts
are inline SVG and table cells, and a Content-Security-Policy meta tag forbids every script and
every fetch, so a sample that slipped through escaping still could not run or phone home. Every
piece of prompt or sample text is HTML-escaped (samples are untrusted model output).

Per prompt it shows the score with its interval against the threshold, the verdict, the
projection that decided, a heat-map of pairwise similarity between the samples
(:func:`pairwise_similarity`: the lexical similarity the prose projection uses, or agreement of
the projected values), the clusters with a representative output each, every sample, the
findings and what the prompt cost. A summary table at the top links to each prompt.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from promptlint import __version__
from promptlint.ensemble.similarity import similarity_matrix

if TYPE_CHECKING:
    from promptlint.ensemble.metrics import Divergence
    from promptlint.ensemble.run import Outcome, PromptRun

REPRESENTATIVE_LIMIT = 1500  # characters of a cluster's representative shown before "…"
SAMPLE_LIMIT = 4000  # characters of each sample in the "all samples" list
CELL_VALUES_UP_TO = 12  # heat-map cells show their value up to this many samples
# A sequential blue scale (ColorBrewer "Blues"): 0 = light, 1 = dark.
SCALE = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


# ---------------------------------------------------------------------------------------------
# Pairwise similarity


@dataclass
class Similarity:
    """Pairwise similarity of a prompt's samples, and what it is based on."""

    matrix: np.ndarray  # n × n, in [0, 1], 1 on the diagonal
    basis: str  # "lexical", "projected" or "json fields"
    description: str


def _groups(div: Divergence) -> list[int | None]:
    """Per sample, the index of its cluster in ``div.clusters`` (None: not in any)."""
    out: list[int | None] = [None] * len(div.samples)
    for k, c in enumerate(div.clusters):
        for i in c.members:
            out[i] = k
    return out


def pairwise_similarity(div: Divergence) -> Similarity:
    """The similarity of every pair of samples, computed as the metrics compare them.

    * prose: :func:`promptlint.ensemble.similarity.similarity_matrix` of the raw outputs (the
      TF-IDF cosine the prose clusters and the contrasting pair use);
    * JSON: the share of JSON fields on which two samples fall in the same cluster;
    * answers, labels, regex or JSON-path projections: 1 when the projected values agree (same
      cluster), else 0.

    Refusals are similar to each other (1) and to nothing else; a sample without a projected
    value (a format failure) is similar only to itself.
    """
    n = len(div.samples)
    if n == 0:
        return Similarity(np.zeros((0, 0)), "projected", "no samples")
    if div.projection == "prose":
        return Similarity(
            similarity_matrix(div.samples),
            "lexical",
            "lexical similarity of the outputs (word and character n-gram TF-IDF cosine, as the prose projection "
            "clusters them)",
        )
    refused = set(div.refusals)
    if div.projection == "json" and div.fields:
        per_field: list[list[int | None]] = []
        for f in div.fields:
            assign: list[int | None] = [None] * n
            for k, c in enumerate(f.clusters):
                for i in c.members:
                    assign[i] = k
            per_field.append(assign)
        sim = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                agree = [a[i] is not None and a[i] == a[j] for a in per_field]
                sim[i, j] = sum(agree) / len(agree)
        basis, text = "json fields", f"share of the {len(div.fields)} JSON field(s) on which two samples agree"
    else:
        groups = _groups(div)
        sim = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                sim[i, j] = 1.0 if groups[i] is not None and groups[i] == groups[j] else 0.0
        basis, text = "projected", f"1 when the projected values ({div.projection}) agree, else 0"
    for i in refused:
        for j in refused:
            sim[i, j] = 1.0
    np.fill_diagonal(sim, 1.0)
    return Similarity(sim, basis, text)


# ---------------------------------------------------------------------------------------------
# Small helpers


def esc(text: Any) -> str:
    """Escape for HTML text and attribute values (lone surrogates become U+FFFD)."""
    s = str(text)
    s = s.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return html.escape(s, quote=True)


def _clip(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


def _pre(text: str, limit: int) -> str:
    body, clipped = _clip(text, limit)
    more = f'<span class="clip">… ({len(text) - limit:,} more characters)</span>' if clipped else ""
    return f'<pre class="out">{esc(body)}{more}</pre>' if text else '<pre class="out empty">(empty output)</pre>'


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def colour(value: float) -> str:
    """The scale's colour for a value in [0, 1] (linear interpolation between the stops)."""
    v = min(1.0, max(0.0, float(value))) * (len(SCALE) - 1)
    lo = int(v)
    hi = min(lo + 1, len(SCALE) - 1)
    t = v - lo
    a, b = _hex(SCALE[lo]), _hex(SCALE[hi])
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _ink(value: float) -> str:
    return "#fff" if value >= 0.55 else "#1b2733"


def _cluster_name(k: int) -> str:
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(65 + r) + name
    return name


def _versus(bound: float, threshold: float, sign: str) -> str:
    """As many digits (2 to 6) as it takes to tell the bound from the threshold: "0.20002 > threshold 0.20000"."""
    digits = 2
    while digits < 6 and f"{bound:.{digits}f}" == f"{threshold:.{digits}f}" and bound != threshold:
        digits += 1
    return f"{bound:.{digits}f} {sign} threshold {threshold:.{digits}f}"


def _money(value: float) -> str:
    return f"${value:.4f}"


# ---------------------------------------------------------------------------------------------
# Per-prompt parts


@dataclass
class _Usage:
    calls: int = 0
    cached: int = 0
    ok: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


def prompt_usage(run: PromptRun) -> _Usage:
    """Calls made (retries included), cached samples, tokens and cost of one prompt's samples."""
    u = _Usage()
    if run.job is None:
        return u
    for s in run.job.samples.values():
        if s.cached:
            u.cached += 1
        elif not s.skipped_budget:
            u.calls += s.attempts
        u.ok += s.ok
        u.failed += not s.ok
        usage = s.usage or {}
        u.input_tokens += (
            usage.get("input_tokens", 0)
            + usage.get("cache_creation_input_tokens", 0)
            + usage.get("cache_read_input_tokens", 0)
        )
        u.output_tokens += usage.get("output_tokens", 0)
        u.cost += s.cost
    return u


def _verdict(run: PromptRun, dry_run: bool) -> tuple[str, str]:
    """(css class, text) of a prompt's verdict."""
    div = run.divergence
    if run.rendered.request is None:
        return "skip", "not sampled"
    if div is None:
        if dry_run:
            return "skip", "dry run"
        return ("fail", "not scored") if run.job is not None else ("skip", "not sampled")
    if div.flagged:
        return "bad", "divergent"
    if any(f.code != "ENS001" for f in run.findings):
        return "warn", "consistent, with findings"
    return "good", "consistent"


def _interval_svg(div: Divergence) -> str:
    """The score (dot), its interval (band) and the threshold (dashed line) on a 0–1 axis."""
    width, left, right = 320, 12, 12
    span = width - left - right

    def x(v: float) -> float:
        return round(left + span * min(1.0, max(0.0, v)), 1)

    lo, hi = div.interval
    fill = "#d7301f" if div.flagged else "#2b8a3e"
    ticks = "".join(
        f'<line x1="{x(t)}" y1="38" x2="{x(t)}" y2="42" stroke="#8795a1"/>'
        f'<text x="{x(t)}" y="54" text-anchor="middle">{t:g}</text>'
        for t in (0, 0.25, 0.5, 0.75, 1)
    )
    label = (
        f"score {div.score:.2f}, interval {lo:.2f} to {hi:.2f}, threshold {div.threshold:.2f}"
        f" ({'flagged' if div.flagged else 'not flagged'})"
    )
    anchor = "start" if div.threshold < 0.15 else ("end" if div.threshold > 0.85 else "middle")
    return (
        f'<svg class="interval" viewBox="0 0 {width} 60" width="{width}" height="60" role="img" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
        f'<rect x="{left}" y="20" width="{span}" height="12" rx="6" fill="#e9eef3"/>'
        f'<rect x="{x(lo)}" y="20" width="{max(2.0, x(hi) - x(lo))}" height="12" rx="6" fill="{fill}" '
        'fill-opacity="0.35"/>'
        f'<line x1="{x(div.threshold)}" y1="14" x2="{x(div.threshold)}" y2="38" stroke="#1b2733" '
        'stroke-width="1.5" stroke-dasharray="3 2"/>'
        f'<text x="{x(div.threshold)}" y="10" text-anchor="{anchor}" class="thr">threshold {div.threshold:.2f}</text>'
        f'<circle cx="{x(div.score)}" cy="26" r="5.5" fill="{fill}" stroke="#fff" stroke-width="1.5"/>'
        f'<line x1="{left}" y1="38" x2="{width - right}" y2="38" stroke="#8795a1"/>{ticks}</svg>'
    )


def _order(div: Divergence) -> tuple[list[int], dict[int, str]]:
    """Samples ordered cluster by cluster (so agreeing samples form blocks), with a tag each."""
    order: list[int] = []
    tags: dict[int, str] = {}
    for k, c in enumerate(div.clusters):
        for i in sorted(c.members):
            if i not in tags:
                order.append(i)
                tags[i] = _cluster_name(k)
    for i in div.refusals:
        if i not in tags:
            order.append(i)
            tags[i] = "R"
    for i in range(len(div.samples)):
        if i not in tags:
            order.append(i)
            tags[i] = "F" if i in div.format_failures else "–"
    return order, tags


def heatmap(div: Divergence, sim: Similarity | None = None) -> str:
    """The pairwise-similarity heat-map of a prompt's samples: a table with coloured cells and a legend."""
    sim = sim or pairwise_similarity(div)
    n = len(div.samples)
    if n < 2:
        return '<p class="muted">Fewer than two samples: no pairs to compare.</p>'
    order, tags = _order(div)
    show = n <= CELL_VALUES_UP_TO
    size = "lg" if show else ("md" if n <= 30 else "sm")
    head = "".join(f'<th scope="col" title="sample {i + 1}, {esc(_tag_text(tags[i]))}">{i + 1}</th>' for i in order)
    rows = []
    for i in order:
        cells = []
        for j in order:
            v = float(sim.matrix[i, j])
            title = f"samples {i + 1} and {j + 1}: {v:.2f}"
            text = f"{v:.2f}" if show else ""
            cells.append(f'<td style="background:{colour(v)};color:{_ink(v)}" title="{title}">{text}</td>')
        rows.append(
            f'<tr><th scope="row" title="sample {i + 1}, {esc(_tag_text(tags[i]))}">{i + 1}'
            f'<span class="tag">{esc(tags[i])}</span></th>{"".join(cells)}</tr>'
        )
    table = (
        f'<div class="hm-wrap"><table class="heatmap {size}" aria-label="pairwise similarity of the samples">'
        f'<thead><tr><th class="corner">sample</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )
    return table + legend(sim)


def _tag_text(tag: str) -> str:
    return {"R": "refusal", "F": "no projected value (format failure)", "–": "not scored"}.get(tag, f"cluster {tag}")


def legend(sim: Similarity) -> str:
    stops = ", ".join(f"{c} {round(100 * k / (len(SCALE) - 1))}%" for k, c in enumerate(SCALE))
    return (
        '<div class="legend"><span>0</span>'
        f'<span class="bar" style="background:linear-gradient(to right, {stops})"></span><span>1</span>'
        f'<span class="muted">{esc(sim.description)}. Rows and columns are grouped by cluster '
        "(letters; R refusal, F no projected value).</span></div>"
    )


def _clusters(div: Divergence) -> str:
    if not div.clusters:
        return '<p class="muted">No clusters.</p>'
    scored = max(1, len(div.scored))
    items = []
    for k, c in enumerate(div.clusters):
        share = c.size / scored
        value = f'<span class="value">{esc(c.value)}</span>' if c.value is not None else ""
        members = ", ".join(str(i + 1) for i in sorted(c.members))
        items.append(
            f'<li class="cluster"><div class="chead"><span class="cname">{_cluster_name(k)}</span>'
            f'<span class="size">{c.size}× ({share:.0%})</span>{value}'
            f'<span class="share" style="width:{max(2, round(120 * min(1.0, share)))}px"></span>'
            f'<span class="muted">samples {members}; representative: sample {c.representative + 1}</span></div>'
            f"{_pre(div.samples[c.representative], REPRESENTATIVE_LIMIT)}</li>"
        )
    return f'<ol class="clusters">{"".join(items)}</ol>'


def _samples(div: Divergence, tags: dict[int, str]) -> str:
    items = []
    for i, text in enumerate(div.samples):
        value = div.values[i] if i < len(div.values) else None
        extra = f' → <span class="value">{esc(value)}</span>' if value is not None else ""
        items.append(
            f'<li><div class="shead">sample {i + 1} <span class="tag">{esc(tags.get(i, "–"))}</span>{extra}</div>'
            f"{_pre(text, SAMPLE_LIMIT)}</li>"
        )
    summary = f"<summary>All {len(div.samples)} samples</summary>"
    return f'<details class="samples">{summary}<ol>{"".join(items)}</ol></details>'


def _cost_line(run: PromptRun, outcome: Outcome) -> str:
    if run.job is None:
        return ""
    if outcome.dry_run:
        est = run.estimate
        if est is None:
            return ""
        worst = est.worst(run.job.price, run.job.model)
        return (
            f'<p class="cost"><b>Estimate</b> (dry run, nothing sent): up to {est.calls} call(s) × '
            f"~{est.input_tokens:,} input tokens, up to {_money(worst)}</p>"
        )
    u = prompt_usage(run)
    price = "" if run.job.price is not None else " (no price known for this model)"
    return (
        f'<p class="cost"><b>Cost</b>: {u.calls} API call(s) made, {u.cached} sample(s) from the cache, '
        f"{u.input_tokens:,} input / {u.output_tokens:,} output tokens, {_money(u.cost)} estimated{price}</p>"
    )


def _findings(run: PromptRun) -> str:
    if not run.findings:
        return ""
    items = "".join(
        f'<li><span class="code sev-{esc(f.severity)}">{esc(f.code)}</span> {esc(f.message)}</li>' for f in run.findings
    )
    return f'<ul class="findings">{items}</ul>'


def _facts(rows: list[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _section(k: int, run: PromptRun, outcome: Outcome) -> str:
    div = run.divergence
    cls, verdict = _verdict(run, outcome.dry_run)
    parts = [
        f'<section class="prompt" id="prompt-{k}"><h2><span class="num">{k}</span>{esc(run.label)}'
        f'<span class="badge {cls}">{esc(verdict)}</span></h2>'
    ]
    facts: list[tuple[str, str]] = [("model", esc(run.options.model))]
    if run.rendered.source:
        facts.append(("variables", esc(run.rendered.source)))
    if run.rendered.request is None:
        reason = run.rendered.problem or f"no value for {', '.join(run.rendered.missing)}"
        facts.append(("skipped", esc(reason)))
    if run.job is not None:
        job = run.job
        stop = f"; stopped early: {esc(job.stop_reason)}" if job.stop_reason else ""
        failed = f", {len(job.failures)} failed" if job.failures else ""
        scored = ""
        if div is not None and len(div.scored) != len(job.texts()):
            scored = f", {len(div.scored)} scored (refusals and samples without a projected value aside)"
        facts.append(("samples", f"{len(job.samples)} drawn of at most {job.n_max}{failed}{scored}{stop}"))
    if div is not None:
        lo, hi = div.interval
        facts += [
            ("score", f'<b class="score {cls}">{div.score:.2f}</b>'),
            ("interval", f"[{lo:.2f}, {hi:.2f}] ({div.confidence:.0%} Bayesian bootstrap)"),
            ("projection", f"<code>{esc(div.projection)}</code>, decided by {esc(div.decided_by)}"),
            (
                "verdict",
                f'<span class="{cls}">{"flagged" if div.flagged else "not flagged"}</span>: interval lower bound '
                f"{_versus(lo, div.threshold, '&gt;' if div.flagged else '≤')}",
            ),
        ]
        if div.dispersion is not None:
            facts.append(("lexical dispersion", f"{div.dispersion:.2f} (1 − mean similarity of the raw outputs)"))
        if div.bias2 is not None:
            facts.append(
                (
                    "against expected",
                    f"bias² {div.bias2:.3f}, variance {div.variance or 0:.3f}, incoherence {div.incoherence or 0:.2f}",
                )
            )
    parts.append('<div class="top">' + _facts(facts) + (_interval_svg(div) if div is not None else "") + "</div>")
    parts.append(_findings(run))
    if run.job is not None and run.job.failures:
        fails = "".join(f"<li>sample {s.index + 1}: {esc(s.error)}</li>" for s in run.job.failures[:10])
        more = len(run.job.failures) - 10
        fails += f"<li>… {more} more</li>" if more > 0 else ""
        parts.append(f'<div class="failures"><h3>Failed samples</h3><ul>{fails}</ul></div>')
    if div is not None:
        sim = pairwise_similarity(div)
        _, tags = _order(div)
        parts.append(f"<h3>Pairwise similarity</h3>{heatmap(div, sim)}")
        parts.append(f"<h3>Clusters ({len(div.clusters)})</h3>{_clusters(div)}")
        if div.fields:
            rows = "".join(
                f"<tr><td><code>{esc(f.path)}</code></td><td>{f.score:.2f}</td><td>{len(f.clusters)}</td>"
                f"<td>{'prose' if f.prose else 'value'}</td></tr>"
                for f in div.fields
            )
            parts.append(
                '<h3>JSON fields</h3><table class="fields"><thead><tr><th>field</th><th>disagreement</th>'
                f"<th>clusters</th><th>compared as</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        parts.append(_samples(div, tags))
    parts.append(_cost_line(run, outcome))
    parts.append('<p class="back"><a href="#summary">↑ summary</a></p></section>')
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# The page


def _summary(outcome: Outcome) -> str:
    rows = []
    for k, run in enumerate(outcome.prompts, 1):
        div = run.divergence
        cls, verdict = _verdict(run, outcome.dry_run)
        if div is not None:
            lo, hi = div.interval
            score = f'<td class="n">{div.score:.2f}</td><td class="n">[{lo:.2f}, {hi:.2f}]</td>'
            proj = f'<td><code>{esc(div.projection)}</code></td><td class="n">{div.threshold:.2f}</td>'
        else:
            score = '<td class="n">–</td><td class="n">–</td>'
            proj = '<td>–</td><td class="n">–</td>'
        samples = f"{len(run.job.texts())}/{run.job.n_max}" if run.job is not None else "–"
        codes = " ".join(sorted({f.code for f in run.findings})) or "–"
        cost = _money(prompt_usage(run).cost) if run.job is not None and not outcome.dry_run else "–"
        rows.append(
            f'<tr class="{cls}"><td><a href="#prompt-{k}">{esc(run.label)}</a></td>{score}{proj}'
            f'<td class="n">{samples}</td><td><span class="badge {cls}">{esc(verdict)}</span></td>'
            f'<td>{esc(codes)}</td><td class="n">{cost}</td></tr>'
        )
    if not rows:
        return '<p class="muted" id="summary">No prompts to sample.</p>'
    head = "".join(
        ('<th class="n">' if n else "<th>") + f"{h}</th>"
        for h, n in (
            ("prompt", 0),
            ("score", 1),
            ("interval", 1),
            ("projection", 0),
            ("threshold", 1),
            ("samples", 1),
            ("verdict", 0),
            ("findings", 0),
            ("cost", 1),
        )
    )
    return f'<table class="summary" id="summary"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _totals(outcome: Outcome, as_of: str) -> str:
    sampled = sum(1 for r in outcome.prompts if r.job is not None)
    flagged = sum(1 for r in outcome.prompts if r.divergence is not None and r.divergence.flagged)
    with_findings = sum(1 for r in outcome.prompts if r.findings)
    cards = [
        ("prompts", str(len(outcome.prompts))),
        ("sampled", str(sampled)),
        ("divergent", str(flagged)),
        ("with findings", str(with_findings)),
    ]
    stats = outcome.stats
    if outcome.dry_run:
        cards += [
            ("calls (estimate)", f"≤ {outcome.estimate_calls}"),
            ("cost (estimate)", f"≤ {_money(outcome.estimate_worst)}"),
        ]
        note = (
            f"Dry run: nothing was sent. Up to {outcome.estimate_calls} API call(s), ~{outcome.estimate_tokens:,} "
            f"tokens, up to {_money(outcome.estimate_worst)} (typically ~{_money(outcome.estimate_typical)}); "
            f"offline token estimate, prices as of {as_of}."
        )
    elif stats is not None:
        tokens_in = stats.input_tokens + stats.cache_write_tokens + stats.cache_read_tokens
        cards += [
            ("API calls", str(stats.calls)),
            ("cached samples", str(stats.cached)),
            ("estimated cost", _money(stats.cost)),
        ]
        extra = []
        if stats.retries:
            extra.append(f"{stats.retries} retried")
        if stats.saved_by_adaptive:
            extra.append(f"adaptive sampling saved {stats.saved_by_adaptive} call(s)")
        if stats.failed:
            extra.append(f"{stats.failed} sample(s) failed")
        note = (
            f"{stats.calls} API call(s), {stats.cached} cached sample(s), {tokens_in:,} input / "
            f"{stats.output_tokens:,} output tokens, {_money(stats.cost)} estimated (prices as of {as_of})"
            + ("; " + ", ".join(extra) if extra else "")
            + "."
        )
    else:
        note = ""
    if outcome.unknown_prices:
        note += f" No price known for {', '.join(outcome.unknown_prices)}: its cost counts as $0."
    body = "".join(
        f'<div class="card"><div class="v">{esc(v)}</div><div class="k">{esc(k)}</div></div>' for k, v in cards
    )
    return f'<div class="cards">{body}</div><p class="cost">{esc(note.strip())}</p>'


STYLE = """
:root{--ink:#1b2733;--muted:#5f6f7f;--line:#dde3ea;--bg:#f6f8fa;--card:#fff;--bad:#c92a2a;--good:#2b8a3e;
--warn:#b35c00;--skip:#6b7785;--accent:#1c5fa8}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 28px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:0 0 14px;display:flex;align-items:center;gap:10px;
flex-wrap:wrap;word-break:break-all}h3{font-size:15px;margin:22px 0 8px;color:#34495e;text-transform:uppercase;
letter-spacing:.04em}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code,pre,.value,.tag{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.muted{color:var(--muted);font-size:13px}.sub{color:var(--muted);margin:0 0 18px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0 10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 16px;min-width:118px}
.card .v{font-size:22px;font-weight:650}.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;
letter-spacing:.04em}
table{border-collapse:collapse}
table.summary{width:100%;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden;
margin:14px 0 28px;font-size:14px}
.summary th,.summary td,.fields th,.fields td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:left;
vertical-align:middle}
.summary th,.fields th{background:#eef2f6;font-size:12px;text-transform:uppercase;letter-spacing:.04em;
color:#46586a}
.summary td:first-child{word-break:break-all}
.n{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:600;color:#fff;
white-space:nowrap}
.badge.bad{background:var(--bad);color:#fff}.badge.good{background:var(--good);color:#fff}
.badge.warn{background:var(--warn);color:#fff}.badge.skip,.badge.fail{background:var(--skip);color:#fff}
span.bad,b.bad{color:var(--bad)}span.good,b.good{color:var(--good)}span.warn,b.warn{color:var(--warn)}
section.prompt{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;
margin:0 0 26px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.num{display:inline-flex;align-items:center;justify-content:center;min-width:28px;height:28px;border-radius:50%;
background:#e7eef6;color:var(--accent);font-size:14px}
.top{display:flex;flex-wrap:wrap;gap:18px 40px;align-items:flex-start}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;flex:1 1 480px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.score{font-size:20px}
svg.interval text{font-size:10px;fill:#5f6f7f}svg.interval text.thr{fill:#1b2733}
ul.findings{list-style:none;padding:0;margin:14px 0 0}
ul.findings li{padding:6px 10px;border-left:3px solid var(--bad);background:#fff5f5;margin:4px 0;
border-radius:0 6px 6px 0}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700;margin-right:6px}
.hm-wrap{overflow-x:auto;max-width:100%}
table.heatmap{font-variant-numeric:tabular-nums;margin:4px 0}
table.heatmap th{font-weight:500;color:var(--muted);font-size:11px;padding:2px 4px;text-align:center}
table.heatmap th[scope=row]{text-align:right;white-space:nowrap}
table.heatmap td{border:1px solid #fff;text-align:center;font-size:11px;padding:0}
table.heatmap.lg td{width:44px;height:32px}table.heatmap.md td{width:22px;height:22px}
table.heatmap.sm td{width:12px;height:12px}table.heatmap.sm th{font-size:9px}
.tag{display:inline-block;margin-left:4px;padding:0 4px;border-radius:4px;background:#eef2f6;color:#34495e;
font-size:10px}
.legend{display:flex;align-items:center;gap:8px;flex-wrap:wrap;margin:8px 0 4px;font-size:12px}
.legend .bar{display:inline-block;width:180px;height:12px;border-radius:3px;border:1px solid var(--line)}
ol.clusters{list-style:none;padding:0;margin:0}
li.cluster{border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin:8px 0}
.chead{display:flex;flex-wrap:wrap;align-items:center;gap:10px;margin-bottom:6px}
.cname{font-weight:700;background:var(--accent);color:#fff;border-radius:5px;padding:0 7px}
.size{font-weight:600}.value{background:#fff8db;border:1px solid #f1e3a6;border-radius:4px;padding:0 6px}
.share{display:inline-block;height:8px;background:var(--accent);opacity:.55;border-radius:4px}
pre.out{margin:0;padding:10px 12px;background:#f8fafc;border:1px solid var(--line);border-radius:6px;
white-space:pre-wrap;word-break:break-word;font-size:13px;max-height:320px;overflow:auto}
pre.empty{color:var(--muted);font-style:italic}
.clip{color:var(--muted);font-style:italic}
details.samples{margin:16px 0 0}details.samples summary{cursor:pointer;color:var(--accent);font-weight:600}
details.samples ol{list-style:none;padding:0}details.samples li{margin:10px 0}
.shead{font-size:13px;color:var(--muted);margin-bottom:3px}
.failures ul{margin:4px 0;padding-left:20px;font-size:14px}
p.cost{color:#34495e;font-size:14px;margin:16px 0 0;padding-top:10px;border-top:1px dashed var(--line)}
.cards+p.cost{border:0;padding:0;margin:0 0 6px}
p.back{margin:8px 0 0;font-size:13px}
footer{color:var(--muted);font-size:12px;margin-top:30px}
@media print{body{background:#fff}section.prompt{break-inside:avoid;box-shadow:none}}
"""


def render_html(outcome: Outcome, *, as_of: str | None = None, title: str = "promptlint ensemble report") -> str:
    """The whole report as one self-contained HTML document."""
    if as_of is None:
        from promptlint.ensemble.cost import PRICES_AS_OF

        as_of = PRICES_AS_OF
    sections = "".join(_section(k, run, outcome) for k, run in enumerate(outcome.prompts, 1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body><main>"
        f'<header><h1>{esc(title)}</h1><p class="sub">How much each prompt\'s sampled outputs diverge: a prompt is '
        "flagged when the lower bound of its score's interval is above the threshold.</p>"
        f"{_totals(outcome, as_of)}</header>"
        f"{_summary(outcome)}{sections}"
        f"<footer>promptlint {esc(__version__)} · prices as of {esc(as_of)} · "
        "self-contained page: no scripts, no external resources.</footer>"
        "</main></body></html>\n"
    )


def write_html(outcome: Outcome, path: str) -> None:
    """Write the report to ``path`` (UTF-8). Raises OSError."""
    text = render_html(outcome)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
