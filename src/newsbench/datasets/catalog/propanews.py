"""PropaNews (Huang et al. 2023): BART-generated propaganda-style fakes and the real articles they edit, test split."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "khuangaf/FakingFakeNews", "916494181e1a39610b2dd541dde1ff162880144e"
CITATION = ("Kung-Hsiang Huang, Kathleen McKeown, Preslav Nakov, Yejin Choi and Heng Ji. Faking Fake News for Real "
            "Fake News Detection: Propaganda-loaded Training Data Generation. ACL 2023.")
FILES = github_files(REPO, COMMIT, {
    "data/test.jsonl": ("7bbee07a6d1437a1e1fe4b2b62eaed0dd9be87afe7aab40ce2776f49e9a92c07", 3121149),
})


def normalise(paths: Mapping[str, Path]):
    """``txt`` is the text (no title); boolean ``label`` true (authentic) is 0, false (generated) 1;
    ``gen_variant`` is the generation suffix of ``path`` after ``.rsd.txt.`` (empty for real rows)."""
    import pandas as pd

    raw = pd.read_json(paths[f"{REPO}/data/test.jsonl"], lines=True, dtype=False)
    label = (~raw["label"].astype(bool)).astype(int)
    variant = raw["path"].str.extract(r"\.rsd\.txt\.?(.*)$", expand=False).fillna("")
    return pd.DataFrame({"title": "", "text": raw["txt"], "label": label, "source": "propanews_test",
                         "is_ai": label, "gen_variant": variant, "orig_path": raw["path"]})


DATASET = Dataset(
    name="propanews",
    summary="PropaNews test split: BART-generated propaganda-loaded fake news vs. the real news articles they edit",
    origin=f"https://github.com/{REPO}",
    licence="None stated in the repository.",
    citation=CITATION,
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=500, rows=500, real=243, fake=257),
    columns=('title', 'text', 'label', 'source', 'is_ai', 'gen_variant', 'orig_path'),
    notes=("- `data/test.jsonl` only (`train.jsonl`, `dev.jsonl` could not be obtained); `label` true (the "
           "original `.rsd.txt` article) -> 0, false (generated) -> 1; `is_ai` = label.\n"
           "- `gen_variant` is the generation suffix of `path` (`app-auth-final`, `ll_filled`, `sent-fake`; empty for "
           "real rows); `orig_path` keeps the authors' path. No titles.\n"
           "- The generator is a fine-tuned BART (not a chat LLM); reals are Timeline17 news (2005-2013), tokenised "
           "like the fakes, and each fake edits a few sentences of a real article, so rows are near-duplicates."),
    tags=("external",),
)
