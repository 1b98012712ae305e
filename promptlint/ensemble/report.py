"""Messages, the detailed ``ensemble`` report (text or JSON), the progress bar and the closing line."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlint.ensemble.metrics import Divergence
    from promptlint.ensemble.run import Outcome, PromptRun
    from promptlint.ensemble.sampler import Stats

SNIPPET = 70


def snippet(text: str, limit: int = SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cluster_summary(div: Divergence, limit: int = 3) -> str:
    parts = []
    for c in div.clusters[:limit]:
        shown = c.value if c.value is not None else snippet(div.samples[c.representative], 40)
        parts.append(f"{c.size}× {shown!r}")
    more = len(div.clusters) - limit
    return ", ".join(parts) + (f", {more} more" if more > 0 else "")


def divergent_message(div: Divergence) -> str:
    lo, hi = div.interval
    return (
        f"outputs diverge: incoherence {div.score:.2f} [{lo:.2f}, {hi:.2f}] > {div.threshold:.2f} "
        f"on {div.decided_by} over {len(div.scored)} samples ({_cluster_summary(div)})"
    )


def format_message(div: Divergence) -> str:
    bad = div.format_failures
    total = len(bad) + len(div.scored)
    first = bad[0]
    return (
        f"format inconsistency: {len(bad)} of {total} samples lack {div.format_expected or 'the expected format'} "
        f"that the others have (sample {first + 1}: {snippet(div.samples[first])!r})"
    )


def refusal_message(div: Divergence) -> str:
    r = div.refusals
    complying = div.n - len(r)
    return (
        f"refusal split: {len(r)} of {div.n} samples refuse ({snippet(div.samples[r[0]], 50)!r}) "
        f"while {complying} comply"
    )


def finding_data(div: Divergence) -> dict[str, Any]:
    return {
        "score": round(div.score, 4),
        "interval": [round(div.interval[0], 4), round(div.interval[1], 4)],
        "threshold": div.threshold,
        "projection": div.projection,
        "decided_by": div.decided_by,
        "samples": div.n,
        "clusters": [{"size": c.size, "value": c.value} for c in div.clusters],
    }


# ---------------------------------------------------------------------------------------------
# Progress and summary lines


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False
        self.last = 0.0

    def update(self, stats: Stats, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        done = stats.samples_fetched + stats.cached + stats.failed
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        width = 24
        filled = 0 if total <= 0 else min(width, round(width * done / total))
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(
            f"\rensemble [{bar}] {done}/{total} samples, {stats.cached} cached, {stats.calls} calls, ${stats.cost:.4f}"
        )
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def closing_line(outcome: Outcome, as_of: str) -> str:
    stats = outcome.stats
    sampled = sum(1 for r in outcome.prompts if r.job is not None)
    skipped = sum(1 for r in outcome.prompts if r.rendered.request is None)
    parts = [
        f"ensemble: {sampled} prompt(s) sampled" + (f", {skipped} skipped" if skipped else ""),
        f"{stats.calls} API call(s)" + (f" ({stats.retries} retried)" if stats.retries else ""),
        f"{stats.cached} cached sample(s)",
        f"{stats.input_tokens + stats.cache_write_tokens + stats.cache_read_tokens} input / "
        f"{stats.output_tokens} output tokens",
        f"${stats.cost:.4f} estimated (prices as of {as_of})",
    ]
    if stats.saved_by_adaptive:
        parts.append(f"adaptive sampling saved {stats.saved_by_adaptive} call(s)")
    if stats.failed:
        parts.append(f"{stats.failed} sample(s) failed")
    return ", ".join(parts) + "."


def dry_run_text(outcome: Outcome, as_of: str) -> str:
    lines = ["ensemble dry run: nothing is sent."]
    for run in outcome.prompts:
        if run.rendered.request is None:
            lines.append(f"  {run.label}: skipped ({', '.join(run.rendered.missing) or run.rendered.problem})")
        elif run.estimate is not None and run.job is not None:
            est = run.estimate
            cached = run.job.n_max - est.calls
            lines.append(
                f"  {run.label}: {run.job.model}, up to {est.calls} call(s) × ~{est.input_tokens} input tokens"
                + (f", {cached} cached" if cached else "")
                + (", prompt caching" if est.cached_prefix else "")
            )
    prices = "" if not outcome.unknown_prices else f" (no price for {', '.join(outcome.unknown_prices)})"
    lines.append(
        f"estimate: up to {outcome.estimate_calls} API call(s), ~{outcome.estimate_tokens} tokens, "
        f"up to ${outcome.estimate_worst:.4f} (typically ~${outcome.estimate_typical:.4f}; "
        f"offline token estimate, prices as of {as_of}){prices}; adaptive sampling usually needs fewer calls."
    )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The detailed report


def _run_json(run: PromptRun) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filename": run.result.display,
        "line": run.line,
        "case": run.rendered.case,
        "model": run.options.model,
        "variables": run.rendered.source,
    }
    if run.rendered.request is None:
        out["skipped"] = run.rendered.problem or f"missing variables: {', '.join(run.rendered.missing)}"
    if run.job is not None:
        out["samples_requested"] = run.job.n_max
        out["samples_ok"] = len(run.job.texts())
        out["samples_cached"] = sum(1 for s in run.job.samples.values() if s.cached)
        out["failures"] = [{"sample": s.index, "error": s.error} for s in run.job.failures]
    if run.estimate is not None:
        out["estimate"] = {"calls": run.estimate.calls, "input_tokens": run.estimate.input_tokens}
    if run.divergence is not None:
        out["divergence"] = run.divergence.to_json()
    out["findings"] = [{"code": f.code, "message": f.message, "line": f.line} for f in run.findings]
    return out


def _run_text(run: PromptRun) -> list[str]:
    lines = [f"{run.label}  [{run.options.model}]"]
    if run.rendered.request is None:
        reason = run.rendered.problem or f"missing variables {', '.join(run.rendered.missing)}"
        lines.append(f"  skipped: {reason}")
    div = run.divergence
    job = run.job
    if job is not None:
        cached = sum(1 for s in job.samples.values() if s.cached)
        used = len(job.samples)
        stop = f"; stopped early: {job.stop_reason}" if job.stop_reason else ""
        lines.append(f"  samples: {used} of {job.n_max} ({cached} cached, {len(job.failures)} failed){stop}")
        for s in job.failures[:3]:
            lines.append(f"    sample {s.index + 1} failed: {s.error}")
    if div is not None:
        lo, hi = div.interval
        verdict = "DIVERGENT" if div.flagged else "consistent"
        lines.append(
            f"  score {div.score:.2f}  interval [{lo:.2f}, {hi:.2f}] ({div.confidence:.0%})  "
            f"threshold {div.threshold:.2f}  → {verdict}"
        )
        lines.append(f"  decided by: {div.decided_by} (projection: {div.projection})")
        if div.dispersion is not None:
            lines.append(f"  lexical dispersion of the raw outputs: {div.dispersion:.2f}")
        lines.append(f"  clusters ({len(div.clusters)}):")
        for c in div.clusters[:8]:
            value = f"{c.value!r} " if c.value is not None else ""
            lines.append(
                f"    {c.size}× {value}e.g. sample {c.representative + 1}: {snippet(div.samples[c.representative])!r}"
            )
        if len(div.clusters) > 8:
            lines.append(f"    … {len(div.clusters) - 8} more")
        if div.contrast is not None:
            i, j = div.contrast
            sim = "" if div.contrast_similarity is None else f" (lexical similarity {div.contrast_similarity:.2f})"
            lines.append(f"  most contrasting pair: samples {i + 1} and {j + 1}{sim}")
            lines.append(f"    {i + 1}: {snippet(div.samples[i], 100)!r}")
            lines.append(f"    {j + 1}: {snippet(div.samples[j], 100)!r}")
        if div.refusals:
            lines.append(f"  refusals: {len(div.refusals)} of {div.n}")
        if div.format_failures:
            lines.append(f"  format failures: samples {', '.join(str(i + 1) for i in div.format_failures)}")
        if div.bias2 is not None:
            lines.append(
                f"  against the expected output: bias² {div.bias2:.3f}, variance {div.variance:.3f}, "
                f"incoherence {div.incoherence:.2f}"
            )
    for f in run.findings:
        lines.append(f"  {f.code} {f.message}")
    return lines


def render_report(outcome: Outcome, fmt: str) -> str:
    if fmt == "html":
        from promptlint.ensemble.html_report import render_html

        return render_html(outcome)
    if fmt == "json":
        return json.dumps([_run_json(r) for r in outcome.prompts], indent=2, ensure_ascii=False) + "\n"
    if not outcome.prompts:
        return "No prompts to sample.\n"
    blocks = ["\n".join(_run_text(r)) for r in outcome.prompts]
    return "\n\n".join(blocks) + "\n"
