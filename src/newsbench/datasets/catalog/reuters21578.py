"""Reuters-21578 (Lewis 1997): 1987 Reuters newswire stories, SGML Distribution 1.0; all real."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "loki86/ksr_zadanie1V2", "d16457fd9d6d2b623fffc163746092b89a6e2fef"
# The repository's reut2-003.sgm is cut short; reut2-003-full.sgm is the complete file.
SGML = tuple(f"reut2-{i:03d}.sgm" if i != 3 else "reut2-003-full.sgm" for i in range(22))
FILES = github_files(REPO, COMMIT, {
    "reut2-000.sgm": ("686f5cf549930e23184bcba2328c7d01348df20f7167ff25e6d3495090c3f822", 1324355),
    "reut2-001.sgm": ("b7fc3231dd9f95fb53518f8d5739d41524fa8dacdb21ddb7f612d9a475c14ea1", 1254436),
    "reut2-002.sgm": ("99f18068d0518952987dedd78c622e5c2a584e357d264d3754696c815f3e6628", 1217495),
    "reut2-003-full.sgm": ("24c0aec30c53acfeceff6df391a278282f61febdea3852e74f1ae01af088d5bd", 1298718),
    "reut2-004.sgm": ("726342c19a65873330b412378cd6a3f0d512035f5223146ddd60930c62eb6ff0", 1321623),
    "reut2-005.sgm": ("d09de619b6dd2d047d5124681f6df90550abaf592020d1c1ce338ae9b91522e7", 1388644),
    "reut2-006.sgm": ("b5535c0d66b01f4976f84621a4a795afbc00d2c4bd0a1b7ae426df6630fb361d", 1254765),
    "reut2-007.sgm": ("aa706007ec84a03537a3921ca976d60e11b3f99e4b9e9b2d5c81dd384d2c2062", 1256772),
    "reut2-008.sgm": ("a3994583694a00b7c744097c1d7eabfcf90f2e6650cc21663e46828035a336cb", 1410117),
    "reut2-009.sgm": ("29995f606dd1a9bdf907eacc9d879846c716860d9d9141676979474aaea39c7d", 1338903),
    "reut2-010.sgm": ("996df6008089bd09fa5b28a4d2eb0ee5f7b9d4601cde566fed3926ac82960fa3", 1371071),
    "reut2-011.sgm": ("d3a2782015247d9c2bffb8926267827fdd449c70d619435ef01a25a1c56a53ca", 1304117),
    "reut2-012.sgm": ("da31035d483851f2aebce5b66d779e5e2c0ac9dcfe098596c6d544e81c5604ab", 1323584),
    "reut2-013.sgm": ("8f7700bc0455fac3fcc12377ced4807b7df8aba1f21ecad059b9cc2b1cf0b8be", 1129687),
    "reut2-014.sgm": ("ef936bd3e0f36cf722afa9a6957563549775af32e9e28b4f539c8737ceda83ab", 1128671),
    "reut2-015.sgm": ("6d3bcec73eff871b8a5403588af814c4e50a0de6bc25707480522ab836f74026", 1258665),
    "reut2-016.sgm": ("be2f03a185fff70131f3b4fdbd6229b7ee2be077eba9691eaa597c8cfbda8812", 1316417),
    "reut2-017.sgm": ("f370e610b4b1342e41a98e0c426a08541044bd1d7e539674f32372a6060b73b5", 1546911),
    "reut2-018.sgm": ("a5f971bf25448e915781962309e669359a35fbcaf3017a806eca0590897f209a", 1258819),
    "reut2-019.sgm": ("d3b07097fba2633d130b4914aceba671645985248943ce9e39c289315339dffb", 1261780),
    "reut2-020.sgm": ("f6ad1b724125c202566c63b35ea0b5ee23881f8b7ed47a32829d5af05d8e860d", 1049566),
    "reut2-021.sgm": ("3f5196d32869723c9042aa5756805b4e90360f1f45ea17f4594fa0e2b3630b18", 621648),
})


def normalise(paths: Mapping[str, Path]):
    """One row per <REUTERS> record in file order: ``<BODY>`` is the text, control entities (``&#5;`` etc.)
    removed, ``&lt;``/``&amp;`` decoded and the closing "Reuter" sign-off cut; ``<TITLE>`` the title; all 0."""
    import html
    import re

    import pandas as pd

    def element(name: str, record: str) -> str:
        found = re.search(rf"<{name}>(.*?)</{name}>", record, re.S)
        return found.group(1) if found else ""

    def decode(value: str) -> str:
        return html.unescape(re.sub(r"&#\d+;", "", value))

    rows = []
    for name in SGML:
        sgml = Path(paths[f"{REPO}/{name}"]).read_text(encoding="latin-1")
        for attributes, record in re.findall(r"<REUTERS([^>]*)>(.*?)</REUTERS>", sgml, re.S):
            attribute = dict(re.findall(r'(\w+)="([^"]*)"', attributes))
            rows.append({
                "title": decode(element("TITLE", record)).strip(),
                "text": re.sub(r"\s*Reuter\s*$", "", decode(element("BODY", record))),
                "label": 0, "source": "reuters21578", "newid": attribute["NEWID"],
                "lewissplit": attribute["LEWISSPLIT"],
                "topics": ";".join(re.findall(r"<D>(.*?)</D>", element("TOPICS", record))),
                "date": element("DATE", record).strip(), "file": name,
            })
    return pd.DataFrame(rows)


DATASET = Dataset(
    name="reuters21578",
    summary="Reuters newswire stories from 1987 (Reuters-21578), financial and commodity heavy; real only",
    origin="https://www.daviddlewis.com/resources/testcollections/reuters21578/",
    licence=("None stated in the repository; the Reuters-21578 README: freely available for research, "
             "copyright Reuters Ltd. and Carnegie Group, Inc."),
    citation=("David D. Lewis. Reuters-21578 Text Categorization Test Collection, Distribution 1.0. "
              "AT&T Labs - Research, 1997 (UCI Machine Learning Repository)."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=21578, rows=18762, real=18762, fake=0),
    columns=('title', 'text', 'label', 'source', 'newid', 'lewissplit', 'topics', 'date', 'file'),
    notes=("- All 21,578 `<REUTERS>` records of `reut2-000` ... `reut2-021` (`reut2-003-full.sgm` for 003); every "
           "row 0 (real). `text` is `<BODY>`, `title` `<TITLE>`; `newid`, `lewissplit`, `topics` (`;`-joined), "
           "`date` (raw, some with trailing control codes) and `file` kept.\n"
           "- 2,535 records without a body (briefs, unprocessed) are dropped as empty; 281 duplicates removed.\n"
           "- No fake rows: use it as real counterparts or a false-positive check. 1987 telegraphic style, "
           "upper-case titles; a student copy whose SGML headers may be slightly edited (record counts match)."),
    used_copy=("The official release is a tar.gz on David Lewis's site and the UCI repository, not in a public "
               "GitHub repository; this student project holds the 22 SGML files."),
    tags=("external", "real-only"),
)
