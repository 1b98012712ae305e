"""Drawing samples through the ``anthropic`` SDK: bounded, adaptive concurrency, retries, budget.

The SDK's own retries are off (``max_retries=0``) so this module controls them: 408/409/429/5xx
(529 included) and connection errors or timeouts are retried with the server's ``retry-after``
(``retry-after-ms``) or an exponential backoff, within a per-sample deadline and attempt limit.
Concurrency is an AIMD window: halved on a 429, grown after a run of successes. A sample that
still fails is reported, never dropped. The per-request timeout covers hung connections.

Credentials and host come only from ``ANTHROPIC_API_KEY`` (or ``ANTHROPIC_AUTH_TOKEN``) and
``ANTHROPIC_BASE_URL``. The key is never printed: error texts are scrubbed of it.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from promptlint.ensemble.cache import SampleCache
from promptlint.ensemble.cost import Budget, cost_of
from promptlint.ensemble.metrics import adaptive_checkpoints, score_samples, stop_decision

BACKEND = "anthropic"
DEFAULT_HOST = "https://api.anthropic.com"
RETRYABLE_STATUS = frozenset({408, 409, 429})
FATAL_STATUS = frozenset({401, 403})
GROW_AFTER = 5  # successes before the concurrency window grows


class FatalSamplingError(Exception):
    """An error that ends the whole run (no credentials, authentication refused)."""


def api_host() -> str:
    """The API base URL from the environment, without any user info, for cache keys and messages."""
    raw = os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_HOST
    parts = urlsplit(raw)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


def _secrets() -> list[str]:
    return [v for v in (os.environ.get("ANTHROPIC_API_KEY"), os.environ.get("ANTHROPIC_AUTH_TOKEN")) if v]


def scrub(text: str) -> str:
    """Remove credentials from a message before it is shown or stored."""
    for secret in _secrets():
        text = text.replace(secret, "***")
    return text


def make_client(timeout: float) -> Any:
    """An ``AsyncAnthropic`` client configured from the environment only."""
    key = os.environ.get("ANTHROPIC_API_KEY")
    token = os.environ.get("ANTHROPIC_AUTH_TOKEN")
    if not key and not token:
        raise FatalSamplingError(
            "ANTHROPIC_API_KEY is not set: the ensemble needs an API key (use --dry-run to estimate)"
        )
    import anthropic
    import httpx2

    credential = {"api_key": key} if key else {"auth_token": token}
    return anthropic.AsyncAnthropic(
        **credential,
        base_url=os.environ.get("ANTHROPIC_BASE_URL") or None,
        max_retries=0,
        timeout=httpx2.Timeout(timeout, connect=min(5.0, timeout)),
    )


class AIMDLimiter:
    """A concurrency window: at most ``limit`` requests in flight; halved on throttling, grown
    by half (up to the initial size) after :data:`GROW_AFTER` successes in a row."""

    def __init__(self, limit: int) -> None:
        self.max = max(1, limit)
        self.limit = self.max
        self.active = 0
        self.successes = 0
        self.throttles = 0
        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._cond:
            await self._cond.wait_for(lambda: self.active < self.limit)
            self.active += 1

    async def release(self, *, throttled: bool = False, success: bool = False) -> None:
        async with self._cond:
            self.active -= 1
            if throttled:
                self.throttles += 1
                self.limit = max(1, self.limit // 2)
                self.successes = 0
            elif success:
                self.successes += 1
                if self.successes >= GROW_AFTER and self.limit < self.max:
                    self.limit = min(self.max, max(self.limit + 1, math.ceil(self.limit * 1.5)))
                    self.successes = 0
            self._cond.notify(max(0, self.limit - self.active))


@dataclass
class Sample:
    """One sample of a job: its text, or the error that prevented it."""

    index: int
    text: str | None = None
    cached: bool = False
    error: str = ""
    attempts: int = 0
    stop_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    cost: float = 0.0
    skipped_budget: bool = False

    @property
    def ok(self) -> bool:
        return self.text is not None


@dataclass
class Job:
    """The samples wanted for one rendered prompt."""

    id: int
    model: str
    max_tokens: int
    payload: dict[str, Any]  # {"system"?: str, "messages": [...]}
    keys: list[str]  # cache key per sample index
    n_max: int
    adaptive: bool = True
    min_samples: int = 3
    threshold: float = 0.2
    spelling_weight: float = 1 / 3
    confidence: float = 0.8
    projection: str | None = None
    input_estimate: int = 0
    cache_control: bool = False
    price: dict[str, float] | None = None
    samples: dict[int, Sample] = field(default_factory=dict)
    stop_reason: str = ""
    primed: bool = False

    def texts(self) -> list[str]:
        return [self.samples[i].text or "" for i in sorted(self.samples) if self.samples[i].ok]

    def refusal_flags(self) -> list[bool]:
        return [self.samples[i].stop_reason == "refusal" for i in sorted(self.samples) if self.samples[i].ok]

    @property
    def failures(self) -> list[Sample]:
        return [s for _, s in sorted(self.samples.items()) if not s.ok]

    def request_body(self) -> dict[str, Any]:
        """The request as sent: with a ``cache_control`` mark when prompt caching pays."""
        body: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens, **self.payload}
        if not self.cache_control:
            return body
        mark = {"type": "ephemeral"}
        if body.get("system"):
            body["system"] = [{"type": "text", "text": body["system"], "cache_control": mark}]
        else:
            messages = [dict(m) for m in body["messages"]]
            last = messages[-1]
            last["content"] = [{"type": "text", "text": last["content"], "cache_control": mark}]
            body["messages"] = messages
        return body


@dataclass
class Stats:
    calls: int = 0  # HTTP requests made, retries included
    samples_fetched: int = 0
    cached: int = 0
    failed: int = 0
    retries: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    cost: float = 0.0
    saved_by_adaptive: int = 0
    budget_refused: int = 0


def _retry_after(headers: Any) -> float | None:
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


class Sampler:
    """Runs jobs: cache first, then the API, adaptive rounds per job, one shared window and budget."""

    def __init__(
        self,
        *,
        cache: SampleCache,
        budget: Budget,
        concurrency: int,
        timeout: float,
        deadline: float,
        max_attempts: int,
        client_factory: Callable[[], Any] | None = None,
        on_progress: Callable[[Stats, int], None] | None = None,
    ) -> None:
        self.cache = cache
        self.budget = budget
        self.concurrency = concurrency
        self.timeout = timeout
        self.deadline = deadline
        self.max_attempts = max_attempts
        self.client_factory = client_factory or (lambda: make_client(timeout))
        self.on_progress = on_progress
        self.stats = Stats()
        self.total = 0
        self.fatal: str | None = None
        self._client: Any = None
        self._limiter: AIMDLimiter | None = None

    # -- progress -------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.stats, self.total)

    # -- public ---------------------------------------------------------------------------------

    def run(self, jobs: list[Job]) -> Stats:
        """Sample every job (blocking); raises :class:`FatalSamplingError` for run-ending errors."""
        self.total = sum(j.n_max for j in jobs)
        asyncio.run(self._run(jobs))
        if self.fatal:
            raise FatalSamplingError(self.fatal)
        return self.stats

    async def _run(self, jobs: list[Job]) -> None:
        self._limiter = AIMDLimiter(self.concurrency)
        try:
            await asyncio.gather(*(self._job(job) for job in jobs))
        finally:
            if self._client is not None:
                await self._client.close()

    # -- one job --------------------------------------------------------------------------------

    async def _job(self, job: Job) -> None:
        checkpoints = adaptive_checkpoints(job.n_max, job.min_samples) if job.adaptive else [job.n_max]
        start = 0
        for target in checkpoints:
            wanted = list(range(start, target))
            start = target
            missing = []
            for i in wanted:
                hit = self.cache.get(job.keys[i])
                if hit is not None:
                    job.samples[i] = Sample(i, hit["text"], cached=True, stop_reason=hit.get("stop_reason"))
                    self.stats.cached += 1
                else:
                    missing.append(i)
            self._tick()
            if missing and self.fatal is None:
                if job.cache_control and not job.primed:
                    await self._sample(job, missing[0])  # write the prompt cache once, then read it
                    job.primed = True
                    missing = missing[1:]
                await asyncio.gather(*(self._sample(job, i) for i in missing))
            if self.fatal is not None:
                return
            if target < job.n_max and job.adaptive:
                texts = job.texts()
                if len(texts) >= 2 and not job.failures:
                    div = score_samples(
                        texts,
                        projection=job.projection,
                        threshold=job.threshold,
                        confidence=job.confidence,
                        refusals=job.refusal_flags(),
                        spelling_weight=job.spelling_weight,
                    )
                    reason = stop_decision(div)
                    if reason:
                        job.stop_reason = reason
                        saved = job.n_max - target
                        self.stats.saved_by_adaptive += saved
                        self.total -= saved
                        self._tick()
                        return

    # -- one sample -----------------------------------------------------------------------------

    async def _sample(self, job: Job, index: int) -> None:
        sample = Sample(index)
        job.samples[index] = sample
        worst = cost_of(job.price, job.model, input_tokens=job.input_estimate, output_tokens=job.max_tokens)
        if job.cache_control and job.primed:
            worst = cost_of(job.price, job.model, cache_read=job.input_estimate, output_tokens=job.max_tokens)
        booking = [0.0]
        actual = 0.0
        try:
            actual = await self._fetch(job, sample, worst, booking)
        finally:
            if booking[0]:
                self.budget.settle(booking[0], actual)
        if sample.skipped_budget:
            self.stats.budget_refused += 1
            self.stats.failed += 1
            self._tick()
            return
        if sample.ok:
            self.stats.samples_fetched += 1
            self.cache.put(
                job.keys[index],
                {
                    "text": sample.text,
                    "stop_reason": sample.stop_reason,
                    "model": job.model,
                    "usage": sample.usage,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )
        else:
            self.stats.failed += 1
        self._tick()

    async def _fetch(self, job: Job, sample: Sample, worst: float, booking: list[float]) -> float:
        import anthropic

        assert self._limiter is not None
        if self._client is None:
            try:
                self._client = self.client_factory()
            except FatalSamplingError as exc:
                self.fatal = str(exc)
                sample.error = str(exc)
                return 0.0
        body = job.request_body()
        started = time.monotonic()
        for attempt in range(1, self.max_attempts + 1):
            if self.fatal is not None:
                sample.error = "not sent: the run was stopped"
                return 0.0
            sample.attempts = attempt
            delay: float | None = None
            throttled = success = False
            await self._limiter.acquire()
            if not booking[0]:  # book the worst case when the request is about to leave, not before
                if not self.budget.reserve(worst):
                    await self._limiter.release()
                    sample.error = "not sent: the --max-cost budget would be exceeded"
                    sample.skipped_budget = True
                    return 0.0
                booking[0] = worst
            try:
                self.stats.calls += 1
                raw = await asyncio.wait_for(
                    self._client.messages.with_raw_response.create(**body), timeout=self.timeout + 5.0
                )
                message = await raw.parse()
                success = True
            except anthropic.APIStatusError as exc:
                status = exc.status_code
                should = exc.response.headers.get("x-should-retry") if exc.response is not None else None
                detail = scrub(f"HTTP {status}: {getattr(exc, 'api_message', None) or exc.message}")
                if status in FATAL_STATUS:
                    self.fatal = f"the API refused the credentials ({detail})"
                    sample.error = detail
                    return 0.0
                retryable = should != "false" and (status in RETRYABLE_STATUS or status >= 500 or should == "true")
                if not retryable:
                    sample.error = detail
                    return 0.0
                throttled = status == 429
                delay = _retry_after(exc.response.headers if exc.response is not None else None)
                sample.error = detail
            except (anthropic.APIConnectionError, asyncio.TimeoutError) as exc:
                timed_out = isinstance(exc, (anthropic.APITimeoutError, asyncio.TimeoutError))
                sample.error = (
                    f"request timed out after {self.timeout:g} s" if timed_out else scrub(f"connection error: {exc}")
                )
            finally:
                await self._limiter.release(throttled=throttled, success=success)
            if success:
                sample.error = ""
                return self._record(job, sample, message)
            if attempt == self.max_attempts:
                sample.error = f"{sample.error} (gave up after {attempt} attempts)"
                return 0.0
            if delay is None:
                delay = min(0.5 * 2 ** (attempt - 1), 8.0) * (1 - 0.25 * random.random())
            remaining = self.deadline - (time.monotonic() - started)
            if delay > remaining:
                sample.error = (
                    f"{sample.error} (gave up: retrying after {delay:g} s would pass the {self.deadline:g} s deadline)"
                )
                return 0.0
            self.stats.retries += 1
            await asyncio.sleep(delay)
        return 0.0

    def _record(self, job: Job, sample: Sample, message: Any) -> float:
        sample.text = "".join(getattr(b, "text", "") for b in message.content if getattr(b, "type", "") == "text")
        sample.stop_reason = message.stop_reason
        usage = message.usage
        record = {
            "input_tokens": int(usage.input_tokens or 0),
            "output_tokens": int(usage.output_tokens or 0),
            "cache_creation_input_tokens": int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
            "cache_read_input_tokens": int(getattr(usage, "cache_read_input_tokens", 0) or 0),
        }
        sample.usage = record
        sample.cost = cost_of(
            job.price,
            job.model,
            input_tokens=record["input_tokens"],
            output_tokens=record["output_tokens"],
            cache_write=record["cache_creation_input_tokens"],
            cache_read=record["cache_read_input_tokens"],
        )
        self.stats.input_tokens += record["input_tokens"]
        self.stats.output_tokens += record["output_tokens"]
        self.stats.cache_write_tokens += record["cache_creation_input_tokens"]
        self.stats.cache_read_tokens += record["cache_read_input_tokens"]
        self.stats.cost += sample.cost
        return sample.cost
