"""FakeNewsNet titles (Shu et al. 2018): PolitiFact and GossipCop headlines, the redistributed Kaggle CSV."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "Amid68/Fake-News-Detection", "51601dc4bc8c3f341d765af512c669d4dc5f63a9"
ZIP = "evaluation/datasets/fake-news.zip"
FILES = github_files(REPO, COMMIT, {
    ZIP: ("ea5d8a94d14032eb00df9d8b407648e6b095f36957c3df2d81bca5a731d06c13", 1760511),
})


def normalise(paths: Mapping[str, Path]):
    """``FakeNewsNet.csv`` inside the zip: the headline is both title and text; ``real`` 1 -> 0, 0 -> 1."""
    import zipfile

    import pandas as pd

    with zipfile.ZipFile(paths[f"{REPO}/{ZIP}"]) as archive, archive.open("FakeNewsNet.csv") as handle:
        raw = pd.read_csv(handle, dtype=str)
    return pd.DataFrame({
        "title": raw["title"].str.strip(), "text": raw["title"], "label": 1 - raw["real"].astype(int),
        "source": "fakenewsnet_titles", "news_url": raw["news_url"], "source_domain": raw["source_domain"],
        "tweet_num": raw["tweet_num"],
    })


DATASET = Dataset(
    name="fakenewsnet_titles",
    summary="FakeNewsNet PolitiFact + GossipCop headlines only (no body), mostly celebrity news, about 3:1 real:fake",
    origin="https://github.com/KaiDMML/FakeNewsNet",
    licence="None stated in the zip; the FakeNewsNet repository allows research use and does not redistribute text.",
    citation=("Kai Shu, Deepak Mahudeswaran, Suhang Wang, Dongwon Lee and Huan Liu. FakeNewsNet: A Data Repository "
              "with News Content, Social Context and Spatiotemporal Information for Studying Fake News on Social "
              "Media. arXiv:1809.01286, 2018 (Big Data 8(3), 2020)."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=23196, rows=21601, real=16401, fake=5200),
    columns=('title', 'text', 'label', 'source', 'news_url', 'source_domain', 'tweet_num'),
    notes=("- `FakeNewsNet.csv` from `fake-news.zip`: column `real` 1 -> 0, 0 -> 1; `text` is the headline "
           "(no article body, median 11 words); `news_url`, `source_domain` (empty where the CSV has NA) and "
           "`tweet_num` kept.\n"
           "- About 80% GossipCop celebrity news; 364 headlines carrying both labels are dropped.\n"
           "- Shares stories and IDs with every FakeNewsNet-derived set (llmfake, f3, politifact_pp, sheepdog_adv, "
           "fakenewsnet_fulltext): split story-aware when pooling them."),
    used_copy=("The widely redistributed Kaggle CSV (derived from the authors' `dataset/*.csv`) adds the "
               "`source_domain` and `tweet_num` columns and row order kept here; it is zipped in this repository."),
    tags=("external",),
)
