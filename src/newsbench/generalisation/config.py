"""Settings of ``newsbench crossval`` and ``newsbench audit`` (see ``newsbench.config`` for how
a setting declares its help text and command-line form)."""

from __future__ import annotations

from dataclasses import dataclass

from newsbench.config import BALANCING, DATA_HELP, _close, parse_where, setting
from newsbench.errors import ConfigError
from newsbench.options import LoadOptions

# The seed columns looked for by default. SheepDog's restylings of one article share no seed id and
# few 8-grams; its files pair them by position (the same row_idx of one split of one origin dataset).
MIN_CLASS = 5  # rows of each class a training set needs, and a held-out part to be scored
HELD_OUT = 0.2  # share of a dataset held out (by article) for an in-domain score or an audit
ARTICLE_KEYS = ("news_id", "seed_text", "origin_dataset+split+row_idx")

PROTOCOLS = ("lodo", "matrix", "both")
FEWSHOT_METHODS = ("none", "threshold", "calibration", "head")  # see generalisation.fewshot


@dataclass
class CrossvalConfig:
    """Settings of ``newsbench crossval``; each field's help says what it does."""

    data: list[str] = setting(help=DATA_HELP + " Each dataset is left out in turn (at least 2).", cli="repeat")
    recipes: list[str] = setting(help="Comma-separated recipes to compare (default: tfidf-lr); RECIPE+strip reads "
                                      "the texts with artefacts removed, e.g. tfidf-lr,tfidf-lr+strip.", cli="comma",
                                 factory=lambda: ["tfidf-lr"])
    protocol: str = setting("both", "lodo (train on all others, test on the one left out), matrix (train on one, "
                                    "test on each other), or both.")
    max_rows: int | None = setting(2000, "Seeded random sample of at most N rows per dataset, so no set dominates "
                                         "and a fold takes seconds (0 = every row).")
    balance: str = setting("sources", "Training weights: sources (each training dataset and class weighs the "
                                      "same), classes, or none.")
    group_cols: list[str] = setting(help="Columns naming an article's seed (rows sharing a value, in any dataset, "
                                         "never straddle train and test); A+B is a key of several columns. "
                                         "Default: news_id, seed_text, origin_dataset+split+row_idx (SheepDog's "
                                         "restylings of one article).",
                                    cli="comma", factory=lambda: list(ARTICLE_KEYS))
    near_duplicate: float = setting(0.5, "Rows sharing at least this share of the shorter text's word 8-grams are "
                                         "one article (never straddle train and test); 0 = exact duplicates only.")
    where: list[str] = setting(help="Keep only rows whose column has this value, in the datasets that have the "
                                    "column: COL=VALUE (repeatable).", cli="repeat", factory=list)
    augment: list[str] = setting(help="Training-only data added to every fold and never scored, e.g. restyled copies "
                                      "that keep their label (style-invariance): --augment sheepdog_adv "
                                      "--augment-where setting=reframe_neutral. Rows of a test set's articles are "
                                      "removed, as from any training set (repeatable).", cli="repeat", factory=list)
    augment_where: list[str] = setting(help="--where for the --augment data only: COL=VALUE (repeatable).",
                                       cli="repeat", factory=list)
    val_size: float = setting(0.15, "Share of the training pool kept for validation (threshold), grouped by seed.")
    strip_datelines: bool = setting(False, "Remove leading 'CITY (Reuters) -' datelines.")
    strip_artifacts: bool = setting(False, "Remove known source artefacts before training and testing.")
    text_cols: tuple[str, ...] | None = setting(None, "Comma-separated text columns.", cli="comma")
    label_col: str | None = setting(None, "Label column (read as its name says: see README, Data).")
    encoding: str = setting("utf-8", "Encoding of CSV/TSV/JSONL files.")
    n_bootstrap: int = setting(500, "Bootstrap resamples for 95% intervals per cell (0 = none).", flag="--bootstrap")
    seed: int = setting(0, "Seed of samples, splits, models and resamples.")
    threads: int | None = setting(None, "Threads for fitting (default: library default).")

    def __post_init__(self):
        from newsbench.training.recipes import CROSSVAL_RECIPES

        self.recipes = [r.strip() for r in self.recipes if r.strip()] or ["tfidf-lr"]
        for recipe in self.recipes:
            if recipe.removesuffix("+strip") not in CROSSVAL_RECIPES:
                raise ConfigError(f"unknown crossval recipe '{recipe}'; known: {', '.join(CROSSVAL_RECIPES)}"
                                  + _close(recipe, CROSSVAL_RECIPES))
        if len(self.data) < 2:
            raise ConfigError("crossval needs at least 2 datasets (--data, repeatable): each is left out in turn")
        if self.protocol not in PROTOCOLS:
            raise ConfigError(f"protocol must be one of {', '.join(PROTOCOLS)}, got {self.protocol!r}")
        if self.balance not in BALANCING:
            raise ConfigError(f"balance must be one of {', '.join(BALANCING)}, got {self.balance!r}")
        if self.max_rows is not None and self.max_rows != 0 and self.max_rows < 20:
            raise ConfigError(f"max_rows must be 0 (every row) or at least 20, got {self.max_rows}")
        self.max_rows = self.max_rows or None
        if not 0 <= self.near_duplicate <= 1:
            raise ConfigError(f"near_duplicate must be in [0, 1], got {self.near_duplicate}")
        if not 0.05 <= self.val_size <= 0.5:
            raise ConfigError(f"val_size must be in [0.05, 0.5], got {self.val_size}")
        if self.n_bootstrap != 0 and self.n_bootstrap < 100:
            raise ConfigError(f"n_bootstrap must be 0 (no intervals) or at least 100, got {self.n_bootstrap}")
        self.text_cols = tuple(self.text_cols) if self.text_cols else None
        self.group_cols = [c.strip() for c in self.group_cols if c.strip()]
        self.load_options()
        parse_where(self.where)
        parse_where(self.augment_where, "--augment-where")
        if self.augment_where and not self.augment:
            raise ConfigError("--augment-where filters --augment data; give --augment DATA too")

    def load_options(self) -> LoadOptions:
        return LoadOptions(self.text_cols, self.label_col, self.encoding, self.strip_datelines, None,
                           self.strip_artifacts)


@dataclass
class AuditConfig:
    """Settings of ``newsbench audit``; each field's help says what it does."""

    model: str | None = setting(None, "A model to audit. A folder written by newsbench train brings its own training "
                                      "and held-out splits; any other model needs --data.")
    data: list[str] = setting(help=DATA_HELP + " The training-domain data: probes train on 80% and are scored with "
                                               "the model on the other 20% (split by article).", cli="repeat",
                              factory=list)
    backend: str = setting("auto", "The model's backend (as evaluate takes it).")
    max_rows: int | None = setting(5000, "Seeded sample of at most N training and N held-out rows (0 = all).")
    strip_datelines: bool | None = setting(None, "Remove datelines first. Default: as the model was trained.",
                                           flag="--strip-datelines/--keep-datelines")
    n_bootstrap: int = setting(500, "Bootstrap resamples for 95% intervals (0 = none).", flag="--bootstrap")
    seed: int = setting(0, "Seed of samples, splits and resamples.")
    threads: int | None = setting(None, "Threads for the model (default: library default).")
    allow_pickle: bool = setting(False, "Allow loading joblib/pickle models (they can run code).")
    trust_remote_code: bool = setting(False, "Allow model code shipped with a Hugging Face checkpoint.")

    def __post_init__(self):
        if not self.model and not self.data:
            raise ConfigError("nothing to audit: give --data (the training-domain data) and/or --model")
        if self.max_rows is not None and self.max_rows != 0 and self.max_rows < 50:
            raise ConfigError(f"max_rows must be 0 (every row) or at least 50, got {self.max_rows}")
        self.max_rows = self.max_rows or None
        if self.n_bootstrap != 0 and self.n_bootstrap < 100:
            raise ConfigError(f"n_bootstrap must be 0 (no intervals) or at least 100, got {self.n_bootstrap}")


@dataclass
class FewShotConfig:
    """Settings of ``newsbench fewshot``; each field's help says what it does."""

    model: str = setting(help="The detector to adapt (as evaluate takes it).")
    data: list[str] = setting(help=DATA_HELP + " The new source, pooled into one labelled target set.", cli="repeat")
    ks: list[int] = setting(help="Comma-separated numbers of labelled target articles to adapt on.", cli="ints",
                            factory=lambda: [10, 20, 50, 100])
    methods: list[str] = setting(help="Comma-separated: none, threshold, calibration, head (a new head on the "
                                      "detector's log-odds and frozen MiniLM embeddings).", cli="comma",
                                 factory=lambda: ["none", "threshold", "calibration", "head"])
    seeds: int = setting(10, "Draws of the k articles (and of the split); intervals are over these.")
    eval_share: float = setting(0.5, "Share of the target set (by article) kept for scoring the adapted detector.")
    max_rows: int | None = setting(2000, "Seeded sample of at most N target rows (0 = all).")
    where: list[str] = setting(help="Keep only rows whose column has this value: COL=VALUE (repeatable).",
                               cli="repeat", factory=list)
    backend: str = setting("auto", "The model's backend (as evaluate takes it).")
    seed: int = setting(0, "Seed of samples, splits and draws.")
    threads: int | None = setting(None, "Threads for the model (default: library default).")
    allow_pickle: bool = setting(False, "Allow loading joblib/pickle models (they can run code).")
    trust_remote_code: bool = setting(False, "Allow model code shipped with a Hugging Face checkpoint.")

    def __post_init__(self):

        self.methods = [m.strip() for m in self.methods if m.strip()]
        for method in self.methods:
            if method not in FEWSHOT_METHODS:
                raise ConfigError(f"unknown few-shot method '{method}'; known: {', '.join(FEWSHOT_METHODS)}"
                                  + _close(method, FEWSHOT_METHODS))
        if not self.data:
            raise ConfigError("fewshot needs the new source's labelled data: --data FILE (repeatable)")
        if not self.ks or any(k < 2 for k in self.ks):
            raise ConfigError(f"ks must be whole numbers of at least 2 (one article per class), got {self.ks}")
        self.ks = sorted(set(self.ks))
        if self.seeds < 1:
            raise ConfigError(f"seeds must be at least 1, got {self.seeds}")
        if not 0.1 <= self.eval_share <= 0.9:
            raise ConfigError(f"eval_share must be in [0.1, 0.9], got {self.eval_share}")
        if self.max_rows is not None and self.max_rows != 0 and self.max_rows < 50:
            raise ConfigError(f"max_rows must be 0 (every row) or at least 50, got {self.max_rows}")
        self.max_rows = self.max_rows or None
        parse_where(self.where)
