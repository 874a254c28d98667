"""CoAID: four crawls, NewsFake/NewsReal CSVs (a BOM'd unnamed index column; newstitle may be empty)."""

REPO = "cuilimeng/CoAID"
HEADER_OLD = "\ufeff,type,fact_check_url,archive,news_url,news_url2,news_url3,news_url4,news_url5,title,newstitle,content,abstract,publish_date,meta_keywords\n"  # noqa: E501
HEADER_NEW = "\ufeff,type,fact_check_url,news_url,title,newstitle,content,abstract,publish_date,meta_keywords\n"


def _row(header: str, i: int, kind: str, newstitle: str, content: str) -> str:
    fields = {"type": "article", "fact_check_url": f"https://fc.example/{i}", "news_url": f"https://n.example/{i}",
              "title": f"claim {i}", "newstitle": newstitle, "content": content, "abstract": ""}
    names = header.lstrip("\ufeff").rstrip("\n").split(",")
    return ",".join([str(i)] + [f'"{fields.get(n, "")}"' for n in names[1:]]) + "\n"


def raw_files() -> dict[str, bytes]:
    files = {}
    for n, period in enumerate(("05-01-2020", "07-01-2020", "09-01-2020", "11-01-2020")):
        header = HEADER_OLD if period != "09-01-2020" else HEADER_NEW
        fake = header + _row(header, 0, "Fake", f"fake title {n}", f"vaccines are a hoax number {n}") \
            + _row(header, 1, "Fake", "", "")  # no content: dropped as empty
        real = header + _row(header, 0, "Real", "", f"officials said cases fell in week {n}") \
            + _row(header, 1, "Real", f"dup {n}", "the same   text everywhere")  # whitespace-equal duplicates
        files[f"{REPO}/{period}/NewsFakeCOVID-19.csv"] = fake.encode()
        files[f"{REPO}/{period}/NewsRealCOVID-19.csv"] = real.encode()
    return files


# 16 rows read; 4 empty; the shared text appears 4 times with one label: 3 duplicates dropped.
EXPECTED = {"rows_in": 16, "real": 5, "fake": 4, "values": {"source": {"coaid"}}}
