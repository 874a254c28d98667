"""FakeNewsNet titles: a deflated zip holding FakeNewsNet.csv (title,news_url,source_domain,tweet_num,real; LF)."""

import io
import zipfile

from newsbench.datasets.catalog.fakenewsnet_titles import REPO, ZIP

CSV = (
    "title,news_url,source_domain,tweet_num,real\n"
    '"Star Couple Spotted At Invented Gala, Fans Say",https://gossip.example/gala,gossip.example,42,1\n'
    "Singer secretly replaced by a robot insider claims,,,7,0\n"  # no url or domain: NA, as in the real CSV
    ",https://gossip.example/empty,gossip.example,3,0\n"  # an empty title: no text, dropped
    '" Star Couple Spotted  At Invented Gala, Fans Say",https://gossip.example/gala2,gossip.example,5,1\n'
)


def raw_files() -> dict[str, bytes]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("FakeNewsNet.csv", CSV.encode())
    return {f"{REPO}/{ZIP}": out.getvalue()}


# 4 rows read (column real: 1 -> label 0, 0 -> 1); the empty title is dropped and the last headline repeats the
# first, whitespace aside. Left: real 1 (gala), fake 1 (robot). With one 4-row file the survivors are 1 and 1, so
# the counts alone cannot tell the label's direction. (source_domain is NA on the robot row: not pinned, as
# pandas 3 keeps NA through astype(str).)
EXPECTED = {"rows_in": 4, "real": 1, "fake": 1, "values": {
    "source": {"fakenewsnet_titles"}, "tweet_num": {"42", "7"},
    "title": {"Star Couple Spotted At Invented Gala, Fans Say", "Singer secretly replaced by a robot insider claims"},
}}
EXPECTED["label_of"] = {"Invented Gala": 0, "replaced by a robot": 1}  # a flipped mapping fails
