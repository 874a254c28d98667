"""One article, many rows: the same seed article reappears across datasets (LLM rewrites of
FakeNewsNet stories, paraphrases, restyled copies), and a detector tested on a rewrite of an
article it was trained on is not tested on unseen news.

``article_ids`` links rows that are one article: the same seed id (``news_id``, ``seed_text``, or a
key of several columns such as SheepDog's ``origin_dataset+split+row_idx``),
the same text (case and whitespace ignored), or near-duplicate texts (sharing most word 8-grams
of the shorter one, a seed text counting as the row's own text). Linked rows share an id, also
through chains, so a split by these ids never puts one article on both sides. Text is weaker
evidence than an id: two rows whose id columns (``news_id``) differ are not linked by their texts,
since a scraped cookie notice or an LLM's "(End of passage)" stands in for many articles and would
chain them all into one. Link whole datasets, before filtering or sampling them: a row left out can
be the one that links two kept rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from newsbench.data import Dataset, fingerprints, normalize

SHINGLE = 8  # words per shingle: long enough that common phrases do not link unrelated articles
# A shingle in more texts than this is boilerplate, not evidence of one article: 50, or a twentieth
# of the texts (at least 10) when there are fewer than 1,000, so a footer on half of 60 articles
# does not make them one.
COMMON = 50


@dataclass(frozen=True)
class Links:
    """How many row pairs each kind of evidence linked (before chaining)."""

    seed_id: int
    same_text: int
    near_duplicate: int


def article_ids(datasets: list[Dataset], group_cols: Sequence[str], near_duplicate: float = 0.5
                ) -> tuple[list[np.ndarray], Links]:
    """An article id per row of each dataset; rows of one article share it, across datasets."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    sizes = [len(d.rows) for d in datasets]
    frames = pd.concat([d.rows for d in datasets], ignore_index=True).fillna("")
    n = len(frames)
    edges: list[tuple[np.ndarray, np.ndarray]] = []
    counts = {"seed_id": 0, "same_text": 0, "near_duplicate": 0}

    distinct: list[tuple[np.ndarray, np.ndarray]] = []  # id columns: (values, has a value)

    def consistent(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Pairs no id column tells apart (text never overrules an id; see the module docstring)."""
        keep = np.ones(len(a), dtype=bool)
        for values, valid in distinct:
            keep &= ~(valid[a] & valid[b]) | (values[a] == values[b])
        return keep

    def link(keys: np.ndarray, valid: np.ndarray, kind: str) -> None:
        """Chain the rows sharing a key (each to the next one of its group)."""
        index = np.flatnonzero(valid)
        if len(index) < 2:
            return
        order = index[np.argsort(keys[index], kind="stable")]
        a, b = order[:-1], order[1:]
        same = (keys[b] == keys[a]) & (consistent(a, b) if kind != "seed_id" else True)
        edges.append((a[same], b[same]))
        counts[kind] += int(same.sum())

    for key in group_cols:  # a column, or columns joined by "+" (rows sharing all of them)
        cols = key.split("+")
        if all(col in frames.columns for col in cols):
            parts = [frames[col].astype(str).map(normalize).to_numpy() for col in cols]
            valid = np.logical_and.reduce([part != "" for part in parts])
            values = parts[0] if len(parts) == 1 else np.array(["\x1f".join(row) for row in zip(*parts)])
            link(values, valid, "seed_id")
            if len(cols) == 1 and not key.endswith("text"):
                distinct.append((values, valid))
    link(fingerprints(frames["text"]), np.ones(n, dtype=bool), "same_text")
    if near_duplicate > 0:
        a, b = _near_duplicates(frames, group_cols, near_duplicate)
        keep = consistent(a, b)
        edges.append((a[keep], b[keep]))
        counts["near_duplicate"] += int(keep.sum())

    rows = np.concatenate([a for a, _ in edges] or [np.zeros(0, dtype=np.int64)])
    cols = np.concatenate([b for _, b in edges] or [np.zeros(0, dtype=np.int64)])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return list(np.split(labels, np.cumsum(sizes)[:-1])), Links(**counts)


def _near_duplicates(frames: pd.DataFrame, group_cols: list[str], share: float) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs whose texts (or seed texts) share at least ``share`` of the shorter one's 8-grams."""
    from sklearn.feature_extraction.text import HashingVectorizer

    docs, owners = frames["text"].tolist(), list(range(len(frames)))
    for col in group_cols:  # a seed text stands for its row, so a rewrite links to its seed article
        if col in frames.columns and col.endswith("text"):
            seeds = frames[col].astype(str)
            for i in np.flatnonzero((seeds.str.split().str.len() >= SHINGLE).to_numpy()):
                docs.append(seeds.iat[i])
                owners.append(i)
    owners = np.asarray(owners)
    vectorizer = HashingVectorizer(analyzer="word", ngram_range=(SHINGLE, SHINGLE), n_features=2**22, binary=True,
                                   norm=None, alternate_sign=False, token_pattern=r"(?u)\b\w+\b", dtype=np.float32)
    shingles = vectorizer.transform(docs).tocsc()
    lengths = np.asarray(shingles.getnnz(axis=1))
    df = np.asarray(shingles.getnnz(axis=0))
    common = min(COMMON, max(10, len(frames) // 20))
    shared = shingles[:, np.flatnonzero((df >= 2) & (df <= common))].tocsr()
    overlap = (shared @ shared.T).tocoo()
    a, b, count = overlap.row, overlap.col, overlap.data
    keep = (a < b) & (owners[a] != owners[b])
    a, b, count = a[keep], b[keep], count[keep]
    shorter = np.minimum(lengths[a], lengths[b])
    near = (count >= 2) & (count >= share * shorter)
    return owners[a[near]], owners[b[near]]
