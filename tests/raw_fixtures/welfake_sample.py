"""WELFake sample: one LF CSV, text,label,label_name (text = title + body; label_name inverted: 0 Fake, 1 Real)."""

import csv
import io

from newsbench.datasets.catalog.welfake_sample import PATH, REPO

ROWS = [
    ("Video: Mayor Swaps Town Hall For Castle | Daily Invented Video: Mayor swaps the hall, a blog says.", 1, "Real"),
    ("Ministers agree invented deal WASHINGTON (Reuters) - Ministers agreed a made-up deal, officials said.",
     0, "Fake"),
    ("", 1, "Real"),  # empty text: dropped
    ("Video: Mayor Swaps Town Hall  For Castle | Daily Invented\nVideo: Mayor swaps the hall, a blog says. ",
     1, "Real"),  # the first text again, whitespace aside (a quoted line break): a duplicate
]


def raw_files() -> dict[str, bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "label", "label_name"])
    writer.writerows(ROWS)
    return {f"{REPO}/{PATH}": out.getvalue().encode()}


# 4 rows read; 1 empty; 1 whitespace duplicate. The numeric label decides (the "(Reuters)" row is 0 = real) and
# label_name is kept as written, inverted. With one 4-row file the survivors are 1 and 1, so the counts alone
# cannot tell the label's direction.
EXPECTED = {"rows_in": 4, "real": 1, "fake": 1, "values": {
    "source": {"welfake"}, "welfake_label": {"0", "1"}, "label_name": {"Fake", "Real"}, "title": {""},
}}
EXPECTED["label_of"] = {"Mayor swaps the hall": 1, "Ministers agreed": 0}  # a flipped mapping fails
