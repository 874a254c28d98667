"""Validated settings for each command; errors name the field, the value and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsbench.detectors.base import PADDING, DetectorOptions
from newsbench.errors import ConfigError
from newsbench.options import LoadOptions
from newsbench.outputs import check_output


@dataclass
class EvalConfig:
    """Settings of ``newsbench evaluate``.

    Attributes:
        model: model folder/file, hub id, or ``fake[:cues]``.
        data: data specs ``[NAME=]PATH[:real|:fake]`` (see ``DataSpec.parse``).
        heldout: also score the held-out test split recorded by ``newsbench train``.
        train_data: files to check for leakage besides the model's own training data.
        group_by: metadata columns (or ``a+b`` crosses) to break metrics down by; None = auto.
        strip_datelines: None = as the model was trained (model.json), else force on/off.
        text_template: build texts from columns, e.g. ``"{title} [SEP] {text}"``; None = the
            model's own template (model.json) unless ``text_cols`` is given.
        threshold: a probability in (0, 1), or ``"validation"`` for the model's own
            validation-chosen threshold.
        max_length: truncation in tokens; None = as the model was fine-tuned, else 512.
        n_bootstrap: bootstrap resamples for confidence intervals (0 = none).
        keep_leaked: score rows that also occur in the training data instead of skipping them.
        max_rows: score a seeded random sample of at most this many rows per dataset (None = all);
            the rest are listed as skipped (``not_sampled``).
        backend: ``torch``, ``torch-bf16``, ``onnx``, ``onnx-int8``, ``sklearn``, ``fake``, or
            ``auto`` (the fastest sensible one for this CPU).
        fp32_check: with a reduced-precision backend, rows per dataset scored again in fp32 to
            measure the accuracy delta: a number (seeded sample), ``"all"``, or 0 for none.
    """

    model: str
    data: list[str] = field(default_factory=list)
    backend: str = "auto"
    heldout: bool = False
    train_data: list[str] = field(default_factory=list)
    group_by: list[str] | None = None
    text_cols: tuple[str, ...] | None = None
    label_col: str | None = None
    encoding: str = "utf-8"
    strip_datelines: bool | None = None
    text_template: str | None = None
    threshold: float | str = 0.5
    max_length: int | None = None
    batch_size: int = 32
    padding: str = "dynamic"
    threads: int | None = None
    device: str = "cpu"
    n_bootstrap: int = 1000
    n_errors: int = 5
    seed: int = 0
    allow_pickle: bool = False
    trust_remote_code: bool = False
    keep_leaked: bool = False
    max_rows: int | None = None
    fp32_check: int | str = 200

    def __post_init__(self):
        if str(self.fp32_check).lower() == "all":
            self.fp32_check = "all"
        else:
            try:
                self.fp32_check = int(self.fp32_check)
            except ValueError:
                raise ConfigError(f"fp32_check must be a row count, 'all' or 0, got {self.fp32_check!r}") from None
            if self.fp32_check < 0 or 0 < self.fp32_check < 20:
                raise ConfigError(f"fp32_check must be 0 (off), at least 20 rows, or 'all'; got {self.fp32_check}")
        if self.max_rows is not None and self.max_rows < 10:
            raise ConfigError(f"max_rows must be at least 10, got {self.max_rows}")
        if not self.data and not self.heldout:
            raise ConfigError("nothing to evaluate: give --data FILE (repeatable) and/or --heldout")
        if isinstance(self.threshold, str):
            if self.threshold.lower() in ("validation", "val"):
                self.threshold = "validation"
            else:
                try:
                    self.threshold = float(self.threshold)
                except ValueError:
                    raise ConfigError(
                        f"threshold must be a probability in (0, 1) or 'validation', got {self.threshold!r}"
                    ) from None
        if not isinstance(self.threshold, str) and not 0 < self.threshold < 1:
            raise ConfigError(f"threshold must be in (0, 1), got {self.threshold}")
        if self.padding not in PADDING:
            raise ConfigError(f"padding must be one of {PADDING}, got {self.padding!r}")
        if self.n_bootstrap != 0 and self.n_bootstrap < 100:
            raise ConfigError(f"n_bootstrap must be 0 (no intervals) or at least 100, got {self.n_bootstrap}")
        if self.n_errors < 0:
            raise ConfigError(f"n_errors must be 0 or more, got {self.n_errors}")
        if self.group_by is not None:
            self.group_by = [g.strip() for g in self.group_by if g.strip()]
        self.text_cols = tuple(self.text_cols) if self.text_cols else None
        self.load_options(None)  # validates the text template
        self.detector_options()  # validates batch size, max length, threads

    def detector_options(self, trained_max_length: int | None = None) -> DetectorOptions:
        """Backend options; max_length defaults to the one the model was fine-tuned with."""
        max_length = self.max_length or trained_max_length or 512
        return DetectorOptions(
            max_length=max_length, batch_size=self.batch_size, padding=self.padding,
            threads=self.threads, device=self.device, allow_pickle=self.allow_pickle,
            trust_remote_code=self.trust_remote_code,
        )

    def load_options(self, trained: LoadOptions | None) -> LoadOptions:
        """How to read the evaluation files: texts are built as the model's training texts were
        (dateline stripping and text template from model.json) unless set here."""
        trained = trained or LoadOptions()
        strip = trained.strip_datelines if self.strip_datelines is None else self.strip_datelines
        template = self.text_template or (None if self.text_cols else trained.text_template)
        return LoadOptions(self.text_cols, self.label_col, self.encoding, strip, template)


@dataclass
class TrainConfig:
    """Settings of ``newsbench train``.

    Attributes:
        recipe: ``tfidf-lr``, ``tfidf-rf`` or ``finetune``.
        data: training data specs; all files are pooled into one dataset.
        out: output model folder.
        val_size, test_size: fractions of the deduplicated rows held out (stratified, seeded).
        group_col: keep rows sharing this column's value in one split (e.g. ``news_id``).
        base: for ``finetune``: ``minilm-l6``, ``random:ARCH``, a local folder or a hub id.
        eval_every: validate every N optimizer steps; None = once per epoch.
        patience: stop after this many validations without a better macro F1 (0 = never).
        max_minutes: training-time budget; the best weights so far are kept (None = no limit).
        resume: continue from ``out/checkpoint.pt`` left by an interrupted run.
    """

    recipe: str
    data: list[str]
    out: Path
    strip_datelines: bool = False
    text_cols: tuple[str, ...] | None = None
    text_template: str | None = None
    label_col: str | None = None
    encoding: str = "utf-8"
    val_size: float = 0.1
    test_size: float = 0.1
    group_col: str | None = None
    seed: int = 0
    threads: int | None = None
    base: str = "minilm-l6"
    epochs: int = 1
    batch_size: int = 16
    lr: float = 5e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    grad_accum: int = 1
    max_length: int = 256
    eval_every: int | None = 100
    patience: int = 3
    max_minutes: float | None = 20.0
    resume: bool = False

    def __post_init__(self):
        from newsbench.training.recipes import RECIPES

        if self.recipe not in RECIPES:
            import difflib

            close = difflib.get_close_matches(self.recipe, RECIPES, n=1)
            raise ConfigError(
                f"unknown recipe '{self.recipe}'; known: {', '.join(RECIPES)}"
                + (f"; did you mean '{close[0]}'?" if close else "")
            )
        if not self.data:
            raise ConfigError("no training data: give --data FILE (repeatable)")
        for name in ("val_size", "test_size"):
            value = getattr(self, name)
            if not 0 < value < 0.5:
                raise ConfigError(f"{name} must be in (0, 0.5), got {value}")
        if self.val_size + self.test_size >= 0.8:
            raise ConfigError("val_size + test_size leave too little to train on (must be < 0.8)")
        positive = {"epochs": self.epochs, "batch_size": self.batch_size, "grad_accum": self.grad_accum,
                    "max_length": self.max_length, "threads": self.threads or 1, "eval_every": self.eval_every or 1}
        for name, value in positive.items():
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        if not 0 < self.lr < 1:
            raise ConfigError(f"lr must be in (0, 1), got {self.lr}")
        if not 0 <= self.warmup_ratio < 1:
            raise ConfigError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.max_minutes is not None and self.max_minutes <= 0:
            self.max_minutes = None
        if self.patience < 0:
            raise ConfigError(f"patience must be 0 (off) or more, got {self.patience}")
        self.out = check_output(self.out, "model")
        self.text_cols = tuple(self.text_cols) if self.text_cols else None
        self.load_options()  # validates the text template

    def load_options(self) -> LoadOptions:
        return LoadOptions(self.text_cols, self.label_col, self.encoding, self.strip_datelines, self.text_template)
