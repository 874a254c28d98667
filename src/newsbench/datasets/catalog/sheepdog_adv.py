"""SheepDog (Wu, Guo & Hooi 2024): LLM style-attacked test articles and style reframings of training articles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files, plain_pickle

REPO, COMMIT = "jiayingwu19/SheepDog", "fe3c2e6fff01b9abcf51810e8c2885e9201d9e24"
ADV = ("gossipcop", "lun", "politifact")
STYLES = ("emotionally_triggering", "neutral", "objective", "sensational")
FILES = github_files(REPO, COMMIT, {
    "data/adversarial_test/gossipcop_test_adv_A.pkl":
        ("e6e7fa58c51fb7c61db97126eda949e68bcfe927e9ead47ff6931291a4068219", 3084023),
    "data/adversarial_test/gossipcop_test_adv_B.pkl":
        ("47db20719996d24f6b857ac2e005c63b7ad4e4f43030396fb9cc293cefb15f03", 3228996),
    "data/adversarial_test/gossipcop_test_adv_C.pkl":
        ("a6df8df2f3a4e3c2c4999e435ab9f296bbb28ab39be05b631d03389de2e40205", 2776650),
    "data/adversarial_test/gossipcop_test_adv_D.pkl":
        ("927361ff972a2ad13641aa0a1c67e4d47d751ed0cc1777191c72788b577d0da2", 2921623),
    "data/adversarial_test/lun_test_adv_A.pkl":
        ("f5b880f6eae8d349e9eae223181bff3a740bde86693352098d4022af6676fc8e", 3196613),
    "data/adversarial_test/lun_test_adv_B.pkl":
        ("29f3eeeb016ddfdd73280988b54d56007ab2783cc43a026fb17b3126385af0c9", 3307234),
    "data/adversarial_test/lun_test_adv_C.pkl":
        ("be372bff8dd114843917fd56299328a9c0eff31898b2bddf020718241f684d74", 3006527),
    "data/adversarial_test/lun_test_adv_D.pkl":
        ("d7753e7823948e8bc230f65f984fb89c5032ab65cf2d60c90fc60e7202a19056", 3117139),
    "data/adversarial_test/politifact_test_adv_A.pkl":
        ("e22d88f059ed88db168c2ca1ca28a66609276aebbd3677e575bf72754e9da13e", 185736),
    "data/adversarial_test/politifact_test_adv_B.pkl":
        ("1bde66073082338972ce81bffe3fe5cbd62d060ab3d0dac36d595100426d69f3", 194221),
    "data/adversarial_test/politifact_test_adv_C.pkl":
        ("504fe73c3ee310f8bfe508556ffbb9e5f7f0554352cf1ec0ece49815b888083f", 171144),
    "data/adversarial_test/politifact_test_adv_D.pkl":
        ("3775590503d9dcfea3b2f96562b908e39237ffb8b391071c3f2891bf40254895", 179629),
    "data/news_articles/politifact_test.pkl":
        ("513721fe31bc80faaced171226b972841d0dceae9841d03276a45abf8bffd5a7", 805638),
    "data/news_articles/politifact_train.pkl":
        ("08d39e07a214c34f004f760e5e93f782afc72f6944711045e9308fe1f9097c55", 3067356),
    "data/reframings/politifact_train_emotionally_triggering.pkl":
        ("dd6e295d8ed455f275dddd1bd451fa65a5158d692a20261bd2f78dbc404e9980", 793025),
    "data/reframings/politifact_train_neutral.pkl":
        ("4731955fa4f3e0bc340ead43e3f81adacb0519bb751a006272a9accb8b58e15d", 485302),
    "data/reframings/politifact_train_objective.pkl":
        ("b36225e57729fa9b99a44afd29c673d7e16e10384041ac18324802e465beeb70", 545678),
    "data/reframings/politifact_train_sensational.pkl":
        ("74d145109b04e8a9d5533b47a242eb008d3619a487fd12f6ba5d186c7a265627", 796696),
})


def normalise(paths: Mapping[str, Path]):
    """Each file's ``news`` (or ``rewritten``) list is the text and ``labels`` the label (0 real, 1 fake, as the
    README says); ``row_idx`` is the position in the file, which pairs rows across a dataset's files."""
    import pandas as pd

    files = [(f"data/adversarial_test/{name}_test_adv_{attack}.pkl", name, f"adv_{attack}", "test", 1)
             for name in ADV for attack in "ABCD"]
    files += [(f"data/news_articles/politifact_{split}.pkl", "politifact", "original", split, 0)
              for split in ("test", "train")]
    files += [(f"data/reframings/politifact_train_{style}.pkl", "politifact", f"reframe_{style}", "train", 1)
              for style in STYLES]
    parts = []
    for path, name, setting, split, is_ai in files:
        raw = plain_pickle(paths[f"{REPO}/{path}"])
        text = raw["news"] if "news" in raw else raw["rewritten"]
        parts.append(pd.DataFrame({
            "title": "", "text": text, "label": raw["labels"], "source": f"sheepdog_{name}_{setting}",
            "origin_dataset": name, "setting": setting, "split": split, "is_ai": is_ai,
            "row_idx": range(len(text)), "file": path,
        }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="sheepdog_adv",
    summary="LLM-restyled PolitiFact/GossipCop/LUN articles (SheepDog style attacks A-D and training reframings)",
    origin=f"https://github.com/{REPO}",
    licence="None stated in the repository.",
    citation=("Jiaying Wu, Jiafeng Guo and Bryan Hooi. Fake News in Sheep's Clothing: Robust Fake News Detection "
              "Against LLM-Empowered Style Attacks. KDD 2024."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=14586, rows=14571, real=7281, fake=7290),
    columns=('title', 'text', 'label', 'source', 'origin_dataset', 'setting', 'split', 'is_ai', 'row_idx', 'file'),
    duplicates_within=("setting",),
    notes=("- Labels as released: 0 real, 1 fake. `setting`: `adv_A`..`adv_D` are the four LLM style-attacked test "
           "sets, `original` the unaltered PolitiFact articles, `reframe_*` LLM restylings of PolitiFact training "
           "articles.\n"
           "- Columns kept: `origin_dataset`, `setting`, `split`, `is_ai`, `row_idx` (position in its file: pairs "
           "the same article across settings) and `file`.\n"
           "- Both classes are LLM-written outside `original`: a test of robustness to style camouflage, not of "
           "human vs AI text.\n"
           "- A-D are 2x2 combinations of two real and two fake restylings, so texts repeat across settings; "
           "duplicates are meant to be dropped within a setting only. Do not pool A-D.\n"
           "- The GossipCop and LUN originals and reframings could not be obtained. PolitiFact "
           "articles are seeds of llmfake / FakeNewsNet sets: split seed-aware when pooling."),
    tags=("external",),
)
