"""Validated settings for each command: the single source of defaults and help text.

Every field carries its help text and how the command line gives it (``setting``); the CLI is
built from these fields, so a default or a help line is written once. Errors name the field,
the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from newsbench.detectors.base import PADDING, DetectorOptions
from newsbench.errors import ConfigError
from newsbench.options import LoadOptions
from newsbench.outputs import check_output

PROFILE_BACKENDS = ("torch", "torch-bf16", "onnx", "onnx-int8")
BALANCING = ("sources", "classes", "none")
DATA_HELP = ("Data file, folder, or dataset name (under $NEWSBENCH_DATA_DIR, else one of `newsbench data list`, "
             "fetched on first use): [NAME=]PATH[:real|:fake]. Repeatable. "
             "Files sharing NAME= are pooled; unnamed one-label files (a.csv:real b.csv:fake) are pooled into one "
             "dataset.")


def setting(default=dataclasses.MISSING, help: str = "", *, cli: str = "value", flag: str | None = None,
            factory=None):
    """A config field with its help text and its command-line form.

    Args:
        default: the default value (omit for a required setting).
        help: the help text, shown by ``--help``.
        cli: how the command line gives it: ``value``; ``repeat`` (the option repeated, a list);
            ``comma`` (a comma-separated list); ``ints`` (comma-separated whole numbers); ``none``
            (not on the command line).
        flag: the option's name(s) when not ``--field-name``, e.g. ``--strip-datelines/--keep-datelines``.
        factory: a default factory (for list defaults).
    """
    metadata = {"help": help, "cli": cli, "flag": flag}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def parse_where(items: list[str], flag: str = "--where") -> dict[str, tuple[str, ...]]:
    """``--where COL=VALUE`` items as column -> accepted values (values of one column are alternatives)."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise ConfigError(f"{flag} {item!r}: expected COL=VALUE, e.g. {flag} setting=A")
        out[column.strip()] = (*out.get(column.strip(), ()), value)
    return out


def _close(value: str, known) -> str:
    match = difflib.get_close_matches(value, list(known), n=1)
    return f"; did you mean '{match[0]}'?" if match else ""


@dataclass
class EvalConfig:
    """Settings of ``newsbench evaluate``; each field's help says what it does."""

    model: str = setting(help="Model folder/file, hub id (online only), or fake[:cue,...] for a dry run.")
    data: list[str] = setting(help=DATA_HELP, cli="repeat", factory=list)
    backend: str = setting("auto", "torch, torch-bf16, onnx, onnx-int8 (Hugging Face folders are exported on first "
                                   "use), sklearn, fake, or auto: the fastest sensible one for this CPU.")
    heldout: bool = setting(False, "Also score the held-out test split saved by newsbench train.")
    train_data: list[str] = setting(help="Extra training files for the leakage check (repeatable).", cli="repeat",
                                    factory=list)
    group_by: list[str] | None = setting(None, "Comma-separated columns or a+b crosses; default: source, generator, "
                                               "is_ai, is_ai+label where present.", cli="comma")
    text_cols: tuple[str, ...] | None = setting(None, "Comma-separated text columns, joined with a space.",
                                                cli="comma")
    label_col: str | None = setting(None, "Label column (read as its name says: see README, Data).")
    encoding: str = setting("utf-8", "Encoding of CSV/TSV/JSONL files.")
    strip_datelines: bool | None = setting(None, "Remove leading 'CITY (Reuters) -' datelines. Default: as the "
                                                 "model was trained.", flag="--strip-datelines/--keep-datelines")
    text_template: str | None = setting(None, "Build the text from columns, e.g. '{title} {text}' (default: as the "
                                              "model was trained).")
    strip_artifacts: bool | None = setting(None, "Remove known source artefacts (datelines, bylines, image credits, "
                                                 "URLs, LLM preambles...). Default: as the model was trained.",
                                           flag="--strip-artifacts/--keep-artifacts")
    threshold: float | str = setting("0.5", "Decision threshold on P(fake), or 'validation' for the model's own.")
    max_length: int | None = setting(None, "Truncate articles to this many tokens (default: as fine-tuned, else 512).")
    batch_size: int = setting(32, "Articles per forward pass.")
    padding: str = setting("dynamic", "dynamic (length-sorted batches) or max_length (pad all to --max-length, the "
                                      "study's setup).")
    threads: int | None = setting(None, "Intra-op threads (default: library default).")
    device: str = setting("cpu", "torch device for Hugging Face models.")
    n_bootstrap: int = setting(1000, "Bootstrap resamples for 95% intervals (0 = none).", flag="--bootstrap")
    n_errors: int = setting(5, "Misclassified examples to show, per kind.", flag="--errors")
    explain_budget: float = setting(30.0, "Seconds per dataset for explaining the error examples (which words pushed "
                                          "the score; TF-IDF models take none); 0 = no explanations.")
    seed: int = setting(0, "Seed of every sample and resample.")
    allow_pickle: bool = setting(False, "Allow loading joblib/pickle models (they can run code).")
    trust_remote_code: bool = setting(False, "Allow model code shipped with a Hugging Face checkpoint.")
    keep_leaked: bool = setting(False, "Score rows that also occur in the training data instead of skipping them.")
    max_rows: int | None = setting(None, "Score a seeded random sample of at most N rows per dataset; the rest are "
                                         "listed as skipped.")
    where: list[str] = setting(help="Keep only rows whose column has this value: COL=VALUE (repeatable; values of "
                                    "one column are alternatives). The rest are listed as skipped.", cli="repeat",
                               factory=list)
    fp32_check: int | str = setting("200", "With bf16/int8: rows per dataset scored again in fp32 to measure the "
                                           "accuracy delta (N, 'all', or 0).")

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
        if not self.explain_budget >= 0:
            raise ConfigError(f"explain_budget must be 0 (none) or more seconds, got {self.explain_budget}")
        if self.group_by is not None:
            self.group_by = [g.strip() for g in self.group_by if g.strip()]
        self.text_cols = tuple(self.text_cols) if self.text_cols else None
        self.load_options(None)  # validates the text template
        self.detector_options()  # validates batch size, max length, threads
        self.filters()  # validates --where

    def filters(self) -> dict[str, tuple[str, ...]]:
        """``--where COL=VALUE`` as column -> accepted values."""
        return parse_where(self.where)

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
        return (trained or LoadOptions()).overridden(self.text_cols, self.label_col, self.encoding,
                                                     self.strip_datelines, self.text_template, self.strip_artifacts)


@dataclass
class TrainConfig:
    """Settings of ``newsbench train``; each field's help says what it does."""

    data: list[str] = setting(help=DATA_HELP + " All files are pooled into one training set.", cli="repeat")
    out: Path = setting(help="Model folder to write.")
    recipe: str = setting("tfidf-lr", "tfidf-lr, tfidf-rf (TF-IDF baselines), embed-lr, style-lr, ensemble (heads on "
                                      "frozen MiniLM embeddings, style features and TF-IDF; no pickles), robust (the "
                                      "recipe that held up best on unseen datasets; implies --strip-artifacts and "
                                      "--balance sources), static (MiniLM distilled into static token embeddings + "
                                      "logistic regression; no torch at inference), or finetune (a transformer).")
    base: str = setting("minilm-l6", "finetune: minilm-l6 (pretrained, offline), random:ARCH, a local folder or a "
                                     "hub id.")
    strip_datelines: bool = setting(False, "Remove leading 'CITY (Reuters) -' datelines (the ISOT shortcut).")
    strip_artifacts: bool = setting(False, "Remove known source artefacts (datelines, bylines, agency names, image "
                                           "credits, URLs, handles, boilerplate, LLM preambles and Title: lines).")
    text_cols: tuple[str, ...] | None = setting(None, "Comma-separated text columns.", cli="comma")
    text_template: str | None = setting(None, "Build the text from columns, e.g. '{title} {text}'.")
    label_col: str | None = setting(None, "Label column (read as its name says: see README, Data).")
    encoding: str = setting("utf-8", "Encoding of CSV/TSV/JSONL files.")
    val_size: float = setting(0.1, "Validation fraction (early stopping, threshold).")
    test_size: float = setting(0.1, "Held-out test fraction (evaluate --heldout).")
    group_col: str | None = setting(None, "Keep rows sharing this column's value in one split, e.g. news_id; "
                                          "article: rows linked into one article (shared seed ids, same or "
                                          "near-duplicate text), as crossval links them; none: each row alone. "
                                          "Default: article for robust, else none.")
    balance: str | None = setting(None, "Training weights: sources (each --data file, and each class within it, "
                                          "weighs the same), classes, or none. Default: sources for robust, else none.")
    max_per_source: int | None = setting(None, "Seeded sample of at most N rows per --data file, so no source "
                                               "dominates (0 or unset = all).")
    seed: int = setting(0, "Seed of the split, the model and the batch order.")
    threads: int | None = setting(None, "Intra-op threads (default: library default).")
    epochs: int = setting(1, "finetune: passes over the training split.")
    batch_size: int = setting(16, "finetune: articles per micro-batch.")
    grad_accum: int = setting(1, "finetune: micro-batches per optimizer step.")
    lr: float = setting(5e-5, "finetune: peak AdamW learning rate.")
    weight_decay: float = setting(0.01, "finetune: AdamW weight decay (not on biases and norms).")
    warmup_ratio: float = setting(0.1, "finetune: share of steps spent warming up.")
    max_grad_norm: float = setting(1.0, "finetune: gradient clipping norm.", cli="none")
    max_length: int = setting(256, "finetune: truncate articles to this many tokens.")
    eval_every: int | None = setting(100, "finetune: validate every N optimizer steps (0 = once per epoch).")
    patience: int = setting(3, "finetune: stop after N validations without improvement (0 = never).")
    max_minutes: float | None = setting(20.0, "finetune: training-time budget in minutes; best weights are kept "
                                              "(0 = none).")
    resume: bool = setting(False, "finetune: continue from OUT/checkpoint.pt after an interruption.")

    def __post_init__(self):
        from newsbench.training.recipes import DEFAULT_BALANCE, DEFAULT_GROUP, RECIPES, STRIPS_ARTIFACTS

        self.balance = self.balance or DEFAULT_BALANCE.get(self.recipe, "none")
        # none: no grouping, even for robust (a reserved name, like article)
        self.group_col = None if self.group_col == "none" else self.group_col or DEFAULT_GROUP.get(self.recipe)
        self.strip_artifacts = self.strip_artifacts or self.recipe in STRIPS_ARTIFACTS
        self.max_per_source = self.max_per_source or None
        if self.max_per_source is not None and self.max_per_source < 20:
            raise ConfigError(f"max_per_source must be 0 (all) or at least 20, got {self.max_per_source}")
        if self.balance not in BALANCING:
            raise ConfigError(f"balance must be one of {', '.join(BALANCING)}, got {self.balance!r}")
        if self.resume and self.recipe != "finetune":
            raise ConfigError(f"--resume continues an interrupted finetune; {self.recipe} trains in one go (rerun it)")
        if self.balance != "none" and self.recipe == "finetune":
            raise ConfigError("--balance applies to the TF-IDF and heads recipes; finetune trains unweighted")
        if self.recipe not in RECIPES:
            raise ConfigError(f"unknown recipe '{self.recipe}'; known: {', '.join(RECIPES)}"
                              + _close(self.recipe, RECIPES))
        if not self.data:
            raise ConfigError("no training data: give --data FILE (repeatable)")
        for name in ("val_size", "test_size"):
            value = getattr(self, name)
            if not 0 < value < 0.5:
                raise ConfigError(f"{name} must be in (0, 0.5), got {value}")
        if self.val_size + self.test_size >= 0.8:
            raise ConfigError("val_size + test_size leave too little to train on (must be < 0.8)")
        self.eval_every = self.eval_every or None  # 0 = once per epoch
        positive = {"epochs": self.epochs, "batch_size": self.batch_size, "grad_accum": self.grad_accum,
                    "max_length": self.max_length, "threads": self.threads or 1, "eval_every": self.eval_every or 1}
        for name, value in positive.items():
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        if not 0 < self.lr < 1:
            raise ConfigError(f"lr must be in (0, 1), got {self.lr}")
        if not 0 <= self.warmup_ratio < 1:
            raise ConfigError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.max_minutes is not None and not 0 <= self.max_minutes < float("inf"):
            raise ConfigError(f"max_minutes must be 0 (no budget) or a number of minutes, got {self.max_minutes}")
        self.max_minutes = self.max_minutes or None
        if not 0 <= self.weight_decay < float("inf"):
            raise ConfigError(f"weight_decay must be 0 or more, got {self.weight_decay}")
        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be in 0..{2**32 - 1}, got {self.seed}")
        if self.patience < 0:
            raise ConfigError(f"patience must be 0 (off) or more, got {self.patience}")
        self.out = check_output(self.out, "model")
        self.text_cols = tuple(self.text_cols) if self.text_cols else None
        self.load_options()  # validates the text template

    def load_options(self) -> LoadOptions:
        return LoadOptions(self.text_cols, self.label_col, self.encoding, self.strip_datelines, self.text_template,
                           self.strip_artifacts)


def _cores() -> list[int]:
    from newsbench.environment import cores

    return [cores()]


@dataclass
class ProfileConfig:
    """Settings of ``newsbench profile``; each field's help says what it does."""

    model: str | None = setting(None, "A Hugging Face model folder, an ONNX export, or a scikit-learn pipeline "
                                      "(with --allow-pickle).")
    arch: str | None = setting(None, "A preset architecture with random weights (exact for cost): mobilebert, "
                                     "distilbert, tinybert-4l, albert-base, minilm-l6, bert-base.")
    backends: list[str] | None = setting(None, "Comma-separated: torch, torch-bf16, onnx, onnx-int8 (default: all "
                                               "that make sense on this CPU; a model file runs on its own).",
                                         cli="comma", flag="--backend")
    threads: list[int] = setting(help="Comma-separated thread budgets, e.g. 1,2,4 (phone big cores); default: all "
                                      "cores.", cli="ints", factory=_cores)
    batch_sizes: list[int] = setting(help="Comma-separated batch sizes for the latency sweep.", cli="ints",
                                     factory=lambda: [1, 2, 4, 8, 16, 32])
    lengths: list[int] = setting(help="Comma-separated sequence lengths for the latency sweep.", cli="ints",
                                 factory=lambda: [128, 512])
    texts: str | None = setting(None, "Data file or dataset name for single-stream latency on real news (one "
                                      "article at a time).")
    queries: int = setting(300, "Single-stream queries (articles), after 10 untimed.")
    memory_lengths: list[int] = setting(help="Comma-separated lengths for the peak-memory sweep (fresh process "
                                             "each).", cli="ints", factory=lambda: [64, 128, 256, 512])
    memory_batches: list[int] = setting(help="Comma-separated batch sizes of the peak-memory sweep.", cli="ints",
                                        factory=lambda: [1, 8])
    load_runs: int = setting(3, "Fresh-process loads for the load cost (median).")
    warmup: int = setting(2, "Untimed forward passes before each latency point.", cli="none")
    min_repeats: int = setting(5, "Timed repeats per latency point, at least.", cli="none")
    max_repeats: int = setting(50, "Timed repeats per latency point, at most.", cli="none")
    seconds_per_point: float = setting(2.0, "Time budget for repeats per latency point (at least 5 repeats).")
    max_length: int | None = setting(None, "Single-stream: truncate articles to this many tokens (default: as the "
                                           "model was fine-tuned, from its model.json; else its position limit).")
    roofline_seconds: float = setting(0.5, "Seconds per point of the fp32/int8 matrix-multiply roofline (ONNX "
                                           "Runtime, every thread budget); 0 = skip.")
    seed: int = setting(0, "Seed of the synthetic inputs and the article sample.", cli="none")
    allow_pickle: bool = setting(False, "Allow loading a joblib/pickle pipeline (it can run code).")
    trust_remote_code: bool = setting(False, "Allow model code shipped with a Hugging Face checkpoint.")

    def __post_init__(self):
        from newsbench.detectors import fixed_backend
        from newsbench.environment import has_bf16
        from newsbench.training.presets import PRESETS

        if (self.model is None) == (self.arch is None):
            raise ConfigError("profile needs exactly one of --model PATH or --arch NAME")
        if self.arch is not None and self.arch not in PRESETS:
            raise ConfigError(f"unknown --arch '{self.arch}'; known: {', '.join(PRESETS)}" + _close(self.arch, PRESETS))
        for name in ("threads", "batch_sizes", "lengths", "memory_lengths", "memory_batches"):
            values = getattr(self, name)
            if not values or min(values) < 1:
                raise ConfigError(f"{name} must be positive integers, got {values}")
            setattr(self, name, list(dict.fromkeys(values)))  # each point measured once (the first thread
            # count also times the load cost)
        if self.load_runs < 1:
            raise ConfigError(f"load_runs must be at least 1 (fresh-process loads), got {self.load_runs}")
        if not 0 < self.seconds_per_point <= 600:
            raise ConfigError(f"seconds_per_point must be in (0, 600], got {self.seconds_per_point}")
        if self.max_length is not None and self.max_length < 8:
            raise ConfigError(f"max_length must be at least 8 tokens, got {self.max_length}")
        if self.min_repeats < 3 or self.max_repeats < self.min_repeats:
            raise ConfigError("need 3 <= min_repeats <= max_repeats for percentiles")
        if not 0 <= self.roofline_seconds <= 60:
            raise ConfigError(f"roofline_seconds must be in [0, 60], got {self.roofline_seconds}")
        own = fixed_backend(self.model) if self.model else None
        if own and self.backends not in (None, [own]):
            raise ConfigError(f"{self.model} runs only as {own}; pass a Hugging Face folder to compare backends")
        if own == "sklearn" and not self.allow_pickle:
            raise ConfigError(f"{self.model} is a joblib (pickle) file, and loading one runs any code it contains; "
                              "if you trust it, pass --allow-pickle")
        if self.backends is None:
            onnx = importlib.util.find_spec("onnxruntime") is not None
            self.backends = [own] if own else [
                "torch", *(["torch-bf16"] if has_bf16() else []), *(["onnx", "onnx-int8"] if onnx else [])]
        unknown = [b for b in self.backends if b not in PROFILE_BACKENDS and b != own]
        if unknown or not self.backends:
            raise ConfigError(f"unknown backend(s) {unknown}; profile measures {', '.join(PROFILE_BACKENDS)}")
        if self.queries < 20:
            raise ConfigError(f"queries must be at least 20 for percentiles, got {self.queries}")
