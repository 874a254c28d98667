"""Seeded, stratified (optionally grouped) train/validation/test splits of a dataset's row ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from newsbench.data import Dataset
from newsbench.errors import ConfigError, DataError

ARTICLE = "article"  # --group-col value: rows linked into articles as crossval links them


def split_ids(dataset: Dataset, val_size: float, test_size: float, seed: int,
              group_col: str | None = None) -> dict[str, list[str]]:
    """Seeded split of row ids into train/validation/test, stratified by label.

    With ``group_col``, whole groups move together (e.g. every rewrite of one seed article), so
    no group straddles two splits; rows with an empty group value are groups of their own.
    ``article`` (a reserved name, never a column: robust's default must not group by a text
    column that happens to be called so) groups the rows crossval links into one article: a shared
    seed id, the same text, or a near-duplicate, also through chains.
    """
    try:
        return _split_ids(dataset, val_size, test_size, seed, group_col)
    except ValueError as exc:  # scikit-learn cannot stratify: too few rows (or groups) of a class
        raise DataError(f"{dataset.name}: cannot make a stratified {1 - val_size - test_size:.0%}/{val_size:.0%}/"
                        f"{test_size:.0%} split ({exc}); each class needs enough rows"
                        + (f" and distinct --group-col {group_col} values" if group_col else "")
                        + ("; rows linked into one article (shared ids, the same or near-duplicate text, a "
                           "shared footer) count once: --group-col none splits by row" if group_col == ARTICLE
                           else "")) from exc


def _split_ids(dataset: Dataset, val_size: float, test_size: float, seed: int,
               group_col: str | None) -> dict[str, list[str]]:
    from sklearn.model_selection import train_test_split

    ids, y = dataset.rows["id"].to_numpy(), dataset.labels
    if group_col is None:
        rest, test, y_rest, _ = train_test_split(ids, y, test_size=test_size, stratify=y, random_state=seed)
        train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
        return {"train": sorted(train.tolist()), "validation": sorted(val.tolist()), "test": sorted(test.tolist())}
    if group_col == ARTICLE:
        from newsbench.generalisation.config import ARTICLE_KEYS
        from newsbench.generalisation.overlap import article_ids

        [article], _ = article_ids([dataset], ARTICLE_KEYS)
        groups = np.char.add("article:", article.astype(str))
    elif group_col not in dataset.rows.columns:
        raise ConfigError(f"--group-col {group_col!r} is not a column of {dataset.name}; "
                          f"columns: {dataset.metadata_columns}, or {ARTICLE} (rows linked into articles)")
    else:
        values = dataset.rows[group_col].astype(str)
        groups = np.where(values == "", "row:" + dataset.rows["id"], values)
    frame = pd.DataFrame({"group": groups, "label": y})
    majority = frame.groupby("group")["label"].agg(lambda v: int(round(v.mean())))
    names, labels = majority.index.to_numpy(), majority.to_numpy()
    rest, test, y_rest, _ = train_test_split(names, labels, test_size=test_size, stratify=labels, random_state=seed)
    train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
    assign = {**{g: "train" for g in train}, **{g: "validation" for g in val}, **{g: "test" for g in test}}
    split = frame["group"].map(assign).to_numpy()
    return {name: sorted(ids[split == name].tolist()) for name in ("train", "validation", "test")}
