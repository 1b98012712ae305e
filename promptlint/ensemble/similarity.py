"""Lexical similarity of free-text samples: word and character n-gram TF-IDF cosine, with numpy.

Samples are compared on their content words (stop words dropped, light stemming) as unigrams and
bigrams, plus character 3–5-grams inside words (robust to inflection and typos). Tokens that carry
facts (numbers, capitalised names inside a sentence, acronyms) weigh double: paraphrases keep
them, different answers change them. IDF is computed over the samples themselves.
"""

from __future__ import annotations

import math
import re

import numpy as np

_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just let me
more most my myself no nor not of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves i'm it's that's there's here's you're we're they're i've
you've we've i'd you'd i'll you'll we'll don't doesn't didn't isn't aren't wasn't weren't won't
can't cannot shouldn't wouldn't couldn't
"""
_STOP = frozenset(_STOP_WORDS.split())
_NEGATIONS = frozenset({"not", "no", "never", "don't", "doesn't", "isn't", "aren't", "won't", "can't", "cannot"})
_TOKEN = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?", re.U)
_SENTENCE_END = re.compile(r"[.!?:\n]\s*$")
FACT_WEIGHT = 2.0
CHAR_WEIGHT = 0.3
FACTS_WEIGHT = 0.3
MIN_SAMPLES_FOR_SHARED = 3


_SUFFIXES = (
    "isations",
    "izations",
    "isation",
    "ization",
    "ations",
    "ation",
    "ising",
    "izing",
    "ised",
    "ized",
    "ises",
    "izes",
    "ise",
    "ize",
    "nesses",
    "ness",
    "ments",
    "ment",
    "ities",
    "ity",
    "ingly",
    "ings",
    "ing",
    "edly",
    "ed",
    "ies",
    "es",
    "s",
    "ly",
    "al",
    "ar",
    "e",
)


def _stem(word: str) -> str:
    """A crude suffix stripper: "modules", "modular", "modularise" → "modul"."""
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: len(word) - len(suffix)] + ("y" if suffix == "ies" else "")
                break
        else:
            break
    return word


def tokens(text: str) -> list[tuple[str, bool]]:
    """Content tokens of a text, stemmed and lower-cased, each with whether it carries a fact."""
    out: list[tuple[str, bool]] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0).replace("’", "'")
        low = raw.lower()
        if low in _NEGATIONS:
            out.append(("not", False))
            continue
        if low in _STOP:
            continue
        before = text[max(0, m.start() - 3) : m.start()]
        sentence_start = m.start() == 0 or bool(_SENTENCE_END.search(before)) or not before.strip()
        fact = (
            any(ch.isdigit() for ch in raw)
            or (raw[:1].isupper() and not sentence_start)
            or (len(raw) > 1 and raw.isupper())
        )
        out.append((low if fact else _stem(low), fact))
    return out


def _features(text: str) -> tuple[dict[str, float], dict[str, float]]:
    toks = tokens(text)
    words: dict[str, float] = {}
    chars: dict[str, float] = {}
    for i, (tok, fact) in enumerate(toks):
        words[tok] = words.get(tok, 0.0) + 1.0
        if fact:
            words["\0fact"] = 1.0  # marker so facts can be up-weighted after IDF
        if i + 1 < len(toks):
            bigram = tok + " " + toks[i + 1][0]
            words[bigram] = words.get(bigram, 0.0) + 1.0
        padded = f" {tok} "
        for n in (3, 4, 5):
            for j in range(len(padded) - n + 1):
                gram = padded[j : j + n]
                chars[gram] = chars.get(gram, 0.0) + 1.0
    words.pop("\0fact", None)
    return words, chars


def _facts(text: str) -> set[str]:
    return {tok for tok, fact in tokens(text) if fact}


def _tfidf(rows: list[dict[str, float]], boost: list[set[str]] | None = None) -> np.ndarray:
    """Row-normalised TF-IDF (sublinear tf, smooth idf). With four or more samples, terms used by
    a single sample are dropped: they are a paraphrase's own word choice, not shared content."""
    vocab: dict[str, int] = {}
    for row in rows:
        for term in row:
            vocab.setdefault(term, len(vocab))
    n = len(rows)
    mat = np.zeros((n, max(len(vocab), 1)))
    for i, row in enumerate(rows):
        for term, count in row.items():
            mat[i, vocab[term]] = 1.0 + math.log(count)
    df = (mat > 0).sum(axis=0)
    mat *= np.log((1.0 + n) / (1.0 + df)) + 1.0
    if n >= MIN_SAMPLES_FOR_SHARED:
        mat[:, df < 2] = 0.0
    if boost is not None:
        for i, facts in enumerate(boost):
            for term in facts:
                j = vocab.get(term)
                if j is not None:
                    mat[i, j] *= FACT_WEIGHT
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return np.divide(mat, norms, out=np.zeros_like(mat), where=norms > 0)


def embed(texts: list[str]) -> np.ndarray:
    """One vector per text; the dot product of two vectors is their similarity.

    The blocks are content words and bigrams (weight 0.7 × 0.7), character 3–5-grams (0.3 × 0.7)
    and, when at least half the texts state facts (numbers, names), the facts alone (0.3), each
    block L2-normalised and scaled by the square root of its weight. IDF is fitted on ``texts``.
    """
    n = len(texts)
    if n == 0:
        return np.zeros((0, 1))
    feats = [_features(t) for t in texts]
    facts = [_facts(t) for t in texts]
    base = 1.0
    blocks = []
    if sum(1 for f in facts if f) * 2 >= n:
        base = 1.0 - FACTS_WEIGHT
        blocks.append(math.sqrt(FACTS_WEIGHT) * _tfidf([dict.fromkeys(f, 1.0) for f in facts]))
    blocks.append(math.sqrt(base * (1.0 - CHAR_WEIGHT)) * _tfidf([f[0] for f in feats], facts))
    blocks.append(math.sqrt(base * CHAR_WEIGHT) * _tfidf([f[1] for f in feats]))
    return np.hstack(blocks)


def similarity_matrix(texts: list[str]) -> np.ndarray:
    """Pairwise similarity in [0, 1] of free-text samples (see :func:`embed`).

    An empty text is similar only to other empty texts.
    """
    n = len(texts)
    if n == 0:
        return np.zeros((0, 0))
    vecs = embed(texts)
    sim = vecs @ vecs.T
    empty = np.array([not t.strip() for t in texts])
    sim[np.ix_(empty, empty)] = 1.0
    np.fill_diagonal(sim, 1.0)
    return np.clip(sim, 0.0, 1.0)


def cluster_by_similarity(sim: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage agglomerative clusters: merge while the closest pair of clusters has mean
    similarity ≥ ``threshold``. Largest cluster first."""
    n = sim.shape[0]
    clusters: list[list[int]] = [[i] for i in range(n)]
    while len(clusters) > 1:
        best, pair = -1.0, (0, 0)
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                value = float(sim[np.ix_(clusters[a], clusters[b])].mean())
                if value > best:
                    best, pair = value, (a, b)
        if best < threshold:
            break
        a, b = pair
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]
    clusters.sort(key=lambda c: (-len(c), c[0]))
    return clusters


def medoid(sim: np.ndarray, members: list[int]) -> int:
    """The member most similar on average to the others."""
    if len(members) <= 2:
        return members[0]
    sub = sim[np.ix_(members, members)]
    return members[int(np.argmax(sub.sum(axis=1)))]
