"""Which words pushed a detector's score: for the errors in a report, or for any article.

Pushes are in log-odds of fake: positive pushed the article toward fake, negative toward real.

- ``linear``: a TF-IDF + linear model scores ``intercept + coefficients . tfidf(text)``, so each
  term's share is exact. A term's share is split evenly over its occurrences, and an n-gram's over
  its words; the pushes plus the intercept add up to the detector's log-odds.
- ``occlusion``: any other detector (transformers, ONNX, heads with embeddings). Each span of
  words is deleted in turn and the article re-scored; the span's push is how much log-odds it
  lost. Spans grow so an article costs at most ``max_evals`` scorings (one batched call), only
  the part the detector reads (its token limit) is occluded, and articles are explained until
  the time budget is spent.
"""

from __future__ import annotations

import bisect
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsbench.results import Explanation, TopFeatures

WORD = re.compile(r"\S+\s*")
SHOWN_WORDS = 300  # words of an article kept with their pushes (the whole article feeds the top lists)
TOP = 8
EPS = 1e-7


@dataclass(frozen=True)
class LinearText:
    """One additive part of a score that is linear in TF-IDF features (log-odds of fake):
    ``scale * (coef . vectorizer.transform([text]) + intercept)``."""

    vectorizer: object
    coef: np.ndarray
    intercept: float
    scale: float = 1.0


def explain(detector, texts: Sequence[str], budget_s: float = 30.0, max_evals: int = 64) -> list[Explanation | None]:
    """An explanation per text (None for those the time budget did not reach)."""
    parts = detector.linear_parts()
    if parts is not None:
        return [_linear(detector, text, parts) for text in texts]
    out: list[Explanation | None] = []
    start = time.perf_counter()
    read = detector.read_chars(list(texts))
    for text, chars in zip(texts, read):
        out.append(_occlusion(detector, text, chars, max_evals)
                   if time.perf_counter() - start < budget_s else None)
    return out


def top_features(detector, n: int = 20) -> TopFeatures | None:
    """The terms with the largest coefficients toward each class (linear TF-IDF parts only)."""
    parts = detector.linear_parts(complete=False)
    if not parts:
        return None
    weights: dict[str, float] = {}
    for part in parts:
        terms = part.vectorizer.get_feature_names_out()
        for term, w in zip(terms, part.coef * part.scale):
            weights[term] = weights.get(term, 0.0) + float(w)
    ranked = sorted(weights.items(), key=lambda kv: kv[1])
    method = ("coefficient of each TF-IDF term" if detector.linear_parts() is not None else
              "coefficient of each TF-IDF term in the model's TF-IDF head (its other heads are not shown)")
    return TopFeatures(method, [(t, w) for t, w in reversed(ranked[-n:]) if w > 0],
                       [(t, w) for t, w in ranked[:n] if w < 0])


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def _words(text: str) -> list[re.Match]:
    return list(WORD.finditer(text))


def _linear(detector, text: str, parts: list[LinearText]) -> Explanation:
    start = time.perf_counter()
    words = _words(text)
    pushes = np.zeros(len(words))
    log_odds = 0.0
    for part in parts:
        vec = part.vectorizer
        x = vec.transform([text])
        log_odds += part.scale * (float((x @ part.coef)[0]) + part.intercept)
        tokens, owner = _tokens(vec, text, words)
        occurrences: dict[int, list[tuple[int, ...]]] = {}
        low, high = vec.ngram_range
        for n in range(low, high + 1):
            for i in range(len(tokens) - n + 1):
                j = vec.vocabulary_.get(" ".join(t for _, t in tokens[i:i + n]))
                if j is not None:
                    occurrences.setdefault(j, []).append(tuple(owner[i:i + n]))
        row = x.tocsr()
        for j, value in zip(row.indices, row.data):
            spots = occurrences.get(int(j))
            if not spots:
                continue
            share = part.scale * part.coef[j] * value / (len(spots) * len(spots[0]))
            for spot in spots:
                for w in spot:
                    pushes[w] += share
    return _explanation("linear", text, words, pushes, log_odds, len(text), time.perf_counter() - start)


def _tokens(vec, text: str, words: list[re.Match]) -> tuple[list[tuple[int, str]], list[int]]:
    """The vectorizer's tokens of ``text`` (as it reads them: preprocessed first, then split) and the
    word of ``text`` each comes from. The text is preprocessed word by word, which gives the whole
    text's preprocessing when the preprocessor works character by character (lower case, NFKC,
    digits): then a word whose preprocessing changes its length ("İ" lower-cases to two characters)
    is still found. Otherwise each raw token is preprocessed on its own, as an approximation."""
    preprocess, pattern = vec.build_preprocessor(), re.compile(vec.token_pattern)
    group = 1 if pattern.groups == 1 else 0
    cuts = [0] + [w.start() for w in words[1:]] + [len(text)]  # the leading space goes with the first word
    pieces = [preprocess(text[a:b]) for a, b in zip(cuts, cuts[1:])] if words else []
    read = "".join(pieces)
    if words and read == preprocess(text):
        offsets = np.cumsum([0] + [len(p) for p in pieces[:-1]])
        tokens = [(m.start(group), m.group(group)) for m in pattern.finditer(read)]
        return tokens, [int(np.searchsorted(offsets, s, side="right")) - 1 for s, _ in tokens]
    starts = [w.start() for w in words]
    tokens = [(m.start(group), preprocess(m.group(group))) for m in pattern.finditer(text)]
    return tokens, [max(0, bisect.bisect_right(starts, s) - 1) for s, _ in tokens]


def _occlusion(detector, text: str, read_chars: int, max_evals: int) -> Explanation:
    start = time.perf_counter()
    words = [w for w in _words(text) if w.start() < read_chars]
    if not words:
        base = float(logit(detector.predict_proba([text])[:, 1])[0])
        return _explanation("occlusion", text, [], np.zeros(0), base, read_chars, time.perf_counter() - start)
    size = math.ceil(len(words) / max(1, max_evals))
    spans = [(words[i].start(), words[min(i + size, len(words)) - 1].end()) for i in range(0, len(words), size)]
    variants = [text] + [text[:a] + text[b:] for a, b in spans]
    scores = logit(detector.predict_proba(variants)[:, 1])
    pushes = scores[0] - scores[1:]
    pieces = [_Span(text, a, b) for a, b in spans]
    return _explanation("occlusion", text, pieces, pushes, float(scores[0]), read_chars, time.perf_counter() - start)


@dataclass(frozen=True)
class _Span:
    """A stretch of text with the same interface as a regex match (start, end, group)."""

    text: str
    a: int
    b: int

    def start(self) -> int:
        return self.a

    def end(self) -> int:
        return self.b

    def group(self, _: int = 0) -> str:
        return self.text[self.a:self.b]


def _explanation(method: str, text: str, pieces: list, pushes: np.ndarray, log_odds: float, read_chars: int,
                 seconds: float) -> Explanation:
    shown = [(p.group(0), float(w)) for p, w in zip(pieces[:SHOWN_WORDS], pushes[:SHOWN_WORDS])]
    # Top lists: a word's pushes summed over the article (linear, exact), or the strongest push of
    # each span text (occlusion: each deletion is a separate, noisy measurement).
    totals: dict[str, float] = {}
    for p, w in zip(pieces, pushes):
        if method == "linear":
            key = _bare(p.group(0))
            totals[key] = totals.get(key, 0.0) + float(w)
        else:
            key = p.group(0).strip()
            if abs(w) > abs(totals.get(key, 0.0)):
                totals[key] = float(w)
    totals.pop("", None)
    ranked = sorted(totals.items(), key=lambda kv: kv[1])
    shown_end = pieces[min(len(pieces), SHOWN_WORDS) - 1].end() if pieces else 0
    return Explanation(
        method=method, log_odds=float(log_odds), prob_fake=float(1 / (1 + math.exp(-log_odds))), pieces=shown,
        chars_shown=shown_end, chars_read=min(read_chars, len(text)), chars_total=len(text),
        top_fake=[(k, w) for k, w in reversed(ranked[-TOP:]) if w > 0],
        top_real=[(k, w) for k, w in ranked[:TOP] if w < 0], seconds=float(seconds),
    )


def _bare(word: str) -> str:
    return word.strip().strip(".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019").lower()
