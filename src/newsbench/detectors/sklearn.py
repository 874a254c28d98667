"""scikit-learn pipelines (e.g. TF-IDF + logistic regression) saved with joblib.

joblib files are pickles: loading one runs whatever code it contains, so it needs an explicit
``allow_pickle=True`` (``--allow-pickle``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newsbench.detectors.base import Detector, DetectorOptions, Progress, describe, fake_column, fingerprint
from newsbench.errors import ModelError
from newsbench.results import ModelInfo

CHUNK = 2000


class SklearnDetector(Detector):
    """A fitted estimator with ``predict_proba`` over raw texts (usually a Pipeline)."""

    backend = "sklearn"

    def __init__(self, model: str, options: DetectorOptions = DetectorOptions()):
        super().__init__()
        path = Path(model).expanduser()
        if path.is_dir():
            path = path / "model.joblib"
        if not path.is_file():
            raise ModelError(f"model not found: {path}")
        if not options.allow_pickle:
            raise ModelError(
                f"{path} is a joblib (pickle) file, and loading a pickle runs any code it contains. "
                "If you trust where it came from (e.g. you trained it with newsbench train), "
                "pass --allow-pickle"
            )
        import joblib

        try:
            self.pipeline = joblib.load(path)
        except Exception as exc:  # unpickling can fail in many ways
            raise ModelError(f"could not load {path}: {describe(exc)}; is it a complete joblib file written by "
                             "newsbench train or joblib.dump?") from exc
        if not hasattr(self.pipeline, "predict_proba"):
            raise ModelError(f"{path}: {type(self.pipeline).__name__} has no predict_proba")
        classes = list(getattr(self.pipeline, "classes_", [0, 1]))
        if len(classes) != 2:
            raise ModelError(f"{path}: the estimator has {len(classes)} classes ({classes}); newsbench needs 2")
        self.fake_index = fake_column(classes)
        self.path, self.file, self.options = str(model), path, options
        if options.threads:
            self.set_threads(options.threads)

    def predict_proba(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        steps = getattr(self.pipeline, "steps", None)
        head, tail = (self.pipeline[:-1], self.pipeline[-1]) if steps and len(steps) > 1 else (None, self.pipeline)
        out, tokenize_s, inference_s = [], 0.0, 0.0
        for begin in range(0, len(texts), CHUNK):
            chunk = list(texts[begin:begin + CHUNK])
            t0 = time.perf_counter()
            features = head.transform(chunk) if head is not None else chunk
            t1 = time.perf_counter()
            out.append(np.asarray(tail.predict_proba(features), dtype=float))
            t2 = time.perf_counter()
            tokenize_s, inference_s = tokenize_s + t1 - t0, inference_s + t2 - t1
            if progress:
                progress(len(chunk))
        self.times.tokenize_s, self.times.inference_s = tokenize_s, inference_s
        probs = np.concatenate(out) if out else np.empty((0, 2))
        return probs[:, [1 - self.fake_index, self.fake_index]]

    def forward(self, batch: list[str]) -> np.ndarray:
        """Class probabilities of the whole pipeline (vectorising included), in its class order."""
        return self.pipeline.predict_proba(batch)

    def set_threads(self, threads: int | None) -> None:
        """Every ``n_jobs`` in the pipeline (random forests use them; a linear model has none)."""
        for name in self.pipeline.get_params(deep=True):
            if name == "n_jobs" or name.endswith("__n_jobs"):
                self.pipeline.set_params(**{name: threads})

    @property
    def parameters(self) -> int | None:
        """Learned numbers in the final estimator: coefficients, or tree nodes for forests."""
        final = self.pipeline[-1] if hasattr(self.pipeline, "steps") else self.pipeline
        if hasattr(final, "coef_"):
            return int(np.size(final.coef_) + np.size(getattr(final, "intercept_", 0)))
        if hasattr(final, "estimators_"):
            return int(sum(t.tree_.node_count for t in final.estimators_))
        return None

    def linear_parts(self, complete: bool = True):
        """A TF-IDF (word analyzer) -> logistic regression pipeline is linear in its TF-IDF terms."""
        from newsbench.explain import LinearText

        steps = getattr(self.pipeline, "steps", None) or []
        if len(steps) != 2 or type(steps[1][1]).__name__ != "LogisticRegression":
            return None
        vec, final = steps[0][1], steps[1][1]
        plain = (type(vec).__name__ == "TfidfVectorizer" and vec.analyzer == "word" and vec.tokenizer is None
                 and vec.preprocessor is None and not vec.stop_words)
        if not plain or final.coef_.shape[0] != 1:
            return None
        sign = 1.0 if self.fake_index == 1 else -1.0
        return [LinearText(vec, sign * final.coef_.ravel().astype(float), sign * float(final.intercept_[0]))]

    def vocabulary(self) -> list[str]:
        """Single words the pipeline's vectorizer knows, for synthetic articles when profiling."""
        steps = getattr(self.pipeline, "steps", None) or []
        vocabulary = getattr(steps[0][1], "vocabulary_", None) if steps else None
        words = sorted(w for w in (vocabulary or {}) if " " not in w)
        return words or "the government said on tuesday that the report was published".split()

    def info(self) -> ModelInfo:
        steps = getattr(self.pipeline, "steps", None)
        names = [type(s).__name__ for _, s in steps] if steps else [type(self.pipeline).__name__]
        return ModelInfo(
            path=self.path,
            backend=self.backend,
            fingerprint=fingerprint(self.file),
            parameters=self.parameters,
            details={"pipeline": " -> ".join(names), "file": str(self.file)},
        )
