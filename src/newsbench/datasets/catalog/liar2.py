"""LIAR2 (Xu & Kechadi 2024): PolitiFact claims with six-way verdicts, validation and test splits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "chengxuphd/liar2", "c965a62ac3b58ec0abfd431c701cf6499e80c387"
SPLITS = ("valid", "test")
VERDICTS = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")  # label 0..5
FILES = github_files(REPO, COMMIT, {
    "liar2/valid.csv": ("b95d92b004f57e5771f60c9dca911d711c10de75f31085f72aac094ed9697a9b", 2376932),
    "liar2/test.csv": ("93f31acb6795221f36d8e8050e9926b119b88464cad6f287e2269e77b33b1322", 2384586),
})


def normalise(paths: Mapping[str, Path]):
    """``statement`` is the text (no title); verdicts 0-2 (pants-fire, false, barely-true) are 1,
    3-5 (half-true, mostly-true, true) are 0; the verdict name is kept as ``label_6way``."""
    import pandas as pd

    parts = []
    for split in SPLITS:
        raw = pd.read_csv(paths[f"{REPO}/liar2/{split}.csv"])
        verdict = raw["label"].astype(int)
        parts.append(pd.DataFrame({
            "title": "", "text": raw["statement"], "label": (verdict <= 2).astype(int), "source": "liar2",
            "label_6way": verdict.map(dict(enumerate(VERDICTS))), "split": split, "id": raw["id"],
            "date": raw["date"], "subject": raw["subject"], "speaker": raw["speaker"], "context": raw["context"],
            "justification": raw["justification"],
        }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="liar2",
    summary="PolitiFact political claims 2007-2023 (LIAR2), six-way verdicts folded to binary; short statements",
    origin=f"https://github.com/{REPO}",
    licence="Apache-2.0 (the repository's LICENSE file).",
    citation=("Cheng Xu and M-Tahar Kechadi. An Enhanced Fake News Detection System With Fuzzy Deep Learning. "
              "IEEE Access 12:88006-88021, 2024."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=4593, rows=4591, real=1944, fake=2647),
    columns=('title', 'text', 'label', 'source', 'label_6way', 'split', 'id', 'date', 'subject', 'speaker',
             'context', 'justification'),
    notes=("- `liar2/valid.csv` then `liar2/test.csv`; numeric `label` 0 pants-fire, 1 false, 2 barely-true -> 1; "
           "3 half-true, 4 mostly-true, 5 true -> 0 (order per the README and Hugging Face card); the name is "
           "kept as `label_6way`, with `split`, `id`, `date`, `subject`, `speaker`, `context`, `justification`.\n"
           "- `justification` is the fact-checker's write-up and gives the verdict away: never a model input.\n"
           "- `liar2/train.csv` (18k claims) is not included (too large to obtain where the registry was built): \n"
           "  about 4.6k claims only.\n"
           "- One-sentence claims (median 16 words), not articles; the older LIAR claims reappear here."),
    tags=("external",),
)
