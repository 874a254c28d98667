"""LIAR2: valid.csv and test.csv, CRLF, 16 columns, numeric 0-5 verdicts, quoted fields with "" and line breaks."""

import csv
import io

from newsbench.datasets.catalog.liar2 import REPO

HEADER = ["id", "label", "statement", "date", "subject", "speaker", "speaker_description", "state_info",
          "true_counts", "mostly_true_counts", "half_true_counts", "mostly_false_counts", "false_counts",
          "pants_on_fire_counts", "context", "justification"]
SPENDING = "City spending rose 10 percent in 2019."
# Per split: id, verdict (0 pants-fire .. 5 true), statement, date, subject, speaker, state_info, context.
ROWS = {
    "valid": [
        (11, 0, 'Says the river "turned to gold" overnight.', "July 28, 2022", "environment", "a blog", "",
         "a post"),
        (12, 3, SPENDING, "April 16, 2008", "", "jane roe", "", "a debate"),  # empty subject and state_info
        (13, 5, "", "May 2, 2010", "taxes", "john doe", "Ohio", "a speech"),  # empty statement: dropped
    ],
    "test": [
        (21, 2, "Crime in the invented town fell by half.", "June 1, 2015", "crime", "jane roe", "Ohio", ""),
        (22, 4, "The made-up bridge cost less than planned.", "March 3, 2012", "transportation", "bo lee", "Texas",
         "an interview"),
        (23, 1, "Says the invented mayor banned all bicycles.", "May 9, 2021", "facebook fact-checks;transportation",
         "a meme", "", "a post"),
        (24, 3, " City spending  rose 10 percent in 2019.", "April 17, 2008", "", "jane roe", "", "an ad"),  # duplicate
    ],
}


def _row(row) -> list:
    id_, verdict, statement, date, subject, speaker, state, context = row
    justification = f"The speaker said \"{statement[:12]}\".\xa0\nWe rate this claim {verdict}.\xa0"
    return [id_, verdict, statement, date, subject, speaker, f"{speaker} is an invented figure.", state,
            1, 2, 3, 4, 5, 6, context, justification]


def raw_files() -> dict[str, bytes]:
    files = {}
    for split, rows in ROWS.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(_row(row) for row in rows)
        files[f"{REPO}/liar2/{split}.csv"] = out.getvalue().encode()
    return files


# 7 rows read; 13 is empty; 24 repeats 12 (whitespace aside). Left: fake 3 (verdicts 0, 1, 2), real 2 (3, 4);
# the one "true" row was the empty one, so a misordered verdict list changes the label_6way set.
EXPECTED = {"rows_in": 7, "real": 2, "fake": 3, "values": {
    "source": {"liar2"}, "split": {"valid", "test"}, "title": {""},
    "label_6way": {"pants-fire", "false", "barely-true", "half-true", "mostly-true"},
}}
