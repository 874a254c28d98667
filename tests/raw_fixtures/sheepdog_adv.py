"""SheepDog: protocol-4 pickles of a plain dict {"news" or "rewritten": [str, ...], "labels": [0/1, ...]}."""

import pickle

from newsbench.datasets.catalog.sheepdog_adv import ADV, REPO, STYLES

SETTINGS = {f"adv_{a}" for a in "ABCD"} | {"original"} | {f"reframe_{s}" for s in STYLES}


def _pickle(column: str, news: list[str], labels: list[int]) -> bytes:
    return pickle.dumps({column: news, "labels": labels}, protocol=4)


def raw_files() -> dict[str, bytes]:
    files = {}
    for name in ADV:
        for attack in "ABCD":
            # A and B share their real restyling (as released): equal texts in different settings are both kept
            real = f"{name} tabloid restyle of a true story" if attack in "AB" else f"{name} real story {attack}"
            files[f"data/adversarial_test/{name}_test_adv_{attack}.pkl"] = _pickle(
                "news", [real, f"{name} sober restyle of a false story {attack}"], [0, 1])
    # the same original article in test and train, whitespace aside: one setting, so a duplicate is dropped
    files["data/news_articles/politifact_test.pkl"] = _pickle(
        "news", ["The senator voted for the bill.", "A made-up quote about taxes."], [0, 1])
    files["data/news_articles/politifact_train.pkl"] = _pickle(
        "news", ["  The senator  voted\nfor the bill. ", "An invented claim about a border wall."], [0, 1])
    for style in STYLES:
        real = "   " if style == "neutral" else f"the true story told in a {style} voice"  # blank: dropped
        files[f"data/reframings/politifact_train_{style}.pkl"] = _pickle(
            "rewritten", [real, f"the invented claim told in a {style} voice"], [0, 1])
    return {f"{REPO}/{path}": content for path, content in files.items()}


# 18 files x 2 rows (18 real, 18 fake) = 36; one blank real (reframe_neutral) dropped; one real duplicate within
# `original` dropped; the A/B shared real text is kept twice (duplicates count within a setting only).
EXPECTED = {"rows_in": 36, "real": 16, "fake": 18, "values": {
    "setting": SETTINGS,
    "source": {f"sheepdog_{n}_adv_{a}" for n in ADV for a in "ABCD"} | {"sheepdog_politifact_original"}
    | {f"sheepdog_politifact_reframe_{s}" for s in STYLES},
    "origin_dataset": set(ADV), "split": {"test", "train"}, "is_ai": {0, 1}, "row_idx": {0, 1},
}}
