"""Cross-dataset protocol: leave one dataset out, and the N x N transfer matrix.

Each cell fits a recipe on training data only, chooses its threshold on a validation split of
that training data (never on the test set), then scores the test set once. Training rows that
are the same article as a test row (``overlap.article_ids``) are removed from the training side
first, and counted, so no seed article straddles train and test.
"""

from __future__ import annotations

import difflib
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from newsbench import metrics
from newsbench.config import parse_where
from newsbench.data import Dataset, load_dataset
from newsbench.detectors.base import ProgressFactory
from newsbench.environment import capture_environment
from newsbench.errors import DataError
from newsbench.generalisation.config import ARTICLE_KEYS, HELD_OUT, MIN_CLASS, CrossvalConfig
from newsbench.generalisation.overlap import article_ids
from newsbench.generalisation.results import Asymmetry, Cell, CrossvalDataset, CrossvalResult, RecipeCrossval
from newsbench.results import Estimate
from newsbench.sources import DataSpec
from newsbench.training.recipes import (
    DROPS_UNLEARNABLE,
    STRIPS_ARTIFACTS,
    check_sources,
    fit_scorer,
    source_weights,
    without_sources,
)


def crossval(config: CrossvalConfig, progress: ProgressFactory | None = None) -> CrossvalResult:
    """Run the protocol for every recipe; see the module docstring."""
    environment = capture_environment(config.seed, config.threads)
    versions: dict[bool, tuple] = {}

    def version(strip: bool) -> tuple:
        """The datasets as a recipe reads them (with or without artefacts), then the --augment data,
        and the article ids of both (so augmenting rows of a test set's articles can be removed).
        Articles are linked on every cleaned row, before --where and sampling: a row left out of the
        sample can still be what links two kept rows (SheepDog's human original links its restylings
        to the FakeNewsNet copy of the article)."""
        if strip not in versions:
            options = replace(config, strip_artifacts=strip)
            full = load_full_data(options)
            if config.augment:
                names = {d.name for d in full}
                full += [d if d.name not in names else replace(d, name=f"{d.name} (augment)") for d in
                         load_full_data(options, config.augment)]
            n = len(full) - len(_augment_names(config))
            loaded = narrow(full[:n], options)
            if config.augment:
                loaded += narrow(full[n:], options, config.augment_where, minimum=1)
            _check_group_cols(config.group_cols, full)
            ids, links = article_ids(full, config.group_cols, config.near_duplicate)
            ids = [article[pd.Index(whole.rows["id"]).get_indexer(part.rows["id"])]
                   for whole, part, article in zip(full, loaded, ids)]
            versions[strip] = (loaded, ids, links)
        return versions[strip]

    strips = {r: config.strip_artifacts or r.endswith("+strip") or r in STRIPS_ARTIFACTS for r in config.recipes}
    loaded, ids, links = version(strips[config.recipes[0]])
    n = len(loaded) - len(_augment_names(config))  # the rest are --augment data: trained on, never scored
    datasets = loaded[:n]
    trainable = [i for i, d in enumerate(datasets) if np.bincount(d.labels, minlength=2).min() >= MIN_CLASS]
    notes = [f"{d.name} has fewer than {MIN_CLASS} rows of one class: it is a test set only."
             for i, d in enumerate(datasets) if i not in trainable]
    if n < len(loaded):
        notes.append(f"every training side also holds {', '.join(d.name for d in loaded[n:])} "
                     f"({sum(len(d.rows) for d in loaded[n:]):,} rows, --augment; never scored), less any rows of "
                     "the test set's articles")
    plan = [(kind, train + list(range(n, len(loaded))), test) for kind, train, test in
            _plan(config.protocol, n, trainable)]
    advance = progress(f"crossval: {len(plan) * len(config.recipes)} cells", len(plan) * len(config.recipes)) \
        if progress else None
    recipes = []
    for recipe in config.recipes:
        data, article, _ = version(strips[recipe])  # reading and linking are not the recipe's time
        start, cells = time.perf_counter(), []
        for kind, train, test in plan:
            cells.append(_cell(recipe.removesuffix("+strip"), kind, data, article, train, test, config))
            if advance:
                advance(1, description=f"crossval {recipe}: {datasets[test].name}")
        recipes.append(replace(summarise(recipe, cells, time.perf_counter() - start),
                               strip_artifacts=strips[recipe]))
    return CrossvalResult(
        datasets=[_describe(d) for d in datasets], recipes=recipes,
        settings={"protocol": config.protocol, "max_rows": config.max_rows, "balance": config.balance,
                  "group_cols": config.group_cols, "near_duplicate": config.near_duplicate,
                  "val_size": config.val_size, "strip_datelines": config.strip_datelines,
                  "strip_artifacts": config.strip_artifacts, "where": config.where,
                  "n_bootstrap": config.n_bootstrap, "seed": config.seed, "augment": config.augment,
                  "augment_where": config.augment_where},
        links={"seed_id": links.seed_id, "same_text": links.same_text, "near_duplicate": links.near_duplicate},
        environment=environment, notes=notes,
    )


def load_crossval_data(config: CrossvalConfig, data: list[str] | None = None, where: list[str] | None = None,
                       minimum: int = 2) -> list[Dataset]:
    """Each --data spec (pooled by NAME=) as one deduplicated, filtered, sampled dataset (at least
    ``minimum`` of them); ``data`` and ``where`` replace the config's (the --augment data)."""
    return narrow(load_full_data(config, data), config, where, minimum)


def load_full_data(config: CrossvalConfig, data: list[str] | None = None) -> list[Dataset]:
    """Each --data spec (pooled by NAME=) as one deduplicated dataset, before --where and sampling."""
    specs = [DataSpec.parse(s) for s in (config.data if data is None else data)]
    groups: dict[str, list[DataSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.name or spec.key, []).append(spec)
    return [load_dataset(group, config.load_options(), name) for name, group in groups.items()]


def narrow(datasets: list[Dataset], config: CrossvalConfig, where: list[str] | None = None,
           minimum: int = 2) -> list[Dataset]:
    """The rows --where keeps (in the datasets that have its column), sampled to --max-rows."""
    where = parse_where(config.where if where is None else where)
    narrowed = []
    for dataset in datasets:
        name = dataset.name.removesuffix(" (augment)")
        wanted = {col: values for col, values in where.items() if col in dataset.rows.columns}
        present = {col: dataset.rows[col].value_counts().index[:10].tolist() for col in wanted}
        for column, values in wanted.items():
            dataset = dataset.exclude(~dataset.rows[column].isin(values).to_numpy(), "filtered_out",
                                      f"{column} is not {' or '.join(values)}")
        if config.max_rows:
            dataset = dataset.sample(config.max_rows, config.seed)
        if len(dataset.rows) < 2 * MIN_CLASS:
            found = "".join(f"; its most common {col} values: {', '.join(map(str, v))}" for col, v in present.items())
            raise DataError(f"{name}: {len(dataset.rows)} rows left after cleaning and --where "
                            f"(skipped: {dataset.skipped_counts()}); a dataset needs at least {2 * MIN_CLASS}{found}")
        narrowed.append(dataset)
    unused = [col for col in where if not any(col in d.rows.columns for d in narrowed)]
    if unused:
        raise DataError(f"--where {unused[0]}=...: no dataset has a column '{unused[0]}'")
    if len(narrowed) < minimum:
        raise DataError("crossval needs at least 2 datasets; files sharing NAME= were pooled into one")
    return narrowed


def _check_group_cols(keys: list[str], datasets: list[Dataset]) -> None:
    """A --group-cols key no dataset has would silently link nothing; the defaults may be absent."""
    columns = set().union(*(d.rows.columns for d in datasets))
    for key in keys:
        missing = [col for col in key.split("+") if col not in columns]
        if missing and key not in ARTICLE_KEYS:
            close = difflib.get_close_matches(missing[0], sorted(columns), n=1)
            raise DataError(f"--group-cols {key}: no dataset has a column '{missing[0]}' (columns: "
                            f"{', '.join(sorted(columns))})" + (f"; did you mean '{close[0]}'?" if close else ""))


def _augment_names(config: CrossvalConfig) -> set[str]:
    specs = [DataSpec.parse(s) for s in config.augment]
    return {spec.name or spec.key for spec in specs}


def _plan(protocol: str, n: int, trainable: list[int]) -> list[tuple[str, list[int], int]]:
    plan = []
    if protocol in ("lodo", "both"):
        plan += [("left-out", [i for i in trainable if i != t], t) for t in range(n)]
    if protocol in ("matrix", "both"):
        plan += [("in-domain" if a == b else "transfer", [a], b) for a in trainable for b in range(n)]
    return [p for p in plan if p[1]]


def _cell(recipe: str, kind: str, datasets: list[Dataset], ids: list[np.ndarray], train: list[int], test: int,
          config: CrossvalConfig) -> Cell:
    """Fit on the training sets (without the test set's articles), threshold on validation, score the test."""
    seed = config.seed
    if kind == "in-domain":  # a held-out part of the one dataset, split by article
        data, article = datasets[test], ids[test]
        held = grouped_part(data.labels, article, HELD_OUT, seed)
        parts, test_rows, test_ids = [_frame(data.rows[~held], test, article[~held])], data.rows[held], article[held]
        others = [i for i in train if i != test]  # --augment data
    else:
        parts, test_rows, test_ids, others = [], datasets[test].rows, ids[test], train
    removed = 0
    for i in others:
        clash = np.isin(ids[i], test_ids)
        removed += int(clash.sum())
        parts.append(_frame(datasets[i].rows[~clash], i, ids[i][~clash]))
    pool = pd.concat(parts, ignore_index=True)
    y = pool["label"].to_numpy()
    val = grouped_part(y, pool["article"].to_numpy(), config.val_size, seed)
    fit = ~val
    trained_on = [datasets[i].name for i in train]
    y_test = test_rows["label"].to_numpy()
    short, fitted = _too_few(np.bincount(y, minlength=2)), np.bincount(y[fit], minlength=2)
    if short:
        return _unscored(kind, trained_on, datasets[test].name, removed, y_test,
                         f"{short} left to train on after removing {removed:,} that are the test set's articles "
                         f"(the same seed article or text); training needs {MIN_CLASS} of each")
    if fitted.min() == 0:  # the validation split takes whole articles: one article can hold a whole class
        return _unscored(kind, trained_on, datasets[test].name, removed, y_test,
                         f"{fitted[0]:,} real and {fitted[1]:,} fake rows left to fit on once the validation split "
                         "took whole articles (one article holds every row of a class)")
    short = _too_few(np.bincount(y_test, minlength=2)) if kind == "in-domain" else ""
    if short:
        return _unscored(kind, trained_on, datasets[test].name, removed, y_test,
                         f"the held-out {HELD_OUT:.0%} has {short}; a score needs {MIN_CLASS} of each")
    source, texts = pool["source"].to_numpy(), pool["text"].tolist()
    fit_texts, val_texts = [texts[i] for i in np.flatnonzero(fit)], [texts[i] for i in np.flatnonzero(val)]
    scorer = fit_scorer(recipe, fit_texts, y[fit], source_weights(source[fit], y[fit], config.balance), seed,
                        config.threads)
    val_prob, dropped, n_train = scorer(val_texts), [], int(fit.sum())
    if recipe in DROPS_UNLEARNABLE and len(set(y[val])) == 2:
        names = np.array([datasets[i].name for i in source])
        dropped = [c.source for c in check_sources(val_prob, y[val], names[val]) if c.dropped]
        if dropped:
            weights = without_sources(names[fit], y[fit], config.balance, dropped)
            scorer = fit_scorer(recipe, fit_texts, y[fit], weights, seed, config.threads)
            n_train = int(np.count_nonzero(weights))
            val = val & ~np.isin(names, dropped)
            val_prob = scorer([texts[i] for i in np.flatnonzero(val)])
    threshold = metrics.best_threshold(y[val], val_prob) if len(set(y[val])) == 2 else 0.5
    prob = scorer(test_rows["text"].tolist())
    values = metrics.compute(y_test, prob, threshold)
    cis = metrics.bootstrap(y_test, prob, threshold, config.n_bootstrap, seed) if config.n_bootstrap else {}

    def estimate(name: str) -> Estimate:
        return Estimate(values[name], cis.get(name))

    counts = np.bincount(y_test, minlength=2)
    return Cell(kind, trained_on, datasets[test].name, n_train, removed, len(y_test), int(counts[0]), int(counts[1]),
                threshold, estimate("roc_auc"), estimate("balanced_accuracy"), estimate("accuracy"),
                estimate("fpr"), estimate("fnr"), dropped)


def _too_few(counts: np.ndarray) -> str:
    """'3 real and 0 fake rows' when a class has fewer than MIN_CLASS rows, else ''."""
    return f"{counts[0]:,} real and {counts[1]:,} fake rows" if counts.min() < MIN_CLASS else ""


def _unscored(kind: str, train: list[str], test: str, removed: int, y_test: np.ndarray, why: str) -> Cell:
    """A cell that could not be fitted or scored: no values, and why."""
    counts, none = np.bincount(y_test, minlength=2), Estimate(float("nan"))
    return Cell(kind, train, test, 0, removed, len(y_test), int(counts[0]), int(counts[1]), float("nan"),
                none, none, none, none, none, unscored=why)


def _frame(rows: pd.DataFrame, source: int, article: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"text": rows["text"].to_numpy(), "label": rows["label"].to_numpy(), "source": source,
                         "article": article})


def grouped_part(y: np.ndarray, groups: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A mask of about ``share`` of the rows, stratified by label, never splitting an article.

    Articles are shuffled (seeded) within their majority label and taken until each label has its
    share of rows: linear time (scikit-learn's StratifiedGroupKFold is quadratic in articles).
    """
    frame = pd.DataFrame({"group": groups, "y": y})
    sizes = frame.groupby("group")["y"].agg(["size", "mean"])
    order = np.random.default_rng(seed).permutation(len(sizes))
    sizes = sizes.iloc[order]
    held = []
    for label in (0, 1):
        stratum = sizes[(sizes["mean"] >= 0.5) == bool(label)]
        if not len(stratum):
            continue
        target = share * stratum["size"].sum()
        taken = stratum["size"].cumsum() <= max(target, stratum["size"].iloc[0])
        held.extend(stratum.index[taken.to_numpy()])
    return frame["group"].isin(held).to_numpy()


def summarise(recipe: str, cells: list[Cell], seconds: float) -> RecipeCrossval:
    """The headline numbers of one recipe's cells."""
    def aucs(kind: str) -> list[tuple[str, float]]:
        return [(c.test, c.roc_auc.value) for c in cells if c.kind == kind and c.roc_auc.value == c.roc_auc.value]

    lodo, transfer, own = aucs("left-out"), aucs("transfer"), aucs("in-domain")
    worst = min(lodo, key=lambda t: t[1]) if lodo else None
    auc = {(c.train[0], c.test): c.roc_auc.value for c in cells if c.kind == "transfer"}
    gaps = [Asymmetry(a, b, auc[a, b], auc[b, a], auc[a, b] - auc[b, a])
            for (a, b) in auc if (b, a) in auc and a < b and auc[a, b] == auc[a, b] and auc[b, a] == auc[b, a]]
    gaps.sort(key=lambda g: -abs(g.gap))

    def mean(values: list[tuple[str, float]]) -> float | None:
        return float(np.mean([v for _, v in values])) if values else None

    largest = [g if g.gap >= 0 else Asymmetry(g.b, g.a, g.auc_ba, g.auc_ab, -g.gap)
               for g in gaps[:5] if abs(g.gap) >= 0.01]
    return RecipeCrossval(recipe, cells, mean(lodo), worst[1] if worst else None, worst[0] if worst else None,
                          mean(transfer), min((v for _, v in transfer), default=None), mean(own), largest, seconds)


def _describe(dataset: Dataset) -> CrossvalDataset:
    counts = np.bincount(dataset.labels, minlength=2)
    return CrossvalDataset(dataset.name, [f.path for f in dataset.files], dataset.n_input, len(dataset.rows),
                           int(counts[0]), int(counts[1]), dataset.skipped_counts())
