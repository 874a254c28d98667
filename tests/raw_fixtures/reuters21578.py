"""Reuters-21578: Latin-1 SGML files of <REUTERS> records (control entities, &lt;/&amp;, BRIEF and UNPROC texts)."""

from newsbench.datasets.catalog.reuters21578 import REPO, SGML

DATE = "26-FEB-1987 15:01:01.79"
TITLES = ("COCOA FARMERS SEE LATE CROP", "&lt;ACME GRAIN CORP> SETS QUARTERLY", "SMITH &amp; JONES SEES OUTPUT UP")
WHEAT = "Fixture wheat exports rose 5 pct in the made-up\nweek, an invented ministry said."
SPECIAL = {  # (file number, record number) -> changes to the record
    (1, 0): {"body": WHEAT},
    (5, 1): {"body": "Fixture wheat exports rose  5 pct in the made-up week,\n    an invented ministry said."},
    (10, 0): {"body": WHEAT, "signoff": ""},  # no "Reuter" sign-off: still the same text
    (7, 1): {"split": "NOT-USED", "topics": ()},
    (12, 0): {"date": " 9-MAR-1987 04:58:41.12"},  # leading space: stripped
    (14, 1): {"date": "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM"},  # trailing control codes: kept as they are
    (17, 0): {"title": "HERR M\xdcLLER SEES SALES UP",  # Latin-1 bytes
              "body": "Herr M\xfcller of a made-up bank said &lt;ACME> sales rose 3 pct."},
}


def _record(newid: int, kind: str = "", split: str = "TRAIN", topics=("cocoa",), date: str = DATE,
            title: str = TITLES[0], body: str = "", signoff: str = "\n Reuter") -> str:
    codes, attribute = "".join(f"<D>{t}</D>" for t in topics), f' TYPE="{kind}"' if kind else ""
    head = (f'<REUTERS TOPICS="{"YES" if topics else "NO"}" LEWISSPLIT="{split}" CGISPLIT="TRAINING-SET" '
            f'OLDID="{5000 + newid}" NEWID="{newid}">\n<DATE>{date}</DATE>\n<TOPICS>{codes}</TOPICS>\n'
            "<PLACES><D>usa</D></PLACES>\n<PEOPLE></PEOPLE>\n<ORGS></ORGS>\n<EXCHANGES></EXCHANGES>\n"
            f"<COMPANIES></COMPANIES>\n<UNKNOWN> \n&#5;&#5;&#5;C T\n&#22;&#22;&#1;f0704&#31;reute\n"
            f"u f BC-FIXTURE-{newid}   02-26 0105</UNKNOWN>\n<TEXT{attribute}>&#2;\n")
    if kind == "BRIEF":  # a headline only: no body
        return head + f"******<TITLE>{title}\n</TITLE>Blah blah blah.\n&#3;\n\n</TEXT>\n</REUTERS>\n"
    if kind == "UNPROC":  # unprocessed: neither title nor body
        return head + f"{body}\n&#3;\n\n</TEXT>\n</REUTERS>\n"
    return (head + f"<TITLE>{title}</TITLE>\n<DATELINE>    NOWHERE, Feb 26 - </DATELINE><BODY>{body}{signoff}\n"
            "&#3;</BODY></TEXT>\n</REUTERS>\n")


def raw_files() -> dict[str, bytes]:
    files = {}
    for i, name in enumerate(SGML):
        records = []
        for j in range(2):
            fields = {"split": ("TRAIN", "TEST")[j], "topics": (("cocoa",), ("grain", "wheat"))[j],
                      "title": TITLES[(i + j) % 3],
                      "body": f"    Invented figures for week {i}-{j} were\nreleased by a made-up &amp; tiny office."}
            records.append(_record(i * 1000 + j + 1, **{**fields, **SPECIAL.get((i, j), {})}))
        if i == 0:
            records.append(_record(3, "BRIEF", title="ASSETS OF MADE-UP FUNDS ROSE IN WEEK"))
        if i == 3:
            records.append(_record(3003, "UNPROC", body="MADE-UP WEEKLY REPORT\n Net reserves.....1 vs.....2"))
        files[f"{REPO}/{name}"] = ('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + "".join(records)).encode("latin-1")
    return files


# 22 files x 2 records + a BRIEF (000) + an UNPROC (003-full) record: 46 rows; the BRIEF and UNPROC have no body
# (2 empty); (5,1) and (10,0) repeat (1,0) once whitespace, entities and the sign-off are gone (2 duplicates): 42.
EXPECTED = {"rows_in": 46, "real": 42, "fake": 0, "values": {
    "source": {"reuters21578"}, "lewissplit": {"TRAIN", "TEST", "NOT-USED"}, "topics": {"cocoa", "grain;wheat", ""},
    "title": {"COCOA FARMERS SEE LATE CROP", "<ACME GRAIN CORP> SETS QUARTERLY", "SMITH & JONES SEES OUTPUT UP",
              "HERR M\u00dcLLER SEES SALES UP"},
    "date": {DATE, "9-MAR-1987 04:58:41.12", "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM"},
    "file": set(SGML)}}
