"""WELFake (Verma et al. 2021): a 200-article stratified sample of the merged fake-news corpus."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "iahadbashir/news-classifier", "1ee8baecd77804943697877d7887ef954becd2ba"
PATH = "data/samples/welfake_sample.csv"
FILES = github_files(REPO, COMMIT, {
    PATH: ("c08564ff6f4e37cf490053bab3f1c6a7d44a8b19c36824a2968863c78a9e0e7e", 686935),
})


def normalise(paths: Mapping[str, Path]):
    """``text`` (the sampler's title + body) is the text, with no separate title; WELFake's numeric
    ``label`` is kept as is (1 fake, 0 real); the sampler's inverted ``label_name`` kept for reference."""
    import pandas as pd

    raw = pd.read_csv(paths[f"{REPO}/{PATH}"], dtype=str, keep_default_na=False)
    return pd.DataFrame({
        "title": "", "text": raw["text"], "label": raw["label"].astype(int), "source": "welfake",
        "welfake_label": raw["label"], "label_name": raw["label_name"],
    })


DATASET = Dataset(
    name="welfake_sample",
    summary="200 WELFake articles (Kaggle, McIntire, Reuters/ISOT, BuzzFeed political news), a sanity-check sample",
    origin="https://zenodo.org/records/4561253",
    licence=("MIT (the sampling repository's README); WELFake itself is CC BY 4.0 per its Zenodo page, "
             "which this repository does not state."),
    citation=("Pawan Kumar Verma, Prateek Agrawal, Ivone Amorim and Radu Prodan. WELFake: Word Embedding Over "
              "Linguistic Features for Fake News Detection. IEEE Transactions on Computational Social Systems "
              "8(4), 2021."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=200, rows=200, real=97, fake=103),
    columns=('title', 'text', 'label', 'source', 'welfake_label', 'label_name'),
    notes=("- WELFake's numeric `label` is used as is: 1 -> fake, 0 -> real (kept also as `welfake_label`).\n"
           "- The sampler's `label_name` (0 = Fake, 1 = Real, copied from the Kaggle card) is inverted: every "
           "\"(Reuters)\" article has label 0. It is kept for reference only; ignore it.\n"
           "- `text` is the sampler's title + \" \" + body, so `title` is empty.\n"
           "- Only 200 rows: a sanity check of WELFake-style data, not a training set."),
    used_copy=("The full WELFake_Dataset.csv (about 245 MB) could not be obtained where this "
               "registry was built; this stratified "
               "200-row sample from a student repository is the only small copy of its texts found."),
    tags=("sanity-check",),
)
