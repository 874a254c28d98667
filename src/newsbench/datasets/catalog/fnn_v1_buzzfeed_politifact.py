"""FakeNewsNet, old version (Shu et al. 2017): BuzzFeed and PolitiFact fact-checked political news pages, 2016."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, manifest

REPO, COMMIT = "KaiDMML/FakeNewsNet", "db2f9c0534eb8268df70f9149a4a3730d739d1ca"  # the old-version branch


FILES = manifest(REPO, COMMIT, "fnn_v1_buzzfeed_politifact")  # every *-Webpage.json of the content folders


def normalise(paths: Mapping[str, Path]):
    """One row per ``Data/{BuzzFeed,PolitiFact}/{Fake,Real}NewsContent/*-Webpage.json``, in that order and by
    file name: its ``title``, ``text`` and ``url``; Fake is 1, Real 0; ``file`` is the name without ``.json``."""
    import json

    import pandas as pd

    rows = []
    for site in ("BuzzFeed", "PolitiFact"):
        for kind, label in (("Fake", 1), ("Real", 0)):
            folder = f"Data/{site}/{kind}NewsContent/"
            for path in sorted(f.path for f in FILES if f.path.startswith(folder)):
                page = json.loads(Path(paths[f"{REPO}/{path}"]).read_text(encoding="utf-8"))
                rows.append({"title": page.get("title", ""), "text": page.get("text", ""), "label": label,
                             "source": f"fnn_v1_{site.lower()}", "url": page.get("url", ""),
                             "file": path.removeprefix(folder).removesuffix(".json")})
    return pd.DataFrame(rows)


DATASET = Dataset(
    name="fnn_v1_buzzfeed_politifact",
    summary="FakeNewsNet old version: BuzzFeed (2016 election) and PolitiFact news pages rated fake or real",
    origin=f"https://github.com/{REPO}/tree/old-version",
    licence="None stated in the repository (old-version branch); its README asks for citation.",
    citation=("Kai Shu, Amy Sliva, Suhang Wang, Jiliang Tang and Huan Liu. Fake News Detection on Social Media: A Data "
              "Mining Perspective. ACM SIGKDD Explorations Newsletter 19(1), 2017."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=422, rows=404, real=202, fake=202),
    columns=('title', 'text', 'label', 'source', 'url', 'file'),
    notes=("- The news-content pages of the `old-version` branch (BuzzFeed 91+91, PolitiFact 120+120): "
           "`FakeNewsContent` -> 1, `RealNewsContent` -> 0; `source` is `fnn_v1_buzzfeed` or `fnn_v1_politifact`; "
           "`url` and `file` (the news id with `-Webpage`) kept. The social-context files are not used.\n"
           "- BuzzFeed is WELFake's \"BuzzFeed Political\" component; PolitiFact items may overlap the newer "
           "FakeNewsNet PolitiFact articles used as seeds elsewhere.\n"
           "- Crawled pages: some texts are empty or site boilerplate (e.g. maintenance pages); cleaning drops 2 "
           "empty, 14 duplicate and 2 label-conflicting rows.\n"
           "- The same bytes are copied in pmacinec/fake-news-datasets "
           "(`datasets/fake_news_net/data/FakeNewsNet-old-version`)."),
    tags=("external",),
)
