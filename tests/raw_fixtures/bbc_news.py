"""BBC News: one .txt per story under bbc/<category>/ (title line, blank line, paragraphs); UTF-8 but one Latin-1."""

from newsbench.datasets.catalog.bbc_news import FILES, README, REPO

FEE = "A made-up club paid a \u00a35m fee for an invented striker.\n\nNo real player is involved.\n"
SPECIAL = {  # path -> bytes
    "bbc/sport/199.txt": ("Club pays fee\n\n" + FEE).encode("latin-1"),  # the one Latin-1 file (0xa3 pound sign)
    "bbc/sport/198.txt": ("Fee paid\n\n" + FEE).encode("utf-8"),  # the same story in UTF-8: 199 repeats it
    "bbc/politics/010.txt": b"Headline with no story\n",  # title only: empty text, dropped
    "bbc/tech/279.txt": b"Gadget sales rise\n\nAn invented gadget sold well.\n\nA fictional shop said so.\n",
    "bbc/tech/302.txt": b"Gadget sales rise\n\nAn invented gadget  sold well.\nA fictional shop said so.",  # 279 again
}


def raw_files() -> dict[str, bytes]:
    files = {}
    for file in FILES:
        if file.path == README:
            content = b"Consists of 2225 synthetic fixture documents; please cite Greene and Cunningham 2006.\n"
        else:
            story = f"Made-up story\n\nA fictional {file.path.split('/')[1]} report ({file.path}), invented for a test."
            content = SPECIAL.get(file.path) or (story + "\n\nIt names no real person.\n").encode("utf-8")
        files[f"{REPO}/{file.path}"] = content
    return files


# 510+386+417+511+401 = 2225 stories (README ignored), all real: politics/010 is empty; sport/199 (Latin-1) repeats
# sport/198 and tech/302 repeats tech/279 with other whitespace: 2225 - 1 - 2 = 2222.
EXPECTED = {"rows_in": 2225, "real": 2222, "fake": 0,
            "values": {"source": {"bbc_news"}, "category": {"business", "entertainment", "politics", "sport", "tech"}}}
