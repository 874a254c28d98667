"""CoAID (Cui & Lee 2020): COVID-19 news articles and posts that fact-checkers rated, four crawls."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "cuilimeng/CoAID", "d238224346781255e1e7e6ed8bc410c2b2e6329e"
PERIODS = ("05-01-2020", "07-01-2020", "09-01-2020", "11-01-2020")
FILES = github_files(REPO, COMMIT, {
    "05-01-2020/NewsFakeCOVID-19.csv": ("0f812e011a689c88f1cd215e32b5e586161fab30a3a14d5355de2978b37cc4d8", 286391),
    "05-01-2020/NewsRealCOVID-19.csv": ("374cc58444688ac696df9c32afc2db9e74a76c611c9723ca76071a68427e11fb", 1545169),
    "07-01-2020/NewsFakeCOVID-19.csv": ("008cfcbe14cc8fc62f204e5794ab6d01db5cd4c058cdf72874b337827629843b", 170690),
    "07-01-2020/NewsRealCOVID-19.csv": ("84152a5f28c5d9a249ee08a121eec75610d985be76bb1777b8d63d451dd29551", 807605),
    "09-01-2020/NewsFakeCOVID-19.csv": ("2f991fbdaba994ff1d435c944c69161dd4f146409905c2d77e39d65464bed160", 37755),
    "09-01-2020/NewsRealCOVID-19.csv": ("a0c4737fb3defe6b70b40a41ee2b831c254873a885ca1fc7234834459fad50e5", 674750),
    "11-01-2020/NewsFakeCOVID-19.csv": ("48d044a624c6b3fab543f6ccaf5bf053916dca3456c7eaddefca12c73e8fd9e7", 23562),
    "11-01-2020/NewsRealCOVID-19.csv": ("6ffbfe149c920e131dac8b99034da9409badb32784d1ff691304ce2ba1e6409e", 720036),
})


def normalise(paths: Mapping[str, Path]):
    """``content`` is the text; the article's own title (``newstitle``) when it has one, else the
    fact-checked claim (``title``); NewsFake files are 1, NewsReal 0."""
    import pandas as pd

    parts = []
    for period in PERIODS:
        for kind, label in (("Fake", 1), ("Real", 0)):
            raw = pd.read_csv(paths[f"{REPO}/{period}/News{kind}COVID-19.csv"], dtype=str, keep_default_na=False)
            parts.append(pd.DataFrame({
                "title": raw["newstitle"].where(raw["newstitle"].str.strip() != "", raw["title"]),
                "text": raw["content"], "label": label, "source": "coaid", "type": raw["type"], "period": period,
                "news_url": raw["news_url"], "fact_check_url": raw["fact_check_url"], "abstract": raw["abstract"],
            }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="coaid_news",
    summary="COVID-19 health news excerpts rated by fact-checkers (CoAID), heavily real-skewed",
    origin=f"https://github.com/{REPO}",
    licence="None stated in the repository; its README asks for citation.",
    citation="Limeng Cui and Dongwon Lee. CoAID: COVID-19 Healthcare Misinformation Dataset. arXiv:2006.00885, 2020.",
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=5457, rows=3071, real=2742, fake=329),
    columns=("title", "text", "label", "source", "type", "period", "news_url", "fact_check_url", "abstract"),
    notes=("- `News{Fake,Real}COVID-19.csv` of the four crawls: Fake -> 1, Real -> 0; `type` (article or post), "
           "`period`, `news_url`, `fact_check_url` and `abstract` kept.\n"
           "- `content` is a crawl excerpt (median 78 words); most fake items have none and are dropped as empty, "
           "so the set is real-skewed.\n"
           "- CoAID articles are seeds of llmfake's and f3's CoAID rows: split seed-aware when pooling them."),
    tags=("external",),
)
