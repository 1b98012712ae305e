"""Ensemble options: defaults, per-glob overrides and command-line values.

The ``[tool.promptlint.ensemble]`` section is validated by :mod:`promptlint.ensemble.validate`
when the configuration loads; here it is combined with the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from promptlint.ensemble.validate import _OPTIONS, DEFAULT_MODEL, EnsembleConfigError, validate_section

__all__ = ["EnsembleConfigError", "EnsembleOptions", "PromptOptions", "build_options", "validate_section"]


@dataclass
class PromptOptions:
    """The effective options for one file: global settings, then matching overrides, then the CLI."""

    samples: int = 10
    min_samples: int = 3
    adaptive: bool = True
    model: str = DEFAULT_MODEL
    max_tokens: int = 512
    threshold: float = 0.2
    spelling_weight: float = 1 / 3  # metrics.SPELLING_WEIGHT (not imported here: it pulls in numpy)
    confidence: float = 0.8
    projection: str = "auto"
    variables: dict[str, Any] = field(default_factory=dict)
    expected: str | None = None
    skip: bool = False
    cases: int = 1
    input: str | None = None


@dataclass
class EnsembleOptions:
    """Run-wide ensemble settings plus the per-glob overrides."""

    root: Path
    base: PromptOptions
    overrides: list[tuple[list[str], dict[str, Any]]] = field(default_factory=list)
    cli: dict[str, Any] = field(default_factory=dict)
    concurrency: int = 4
    max_cost: float | None = None
    timeout: float = 60.0
    deadline: float = 300.0
    max_attempts: int = 6
    prompt_caching: bool = True
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    dry_run: bool = False
    refresh: bool = False
    changed_since: str | None = None
    report: str | None = None  # --report FILE: also write the HTML report there
    progress: bool = True
    client_factory: Any = None  # a callable returning an AsyncAnthropic-like client (benchmarks)

    def for_path(self, path: str) -> PromptOptions:
        """Options for a file: overrides whose globs match its path (relative to the root) apply in order."""
        from promptlint.globs import compile_glob

        try:
            rel = Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = Path(path).as_posix()
        opts = replace(self.base, variables=dict(self.base.variables))
        for globs, values in self.overrides:
            if any(compile_glob(g).match(rel) for g in globs):
                for key, value in values.items():
                    if key == "variables":
                        opts.variables.update(value)
                    else:
                        setattr(opts, key.replace("-", "_"), value)
        for key, value in self.cli.items():
            setattr(opts, key, value)
        return opts


_CLI_PROMPT_KEYS = ("samples", "model", "max_tokens", "threshold", "projection")


def build_options(section: dict[str, Any], root: Path, cli: dict[str, Any]) -> EnsembleOptions:
    """Combine the validated config section with command-line values (``None`` = not given)."""
    values = {k: (v[1] if not isinstance(v[1], (dict, list)) else type(v[1])()) for k, v in _OPTIONS.items()}
    values.update(section)
    base = PromptOptions(
        samples=values["samples"],
        min_samples=values["min-samples"],
        adaptive=values["adaptive"],
        model=values["model"],
        max_tokens=values["max-tokens"],
        threshold=float(values["threshold"]),
        spelling_weight=float(values["spelling-weight"]),
        confidence=float(values["confidence"]),
        projection=values["projection"],
        variables=dict(values["variables"]),
        cases=values["cases"],
        input=values["input"],
    )
    from_cli = {k: cli[k] for k in _CLI_PROMPT_KEYS if cli.get(k) is not None}
    for key, value in from_cli.items():
        if key in ("samples", "max_tokens") and value < 1:
            raise EnsembleConfigError(f"--{key.replace('_', '-')} must be at least 1")
        if key == "threshold" and not 0 <= value < 1:
            raise EnsembleConfigError("--threshold must be in [0, 1)")
        if key == "projection":
            from promptlint.ensemble.projections import parse_projection

            try:
                parse_projection(value)
            except ValueError as exc:
                raise EnsembleConfigError(f"--projection: {exc}") from exc
    concurrency = cli.get("concurrency") or values["concurrency"]
    if concurrency < 1:
        raise EnsembleConfigError("--concurrency must be at least 1")
    max_cost = cli.get("max_cost") if cli.get("max_cost") is not None else values["max-cost"]
    if max_cost is not None and max_cost <= 0:
        raise EnsembleConfigError("--max-cost must be positive")
    return EnsembleOptions(
        root=root,
        base=base,
        overrides=[(list(o["files"]), {k: v for k, v in o.items() if k != "files"}) for o in values["overrides"]],
        cli=from_cli,
        concurrency=concurrency,
        max_cost=max_cost,
        timeout=float(values["timeout"]),
        deadline=float(values["deadline"]),
        max_attempts=values["max-attempts"],
        prompt_caching=values["prompt-caching"],
        prices={m: {k: float(v) for k, v in p.items() if k != "as-of"} for m, p in values["prices"].items()},
        dry_run=bool(cli.get("dry_run")),
        refresh=bool(cli.get("refresh")),
        changed_since=cli.get("changed_since"),
        report=cli.get("report"),
    )


def ensemble_extend_select(select: list[str] | None, extend_select: list[str] | None, config_values: dict) -> list[str]:
    """``["ENS"]`` when ``--ensemble`` should switch the ENS rules on: unless the selection (CLI or
    config) already names one of them, in which case it decides which ENS rules report."""
    named = [*(select or []), *(extend_select or [])]
    named += list(config_values.get("select") or []) + list(config_values.get("extend-select") or [])
    for sel in named:
        s = sel.strip().upper()
        if s == "ALL" or s.startswith("ENS") or ("ENS".startswith(s) and s) or sel.strip().startswith(_ENS_NAMES):
            return []
    return ["ENS"]


_ENS_NAMES = (
    "divergent-outputs",
    "format-inconsistency",
    "refusal-split",
    "unfilled-template",
    "sampling-failed",
)
