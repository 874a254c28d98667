"""FakeNewsNet old version: one ASCII-escaped JSON page per news id (a few hold only title and text, no url)."""

import json

from newsbench.datasets.catalog.fnn_v1_buzzfeed_politifact import FILES, REPO

DOWN = "This site is down for maintenance. Please check back soon."
SPECIAL = {  # news id -> (title, text, full page?)
    "PolitiFact_Fake_24": ("invented.example - Resources and Information", "", True),  # empty text
    "PolitiFact_Fake_47": ("Home", "  \n\n ", True),  # blank text
    "BuzzFeed_Fake_5": ("Maintenance", DOWN, True),  # the same boilerplate rated fake here and real there:
    "PolitiFact_Real_7": ("Maintenance", DOWN, True),  # both rows dropped
    # no url; CRLF paragraphs and \u2019: BuzzFeed_Real_3 is its whitespace-variant duplicate
    "BuzzFeed_Real_2": ("Senator\u2019s Vote", "A made-up senator said the vote\r\n\r\nwould happen today.", False),
    "BuzzFeed_Real_3": ("Vote Set", "A made-up senator said the vote\n\nwould  happen today.", True),
    "BuzzFeed_Fake_30": ("Shocking Claim", "An invented blogger\u2019s \u201cshocking\u201d claim.", False),
}


def _page(news_id: str, title: str, text: str, full: bool) -> bytes:
    if not full:  # title and text only, no trailing newline
        return json.dumps({"title": title, "text": text}).encode()
    site = f"http://{news_id.split('_')[0].lower()}-news.example"
    page = {"top_img": "", "text": text, "authors": ["A. Nonymous"], "keywords": [],
            "meta_data": {"description": title}, "canonical_link": f"{site}/{news_id}", "images": [],
            "title": title, "url": f"{site}/{news_id}", "summary": "", "movies": [],
            "publish_date": {"$date": 1474243200000}, "source": site}
    return (json.dumps(page) + "\n").encode()


def raw_files() -> dict[str, bytes]:
    files = {}
    for file in FILES:
        news_id = file.path.rsplit("/", 1)[1].removesuffix("-Webpage.json")
        default = (f"Made-up headline {news_id}", f"An invented story ({news_id}) about a fictional vote.", True)
        files[f"{REPO}/{file.path}"] = _page(news_id, *SPECIAL.get(news_id, default))
    return files


# BuzzFeed 91+91 and PolitiFact 120+120 pages: 422 rows, 211 fake / 211 real.
# fake: 2 empty, BuzzFeed_Fake_5 in a label conflict -> 208; real: PolitiFact_Real_7 (conflict) and
# the duplicate BuzzFeed_Real_3 -> 209.
EXPECTED = {"rows_in": 422, "real": 209, "fake": 208,
            "values": {"source": {"fnn_v1_buzzfeed", "fnn_v1_politifact"}}}
