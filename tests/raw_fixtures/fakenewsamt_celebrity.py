"""FakeNewsAMT/Celebrity: one UTF-8 .txt per article (title line, blank line, body; some one-line or blank-led)."""

from newsbench.datasets.catalog.fakenewsamt_celebrity import DATA, FILES, REPO

SAME = "A pretend singer waved at fans on a made-up Tuesday."
SPECIAL = {  # file under data/ -> its whole content
    # one line, no line terminator, a UTF-8 pound sign: the line is both title and text
    "fakeNewsDataset/fake/biz09.fake.txt": (
        '"An invented grocer will pay \u00a30.00 to settle a made-up inquiry, a source said.'),
    "fakeNewsDataset/fake/polit07.fake.txt": "\n\n",  # blank: empty text, dropped
    "celebrityDataset/legit/001legit.txt": f"Star One Waves\n\n{SAME}\n",
    # the same body with other whitespace: duplicates of 001legit (the second only once its blank lead is stripped)
    "celebrityDataset/legit/002legit.txt": "Star Two Waves\n\nA pretend   singer waved at\nfans on a made-up Tuesday.",
    "celebrityDataset/legit/101legit.txt": f"\n\nStar Three Waves\n\n{SAME}\n",
}


def _article(folder: str, name: str) -> str:
    kind = "untrue" if folder.endswith("fake") else "ordinary"
    return (f"Invented Headline For {name}\n\nA made-up {kind} report ({folder}/{name}) says a fictional town"
            " held a meeting.\nNo real person is named in it.\n")


def raw_files() -> dict[str, bytes]:
    files = {}
    for file in FILES:
        under = file.path.removeprefix(DATA)
        if under == "README":
            text = "Fake News Dataset (synthetic fixture README; cite Perez-Rosas et al. 2018)\n"
        else:
            folder, name = under.rsplit("/", 1)
            text = SPECIAL.get(under) or _article(folder, name)
        files[f"{REPO}/{file.path}"] = text.encode("utf-8")
    return files


# 250+250 celebrity and 240+240 AMT files, README ignored: 980 rows, 490 fake / 490 legit.
# fake: polit07 empty -> 489 (biz09's one line is kept as text); legit: 002legit and 101legit repeat 001legit -> 488.
EXPECTED = {"rows_in": 980, "real": 488, "fake": 489,
            "values": {"source": {"celebrity", "fakenewsamt"},
                       "domain": {"celebrity", "biz", "edu", "entmt", "polit", "sports", "tech"}}}
