"""ISOT samples: title,text,subject,date CSVs (an index column, CRLF or LF, two UTF-16 LE files with a BOM)."""

import csv
import io

from newsbench.datasets.catalog.isot_samples import FILES

HEADER = ["title", "text", "subject", "date"]
BUDGET = ("Senate passes invented budget, aides say", "WASHINGTON (Reuters) - The Senate passed a made-up budget.")
# Per file (in FILES order): the rows, as (title, text, subject, date).
ROWS = {
    "True_sample.csv": [(*BUDGET, "politicsNews", "December 5, 2017 "),
                        ("Envoys meet in a fictional city", "GENEVA (Reuters) - Envoys met again.", "worldnews",
                         "November 3, 2017 ")],
    "Fake_sample.csv": [("Mayor CAUGHT on tape [Video]", "The mayor said the moon is cheese.", "News", "Feb 2, 2017")],
    "Fake_reduced.csv": [(" Senator Shocked By Invented Poll", "A made-up poll says voters love soup.", "politics",
                          "December 31, 2017")],  # leading space in the title: stripped
    "StreamlitAppFinal/True_sample.csv": [(BUDGET[0], "WASHINGTON (Reuters) -  The Senate passed a made-up budget. ",
                                           "politicsNews", "October 6, 2017 ")],  # whitespace variant: a duplicate
    "StreamlitAppFinal/Fake_sample.csv": [("ABOUT A COUGH: The Secret [Video]", " ", "politics", "Jul 20, 2016")],
}
NEGI = {  # the uploader swapped the names: True_sample.csv holds fake articles, Fake_sample.csv real ones
    "True_sample.csv": [("Flyer says all taxes end next week", "A flyer says taxes end soon.", "left-news",
                         "December 31, 2017"),
                        ("Star names an invented planet", "A blog says a star named a planet.", "News",
                         "December 30, 2017")],
    "Fake_sample.csv": [("Ministers meet on invented trade deal", "BRUSSELS (Reuters) - Ministers met on trade.",
                         "worldnews", "December 29, 2017 ")],
}
LATER = {
    "True_subset.csv": [("Court rules on a made-up map", "ATLANTA (Reuters) - A court ruled on a map – café.",
                         "politicsNews", "December 31, 2017 ")],
    "Fake_subset.csv": [("Ex-official’s secret diary", "A diary nobody has seen reveals ‘everything’.",
                         "Government News", "December 31, 2017")],
    "Fake_sample.csv": [("Rumour about the moon", "The moon was sold, a blog says.", "US_News", "Jan 4, 2017"),
                        ("Desert city claim", "A blog says a city moved overnight.", "Middle-east", "Jan 5, 2017")],
    "True_sample.csv": [("Bank holds invented rates", "LONDON (Reuters) - The bank held rates.", "worldnews",
                         "June 9, 2017 ")],
    "True_small.csv": [(*BUDGET, "politicsNews", "31-Dec-17")],  # an exact duplicate of Mattia26's first row
}


def _csv(rows, index: bool, newline: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow([""] * index + HEADER)
    writer.writerows([[str(7402 + i)] * index + list(row) for i, row in enumerate(rows)])
    return out.getvalue()


def raw_files() -> dict[str, bytes]:
    files = {}
    for f in FILES:
        owner = f.repo.split("/")[0]
        if owner == "Mattia26":
            files[f.key] = _csv(ROWS[f.path], f.path != "Fake_reduced.csv",
                                "\r\n" if f.path == "Fake_reduced.csv" else "\n").encode()
        elif owner == "catiep14":
            files[f.key] = _csv(ROWS[f.path], False, "\n").encode()
        elif owner == "NegiPrateek31":
            files[f.key] = _csv(NEGI[f.path], False, "\r\n").encode()
        elif owner == "rjabeen04":
            files[f.key] = b"\xff\xfe" + _csv(LATER[f.path], False, "\r\n").encode("utf-16-le")
        else:  # awala-aishwarya (LF), tylerwills27 (CRLF)
            files[f.key] = _csv(LATER[f.path], False, "\r\n" if owner == "tylerwills27" else "\n").encode()
    return files


# 15 rows read; catiep14's " " text is empty; the budget text recurs twice (catiep14 in whitespace, tylerwills27
# exactly): 2 duplicates. Left: real 5 (Mattia 2, Negi's "Fake" 1, rjabeen 1, awala 1), fake 7, by subject;
# labelling by file name would swap NegiPrateek31's 2 + 1 rows and give 6 / 6.
EXPECTED = {"rows_in": 15, "real": 5, "fake": 7, "values": {
    "source": {"isot"},
    "subject": {"politicsNews", "worldnews", "News", "politics", "left-news", "Government News", "US_News",
                "Middle-east"},
}}
