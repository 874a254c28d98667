"""ISOT Fake News (Ahmed, Traore & Saad 2017): the union of random samples of it committed to public repositories."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

MATTIA = "Mattia26/Coursework1_DMS140"
MATTIA_FINAL, MATTIA_EARLY = "e0fe6d8264b91cc63f7278603a57e0aea8894396", "7172b2ad44abe2f98b1928d6283862aac383ca35"
CATIE, CATIE_COMMIT = "catiep14/procyk-python-portfolio", "cf780a6a9740785d583c9f4d922a0888563c462c"
NEGI, NEGI_COMMIT = "NegiPrateek31/fake-news-detector", "673cb9ca23012458698c6df5f0c5c209fb6c6be3"
RJABEEN, RJABEEN_COMMIT = "rjabeen04/fake-news-detector", "1a692935960ce9646fdad9d56be0c3987584b5b2"
AWALA, AWALA_COMMIT = "awala-aishwarya/fake-and-real-news-detection-ai", "d68d4139773b6905df42e1193e1a68e11c64cb4a"
TYLER, TYLER_COMMIT = "tylerwills27/Fake_News_Detector", "67c0c20ffa29c071849361ef205b4d7e53f749c8"
FILES = github_files(MATTIA, MATTIA_FINAL, {
    "True_sample.csv": ("2a0a6e6192f251ecff12653e92d38900e02413cd3e09abec09536b2c9f6bfd53", 3819354),
    "Fake_sample.csv": ("54b892c85b2b4c44062bce2b584a59a923efb997d3a9aa336fd34b56b35dc880", 4193532),
}) + github_files(MATTIA, MATTIA_EARLY, {
    "Fake_reduced.csv": ("c772ff0ddfdd5527e0d84829358e5a7e8ed919c64b37829c0d5a114f9056a4ee", 3923917),
}) + github_files(CATIE, CATIE_COMMIT, {
    "StreamlitAppFinal/True_sample.csv": ("17b0b4c15ab75f8292a5c761524df0f9c28a8c39b556b3a84a3e78c0e0059969", 2377184),
    "StreamlitAppFinal/Fake_sample.csv": ("3ca0b7292578af0586aa2a1ca8230da9ff4fb45e6a7d519ea9ca2b827471cc79", 2687373),
}) + github_files(NEGI, NEGI_COMMIT, {
    "True_sample.csv": ("30e1a9d8c8f31ee85f40e586f55c803caffa729b8a234ccf0d32c3808602d8e5", 1290931),
    "Fake_sample.csv": ("175e6352989c528d83b27d9d3e791dff9ee738d5048240586740e9b81d24ab8b", 1259394),
}) + github_files(RJABEEN, RJABEEN_COMMIT, {
    "True_subset.csv": ("8e24ea970e8b91ed5b2cf45f1685e80b2babe2e071216a90cdfa6a32c72044ee", 2518790),
    "Fake_subset.csv": ("8f8734ea31726cc29f114157b7ad317da083e5432db060be9d8420b89f097ae2", 2581864),
}) + github_files(AWALA, AWALA_COMMIT, {
    "True_sample.csv": ("6ef3318db020cc4371dd5ab57a7a74fc5aabac3531b0438a12762ce386dcda23", 243336),
    "Fake_sample.csv": ("17c93af84f500c5e18480a367530a4567d3ed72708096ccbe5cd7f2f304d4c1b", 252573),
}) + github_files(TYLER, TYLER_COMMIT, {
    "True_small.csv": ("722eccb1805052ce1e54bca289a6cf43c854c4c12cffb6cbb4721d5a76a590f4", 269541),
})
# ISOT's subjects are class-disjoint: these two occur only in True.csv (Reuters), every other only in Fake.csv.
REAL_SUBJECTS = ("politicsNews", "worldnews")


def normalise(paths: Mapping[str, Path]):
    """Every sample in FILES order (rjabeen04's two are UTF-16); ``subject`` decides the label
    (politicsNews and worldnews 0, the rest 1), not the file name, which one uploader swapped; titles
    are stripped; ``subject``, ``date`` and ``origin`` (repo:path of the sample) kept."""
    import pandas as pd

    parts = []
    for raw_file in FILES:
        path = paths[raw_file.key]
        with open(path, "rb") as handle:
            encoding = "utf-16" if handle.read(2) in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        parts.append(pd.DataFrame({
            "title": raw["title"].str.strip(), "text": raw["text"],
            "label": (~raw["subject"].isin(REAL_SUBJECTS)).astype(int),
            "source": "isot", "subject": raw["subject"], "date": raw["date"],
            "origin": f"{raw_file.repo}:{raw_file.path}",
        }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="isot_samples",
    summary="ISOT Reuters (real) vs flagged-site (fake) US politics articles 2016-17: union of public random samples",
    origin="https://onlineacademiccommunity.uvic.ca/isot/2022/11/27/fake-news-detection-datasets/",
    licence=("None stated in any of the sampling repositories (tylerwills27's code is MIT); ISOT itself is "
             "distributed by the UVic ISOT lab for research use."),
    citation=("Hadeer Ahmed, Issa Traore and Sherif Saad. Detection of Online Fake News Using N-Gram Analysis and "
              "Machine Learning Techniques. ISDDC 2017, LNCS 10618, Springer, 2017."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=8795, rows=7003, real=3344, fake=3659),
    columns=('title', 'text', 'label', 'source', 'subject', 'date', 'origin'),
    notes=("- Label from ISOT's `subject`, which is class-disjoint: politicsNews and worldnews (True.csv, Reuters) "
           "-> 0; News, politics, left-news, Government News, US_News, Middle-east (Fake.csv) -> 1. "
           "NegiPrateek31's `True_sample.csv` and `Fake_sample.csv` hold the other class than their names say.\n"
           "- `subject`, `date` and `origin` (repo:path of the sample the row was first seen in) kept; the "
           "samples overlap heavily, so about 7k of ISOT's ~44.9k articles remain after de-duplication.\n"
           "- Shortcut: about 98% of real texts carry a `CITY (Reuters) - ` dateline, and subjects split by class. "
           "Strip the dateline and never feed `subject` or `date` to a model, or it learns the source.\n"
           "- Some fake rows are title-only in ISOT; their empty texts are dropped."),
    used_copy=("ISOT's True.csv and Fake.csv (about 45k articles) are served only from the UVic "
               "lab's page (and were too large to obtain where this registry was built), so random samples "
               "of them from seven public repositories are pooled."),
    tags=("training",),
)
