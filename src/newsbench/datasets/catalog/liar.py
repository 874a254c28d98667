"""LIAR (Wang 2017): short PolitiFact statements with six-way truth ratings, official train/valid/test split."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "Mattia26/Coursework1_DMS140", "7172b2ad44abe2f98b1928d6283862aac383ca35"
SPLITS = ("train", "valid", "test")
COLUMNS = ("id", "label_6way", "statement", "subject", "speaker", "job", "state", "party",
           "barely_true", "false", "half_true", "mostly_true", "pants_fire", "context")
FAKE = {"pants-fire": 1, "false": 1, "barely-true": 1, "half-true": 0, "mostly-true": 0, "true": 0}
FILES = github_files(REPO, COMMIT, {
    "liar_dataset/train.tsv": ("23ef8cb7ff57b25c941100d0744039cebc595d65a67ea190f72b330a658d8c36", 2408165),
    "liar_dataset/valid.tsv": ("8dd3d7ed1a11e78ed7df090c9eddb0f91147f895850c78d49dd7b4e88fd09a16", 301556),
    "liar_dataset/test.tsv": ("ee41e2c741e0019216952625145af8c4aa8c8d3057ec68284b134267bb845e6f", 301118),
})


def normalise(paths: Mapping[str, Path]):
    """The statement is the text (no title); pants-fire, false and barely-true are 1, half-true,
    mostly-true and true 0; the six-way rating, split, id, subject, speaker, party and context kept."""
    import csv

    import pandas as pd

    parts = []
    for split in SPLITS:
        raw = pd.read_csv(paths[f"{REPO}/liar_dataset/{split}.tsv"], sep="\t", header=None, names=list(COLUMNS),
                          dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
        parts.append(pd.DataFrame({
            "title": "", "text": raw["statement"], "label": raw["label_6way"].map(FAKE), "source": "liar",
            "label_6way": raw["label_6way"], "split": split, "id": raw["id"], "subject": raw["subject"],
            "speaker": raw["speaker"], "party": raw["party"], "context": raw["context"],
        }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="liar",
    summary="One-sentence PolitiFact claims with six-way ratings (LIAR), binarised; short-claim external set",
    origin="https://www.cs.ucsb.edu/~william/data/liar_dataset.zip",
    licence=("From the bundled README: \"You are allowed to use this dataset for research purposes only. "
             "The original sources retain the copyright of the data.\""),
    citation=("William Yang Wang. \"Liar, Liar Pants on Fire\": A New Benchmark Dataset for Fake News Detection. "
              "Proceedings of the 55th Annual Meeting of the Association for Computational Linguistics (ACL), 2017."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=12836, rows=12806, real=7154, fake=5652),
    columns=('title', 'text', 'label', 'source', 'label_6way', 'split', 'id', 'subject', 'speaker', 'party', 'context'),
    notes=("- Binary label: pants-fire, false, barely-true -> 1; half-true, mostly-true, true -> 0 (a common "
           "convention; half-true is debatable, so `label_6way` is kept to re-map from).\n"
           "- `split` keeps the official train/valid/test split; `id`, `subject`, `speaker`, `party` and `context` "
           "kept; the speaker's credit-history counts are not (they leak the label).\n"
           "- Texts are single claims (median 17 words), a strong domain shift for article-trained models.\n"
           "- The same statement sometimes appears twice; 8 rows whose claim carries both labels are dropped."),
    used_copy=("The authors' liar_dataset.zip is on a university web page, not in a public repository, so a "
               "student copy of its TSVs (the paper's 10,269/1,284/1,283 split sizes) is pinned."),
    tags=("external",),
)
