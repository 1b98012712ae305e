"""The ensemble stage end to end: prompts → requests → plan and cost → samples → scores → ENS findings.

:func:`ensemble_check` is called by ``check --ensemble`` after the static rules;
:func:`ensemble_report` backs the ``ensemble`` command. Both take the static run's
``FileResult`` list (for its documents), filter by ``--changed-since``, selection, per-file
ignores and suppression comments *before* sampling (no money is spent on a suppressed prompt),
and return findings of the ENS family.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptlint.engine import FileResult, Settings, read_text
from promptlint.ensemble import report as rp
from promptlint.ensemble.cache import SampleCache, request_key
from promptlint.ensemble.config import EnsembleOptions, PromptOptions
from promptlint.ensemble.cost import (
    PRICES_AS_OF,
    Budget,
    CallEstimate,
    caching_saves,
    estimate_tokens,
    price_for,
)
from promptlint.ensemble.metrics import Divergence, adaptive_checkpoints, score_samples, stop_decision
from promptlint.ensemble.sampler import BACKEND, FatalSamplingError, Job, Sampler, api_host
from promptlint.ensemble.templates import Rendered, render_document
from promptlint.findings import Finding
from promptlint.model import PromptDocument
from promptlint.suppress import parse_suppressions

DIVERGENT, FORMAT, REFUSAL, UNFILLED, FAILED = "ENS001", "ENS002", "ENS003", "ENS004", "ENS005"
SAMPLING_CODES = (DIVERGENT, FORMAT, REFUSAL, FAILED)


class EnsembleAbort(Exception):
    """The ensemble cannot run (budget refusal, bad git ref, missing credentials): exit 2."""


@dataclass
class PromptRun:
    """One rendered prompt (a document with one test case) and what became of it."""

    result: FileResult
    doc: PromptDocument
    doc_index: int
    options: PromptOptions
    rendered: Rendered
    line: int
    active: set[str]
    job: Job | None = None
    estimate: CallEstimate | None = None
    divergence: Divergence | None = None
    findings: list[Finding] = field(default_factory=list)
    note: str = ""

    @property
    def label(self) -> str:
        case = f" (test case {self.rendered.case + 1})" if self.rendered.case else ""
        return f"{self.result.display}:{self.line}{case}"


@dataclass
class Outcome:
    prompts: list[PromptRun]
    stats: Any = None
    estimate_worst: float = 0.0
    estimate_typical: float = 0.0
    estimate_calls: int = 0
    estimate_tokens: int = 0
    dry_run: bool = False
    unknown_prices: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Selecting prompts


def changed_files(ref: str, root: Path) -> set[str]:
    """Real paths of files changed since ``ref`` (see promptlint.gitdiff)."""
    from promptlint.gitdiff import GitError
    from promptlint.gitdiff import changed_files as git_changed

    try:
        return git_changed(ref, root)
    except GitError as exc:
        raise EnsembleAbort(str(exc)) from exc


def _documents(result: FileResult, settings: Settings) -> list[PromptDocument]:
    """The result's documents, loading the file again when a results cache dropped them."""
    if result.documents or result.skipped or result.internal_error:
        return result.documents
    from promptlint.loaders import loader_for

    text = result.text
    if text is None:
        text, _, _ = read_text(result.path, settings.max_file_size)
        if text is None:
            return []
        result.text = text
    try:
        loaded = loader_for(result.display)(result.display, text)
    except Exception:
        return []
    if loaded is None:
        return []
    for doc in loaded.documents:
        doc.path = result.display
    result.documents = loaded.documents
    return loaded.documents


def _active_codes(settings: Settings, result: FileResult, line: int, end_line: int) -> set[str]:
    enabled = {c for c in settings.enabled if c.startswith("ENS")} - settings.ignored_for(result.path)
    sup = parse_suppressions(result.text or "")
    return {c for c in enabled if not sup.suppresses(c, line, end_line)}


def collect(results: list[FileResult], settings: Settings, options: EnsembleOptions) -> list[PromptRun]:
    """Render every prompt the ensemble should look at."""
    changed = changed_files(options.changed_since, options.root) if options.changed_since else None
    runs: list[PromptRun] = []
    for result in results:
        if result.skipped or result.internal_error:
            continue
        if changed is not None and os.path.realpath(result.path) not in changed:
            continue
        for index, doc in enumerate(_documents(result, settings)):
            if not doc.messages:
                continue
            line, end_line = doc.span_lines
            active = _active_codes(settings, result, line, end_line)
            if not active:
                continue
            opts = options.for_path(result.path)
            if opts.skip or (doc.kind == "agent-instructions" and not opts.input):
                continue  # agent instructions (AGENTS.md, .mdc, …) have no task to answer unless given one
            for rendered in render_document(
                doc, opts.variables, cases=opts.cases, expected=opts.expected, user_input=opts.input
            ):
                runs.append(PromptRun(result, doc, index, opts, rendered, line, active))
    return runs


# ---------------------------------------------------------------------------------------------
# Planning and cost


def _needed_calls(job: Job, cache: SampleCache) -> int:
    """Uncached samples the job may need; 0 when the cached samples already end adaptive sampling."""
    cached = [cache.get(k) is not None for k in job.keys]
    if not job.adaptive:
        return cached.count(False)
    for target in adaptive_checkpoints(job.n_max, job.min_samples):
        if not all(cached[:target]):
            return cached.count(False)
        if target < job.n_max:
            texts = [cache.get(k)["text"] for k in job.keys[:target]]  # type: ignore[index]
            div = score_samples(
                texts,
                projection=job.projection,
                threshold=job.threshold,
                confidence=job.confidence,
                spelling_weight=job.spelling_weight,
            )
            if stop_decision(div):
                return 0
    return cached.count(False)


def plan(runs: list[PromptRun], options: EnsembleOptions, cache: SampleCache) -> Outcome:
    """Build the sampling jobs and the cost estimate."""
    outcome = Outcome(prompts=runs, dry_run=options.dry_run)
    host = api_host()
    unknown: set[str] = set()
    for k, run in enumerate(runs):
        if run.rendered.request is None or not (run.active & set(SAMPLING_CODES)):
            continue
        opts = run.options
        payload = run.rendered.request.payload()
        keyed = {**payload, "max_tokens": opts.max_tokens}
        job = Job(
            id=k,
            model=opts.model,
            max_tokens=opts.max_tokens,
            payload=payload,
            keys=[request_key(BACKEND, host, opts.model, keyed, i) for i in range(opts.samples)],
            n_max=opts.samples,
            adaptive=opts.adaptive,
            min_samples=opts.min_samples,
            threshold=opts.threshold,
            spelling_weight=opts.spelling_weight,
            confidence=opts.confidence,
            projection=opts.projection,
            input_estimate=estimate_tokens(payload, opts.model),
            price=price_for(opts.model, options.prices),
        )
        if job.price is None:
            unknown.add(opts.model)
        calls = _needed_calls(job, cache)
        job.cache_control = options.prompt_caching and caching_saves(calls, job.input_estimate, job.model, job.price)
        run.job = job
        run.estimate = CallEstimate(calls, job.input_estimate, job.max_tokens, job.cache_control)
        outcome.estimate_calls += calls
        outcome.estimate_tokens += calls * (job.input_estimate + job.max_tokens)
        outcome.estimate_worst += run.estimate.worst(job.price, job.model)
        outcome.estimate_typical += run.estimate.typical(job.price, job.model)
    outcome.unknown_prices = sorted(unknown)
    return outcome


# ---------------------------------------------------------------------------------------------
# Findings


def _finding(settings: Settings, run: PromptRun, code: str, message: str, data: dict | None = None) -> Finding:
    rule = settings.rules.get(code)
    line = run.line
    column = 1
    if code == UNFILLED and run.rendered.missing_at is not None:
        line, column = run.doc.position(*run.rendered.missing_at)
    text = run.doc.lines.line_text(line)
    return Finding(
        code=code,
        name=rule.name if rule else code,
        message=message,
        path=run.result.display,
        line=line,
        column=column,
        end_line=line,
        end_column=max(len(text) + 1, column + 1),
        severity=rule.severity if rule else "warning",
        data=data or {},
    )


def _findings_for(run: PromptRun, settings: Settings) -> list[Finding]:
    out: list[Finding] = []
    if run.rendered.request is None:
        if run.rendered.missing:
            names = ", ".join(run.rendered.missing)
            where = f" ({run.rendered.source} lacks them)" if run.rendered.source else ""
            msg = (
                f"prompt not sampled: no value for {names}{where}; add test data (testData, a prompty sample, "
                "front matter) or [tool.promptlint.ensemble.variables]"
            )
        else:
            msg = f"prompt not sampled: {run.rendered.problem}"
        out.append(_finding(settings, run, UNFILLED, msg, {"missing": run.rendered.missing}))
        return out
    job, div = run.job, run.divergence
    if job is not None and job.failures:
        fails = job.failures
        reasons: dict[str, int] = {}
        for s in fails:
            reasons[s.error] = reasons.get(s.error, 0) + 1
        detail = "; ".join(f"{r}" + (f" (×{c})" if c > 1 else "") for r, c in reasons.items())
        got = len(job.texts())
        kept = f"; scored on the other {got}" if got >= 2 else "; too few samples to score"
        out.append(
            _finding(
                settings,
                run,
                FAILED,
                f"{len(fails)} of {len(job.samples)} samples failed: {detail}{kept}",
                {"failed": len(fails), "ok": got},
            )
        )
    if div is None:
        return out
    data = rp.finding_data(div)
    if div.flagged:
        out.append(_finding(settings, run, DIVERGENT, rp.divergent_message(div), data))
    if div.format_inconsistent:
        out.append(_finding(settings, run, FORMAT, rp.format_message(div), data))
    if div.refusal_split:
        out.append(_finding(settings, run, REFUSAL, rp.refusal_message(div), data))
    return [f for f in out if f.code in run.active]


# ---------------------------------------------------------------------------------------------
# Running


def execute(results: list[FileResult], settings: Settings, options: EnsembleOptions, *, quiet: bool = False) -> Outcome:
    """Collect, plan, check the budget, sample, score. Raises :class:`EnsembleAbort`."""
    runs = collect(results, settings, options)
    cache = SampleCache(options.root, read=not options.refresh)
    outcome = plan(runs, options, cache)
    if options.dry_run:
        for run in runs:
            run.findings = [f for f in _findings_for(run, settings) if f.code == UNFILLED]
        return outcome
    if options.max_cost is not None:
        if outcome.unknown_prices and outcome.estimate_calls:
            raise EnsembleAbort(
                f"--max-cost: no price known for {', '.join(outcome.unknown_prices)}; add "
                '[tool.promptlint.ensemble.prices."MODEL"] with input and output prices per million tokens'
            )
        if outcome.estimate_worst > options.max_cost:
            raise EnsembleAbort(
                f"estimated cost up to ${outcome.estimate_worst:.4f} ({outcome.estimate_calls} calls) exceeds "
                f"--max-cost ${options.max_cost:.4f}; nothing was sent (see --dry-run; lower --samples or "
                "--max-tokens, or use --changed-since)"
            )
    jobs = [r.job for r in runs if r.job is not None]
    progress = rp.Progress(enabled=options.progress and not quiet and sys.stderr.isatty())
    sampler = Sampler(
        cache=cache,
        budget=Budget(options.max_cost),
        concurrency=options.concurrency,
        timeout=options.timeout,
        deadline=options.deadline,
        max_attempts=options.max_attempts,
        client_factory=options.client_factory,
        on_progress=progress.update,
    )
    try:
        outcome.stats = sampler.run(jobs)
    except FatalSamplingError as exc:
        progress.close()
        raise EnsembleAbort(str(exc)) from exc
    progress.close()
    for run in runs:
        if run.job is not None and len(run.job.texts()) >= 2:
            run.divergence = score_samples(
                run.job.texts(),
                projection=run.options.projection,
                expected=run.rendered.expected,
                threshold=run.options.threshold,
                confidence=run.options.confidence,
                refusals=run.job.refusal_flags(),
                spelling_weight=run.options.spelling_weight,
            )
            run.divergence.stop_reason = run.job.stop_reason
        run.findings = _findings_for(run, settings)
    return outcome


def _write_report(outcome: Outcome, options: EnsembleOptions) -> bool:
    """``--report FILE``: write the HTML report; False (after saying why) when it cannot be written."""
    if not options.report:
        return True
    from promptlint.ensemble.html_report import write_html

    try:
        write_html(outcome, options.report)
    except OSError as exc:
        print(f"promptlint: error: cannot write the report {options.report}: {exc}", file=sys.stderr)
        return False
    return True


def _summary(outcome: Outcome, quiet: bool) -> None:
    if quiet:
        return
    if outcome.dry_run:
        print(rp.dry_run_text(outcome, PRICES_AS_OF), file=sys.stderr, end="")
    elif outcome.stats is not None:
        print(rp.closing_line(outcome, PRICES_AS_OF), file=sys.stderr)


def ensemble_check(
    results: list[FileResult], settings: Settings, options: EnsembleOptions, *, quiet: bool = False
) -> int | None:
    """``check --ensemble``: append ENS findings to ``results``; 2 when the ensemble cannot run."""
    try:
        outcome = execute(results, settings, options, quiet=quiet)
    except EnsembleAbort as exc:
        print(f"promptlint: error: {exc}", file=sys.stderr)
        return 2
    for run in outcome.prompts:
        if run.findings and run.result.text is None:
            run.result.text = run.doc.file_text
        run.result.findings.extend(run.findings)
    _summary(outcome, quiet)
    return None if _write_report(outcome, options) else 2


def ensemble_report(
    results: list[FileResult], settings: Settings, options: EnsembleOptions, *, fmt: str, quiet: bool = False
) -> int:
    """The ``ensemble`` command: a detailed report per prompt; exit 1 with ENS findings."""
    try:
        outcome = execute(results, settings, options, quiet=quiet)
    except EnsembleAbort as exc:
        print(f"promptlint: error: {exc}", file=sys.stderr)
        return 2
    if outcome.dry_run and fmt == "text":
        print(rp.dry_run_text(outcome, PRICES_AS_OF), end="")
    else:
        print(rp.render_report(outcome, fmt), end="")
        _summary(outcome, quiet)
    if not _write_report(outcome, options):
        return 2
    return 1 if any(run.findings for run in outcome.prompts) else 0
