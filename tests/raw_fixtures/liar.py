"""LIAR: three headerless LF TSVs of 14 columns, quotes taken literally (QUOTE_NONE), trailing empty fields."""

from newsbench.datasets.catalog.liar import REPO

SAME = "Says the county budget doubled in a single week."
# Per split: id, label_6way, statement, subject, speaker, job, state, party, 5 credit counts, context.
ROWS = {
    "train": [
        ("1.json", "false", SAME, "budget", "jane-roe", "Mayor", "Ohio", "republican", "1", "2", "0", "0", "0",
         "a mailer"),
        ("2.json", "half-true", '"Wages rose 40 percent, the senator said about the invented plant.', "jobs",
         "john-doe", "Senator", "Iowa", "democrat", "0", "0", "1", "0", "0", "a floor speech"),  # an unclosed quote
        ("3.json", "pants-fire", 'Says the moon is "owned by a bank".', "space", "chain-email", "", "", "none",
         "0", "0", "0", "0", "4", ""),  # empty job, state and context, as in the real chain-email rows
        ("4.json", "true", "", "taxes", "ann-poe", "", "Utah", "independent", "0", "0", "0", "1", "0", "a tweet"),
    ],
    "valid": [
        ("5.json", "mostly-true", "The invented bridge cost less than planned.", "transportation", "bo-lee",
         "Governor", "Texas", "republican", "0", "0", "0", "3", "0", "a debate"),
        ("6.json", "barely-true", "Crime in the made-up town fell by half.", "crime", "jane-roe", "Mayor", "Ohio",
         "republican", "1", "2", "0", "0", "0", "an interview"),
        ("7.json", "false", "Says the county  budget doubled in a single week. ", "budget", "jane-roe", "Mayor",
         "Ohio", "republican", "1", "2", "0", "0", "0", "a radio ad"),  # SAME, whitespace aside: a duplicate
    ],
    "test": [
        ("8.json", "true", "The invented park opened in May.", "parks", "ann-poe", "", "Utah", "independent",
         "0", "0", "0", "1", "0", "a news release"),
        ("9.json", "mostly-true", "Ten fictional schools were rebuilt.", "education", "bo-lee", "Governor",
         "Texas", "republican", "0", "0", "0", "3", "0", "a speech"),
    ],
}


def raw_files() -> dict[str, bytes]:
    return {f"{REPO}/liar_dataset/{split}.tsv": "".join("\t".join(row) + "\n" for row in rows).encode()
            for split, rows in ROWS.items()}


# 9 rows read (the unclosed quote swallows nothing: quotes are literal); 4.json is empty; 7.json repeats 1.json.
# Left: fake 3 (false, pants-fire, barely-true), real 4 (half-true, mostly-true x2, true).
EXPECTED = {"rows_in": 9, "real": 4, "fake": 3, "values": {
    "source": {"liar"}, "split": {"train", "valid", "test"},
    "label_6way": {"pants-fire", "false", "barely-true", "half-true", "mostly-true", "true"},
    "party": {"republican", "democrat", "none", "independent"}, "title": {""},
}}
