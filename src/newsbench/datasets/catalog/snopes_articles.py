"""Snopes test set of Huang et al. 2023: articles behind Snopes-checked claims, real and human-written fakes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files
from newsbench.datasets.catalog.propanews import CITATION, COMMIT, REPO  # the same repository and paper

FILES = github_files(REPO, COMMIT, {
    "data/snopes_test.jsonl": ("348e2260b94ab652f73f5786e063ae89bf41cef6e2c70cb14515d165d51edd5a", 2738069),
})


def normalise(paths: Mapping[str, Path]):
    """``txt`` is the text (title glued on, none separate); boolean ``label`` true is 0, false 1."""
    import pandas as pd

    raw = pd.read_json(paths[f"{REPO}/data/snopes_test.jsonl"], lines=True, dtype=False)
    return pd.DataFrame({"title": "", "text": raw["txt"], "label": (~raw["label"].astype(bool)).astype(int),
                         "source": "snopes_propanews_test"})


DATASET = Dataset(
    name="snopes_articles",
    summary="Snopes test set of PropaNews: articles behind Snopes-checked claims vs. human-written disinformation",
    origin=f"https://github.com/{REPO}",
    licence="None stated in the repository.",
    citation=CITATION,
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=710, rows=638, real=381, fake=257),
    columns=('title', 'text', 'label', 'source'),
    notes=("- `data/snopes_test.jsonl` (`politifact_test.jsonl` could not be obtained); `label` true -> 0, "
           "false -> 1, the convention of the PropaNews files.\n"
           "- Only the text is kept: the page title is glued to its start without a separator, and it is tokenised "
           "with spaces around punctuation.\n"
           "- Noisy: some fakes are pages Snopes quotes (e.g. ticket pages); 42 duplicate texts and 30 rows whose "
           "text carries both labels are dropped by cleaning."),
    tags=("external",),
)
