"""``promptlint divergence FILE``: score outputs you already have (JSON lines), offline.

Each line of FILE (``-`` for stdin) is one prompt's recorded outputs::

    {"id": "q1", "samples": ["Paris", "Paris.", "Lyon"], "expected": "Paris", "extract": "label"}

``samples`` (at least two strings) is required; ``id``, ``prompt`` (not used for scoring),
``expected`` (a reference output: adds bias², variance and incoherence; a non-string value is
compared as its JSON text) and ``extract`` (a projection, as in the ensemble configuration) are
optional; other keys are ignored. Every record is scored by
:func:`promptlint.ensemble.metrics.score_samples`, the very function the ensemble stage calls
after sampling, with the same threshold, spelling weight, confidence and seed, so a stored set of
samples gets the same score here as from ``check --ensemble``.

Exit codes (a CI gate, like a linter): **0** no record flagged, **1** at least one record flagged
(the lower end of its interval is above the threshold), **2** usage error (unreadable file, bad
option or configuration), no record could be scored, or an internal error on some record. Bad
records (not UTF-8, not JSON, not an object, no ``samples``, fewer than two samples, non-string
samples, a bad ``extract``) are reported on stderr with their line number and skipped; on their own
they do not change the exit code, but they are counted in the closing summary.

Nothing here imports the SDK or touches the network.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from promptlint.ensemble import projections as pj
from promptlint.ensemble.metrics import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_SAMPLES,
    DEFAULT_THRESHOLD,
    SPELLING_WEIGHT,
    Divergence,
    score_samples,
)

EXIT_CLEAN, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
STDIN_NAME = "<stdin>"


@dataclass
class Record:
    """One well-formed line: a prompt's recorded samples."""

    line: int
    id: Any
    samples: list[str]
    projection: str
    expected: str | None = None


@dataclass
class BadRecord:
    """A line that cannot be scored, and why."""

    line: int
    reason: str


@dataclass
class Settings:
    """What every record is scored with (the ensemble configuration's values unless overridden)."""

    threshold: float = DEFAULT_THRESHOLD
    spelling_weight: float = SPELLING_WEIGHT
    confidence: float = DEFAULT_CONFIDENCE
    min_samples: int = DEFAULT_MIN_SAMPLES
    projection: str = "auto"
    max_samples: int | None = None
    adaptive: bool = False


class UsageError(Exception):
    """A bad option, configuration or input file: exit 2 before anything is scored."""


# ---------------------------------------------------------------------------------------------
# Reading records


_JSON_TYPES = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string", list: "array"}


def _type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value), "object")


def parse_record(line_no: int, raw: bytes | str, default_projection: str = "auto") -> Record | BadRecord | None:
    """Parse one line: a :class:`Record`, a :class:`BadRecord` saying why not, or ``None`` for a blank line."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return BadRecord(line_no, f"not UTF-8 (byte {exc.start + 1})")
    else:
        text = raw
    if line_no == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadRecord(line_no, f"not JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(doc, dict):
        return BadRecord(line_no, f"not a JSON object (got {_type_name(doc)})")
    if "samples" not in doc:
        return BadRecord(line_no, 'missing "samples"')
    samples = doc["samples"]
    if not isinstance(samples, list):
        return BadRecord(line_no, f'"samples" must be an array of strings (got {_type_name(samples)})')
    bad = next((k for k, s in enumerate(samples) if not isinstance(s, str)), None)
    if bad is not None:
        return BadRecord(line_no, f'"samples"[{bad}] is not a string (got {_type_name(samples[bad])})')
    if len(samples) < 2:
        return BadRecord(line_no, f'"samples" has {len(samples)} item(s); at least 2 are needed')
    extract = doc.get("extract")
    if extract is None:
        projection = default_projection
    elif not isinstance(extract, str):
        return BadRecord(line_no, f'"extract" must be a string (got {_type_name(extract)})')
    else:
        try:
            pj.parse_projection(extract)
        except ValueError as exc:
            return BadRecord(line_no, f'bad "extract": {exc}')
        projection = extract or default_projection
    expected = doc.get("expected")
    if expected is not None and not isinstance(expected, str):
        # A number, boolean, object or array reference is compared as its JSON text (JSON projection).
        expected = json.dumps(expected, ensure_ascii=False, sort_keys=True)
    return Record(line_no, doc.get("id"), samples, projection, expected)


def read_records(lines: Iterable[bytes | str], default_projection: str = "auto") -> Iterator[Record | BadRecord]:
    """Parse JSON lines one at a time (a large log is never held in memory); blank lines are skipped."""
    for line_no, raw in enumerate(lines, 1):
        parsed = parse_record(line_no, raw, default_projection)
        if parsed is not None:
            yield parsed


# ---------------------------------------------------------------------------------------------
# Scoring: exactly the ensemble stage's function


def score_record(record: Record, settings: Settings) -> Divergence:
    """Score a record's samples (the first ``max_samples`` of them) with :func:`score_samples`."""
    samples = record.samples if settings.max_samples is None else record.samples[: settings.max_samples]
    return score_samples(
        samples,
        projection=record.projection,
        expected=record.expected,
        adaptive=settings.adaptive,
        threshold=settings.threshold,
        confidence=settings.confidence,
        min_samples=settings.min_samples,
        spelling_weight=settings.spelling_weight,
    )


def record_json(record: Record, div: Divergence) -> dict[str, Any]:
    """The JSON line for a record: ``id`` first, then the ensemble report's ``divergence`` object
    (:meth:`Divergence.to_json`), ``samples_given`` and the line number."""
    return {"id": record.id, **div.to_json(), "samples_given": len(record.samples), "line": record.line}


def _label(record: Record) -> str:
    if record.id is None:
        return f"line {record.line}"
    return record.id if isinstance(record.id, str) else json.dumps(record.id, ensure_ascii=False)


def record_text(name: str, record: Record, div: Divergence) -> str:
    """One line per record: ``FILE:LINE: ID VERDICT score S [LO, HI]; projection; clusters[ (spellings)];
    samples[; bias²…]``. The spellings note appears when exact values disagree more than the clusters do."""
    lo, hi = div.interval
    verdict = "DIVERGENT" if div.flagged else "consistent"
    parts = [
        f"{name}:{record.line}: {_label(record)} {verdict} score {div.score:.2f} [{lo:.2f}, {hi:.2f}]",
        f"projection {div.projection}"
        + ("" if div.decided_by in (div.projection, f"projection {div.projection}") else f" ({div.decided_by})"),
        f"{len(div.clusters)} cluster{'s' if len(div.clusters) != 1 else ''}" + _spellings_note(div),
    ]
    used = f"{div.n} of {len(record.samples)} samples" if div.n != len(record.samples) else f"{div.n} samples"
    if div.stop_reason:
        used += f" (adaptive stop: {div.stop_reason})"
    parts.append(used)
    if div.refusals:
        parts.append(f"{len(div.refusals)} refusal(s)")
    if div.format_failures:
        parts.append(f"{len(div.format_failures)} format failure(s)")
    if div.bias2 is not None:
        parts.append(
            f"bias² {div.bias2:.3f}, variance {div.variance or 0.0:.3f}, incoherence {div.incoherence or 0.0:.2f}"
        )
    return "; ".join(parts)


def _spellings_note(div: Divergence) -> str:
    """`` (exact values disagree 0.50, weight 0.33)`` when spellings of one answer were merged."""
    surface = div.surface_score
    if surface is None or surface <= div.semantic_score + 1e-12:
        return ""
    return f" (exact values disagree {surface:.2f}, weight {div.spelling_weight:.2f})"


# ---------------------------------------------------------------------------------------------
# The command


def load_settings(
    config_path: str | None,
    *,
    threshold: float | None,
    projection: str | None,
    max_samples: int | None,
    adaptive: bool,
    spelling_weight: float | None = None,
) -> Settings:
    """Threshold, spelling weight, confidence, minimum samples and projection from
    ``[tool.promptlint.ensemble]`` (nearest configuration, or ``--config``), overridden by the command line."""
    from promptlint.config import ConfigError, load_config
    from promptlint.ensemble.config import EnsembleConfigError, build_options

    try:
        config = load_config(config_path)
        base = build_options(config.get("ensemble", {}), config.root, {}).base
    except (ConfigError, EnsembleConfigError) as exc:
        raise UsageError(str(exc)) from exc
    if threshold is not None and not 0 <= threshold < 1:
        raise UsageError("--threshold must be in [0, 1)")
    if spelling_weight is not None and not 0 <= spelling_weight <= 1:
        raise UsageError("--spelling-weight must be in [0, 1]")
    if projection is not None:
        try:
            pj.parse_projection(projection)
        except ValueError as exc:
            raise UsageError(f"--projection: {exc}") from exc
    if max_samples is not None and max_samples < 2:
        raise UsageError("--max-samples must be at least 2")
    return Settings(
        threshold=base.threshold if threshold is None else threshold,
        spelling_weight=base.spelling_weight if spelling_weight is None else spelling_weight,
        confidence=base.confidence,
        min_samples=base.min_samples,
        projection=projection or base.projection,
        max_samples=max_samples,
        adaptive=adaptive,
    )


def _open(path: str) -> tuple[str, IO[bytes]]:
    if path == "-":
        return STDIN_NAME, sys.stdin.buffer
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{path}: is a directory")
    try:
        return path, p.open("rb")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def run_divergence(
    path: str,
    *,
    fmt: str = "text",
    threshold: float | None = None,
    projection: str | None = None,
    max_samples: int | None = None,
    adaptive: bool = False,
    spelling_weight: float | None = None,
    config_path: str | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Score every record of ``path`` and print one line (text or JSON) per record; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        settings = load_settings(
            config_path,
            threshold=threshold,
            projection=projection,
            max_samples=max_samples,
            adaptive=adaptive,
            spelling_weight=spelling_weight,
        )
        name, stream = _open(path)
    except UsageError as exc:
        print(f"promptlint: error: {exc}", file=err)
        return EXIT_ERROR
    scored = flagged = used = given = 0
    bad: list[BadRecord] = []
    crashed: list[int] = []
    try:
        for item in read_records(stream, settings.projection):
            if isinstance(item, BadRecord):
                bad.append(item)
                print(f"{name}:{item.line}: bad record skipped: {item.reason}", file=err)
                continue
            try:
                div = score_record(item, settings)
            except Exception as exc:  # one broken record must not hide the others
                crashed.append(item.line)
                print(f"{name}:{item.line}: internal error while scoring: {type(exc).__name__}: {exc}", file=err)
                continue
            scored += 1
            flagged += div.flagged
            used += div.n
            given += len(item.samples)
            if fmt == "json":
                print(json.dumps(record_json(item, div), ensure_ascii=False), file=out)
            else:
                print(record_text(name, item, div), file=out)
            out.flush()
    except BrokenPipeError:
        raise  # stdout closed early (``| head``): handled by the CLI's main()
    except OSError as exc:
        print(f"promptlint: error: {name}: read failed ({exc.strerror or exc})", file=err)
        return EXIT_ERROR
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    summary = _summary(scored, flagged, used, given, bad, crashed, settings)
    print(summary, file=out if fmt == "text" else err)
    if crashed or (bad and not scored):
        return EXIT_ERROR
    return EXIT_FLAGGED if flagged else EXIT_CLEAN


def _summary(
    scored: int, flagged: int, used: int, given: int, bad: list[BadRecord], crashed: list[int], settings: Settings
) -> str:
    parts = [
        f"{scored} record(s) scored, {flagged} divergent "
        f"(lower end of the {settings.confidence:.0%} interval above {settings.threshold:.2f})"
    ]
    if scored and used != given:
        parts.append(f"{used} of {given} samples used ({used / scored:.1f} per record)")
    if bad:
        lines = ", ".join(str(b.line) for b in bad[:10]) + (", …" if len(bad) > 10 else "")
        parts.append(f"{len(bad)} bad record(s) skipped (line {lines})")
    if crashed:
        parts.append(f"{len(crashed)} record(s) failed with an internal error")
    if not scored and not bad and not crashed:
        parts.append("the input has no records")
    return "divergence: " + "; ".join(parts) + "."
