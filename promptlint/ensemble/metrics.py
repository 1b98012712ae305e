"""Divergence of N sampled outputs of one prompt: pure functions over ``list[str]``.

:func:`score_samples` is the single entry point, shared by ``check --ensemble``, the
``ensemble`` report and any offline scoring of stored samples. It

1. splits off refusals (a split between refusing and complying samples is its own finding);
2. picks the most informative projection of the complying samples, automatically unless told:
   JSON (parsed, canonicalised, compared field by field), an explicit final answer or verdict
   (``Answer:``, ``Verdict:``, ``\\boxed{}``), a short label (the whole output, or its last line),
   or else prose (lexical TF-IDF clusters, :mod:`promptlint.ensemble.similarity`);
3. clusters the projected values (spellings of one answer share a cluster) and scores
   disagreement in [0, 1] as a blend of two terms: the *semantic* one, ``1 - share of the largest
   cluster``, and the *surface* one, ``1 - share of the most frequent exact (normalised) value``::

       score = (1 - w) * semantic + w * surface        w = SPELLING_WEIGHT = 1/3

   Two different answers are a full disagreement; a spread of spellings of one answer is partial
   evidence of one (a model sure of its answer writes it the same way), so it counts a third of a
   disagreement. Prose has no surface term (surface = semantic). For JSON the score is that of
   the worst field. ``spelling_weight=0`` scores merged clusters only, ``1`` exact values only;
4. adds a Bayesian-bootstrap interval, the clusters with a representative each, the most
   contrasting pair and, given an expected output, bias², variance and incoherence
   (variance / (bias² + variance), the "hot mess" decomposition in its Brier form).

A prompt is flagged when the interval's lower bound is above the threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from promptlint.ensemble import projections as pj
from promptlint.ensemble.similarity import cluster_by_similarity, embed, medoid, similarity_matrix

# Calibrated on 500 TriviaQA questions × 20 samples (see README "Ensemble sampling").
DEFAULT_THRESHOLD = 0.2
DEFAULT_CONFIDENCE = 0.8  # central interval: its lower end is a one-sided 90 % bound
DEFAULT_MIN_SAMPLES = 3
PROSE_CLUSTER_THRESHOLD = 0.25
# A spread of spellings of one answer counts a third of a disagreement. On TriviaQA (500 questions
# × 20 samples, benchmarks/RESULTS.md) any weight from 1/4 up ranks wrong first answers better than
# merged clusters alone (weight 0); 1/3 keeps one answer in two spellings (score ≤ 1/6) below the
# default threshold.
SPELLING_WEIGHT = 1 / 3
BOOTSTRAP_DRAWS = 1000
PROSE_FIELD_WORDS = 8  # JSON string fields longer than this (median words) are compared as prose
JSON_SHARE = 0.5  # JSON is the projection when at least this share of samples parse
ANSWER_SHARE = 0.5
LABEL_SHARE = 0.6
LAST_LINE_SHARE = 0.8


@dataclass
class Cluster:
    """Samples sharing a projected value: their indices into the samples and a representative."""

    members: list[int]
    representative: int
    value: str | None = None

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class FieldScore:
    """Disagreement on one JSON field."""

    path: str
    score: float  # blended: (1 - w) * semantic + w * surface
    clusters: list[Cluster]
    prose: bool = False
    semantic: float = 0.0  # 1 - largest cluster share
    surface: float = 0.0  # 1 - largest exact-value share (= semantic for prose fields)


@dataclass
class Divergence:
    """The divergence of one prompt's samples."""

    samples: list[str]
    n: int  # samples scored (fewer than given when adaptive stopping ended early)
    projection: str
    decided_by: str
    score: float  # (1 - spelling_weight) * semantic + spelling_weight * surface, of the deciding grouping
    interval: tuple[float, float]
    confidence: float
    threshold: float
    flagged: bool
    clusters: list[Cluster] = field(default_factory=list)
    values: list[str | None] = field(default_factory=list)
    scored: list[int] = field(default_factory=list)  # indices the score is computed over
    contrast: tuple[int, int] | None = None
    contrast_similarity: float | None = None
    format_failures: list[int] = field(default_factory=list)
    format_expected: str = ""
    refusals: list[int] = field(default_factory=list)
    fields: list[FieldScore] = field(default_factory=list)
    dispersion: float | None = None
    expected: str | None = None
    bias2: float | None = None
    variance: float | None = None
    incoherence: float | None = None
    stop_reason: str = ""
    # The deciding grouping's exact-value disagreement (1 - share of the most frequent normalised
    # value; None for prose, which has no exact values) and its merged-cluster disagreement (1 - share
    # of the largest cluster); ``score`` blends the two with ``spelling_weight``.
    surface_score: float | None = None
    semantic_score: float = 0.0
    spelling_weight: float = SPELLING_WEIGHT

    @property
    def refusal_split(self) -> bool:
        return 0 < len(self.refusals) < self.n

    @property
    def format_inconsistent(self) -> bool:
        return bool(self.format_failures) and len(self.format_failures) < len(self.scored) + len(self.format_failures)

    def to_json(self, *, text_limit: int | None = 400) -> dict[str, Any]:
        def clip(text: str) -> str:
            return text if text_limit is None or len(text) <= text_limit else text[:text_limit] + "…"

        def cluster_json(c: Cluster) -> dict[str, Any]:
            return {
                "size": c.size,
                "value": c.value,
                "members": c.members,
                "representative": clip(self.samples[c.representative]),
            }

        out: dict[str, Any] = {
            "samples": self.n,
            "projection": self.projection,
            "decided_by": self.decided_by,
            "score": round(self.score, 4),
            "interval": [round(self.interval[0], 4), round(self.interval[1], 4)],
            "semantic_score": round(self.semantic_score, 4),
            "surface_score": None if self.surface_score is None else round(self.surface_score, 4),
            "spelling_weight": round(self.spelling_weight, 4),
            "confidence": self.confidence,
            "threshold": self.threshold,
            "flagged": self.flagged,
            "clusters": [cluster_json(c) for c in self.clusters],
            "refusals": self.refusals,
            "format_failures": self.format_failures,
            "dispersion": None if self.dispersion is None else round(self.dispersion, 4),
            "stop_reason": self.stop_reason,
        }
        if self.contrast is not None:
            i, j = self.contrast
            out["contrast"] = {
                "pair": [i, j],
                "similarity": None if self.contrast_similarity is None else round(self.contrast_similarity, 4),
                "a": clip(self.samples[i]),
                "b": clip(self.samples[j]),
            }
        if self.fields:
            out["fields"] = [
                {
                    "path": f.path,
                    "score": round(f.score, 4),
                    "semantic_score": round(f.semantic, 4),
                    "surface_score": None if f.prose else round(f.surface, 4),
                    "prose": f.prose,
                    "clusters": len(f.clusters),
                }
                for f in self.fields
            ]
        if self.bias2 is not None:
            out["expected"] = clip(self.expected or "")
            out["bias2"] = round(self.bias2, 4)
            out["variance"] = round(self.variance or 0.0, 4)
            out["incoherence"] = round(self.incoherence or 0.0, 4)
        return out


# ---------------------------------------------------------------------------------------------
# Scores and intervals


def _disagreement(clusters: list[list[int]], m: int) -> float:
    return 0.0 if m == 0 or not clusters else 1.0 - max(len(c) for c in clusters) / m


def _blend(semantic: Any, surface: Any, weight: float) -> Any:
    """``(1 - weight) * semantic + weight * surface`` (floats or arrays); exactly ``semantic`` at weight 0."""
    return (1.0 - weight) * semantic + weight * surface


@dataclass
class _Grouping:
    """One scored partition (a JSON field, or the whole projection): merged clusters and exact values."""

    clusters: list[list[int]]  # spellings of one answer merged
    exact: list[list[int]]  # identical normalised values only (``clusters`` itself for prose or when none merged)

    def scores(self, m: int, weight: float) -> tuple[float, float, float]:
        """(blended, semantic, surface) disagreement over ``m`` scored samples."""
        semantic = _disagreement(self.clusters, m)
        if self.exact is self.clusters:
            return semantic, semantic, semantic
        surface = _disagreement(self.exact, m)
        return _blend(semantic, surface, weight), semantic, surface


def _largest_shares(clusters: list[list[int]], pos: dict[int, int], weights: np.ndarray) -> np.ndarray:
    onehot = np.zeros((weights.shape[1], len(clusters)))
    for c, members in enumerate(clusters):
        for idx in members:
            onehot[pos[idx], c] = 1.0
    return (weights @ onehot).max(axis=1)


def _bootstrap(
    groupings: list[_Grouping], scored: list[int], draws: int, seed: int, confidence: float, weight: float
) -> tuple[float, float]:
    """Bayesian-bootstrap interval of ``max over groupings of the blended disagreement``.

    Each grouping (one per JSON field, or just one) partitions the positions of ``scored`` twice
    (merged clusters, exact values); per draw, each is scored as ``1 - largest share`` under the
    draw's weights and the two are blended as the score is.
    """
    m = len(scored)
    if m < 2:
        return 0.0, 0.0
    pos = {idx: k for k, idx in enumerate(scored)}
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(m), size=draws)  # draws × m
    best = np.zeros(draws)
    for g in groupings:
        semantic = 1.0 - _largest_shares(g.clusters, pos, weights)
        if g.exact is not g.clusters and weight > 0:
            semantic = _blend(semantic, 1.0 - _largest_shares(g.exact, pos, weights), weight)
        best = np.maximum(best, semantic)
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(best, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


# ---------------------------------------------------------------------------------------------
# Projections → clusters


@dataclass
class _Projected:
    projection: str
    decided_by: str
    values: list[str | None]  # per sample (None: not projected / not scored)
    failures: list[int]
    expected_format: str
    groupings: list[_Grouping]  # sample-index partitions per field (one grouping unless JSON)
    fields: list[FieldScore]
    main: list[list[int]]  # the clusters that decided
    main_values: list[str | None]
    prose: bool = False
    main_grouping: int = 0  # index of the deciding grouping


def _categorical(values: dict[int, str]) -> tuple[_Grouping, list[str]]:
    """Spellings of one answer merged (:func:`~promptlint.ensemble.projections.cluster_answers`), plus
    the exact grouping of identical values; the merged clusters' values (their first member's)."""
    keys = sorted(values)
    local = pj.cluster_answers([values[k] for k in keys])
    clusters = [[keys[i] for i in c] for c in local]
    by_value: dict[str, list[int]] = {}
    for k in keys:
        by_value.setdefault(values[k], []).append(k)
    exact = sorted(by_value.values(), key=lambda c: (-len(c), c[0]))
    if len(exact) == len(clusters):  # nothing merged: one partition, scored exactly as before the blend
        exact = clusters
    return _Grouping(clusters, exact), [values[c[0]] for c in clusters]


def _prose_clusters(samples: list[str], idx: list[int]) -> list[list[int]]:
    if len(idx) < 2:
        return [list(idx)] if idx else []
    sim = similarity_matrix([samples[i] for i in idx])
    return [[idx[i] for i in c] for c in cluster_by_similarity(sim, PROSE_CLUSTER_THRESHOLD)]


def _json_projection(samples: list[str], idx: list[int], parsed: dict[int, Any], weight: float) -> _Projected:
    ok = [i for i in idx if i in parsed]
    failures = [i for i in idx if i not in parsed]
    leaves = {i: pj.flatten_json(parsed[i]) for i in ok}
    paths = sorted({p for leaf in leaves.values() for p in leaf})
    fields: list[FieldScore] = []
    groupings: list[_Grouping] = []
    for path in paths:
        raw = {i: leaves[i].get(path, pj.MISSING) for i in ok}
        strings = [v for v in raw.values() if isinstance(v, str) and v != pj.MISSING]
        words = sorted(len(s.split()) for s in strings)
        long_text = (
            bool(words)
            and len(strings) == sum(1 for v in raw.values() if v != pj.MISSING)
            and (words[len(words) // 2] > PROSE_FIELD_WORDS)
        )
        if long_text:
            present = [i for i in ok if raw[i] != pj.MISSING]
            missing = [i for i in ok if raw[i] == pj.MISSING]
            sim = similarity_matrix([raw[i] for i in present]) if len(present) > 1 else np.ones((1, 1))
            local = cluster_by_similarity(sim, PROSE_CLUSTER_THRESHOLD) if present else []
            clusters = [[present[k] for k in c] for c in local] + ([missing] if missing else [])
            clusters.sort(key=lambda c: (-len(c), c[0]))
            values: list[str | None] = [None] * len(clusters)
            grouping = _Grouping(clusters, clusters)  # prose: no surface term
        else:
            canon = {i: (pj.MISSING if raw[i] == pj.MISSING else pj.canonical_scalar(raw[i])) for i in ok}
            grouping, vals = _categorical(canon)
            clusters, values = grouping.clusters, list(vals)
        score, semantic, surface = grouping.scores(len(ok), weight)
        fs = FieldScore(
            path, score, [Cluster(c, c[0], v) for c, v in zip(clusters, values)], long_text, semantic, surface
        )
        fields.append(fs)
        groupings.append(grouping)
    if not fields:  # every sample parsed to an empty document
        clusters = [list(ok)] if ok else []
        fields.append(FieldScore("$", 0.0, [Cluster(c, c[0], "{}") for c in clusters]))
        groupings.append(_Grouping(clusters, clusters))
    worst_k = max(
        range(len(fields)),
        key=lambda k: (fields[k].score, -paths.index(fields[k].path) if fields[k].path in paths else 0),
    )
    worst = fields[worst_k]
    per_sample: list[str | None] = [None] * len(samples)
    for c in worst.clusters:
        for i in c.members:
            per_sample[i] = c.value
    decided = f"JSON field {worst.path}" if worst.score > 0 else "JSON (all fields agree)"
    return _Projected(
        projection="json",
        decided_by=decided,
        values=per_sample,
        failures=failures if ok else [],
        expected_format="valid JSON",
        groupings=groupings,
        fields=fields,
        main=[c.members for c in worst.clusters],
        main_values=[c.value for c in worst.clusters],
        prose=worst.prose,
        main_grouping=worst_k,
    )


def _values_projection(
    samples: list[str], idx: list[int], values: dict[int, str | None], name: str, decided: str, expected_format: str
) -> _Projected:
    got = {i: v for i, v in values.items() if v is not None}
    failures = [i for i in idx if values.get(i) is None] if got else []
    grouping, vals = _categorical({i: pj.normalise_answer(v) for i, v in got.items()})
    per_sample: list[str | None] = [None] * len(samples)
    for c, v in zip(grouping.clusters, vals):
        for i in c:
            per_sample[i] = v
    if not got:  # nothing projected: fall back to prose so the report still says something
        return _prose_projection(samples, idx, f"prose (no sample matched {name})")
    return _Projected(
        name, decided, per_sample, failures, expected_format, [grouping], [], grouping.clusters, list(vals)
    )


def _prose_projection(samples: list[str], idx: list[int], decided: str = "prose (lexical clusters)") -> _Projected:
    clusters = _prose_clusters(samples, idx)
    grouping = _Grouping(clusters, clusters)  # prose: no surface term
    return _Projected(
        "prose", decided, [None] * len(samples), [], "", [grouping], [], clusters, [None] * len(clusters), True
    )


def _project(
    samples: list[str], idx: list[int], projection: pj.UserProjection | str, weight: float = SPELLING_WEIGHT
) -> _Projected:
    m = len(idx)
    if isinstance(projection, pj.UserProjection):
        values = {i: projection(samples[i]) for i in idx}
        what = "a match of " + projection.spec if projection.kind == "regex" else f"JSON with {projection.path}"
        return _values_projection(samples, idx, values, projection.spec, f"projection {projection.spec}", what)
    if projection in ("auto", "json"):
        parsed: dict[int, Any] = {}
        for i in idx:
            ok, value = pj.extract_json(samples[i])
            if ok:
                parsed[i] = value
        if projection == "json" or (m and len(parsed) >= JSON_SHARE * m):
            return _json_projection(samples, idx, parsed, weight)
    if projection in ("auto", "answer"):
        marked = {i: pj.extract_marked_answer(samples[i]) for i in idx}
        if projection == "answer" or (m and sum(v is not None for v in marked.values()) >= ANSWER_SHARE * m):
            return _values_projection(
                samples, idx, marked, "answer", "final answer / verdict", "an explicit answer line (Answer:, Verdict:)"
            )
    if projection in ("auto", "label"):
        short = {i: pj.short_label(samples[i]) for i in idx}
        if projection == "label" or (m and sum(v is not None for v in short.values()) >= LABEL_SHARE * m):
            full = {i: short[i] if short[i] is not None else samples[i].strip() for i in idx}
            return _values_projection(samples, idx, full, "label", "short answer / label", "")
        last = {i: pj.last_line_label(samples[i]) for i in idx}
        if m and sum(v is not None for v in last.values()) >= LAST_LINE_SHARE * m:
            return _values_projection(samples, idx, last, "label", "label on the last line", "a label on the last line")
    return _prose_projection(samples, idx)


# ---------------------------------------------------------------------------------------------
# Bias and variance against an expected output


def _bias_variance_categorical(
    clusters: list[list[int]], values: list[str | None], m: int, target: str
) -> tuple[float, float]:
    shares = [len(c) / m for c in clusters]
    hit = next((k for k, v in enumerate(values) if v is not None and pj.same_answer(v, target)), None)
    y = [1.0 if k == hit else 0.0 for k in range(len(clusters))]
    bias2 = sum((p - t) ** 2 for p, t in zip(shares, y)) + (1.0 if hit is None else 0.0)
    variance = 1.0 - sum(p * p for p in shares)
    return bias2, variance


def _bias_variance_prose(texts: list[str], expected: str) -> tuple[float, float]:
    vecs = embed([*texts, expected])
    samples, target = vecs[:-1], vecs[-1]
    mean = samples.mean(axis=0)
    variance = float(((samples - mean) ** 2).sum(axis=1).mean())
    bias2 = float(((mean - target) ** 2).sum())
    return bias2, variance


def _bias_variance(
    samples: list[str], proj: _Projected, scored: list[int], expected: str, projection: pj.UserProjection | str
) -> tuple[float, float]:
    m = len(scored)
    if proj.projection == "json":
        ok, doc = pj.extract_json(expected)
        leaves = pj.flatten_json(doc) if ok else {}
        b_sum = v_sum = 0.0
        for f in proj.fields:
            target = leaves.get(f.path, pj.MISSING)
            if f.prose:
                present = [i for c in f.clusters for i in c.members if c.value is None]
                texts = [str(pj.flatten_json(pj.extract_json(samples[i])[1]).get(f.path, "")) for i in present]
                b, v = _bias_variance_prose(texts, str(target)) if texts else (0.0, 0.0)
            else:
                canon = pj.MISSING if target == pj.MISSING else pj.canonical_scalar(target)
                size = sum(c.size for c in f.clusters)
                b, v = _bias_variance_categorical(
                    [c.members for c in f.clusters], [c.value for c in f.clusters], size, canon
                )
            b_sum += b
            v_sum += v
        n_fields = max(len(proj.fields), 1)
        return b_sum / n_fields, v_sum / n_fields
    if proj.prose:
        return _bias_variance_prose([samples[i] for i in scored], expected)
    if isinstance(projection, pj.UserProjection):
        target = projection(expected)
        if target is None:
            target = pj.normalise_answer(expected)
    elif proj.projection == "answer":
        target = pj.normalise_answer(pj.extract_marked_answer(expected) or pj.clean_value(expected))
    else:
        target = pj.normalise_answer(pj.short_label(expected) or pj.last_line_label(expected) or expected.strip())
    return _bias_variance_categorical(proj.main, proj.main_values, m, target)


# ---------------------------------------------------------------------------------------------
# Adaptive sampling


def adaptive_checkpoints(n_max: int, min_samples: int = DEFAULT_MIN_SAMPLES) -> list[int]:
    """Sample counts at which adaptive sampling looks at the samples so far: 3, 5, 8, 12, … up to N."""
    first = max(2, min(min_samples, n_max))
    points = [first]
    while points[-1] < n_max:
        points.append(min(n_max, max(points[-1] + 2, math.ceil(points[-1] * 1.5))))
    return points


def stop_decision(div: Divergence) -> str:
    """Why sampling can stop after these samples ("" to go on): they all agree, or the interval is
    clearly above or below the threshold."""
    if div.n < 2:
        return ""
    if div.refusal_split or div.format_inconsistent:
        return ""
    lo, hi = div.interval
    if len(div.clusters) == 1 and div.clusters[0].size == len(div.scored) and len(div.scored) >= 2:
        # One answer, however spelled; a spread of spellings wide enough to flag says so instead.
        return "clearly above the threshold" if lo > div.threshold else "all samples agree"
    if lo > div.threshold:
        return "clearly above the threshold"
    if hi < div.threshold:
        return "clearly below the threshold"
    return ""


# ---------------------------------------------------------------------------------------------
# Entry point


def score_samples(
    samples: list[str],
    *,
    projection: str | None = None,
    expected: str | None = None,
    adaptive: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    confidence: float = DEFAULT_CONFIDENCE,
    min_samples: int = DEFAULT_MIN_SAMPLES,
    refusals: list[bool] | None = None,
    seed: int = 0,
    spelling_weight: float = SPELLING_WEIGHT,
) -> Divergence:
    """Score the divergence of ``samples`` (the outputs of one prompt).

    ``projection`` is ``None``/``"auto"``, ``"json"``, ``"answer"``, ``"label"``, ``"prose"``,
    ``"regex:PATTERN"`` or ``"json:$.path"``. With ``adaptive``, only the prefix of the samples that
    adaptive sampling would have drawn is scored (see :func:`adaptive_checkpoints`,
    :func:`stop_decision`). ``refusals`` marks samples known to be refusals (e.g. from the API's
    ``stop_reason``), on top of the text heuristics. ``spelling_weight`` (in [0, 1]) is the weight of
    the exact-value term in the score: 0 counts spellings of one answer as full agreement, 1 as full
    disagreement (plain majority share). Raises ``ValueError`` for a bad projection or weight.
    """
    spec = pj.parse_projection(projection)
    if not 0.0 <= spelling_weight <= 1.0:
        raise ValueError(f"spelling_weight must be in [0, 1], got {spelling_weight!r}")
    weight = float(spelling_weight)
    if adaptive and len(samples) > min_samples:
        for k in adaptive_checkpoints(len(samples), min_samples):
            div = _score_prefix(samples[:k], spec, expected, threshold, confidence, refusals, seed, weight)
            reason = stop_decision(div) if k < len(samples) else ""
            if reason or k == len(samples):
                div.stop_reason = reason
                return div
    return _score_prefix(samples, spec, expected, threshold, confidence, refusals, seed, weight)


def _score_prefix(
    samples: list[str],
    spec: pj.UserProjection | str,
    expected: str | None,
    threshold: float,
    confidence: float,
    refusals: list[bool] | None,
    seed: int,
    weight: float = SPELLING_WEIGHT,
) -> Divergence:
    samples = list(samples)
    n = len(samples)
    flags = [pj.is_refusal(s) or bool(refusals and k < len(refusals) and refusals[k]) for k, s in enumerate(samples)]
    refused = [i for i in range(n) if flags[i]]
    complying = [i for i in range(n) if not flags[i]]
    if n and not complying:
        div = Divergence(
            samples=samples,
            n=n,
            projection="refusal",
            decided_by="every sample refused",
            score=0.0,
            interval=(0.0, 0.0),
            confidence=confidence,
            threshold=threshold,
            flagged=False,
            clusters=[Cluster(refused, refused[0], "refusal")],
            scored=refused,
            refusals=refused,
            spelling_weight=weight,
        )
        return div
    proj = _project(samples, complying, spec, weight)
    failed = set(proj.failures)
    scored = [i for i in complying if i not in failed]
    m = len(scored)
    per_grouping = [g.scores(m, weight) for g in proj.groupings]
    # The deciding grouping: JSON's worst field (by the blended score), else the only one.
    score, semantic, surface = per_grouping[proj.main_grouping] if per_grouping else (0.0, 0.0, 0.0)
    interval = (
        _bootstrap(proj.groupings, scored, BOOTSTRAP_DRAWS, seed, confidence, weight) if m >= 2 else (score, score)
    )
    raw_sim = similarity_matrix(samples) if n >= 2 else np.ones((n, n))
    clusters = [
        Cluster(members, medoid(raw_sim, members), value) for members, value in zip(proj.main, proj.main_values)
    ]
    contrast, contrast_sim = _contrast(raw_sim, clusters, scored) if len(clusters) > 1 or proj.prose else (None, None)
    off = raw_sim[~np.eye(n, dtype=bool)] if n >= 2 else np.array([])
    div = Divergence(
        samples=samples,
        n=n,
        projection=proj.projection,
        decided_by=proj.decided_by,
        score=score,
        interval=(min(interval[0], score), max(interval[1], score)),
        confidence=confidence,
        threshold=threshold,
        flagged=m >= 2 and interval[0] > threshold,
        clusters=clusters,
        values=proj.values,
        scored=scored,
        contrast=contrast,
        contrast_similarity=contrast_sim,
        format_failures=sorted(failed),
        format_expected=proj.expected_format,
        refusals=refused,
        fields=proj.fields,
        dispersion=float(1.0 - off.mean()) if off.size else None,
        surface_score=None if proj.prose else surface,
        semantic_score=semantic,
        spelling_weight=weight,
    )
    if expected is not None and m >= 1:
        b, v = _bias_variance(samples, proj, scored, expected, spec)
        div.expected, div.bias2, div.variance = expected, b, v
        div.incoherence = v / (b + v) if b + v > 0 else 0.0
    return div


def _contrast(
    sim: np.ndarray, clusters: list[Cluster], scored: list[int]
) -> tuple[tuple[int, int] | None, float | None]:
    """The least similar pair: across the two largest clusters when there are several."""
    if len(clusters) >= 2:
        a, b = clusters[0].members, clusters[1].members
    elif len(scored) >= 2:
        a = b = scored
    else:
        return None, None
    best: tuple[int, int] | None = None
    low = math.inf
    for i in a:
        for j in b:
            if i < j or (a is not b and i != j):
                value = float(sim[i, j])
                if value < low:
                    low, best = value, (min(i, j), max(i, j))
    return best, (None if best is None else low)
