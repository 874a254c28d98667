"""Linear heads on fixed views of an article, saved without pickles.

A view turns texts into features: ``tfidf`` (word 1-2 grams), ``tfidf-canonical`` (the same on
canonical spelling, binary, see ``canonical``), ``embed`` (frozen MiniLM sentence embeddings),
``static`` (static token embeddings distilled from MiniLM, ``newsbench.static``), ``style``
(style and affect features). A head is a logistic regression on one view; a ``HeadModel``
averages its heads' log-odds. Everything is stored as JSON and ``.npz`` arrays (and the encoder
as a Hugging Face or model2vec folder), so loading a model runs no code from the model folder: no
``--allow-pickle`` needed.

Files: ``heads.json`` (views, file names, how heads combine), ``head-N.npz`` (coefficients and
view state), ``head-N.vocabulary.json`` (TF-IDF terms), ``encoder/`` (the sentence encoder),
``static/`` (the static embedding table).
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newsbench.errors import DataError, ModelError

VIEWS = ("tfidf", "tfidf-canonical", "embed", "static", "style")
TFIDF = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.95, "sublinear_tf": True, "lowercase": True}
# logistic regression inverse regularisation per view
C = {"tfidf": 4.0, "tfidf-canonical": 16.0, "embed": 1.0, "static": 10.0, "style": 1.0}
COMBINE = "mean log-odds"  # how heads.json says the heads are combined (the only way)
_QUOTES = re.compile("[\u2018\u2019\u201a\u201b\u2032\u00b4'`]")
_DIGIT = re.compile(r"\d")


def canonical(text: str) -> str:
    """One spelling for what sources write differently: Unicode NFKC, lower case, no apostrophes or
    single quotes (don't, don\u2019t and dont are one word), every digit 0 (numbers date a source)."""
    return _DIGIT.sub("0", _QUOTES.sub("", unicodedata.normalize("NFKC", text).lower()))


# Words may hold apostrophes, so a word of the original text maps to one canonical term (what
# explanations need); on canonical text this is scikit-learn's default pattern (2+ word characters).
CANONICAL_TFIDF = {**TFIDF, "binary": True, "preprocessor": canonical,
                   "token_pattern": "(?u)\\b\\w[\\w\u2018\u2019\u201a\u201b\u2032\u00b4'`]*\\w\\b"}
VECTORIZERS = {"tfidf": TFIDF, "tfidf-canonical": CANONICAL_TFIDF}
ENCODER_TOKENS = 128  # all-MiniLM-L6-v2 was trained on 128-token inputs


@dataclass
class LinearHead:
    """Logistic regression on one view; ``state`` holds what the view needs (idf, scaler, ...)."""

    view: str
    coef: np.ndarray
    intercept: float
    state: dict = field(default_factory=dict)
    vectorizer: object = None  # tfidf: the fitted TfidfVectorizer
    encoder: object = None  # embed: the SentenceEncoder; static: the StaticEncoder

    def features(self, texts: list[str]):
        if self.view in VECTORIZERS:
            return self.vectorizer.transform(texts)
        if self.view in ("embed", "static"):
            return self.encoder.encode(texts)
        from newsbench.training.style import style_features

        return (style_features(texts) - self.state["mean"]) / self.state["scale"]

    def log_odds(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.features(texts) @ self.coef).ravel() + self.intercept


@dataclass
class HeadModel:
    """Heads whose log-odds are averaged: P(fake) = sigmoid(mean of the heads' log-odds)."""

    heads: list[LinearHead]

    def score(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros(0)
        return 1 / (1 + np.exp(-np.mean([h.log_odds(texts) for h in self.heads], axis=0)))

    @property
    def parameters(self) -> int:
        return int(sum(h.coef.size + 1 for h in self.heads))

    def save(self, folder: Path, encoder_path: Path | None = None) -> None:
        folder = Path(folder)
        entries = []
        for i, head in enumerate(self.heads):
            arrays = {"coef": head.coef, "intercept": np.array([head.intercept])}
            entry = {"view": head.view, "file": f"head-{i}.npz"}
            if head.view in VECTORIZERS:
                terms = sorted(head.vectorizer.vocabulary_, key=head.vectorizer.vocabulary_.get)
                (folder / f"head-{i}.vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False))
                arrays["idf"] = head.vectorizer.idf_
                entry["vocabulary"] = f"head-{i}.vocabulary.json"
            elif head.view == "style":
                arrays.update(mean=head.state["mean"], scale=head.state["scale"])
            elif head.view == "static":
                entry["encoder"], entry["prefixes"] = "static", list(head.encoder.prefixes)
                if not (folder / "static").exists():
                    head.encoder.save(folder / "static")
            elif head.view == "embed":
                entry["encoder"], entry["max_length"] = "encoder", head.encoder.max_length
                if encoder_path is not None and not (folder / "encoder").exists():
                    shutil.copytree(encoder_path, folder / "encoder",
                                    ignore=shutil.ignore_patterns(".git*", "*.onnx", "onnx", "openvino", "*.h5"))
            np.savez(folder / entry["file"], **arrays)
            entries.append(entry)
        (folder / "heads.json").write_text(json.dumps({"combine": COMBINE, "heads": entries}, indent=2))

    @classmethod
    def load(cls, folder: Path, threads: int | None = None) -> HeadModel:
        """Read a folder ``save`` wrote, checking every array against what its head needs (a damaged
        or edited folder is a ``ModelError`` naming the file, never NaN scores or a traceback later)."""
        folder = Path(folder)
        where = folder / "heads.json"
        try:
            spec = json.loads(where.read_text())
        except (OSError, ValueError) as exc:
            raise ModelError(f"{where}: not a readable heads model written by newsbench train ({exc})") from exc
        entries = spec.get("heads") if isinstance(spec, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ModelError(f"{where}: lists no heads (expected {{\"heads\": [{{\"view\": ..., \"file\": ...}}]}})")
        if spec.get("combine", COMBINE) != COMBINE:
            raise ModelError(f"{where}: combine {spec['combine']!r} is not one newsbench knows ({COMBINE!r})")
        heads = []
        for i, entry in enumerate(entries):
            try:
                heads.append(_load_head(folder, entry, threads))
            except ModelError:
                raise
            except Exception as exc:  # noqa: BLE001 - numpy, zipfile, json and sklearn fail in many ways
                name = entry.get("file") if isinstance(entry, dict) else None
                raise ModelError(f"{where}: head {i}{f' ({name})' if isinstance(name, str) else ''} is damaged: "
                                 f"{exc}. Copy the model folder again, or train it again") from exc
        files = [entry["file"] for entry in entries]
        twice = sorted({f for f in files if files.count(f) > 1})
        if twice:
            raise ModelError(f"{where}: a head is listed twice ({', '.join(twice)})")
        return cls(heads)


def _vector(arrays: dict, key: str, size: int | None = None) -> np.ndarray:
    """``arrays[key]`` as a finite 1-D float array (of ``size`` values)."""
    if key not in arrays:
        raise ValueError(f"no array '{key}'")
    value = arrays[key]
    if value.ndim != 1 or value.dtype.kind not in "fiu":
        raise ValueError(f"'{key}' is a {value.dtype} array of shape {value.shape}, expected a 1-D array of numbers")
    if size is not None and len(value) != size:
        raise ValueError(f"'{key}' has {len(value)} values, expected {size}")
    if not np.isfinite(value).all():
        raise ValueError(f"'{key}' holds NaN or infinite values")
    return value.astype(np.float64)


def _load_head(folder: Path, entry: dict, threads: int | None) -> LinearHead:
    if not isinstance(entry, dict) or not isinstance(entry.get("view"), str) or not isinstance(entry.get("file"), str):
        raise ValueError(f"expected {{\"view\": ..., \"file\": ...}}, found {entry!r:.80}")
    view = entry["view"]
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (known: {', '.join(VIEWS)})")
    with np.load(folder / Path(entry["file"]).name, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    head = LinearHead(view, np.zeros(0), float(_vector(arrays, "intercept", 1)[0]))
    if view in VECTORIZERS:
        from sklearn.feature_extraction.text import TfidfVectorizer

        terms = json.loads((folder / Path(entry["vocabulary"]).name).read_text())
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms) or len(set(terms)) < len(terms):
            raise ValueError(f"{entry['vocabulary']} is not a list of distinct terms")
        head.vectorizer = TfidfVectorizer(vocabulary=terms, dtype=np.float32, **VECTORIZERS[view])
        head.vectorizer.idf_ = _vector(arrays, "idf", len(terms))
        if (head.vectorizer.idf_ < 1).any():  # smoothed idf is at least 1
            raise ValueError("'idf' holds values below 1")
        size = len(terms)
    elif view == "style":
        from newsbench.training.style import STYLE_FEATURES

        size = len(STYLE_FEATURES)
        head.state = {"mean": _vector(arrays, "mean", size), "scale": _vector(arrays, "scale", size)}
        if (head.state["scale"] <= 0).any():
            raise ValueError("'scale' holds values that are not positive")
    elif view == "static":
        from newsbench.static import MAX_TOKENS, StaticEncoder, check_prefixes

        # Folders from before prefixes were pooled hold one length: the mean of that many tokens.
        prefixes = check_prefixes(entry.get("prefixes", [entry.get("max_length", MAX_TOKENS)]))
        head.encoder = StaticEncoder.load(folder / "static", prefixes)
        size = len(prefixes) * head.encoder.model.dim
    else:
        from newsbench.training.embeddings import SentenceEncoder

        tokens = entry.get("max_length", ENCODER_TOKENS)
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1:
            raise ValueError(f"max_length {tokens!r} is not a positive number of tokens")
        if not (folder / "encoder").is_dir():
            raise ValueError(f"its encoder folder {folder / 'encoder'} is missing")
        # No cache: a deployed detector (and its profile) pays for every article it scores.
        head.encoder = SentenceEncoder(folder / "encoder", tokens, threads=threads, cache=False)
        size = head.encoder.dim
    head.coef = _vector(arrays, "coef", size)
    return head


def fit_head(view: str, texts: list[str], labels: np.ndarray, weights: np.ndarray | None = None, seed: int = 0,
             encoder=None) -> LinearHead:
    """Fit a logistic regression on one view of ``texts``."""
    from sklearn.linear_model import LogisticRegression

    head = LinearHead(view, np.zeros(0), 0.0)
    if view in VECTORIZERS:
        from sklearn.feature_extraction.text import TfidfVectorizer

        head.vectorizer = TfidfVectorizer(dtype=np.float32, **VECTORIZERS[view])
        try:
            x = head.vectorizer.fit_transform(texts)
        except ValueError as exc:  # no word in two articles: min_df=2 leaves no terms
            raise DataError(f"the {view} view could not be fitted on {len(texts):,} training articles: {exc}. "
                            "TF-IDF keeps words that occur in at least 2 articles; check that the text columns "
                            "(or --text-template) hold the article text") from exc
    elif view in ("embed", "static"):
        head.encoder = encoder
        x = encoder.encode(texts)
    else:
        from newsbench.training.style import style_features

        raw = style_features(texts)
        head.state = {"mean": raw.mean(axis=0), "scale": np.where(raw.std(axis=0) > 0, raw.std(axis=0), 1.0)}
        x = (raw - head.state["mean"]) / head.state["scale"]
    model = LogisticRegression(C=C[view], max_iter=2000, random_state=seed).fit(x, labels, sample_weight=weights)
    sign = 1.0 if list(model.classes_) == [0, 1] else -1.0
    head.coef, head.intercept = sign * model.coef_.ravel().astype(np.float64), sign * float(model.intercept_[0])
    return head
