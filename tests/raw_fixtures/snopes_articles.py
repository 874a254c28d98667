"""PropaNews snopes_test.jsonl: one JSON object per line {"label": bool, "txt"}, title glued on, ASCII-escaped."""

import json

from newsbench.datasets.catalog.snopes_articles import REPO

FAKE = "Miracle Tonic RecallA caf\u00e9 in Lyon says its tonic cures every illness .\nNo study backs it ."
REAL = "Council Passes BudgetThe city council approved the budget on Monday .\nThe vote was 7 to 2 ."
ROWS = [
    {"label": False, "txt": FAKE},  # the non-ASCII letter is written as a \u escape, as in the real file
    {"label": True, "txt": REAL},
    {"label": True, "txt": REAL.replace(" .\n", " .\n\n ") + "\n"},  # whitespace variant: duplicate dropped
    {"label": False, "txt": ""},  # empty: dropped
]


def raw_files() -> dict[str, bytes]:
    return {f"{REPO}/data/snopes_test.jsonl": "".join(json.dumps(row) + "\n" for row in ROWS).encode()}


# 4 rows; the empty one dropped; the real whitespace variant dropped as a duplicate. label true -> 0, false -> 1.
EXPECTED = {"rows_in": 4, "real": 1, "fake": 1, "values": {"source": {"snopes_propanews_test"}}}
EXPECTED["label_of"] = {"Miracle Tonic": 1, "Council Passes": 0}  # a flipped mapping fails
