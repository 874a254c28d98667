"""A detector loaded once with its model card, scoring articles exactly as ``evaluate`` would.

``serve`` and ``predict`` score through a ``Scorer``: the texts are built from an article's
fields by ``data.compose_texts`` with the preprocessing recorded in ``model.json`` (datelines and
artefacts stripped, text template), the token limit is the one the model was trained with, and
the threshold is the validation threshold of ``model.json`` (0.5 for a model without one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from newsbench.data import blank, compose_texts
from newsbench.detectors import load_detector
from newsbench.detectors.base import Detector, DetectorOptions
from newsbench.errors import DataError, ModelError
from newsbench.evaluation import load_model_card
from newsbench.explain import explain
from newsbench.options import LoadOptions, template_fields
from newsbench.results import Explanation, ModelCard, ModelInfo

BODY = ("text", "content")  # either name gives an article's body


class Scorer:
    """A detector and its card. ``texts(articles)`` builds what it reads, ``score(texts)`` P(fake).

    Args:
        model: model folder, file or ``fake[:cues]``, as ``evaluate --model`` takes it.
        backend: a backend name or ``auto``.
        options: backend options (their ``max_length`` is ignored: see ``max_length``).
        max_length: tokens per article; default the one the model was trained with, else 512.
    """

    def __init__(self, model: str, backend: str = "auto", options: DetectorOptions | None = None,
                 max_length: int | None = None):
        card, folder = load_model_card(model)
        self.model, self.card, self.folder = str(model), card, folder
        self.preprocessing: LoadOptions = card.preprocessing if card else LoadOptions()
        self.threshold = card.threshold if card else 0.5
        limit = max_length or (card.max_length if card else None) or DetectorOptions.max_length
        options = replace(options or DetectorOptions(), max_length=limit)
        self.detector: Detector = load_detector(model, backend, options)
        self.info: ModelInfo = self.detector.info()

    @property
    def fields(self) -> tuple[str, ...]:
        """The article fields the model reads, in the order its texts were built."""
        if self.preprocessing.text_template:
            return template_fields(self.preprocessing.text_template)
        return tuple(self.preprocessing.text_cols or ("title", "text"))

    def texts(self, articles: Sequence[Mapping[str, str]]) -> list[str]:
        """Each article (a mapping of field -> text; ``text`` and ``content`` both name the body)
        as the text the detector reads. Raises DataError naming a field the model needs and an
        article lacks."""
        parts: dict[str, list[str]] = {}
        for name in self.fields:
            column = []
            for i, article in enumerate(articles):
                value = article.get(name)
                if value is None and name.lower() in BODY:
                    value = next((article[b] for b in BODY if article.get(b) is not None), None)
                if value is None and name != "title":
                    raise DataError(f"article {i} has no '{name}': this model reads {', '.join(self.fields)}")
                column.append(value or "")
            parts[name] = column
        return compose_texts(parts, self.preprocessing)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """P(fake) per text, shape (n,)."""
        texts = list(texts)
        prob = self.detector.predict_proba(texts)[:, 1] if texts else np.zeros(0)
        bad = np.flatnonzero(~np.isfinite(prob))
        if len(bad):  # NaN >= threshold is False: never call an article real on a score that is not one
            raise ModelError(f"{self.model}: gave no finite P(fake) for {len(bad)} of {len(texts)} articles (the "
                             f"first: article {bad[0]} of the batch); copy the model folder again, or train it again")
        return prob

    def read_chars(self, texts: Sequence[str]) -> list[int]:
        """How many leading characters of each text the detector reads (its token limit)."""
        return self.detector.read_chars(list(texts))

    def describe(self) -> dict:
        """What ``/v1/model`` and the page say about the model: name, backend, size, card."""
        card: ModelCard | None = self.card
        path = Path(self.model)
        files = [p for p in (path.rglob("*") if path.is_dir() else [path]) if p.is_file()] if path.exists() else []
        return {
            "name": path.name or self.model,
            "path": self.model,
            "backend": self.info.backend,
            "backend_choice": self.detector.choice,
            "parameters": self.info.parameters,
            "size_mb": round(sum(p.stat().st_size for p in files) / 2**20, 3),
            "fingerprint": self.info.fingerprint,
            "threshold": self.threshold,
            "threshold_source": "model.json (validation)" if card else "default (no model.json)",
            "reads": list(self.fields),
            "preprocessing": {"strip_datelines": self.preprocessing.strip_datelines,
                              "strip_artifacts": self.preprocessing.strip_artifacts,
                              "text_template": self.preprocessing.text_template},
            "max_length": getattr(self.detector, "max_length", None),
            "recipe": card.recipe if card else None,
            "trained_on": {"dataset": card.dataset, "files": [f.path for f in card.data],
                           "articles": card.split.sizes.get("train")} if card else None,
            "validation": _headline(card.validation) if card else None,
            "test": _headline(card.test) if card else None,
        }


def explain_articles(model: str, texts: Sequence[str], backend: str = "auto", budget_s: float = 60.0,
                     max_evals: int = 64, allow_pickle: bool = False,
                     trust_remote_code: bool = False) -> tuple[list[str], list[Explanation | None], Detector]:
    """Explain articles as ``newsbench evaluate`` would score them: the model's own preprocessing
    (dateline and artefact stripping from model.json) and token limit. Returns the texts as the
    detector saw them, their explanations and the detector."""
    scorer = Scorer(model, backend, DetectorOptions(allow_pickle=allow_pickle, trust_remote_code=trust_remote_code))
    seen = scorer.texts([{"text": t} for t in texts])
    for i, (text, read) in enumerate(zip(texts, seen)):
        if blank(read):  # evaluate skips such a row, serve refuses it: no score to explain
            raise DataError(f"article {i + 1} has no text to score" + ("" if blank(text) else
                            " once the model's preprocessing removes datelines and artefacts"))
    return seen, explain(scorer.detector, seen, budget_s, max_evals), scorer.detector


def _headline(metrics) -> dict:
    return {name: getattr(metrics, name).value for name in ("accuracy", "f1_macro", "roc_auc", "fpr", "fnr")}
