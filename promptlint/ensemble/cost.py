"""Prices, offline token estimates and the run's budget.

Prices are USD per million tokens as listed on Anthropic's pricing pages on the date below;
override or add models with ``[tool.promptlint.ensemble.prices."MODEL"]`` (``input``, ``output``,
``cache-write``, ``cache-read``). Token counts before a run are offline estimates (about four
characters a token, 30 % more for models with the newer tokenizer); during the run the actual
usage reported by the API is tracked.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

PRICES_AS_OF = "2026-11-01"
# model id (or prefix) -> input, output, 5-minute cache write, cache read
PRICES: dict[str, dict[str, float]] = {
    "claude-haiku-5-5": {"input": 0.10, "output": 0.50, "cache-write": 0.125, "cache-read": 0.01},
    "claude-haiku-4-5": {"input": 1.0, "output": 5.0, "cache-write": 1.25, "cache-read": 0.10},
    "claude-sonnet-5-5": {"input": 2.0, "output": 10.0, "cache-write": 2.50, "cache-read": 0.20},
    "claude-sonnet-5": {"input": 2.0, "output": 10.0, "cache-write": 2.50, "cache-read": 0.20},
    "claude-sonnet-4-6": {"input": 3.0, "output": 15.0, "cache-write": 3.75, "cache-read": 0.30},
    "claude-sonnet-4-5": {"input": 3.0, "output": 15.0, "cache-write": 3.75, "cache-read": 0.30},
    "claude-opus-5-5": {"input": 4.0, "output": 20.0, "cache-write": 5.0, "cache-read": 0.20},
    "claude-opus-5": {"input": 5.0, "output": 25.0, "cache-write": 6.25, "cache-read": 0.50},
    "claude-opus-4-8": {"input": 5.0, "output": 25.0, "cache-write": 6.25, "cache-read": 0.50},
    "claude-opus-4-7": {"input": 5.0, "output": 25.0, "cache-write": 6.25, "cache-read": 0.50},
    "claude-opus-4-6": {"input": 5.0, "output": 25.0, "cache-write": 6.25, "cache-read": 0.50},
    "claude-opus-4-5": {"input": 5.0, "output": 25.0, "cache-write": 6.25, "cache-read": 0.50},
    "claude-fable-5-1": {"input": 10.0, "output": 50.0, "cache-write": 12.50, "cache-read": 1.0},
    "claude-fable-5": {"input": 10.0, "output": 50.0, "cache-write": 12.50, "cache-read": 1.0},
    "claude-mythos-5-1": {"input": 10.0, "output": 50.0, "cache-write": 12.50, "cache-read": 1.0},
    "claude-mythos-5": {"input": 10.0, "output": 50.0, "cache-write": 12.50, "cache-read": 1.0},
}
# Haiku 5.5 costs five times more above 100K prompt tokens.
LONG_CONTEXT = {"claude-haiku-5-5": (100_000, 5.0)}
# Models with the newer tokenizer (about 30 % more tokens for the same text).
_NEW_TOKENIZER = ("claude-haiku-5", "claude-sonnet-5", "claude-opus-5", "claude-opus-4-7", "claude-opus-4-8")
_NEW_TOKENIZER += ("claude-fable", "claude-mythos")
# Shortest prompt the API caches (tokens); shorter prompts ignore cache_control.
MIN_CACHE_TOKENS = {"claude-haiku": 2048}
DEFAULT_MIN_CACHE_TOKENS = 1024
TYPICAL_OUTPUT_SHARE = 0.35  # expected output length as a share of max_tokens, for the "typical" estimate


def price_for(model: str, overrides: dict[str, dict[str, float]] | None = None) -> dict[str, float] | None:
    """Per-million prices of a model (config first, then the table; dated snapshots like
    ``claude-haiku-4-5-20251001`` use their base entry), or None when unknown."""
    for table in (overrides or {}, PRICES):
        if model in table:
            price = dict(table[model])
            break
    else:
        base = next((m for m in sorted(PRICES, key=len, reverse=True) if model.startswith(m + "-")), None)
        override = next((m for m in (overrides or {}) if model.startswith(m + "-")), None)
        if override is not None:
            price = dict((overrides or {})[override])
        elif base is not None:
            price = dict(PRICES[base])
        else:
            return None
    price.setdefault("cache-write", price["input"] * 1.25)
    price.setdefault("cache-read", price["input"] * 0.1)
    return price


def estimate_tokens(payload: dict[str, Any], model: str) -> int:
    """Offline estimate of a request's input tokens: ceil(chars / 4) per text plus overheads."""
    total = 10
    system = payload.get("system")
    if isinstance(system, str):
        total += math.ceil(len(system) / 4) + 4
    elif isinstance(system, list):
        total += sum(math.ceil(len(b.get("text", "")) / 4) + 4 for b in system)
    for msg in payload.get("messages", []):
        content = msg.get("content", "")
        if isinstance(content, list):
            content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
        total += math.ceil(len(content) / 4) + 4
    if model.startswith(_NEW_TOKENIZER):
        total = math.ceil(total * 1.3)
    return total


def min_cache_tokens(model: str) -> int:
    return next((v for k, v in MIN_CACHE_TOKENS.items() if model.startswith(k)), DEFAULT_MIN_CACHE_TOKENS)


def cost_of(
    price: dict[str, float] | None,
    model: str,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_write: int = 0,
    cache_read: int = 0,
) -> float:
    """Dollars for a usage record (0 when the price is unknown)."""
    if price is None:
        return 0.0
    factor = 1.0
    long = LONG_CONTEXT.get(model)
    if long and input_tokens + cache_write + cache_read > long[0]:
        factor = long[1]
    return (
        factor
        * (
            input_tokens * price["input"]
            + output_tokens * price["output"]
            + cache_write * price["cache-write"]
            + cache_read * price["cache-read"]
        )
        / 1e6
    )


@dataclass
class CallEstimate:
    """The estimate for the uncached calls of one prompt."""

    calls: int
    input_tokens: int  # per call
    max_tokens: int
    cached_prefix: bool  # prompt caching applies (one cache write, then cache reads)

    def worst(self, price: dict[str, float] | None, model: str) -> float:
        return self._cost(price, model, self.max_tokens)

    def typical(self, price: dict[str, float] | None, model: str) -> float:
        return self._cost(price, model, math.ceil(self.max_tokens * TYPICAL_OUTPUT_SHARE))

    def _cost(self, price: dict[str, float] | None, model: str, output: int) -> float:
        if self.calls == 0:
            return 0.0
        if self.cached_prefix:
            first = cost_of(price, model, cache_write=self.input_tokens, output_tokens=output)
            rest = cost_of(price, model, cache_read=self.input_tokens, output_tokens=output)
            return first + rest * (self.calls - 1)
        return self.calls * cost_of(price, model, input_tokens=self.input_tokens, output_tokens=output)


def caching_saves(calls: int, input_tokens: int, model: str, price: dict[str, float] | None) -> bool:
    """Whether marking the prompt for caching is cheaper: long enough to be cached and sent twice or more."""
    if calls < 2 or input_tokens < min_cache_tokens(model) or price is None:
        return False
    plain = calls * input_tokens * price["input"]
    cached = input_tokens * (price["cache-write"] + (calls - 1) * price["cache-read"])
    return cached < plain


class Budget:
    """Tracks spend against ``--max-cost``: a request is sent only when its worst case still fits.

    ``reserve`` books a request's worst-case cost before it is sent, ``settle`` replaces the
    booking with the actual cost from the response's usage.
    """

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.spent = 0.0
        self.reserved = 0.0
        self.refused = 0
        self._lock = threading.Lock()

    def reserve(self, worst: float) -> bool:
        with self._lock:
            if self.limit is not None and self.spent + self.reserved + worst > self.limit + 1e-12:
                self.refused += 1
                return False
            self.reserved += worst
            return True

    def settle(self, reserved: float, actual: float) -> None:
        with self._lock:
            self.reserved = max(0.0, self.reserved - reserved)
            self.spent += actual
