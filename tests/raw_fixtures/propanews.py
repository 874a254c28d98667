"""PropaNews test.jsonl: one JSON object per line {"txt", "label": bool, "path"} (json.dumps defaults, ASCII)."""

import json

from newsbench.datasets.catalog.propanews import REPO

ROOT = "/shared/nas/data/m1/someone/timeline17/flood_bbc/rsd/flood_bbc__2010-01-19__"
REAL = "Rescue teams reached the flooded village on Tuesday , officials said . \nRoads remain closed . "
FAKE = "Rescue teams reached the flooded village on Tuesday , officials said . \nThe army held back aid convoys . "
ROWS = [
    {"txt": REAL, "label": True, "path": f"{ROOT}101.rsd.txt"},  # the original article: gen_variant ""
    {"txt": FAKE, "label": False, "path": f"{ROOT}101.rsd.txt.sent-fake"},
    {"txt": FAKE.replace(" . \n", " .\n  "), "label": False, "path": f"{ROOT}102.rsd.txt.app-auth-final"},  # dup
    {"txt": " \n ", "label": False, "path": f"{ROOT}103.rsd.txt.ll_filled"},  # blank: dropped
]


def raw_files() -> dict[str, bytes]:
    return {f"{REPO}/data/test.jsonl": "".join(json.dumps(row) + "\n" for row in ROWS).encode()}


# 4 rows; the blank one dropped; the fake whitespace variant dropped as a duplicate (first kept).
# label true -> 0, false -> 1 and is_ai = label; gen_variant is the path's suffix after ".rsd.txt".
EXPECTED = {"rows_in": 4, "real": 1, "fake": 1, "values": {
    "source": {"propanews_test"}, "is_ai": {0, 1}, "gen_variant": {"", "sent-fake"},
    "orig_path": {f"{ROOT}101.rsd.txt", f"{ROOT}101.rsd.txt.sent-fake"},
}}
EXPECTED["label_of"] = {"Roads remain closed": 0, "aid convoys": 1}  # a flipped mapping fails
