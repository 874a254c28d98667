"""FakeNewsAMT and Celebrity (Pérez-Rosas et al. 2018): crowd-written fakes of real news, and celebrity gossip."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, manifest

REPO, COMMIT = "pmacinec/fake-news-datasets", "0ea4a5ccaf7698cb44ba01855295989a8e26e144"
DATA = "datasets/deception_detection_fake_news/data/"
# The README, then {celebrityDataset,fakeNewsDataset}/{fake,legit}/*.txt in the order of the rows.
FILES = manifest(REPO, COMMIT, "fakenewsamt_celebrity")


def normalise(paths: Mapping[str, Path]):
    """One row per ``{celebrityDataset,fakeNewsDataset}/{fake,legit}/*.txt`` file, in that order and by file name:
    the first non-blank line is the title and the rest the text (a one-line file gives both); ``fake`` is 1,
    ``legit`` 0; ``domain`` is the FakeNewsAMT file name's prefix (biz, edu, ...) or ``celebrity``."""
    import re

    import pandas as pd

    rows = []
    for file in FILES[1:]:
        folder, name = file.path.removeprefix(DATA).rsplit("/", 1)
        corpus, kind = folder.split("/")
        source = "celebrity" if corpus == "celebrityDataset" else "fakenewsamt"
        raw = Path(paths[file.key]).read_text(encoding="utf-8").strip()
        head, _, rest = raw.partition("\n")
        rows.append({"title": head.strip(), "text": rest if rest.strip() else head,
                     "label": 1 if kind == "fake" else 0, "source": source,
                     "domain": "celebrity" if source == "celebrity" else re.match(r"[a-z]+", name).group(),
                     "file": f"{folder}/{name}"})
    return pd.DataFrame(rows)


DATASET = Dataset(
    name="fakenewsamt_celebrity",
    summary="FakeNewsAMT (crowd-written fake versions of real news, six domains) plus Celebrity gossip, real and fake",
    origin="https://lit.eecs.umich.edu/downloads.html#Fake%20News",
    licence=("None stated by the dataset (its README asks for citation); the collection repository holding the copy "
             "is MIT-licensed."),
    citation=("Verónica Pérez-Rosas, Bennett Kleinberg, Alexandra Lefevre and Rada Mihalcea. Automatic Detection of "
              "Fake News. COLING 2018."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=980, rows=980, real=490, fake=490),
    columns=('title', 'text', 'label', 'source', 'domain', 'file'),
    notes=("- `{fakeNewsDataset,celebrityDataset}/{fake,legit}/*.txt`: `legit` -> 0, `fake` -> 1; `source` is "
           "`fakenewsamt` or `celebrity`, `domain` the AMT file prefix (biz, edu, entmt, polit, sports, tech) or "
           "`celebrity`, `file` the path under `data/`.\n"
           "- Title is each file's first non-blank line, text the rest; 31 one-line files use that line as both.\n"
           "- FakeNewsAMT fakes are Mechanical Turk workers' fake versions of the legit articles (a human analogue "
           "of rewriting a real article into a fake); articles are short. The bundled `README` is pinned for its "
           "terms and citation."),
    used_copy=("The authors distribute the data only from their lab's download page, not from a public repository, "
               "so a copy of its files in a public GitHub collection is pinned."),
    tags=("external",),
)
