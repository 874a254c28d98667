"""Style and affect features: how an article is written, not what it is about. They carry no
topic or source vocabulary, so they are one of the signals that degrade slowly off-domain
(Horne et al. 2019); ``STYLE_FEATURES`` names the columns of ``style_features``."""

from __future__ import annotations

import re

import numpy as np

_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE = re.compile(r"[.!?]+(?:\s|$)")
_LEXICON = {
    "first_person": {"i", "me", "my", "mine", "we", "us", "our", "ours"},
    "second_person": {"you", "your", "yours", "yourself"},
    "attribution": {"said", "says", "told", "according", "reported", "stated", "announced", "confirmed"},
    "hedge": {"allegedly", "reportedly", "apparently", "rumored", "rumoured", "supposedly", "claims", "claimed"},
    "intensifier": {"very", "really", "totally", "absolutely", "completely", "extremely", "literally", "huge",
                    "incredible", "shocking", "unbelievable", "amazing", "horrible", "disgusting"},
    "negative_affect": {"hate", "angry", "fear", "terrible", "evil", "corrupt", "disaster", "crisis", "attack",
                        "destroy", "lie", "lies", "liar", "fake", "traitor", "sick", "outrage", "furious"},
    "positive_affect": {"love", "happy", "great", "good", "best", "wonderful", "win", "success", "hope", "proud"},
}
STYLE_FEATURES = ("log_words", "mean_word_length", "mean_sentence_words", "type_token_ratio", "upper_share",
                  "all_caps_words", "exclamations", "questions", "quotes", "digits", "parentheses",
                  *(f"{name}_rate" for name in _LEXICON))


def style_features(texts: list[str]) -> np.ndarray:
    """(n, len(STYLE_FEATURES)) float64 features, rates per word or per character."""
    rows = []
    for text in texts:
        words = _WORD.findall(text)
        n_words, n_chars = max(len(words), 1), max(len(text), 1)
        lower = [w.lower() for w in words]
        sentences = max(len(_SENTENCE.findall(text)), 1)
        letters = sum(ch.isalpha() for ch in text) or 1
        rows.append([
            np.log1p(len(words)),
            sum(map(len, words)) / n_words,
            len(words) / sentences,
            len(set(lower[:300])) / max(min(len(lower), 300), 1),  # on the first 300 words: length-neutral
            sum(ch.isupper() for ch in text) / letters,
            sum(1 for w in words if len(w) > 1 and w.isupper()) / n_words,
            text.count("!") / sentences,
            text.count("?") / sentences,
            sum(text.count(q) for q in "\"\u201c\u201d") / n_words,
            sum(ch.isdigit() for ch in text) / n_chars,
            text.count("(") / n_words,
            *(sum(1 for w in lower if w in lexicon) / n_words for lexicon in _LEXICON.values()),
        ])
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(STYLE_FEATURES))
