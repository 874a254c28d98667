"""BBC News (Greene & Cunningham 2006): 2,225 BBC website stories from 2004-2005 in five sections; all real."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, manifest

REPO, COMMIT = "dejanbatanjac/bbc-article-classify-bert", "8265dc84e88b82b87ce7f5b2df5bbbb1159ae922"
README = "bbc/README.TXT"  # the corpus's own README: citation and copyright notice
FILES = manifest(REPO, COMMIT, "bbc_news")  # the README, then bbc/<category>/<nnn>.txt in path order
ARTICLES = tuple(f.path for f in FILES if f.path != README)  # bbc/<category>/<nnn>.txt, sorted


def normalise(paths: Mapping[str, Path]):
    """One row per article file in path order: the first line is the title, the rest the text; all 0.
    Files are UTF-8 except one (sport/199.txt, a Latin-1 pound sign), read as Latin-1."""
    import pandas as pd

    rows = []
    for path in ARTICLES:
        data = Path(paths[f"{REPO}/{path}"]).read_bytes()
        try:
            article = data.decode("utf-8")
        except UnicodeDecodeError:
            article = data.decode("latin-1")
        title, _, text = article.partition("\n")
        rows.append({"title": title.strip(), "text": text, "label": 0, "source": "bbc_news",
                     "category": path.split("/")[1], "file": path})
    return pd.DataFrame(rows)


DATASET = Dataset(
    name="bbc_news",
    summary="BBC News website stories 2004-2005 (business, entertainment, politics, sport, tech); real only",
    origin="http://mlg.ucd.ie/datasets/bbc.html",
    licence=("None granted; README.TXT: \"All rights, including copyright, in the content of the original "
             "articles are owned by the BBC.\" Cite Greene & Cunningham 2006; research use."),
    citation=("Derek Greene and Pádraig Cunningham. Practical Solutions to the Problem of Diagonal Dominance in "
              "Kernel Document Clustering. Proc. ICML 2006."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=2225, rows=2089, real=2089, fake=0),
    columns=('title', 'text', 'label', 'source', 'category', 'file'),
    notes=("- The 2,225 `bbc/<category>/<nnn>.txt` files of the full-text \"bbc\" corpus: first line -> `title`, "
           "the rest -> `text`; every row 0 (real); `category` (the folder) and `file` kept.\n"
           "- The corpus holds 136 exact duplicate stories, dropped by cleaning (2,089 left).\n"
           "- No fake rows: use it as real counterparts or a false-positive check. British English, 2004-05."),
    used_copy=("The authors publish the corpus as a zip on their own site (mlg.ucd.ie), not in a public GitHub "
               "repository; this repository holds the article files (now UTF-8 but one) with the README."),
    tags=("external", "real-only"),
)
