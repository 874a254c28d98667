"""FakeNewsNet full text (Shu et al. 2018): the human PolitiFact/GossipCop articles that four AI sets are built on."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files, plain_pickle

LLMFAKE, LLMFAKE_COMMIT = "llm-misinformation/llm-misinformation", "411811d3841abfac0f039779827bb750efc2dbbc"
F3, F3_COMMIT = "mickeymst/F3", "4d4d7a143f4cde4f9e86d1b59d7a2de0ea968779"
F3_FIKE_COMMIT = "ba2db718b56b389de664c8cf1ff967bd4a626904"  # older tree "[F3] FIKE Dataset/", removed later
SHEEPDOG, SHEEPDOG_COMMIT = "jiayingwu19/SheepDog", "fe3c2e6fff01b9abcf51810e8c2885e9201d9e24"
PP, PP_COMMIT = "mbzuai-nlp/Fakenews-dataset", "fcb97e4666f2e9b0340527dc299a9c3eca50b2ae"

SEED = "experiment/data/chatgpt_3.5_generation/{0}/synthetic-gpt-3.5-turbo_{0}_paraphrase_generation_processed.csv"
MANIPULATED = "experiment/result_run1/chatgpt_3.5_generation/politifact/result_gpt-3.5-turbo_politifact_{}_test1.csv"
MANIPULATIONS = ("Description_Ambiguity", "False_Context", "Incomplete_Fact", "Outdated_Information",
                 "Total_Fabrication", "Unsubstantiated_Content")
F3_HUMAN = "F3_Dataset/Human_Disinformation /pre-GPT/"  # sic: the folder name ends in a space
F3_HUMAN_FILES = (  # in the order f3 reads them
    "article_type/news article/test.csv", "article_type/news article/validation.csv",
    "dataset_source/FakeNewsNet_Gossipcop/test.csv", "dataset_source/FakeNewsNet_Gossipcop/validation.csv",
    "dataset_source/FakeNewsNet_Politifacts/test.csv", "dataset_source/FakeNewsNet_Politifacts/train.csv",
    "dataset_source/FakeNewsNet_Politifacts/validation.csv",
)
F3_MAJ = ("[F3] FIKE Dataset/Data Splits/PreGPT3.5_Era/AI-Generated/AI_Articles/Prompt_Maj_Article/"
          "{}_val_Prompt_Maj_Article.csv")
ORIGIN = {"politifact": "fnn_politifact", "gossipcop": "fnn_gossipcop",
          "FakeNewsNet_Politifacts": "fnn_politifact", "FakeNewsNet_Gossipcop": "fnn_gossipcop"}

FILES = github_files(LLMFAKE, LLMFAKE_COMMIT, {
    SEED.format("politifact"): ("45862a1990817f4a4e3f7601df3d9ced19165aaccf20ba18620cdb2242be352e", 2129602),
    SEED.format("gossipcop"): ("773131698b782684942a599d39a8703c3b09422de845bec03cae0b6a036c3134", 3010640),
    MANIPULATED.format("information_manipulation_Description_Ambiguity"):
        ("bf7c95de1347421379d7cba2e5acd33dd8aa23202726b17543d847f836b6d254", 424838),
    MANIPULATED.format("information_manipulation_False_Context"):
        ("efb624b0045227a5e4259cf880156901f0e4b9f84a3a4d0e72ae815d64575ff1", 430903),
    MANIPULATED.format("information_manipulation_Incomplete_Fact"):
        ("f901135a4f92cf974303bcd31aa75d4f3b6a2aa32c18fd05f718f4df9329faf1", 435656),
    MANIPULATED.format("information_manipulation_Outdated_Information"):
        ("72ba79cec99f21ccd1edc53f7e47c41a0e1595a8d60514cf8e16a55b2c8262b6", 447878),
    MANIPULATED.format("information_manipulation_Total_Fabrication"):
        ("03f1d26262200955b86fe89d8366163267cfd4711a3870609f8375d548192ddc", 439123),
    MANIPULATED.format("information_manipulation_Unsubstantiated_Content"):
        ("32856a71d0866e9ed3fc95bf604706aac0e0ea81596f452d3afef12b91e18ebb", 422800),
}) + github_files(F3, F3_COMMIT, {
    F3_HUMAN + "article_type/news article/test.csv":
        ("34afbdda709a5b7648de555b7931b437b2da7fd3ba0d6c5383e78ccebb141f36", 1352307),
    F3_HUMAN + "article_type/news article/validation.csv":
        ("bde49bf5e29acc95257f60ecc094657710c38e09550c51870231168f303bbbca", 2943888),
    F3_HUMAN + "dataset_source/FakeNewsNet_Gossipcop/test.csv":
        ("03f4cffd634c908173eafd231c59c1f7e30a92bdd9f978891c4784f253b0f9a1", 1214530),
    F3_HUMAN + "dataset_source/FakeNewsNet_Gossipcop/validation.csv":
        ("133aa3e277a0a532e8737a2aec108906356324b6e11fced51418e6641e67f84c", 2441234),
    F3_HUMAN + "dataset_source/FakeNewsNet_Politifacts/test.csv":
        ("7fb727229495e479469229cd727f432256159b7398ec720028f1e24548eff549", 90652),
    F3_HUMAN + "dataset_source/FakeNewsNet_Politifacts/train.csv":
        ("1ab76af5112c8deccfd5c70234581a6cf7b29727abf350590ac2b0d4322352db", 531986),
    F3_HUMAN + "dataset_source/FakeNewsNet_Politifacts/validation.csv":
        ("b68459b68f7146cc0fa6b6fc4c8985c54b0240b8db18a9d799d86eda76b8a801", 139978),
}) + github_files(F3, F3_FIKE_COMMIT, {
    F3_MAJ.format("X"): ("5e9aa0f3330da80736b75d661b98f1ad06d654ede9b4b08fa0eefc4eebaf5676", 1524627),
    F3_MAJ.format("y"): ("fb69085024c7c0a2afb27abae2ae900ccf1f504d28fc50e7e4d9e5a9a4855477", 7479),
}) + github_files(SHEEPDOG, SHEEPDOG_COMMIT, {
    "data/news_articles/politifact_test.pkl":
        ("513721fe31bc80faaced171226b972841d0dceae9841d03276a45abf8bffd5a7", 805638),
    "data/news_articles/politifact_train.pkl":
        ("08d39e07a214c34f004f760e5e93f782afc72f6944711045e9308fe1f9097c55", 3067356),
}) + github_files(PP, PP_COMMIT, {
    "Dataset/PolitiFact++/HR.json": ("f84806b59e2474fd935f1a0fa8689b652dcb3d0324f30c5cfc0034172e01697e", 3421703),
    "Dataset/PolitiFact++/HF.json": ("6cbd400f6ba6cd987810c5174d116dd863603a12349dce40f91b1c82468ae9a2", 279901),
})


def normalise(paths: Mapping[str, Path]):
    """The human FakeNewsNet rows of each set as that set's own cleaning leaves them, pooled in the order llmfake,
    f3, sheepdog_adv, politifact_pp: llmfake's PolitiFact/GossipCop seeds (less two real seeds that an
    information-manipulation file repeats verbatim as fake), f3's pre-GPT FakeNewsNet news articles (less one that
    a FIKE major-perturbation file repeats as the other label), SheepDog's PolitiFact test+train originals and
    PolitiFact++ HR (real) then HF (fake). ``from_sets`` names every set holding the text; ``news_id`` is the first
    FakeNewsNet id any of them gives it."""
    import json

    import pandas as pd

    from newsbench.datasets.base import clean

    def csv(repo: str, path: str) -> pd.DataFrame:
        return pd.read_csv(paths[f"{repo}/{path}"], dtype=str, keep_default_na=False)

    def human(rows: pd.DataFrame) -> pd.DataFrame:  # the set's cleaning, then its human rows (AI rows are unnamed)
        return clean(rows)[0].query("source != ''").reset_index(drop=True)

    llmfake = [csv(LLMFAKE, SEED.format(name)).assign(source=ORIGIN[name]) for name in ("politifact", "gossipcop")]
    llmfake += [csv(LLMFAKE, MANIPULATED.format(f"information_manipulation_{name}")).assign(
        news_text=lambda raw: raw["synthetic_misinformation"], label="1", source="") for name in MANIPULATIONS]
    llmfake = pd.concat(llmfake, ignore_index=True)
    llmfake = human(pd.DataFrame({"title": "", "text": llmfake["news_text"], "label": llmfake["label"].astype(int),
                                  "source": llmfake["source"], "news_id": llmfake["news_id"]}))

    f3 = pd.concat([csv(F3, F3_HUMAN + name) for name in F3_HUMAN_FILES], ignore_index=True)
    f3 = f3[(f3["article_type"] == "news article") & f3["dataset_source"].isin(list(ORIGIN))]
    fike = pd.DataFrame({"content": csv(F3, F3_MAJ.format("X"))["aigenerated_content"],
                         "label": csv(F3, F3_MAJ.format("y"))["ai_generated_label"], "dataset_source": ""})
    f3 = pd.concat([f3, fike], ignore_index=True)
    f3 = human(pd.DataFrame({"title": "", "text": f3["content"], "label": f3["label"].map({"real": 0, "fake": 1}),
                             "source": f3["dataset_source"].map(ORIGIN).fillna(""), "news_id": ""}))

    sheepdog = [plain_pickle(paths[f"{SHEEPDOG}/data/news_articles/politifact_{split}.pkl"])
                for split in ("test", "train")]
    sheepdog = human(pd.DataFrame({"title": "", "text": [t for part in sheepdog for t in part["news"]],
                                   "label": [y for part in sheepdog for y in part["labels"]],
                                   "source": "fnn_politifact", "news_id": ""}))

    pp = []
    for name, label in (("HR", 0), ("HF", 1)):
        with open(paths[f"{PP}/Dataset/PolitiFact++/{name}.json"], encoding="utf-8") as handle:
            pp += [{"title": "" if row["title"] == "null" else row["title"], "text": row["text"], "label": label,
                    "source": "fnn_politifact", "news_id": row["id"]} for row in json.load(handle).values()]
    pp = human(pd.DataFrame(pp))

    sets = {"llmfake": llmfake, "f3": f3, "sheepdog_adv": sheepdog, "politifact_pp": pp}
    pool = pd.concat([rows.assign(set=name) for name, rows in sets.items()], ignore_index=True)
    key = pool["text"].str.split().str.join(" ")
    pool["from_sets"] = key.map(pool.groupby(key)["set"].agg(lambda names: ";".join(sorted(set(names)))))
    ids = pool["news_id"].where(pool["news_id"] != "")
    pool["news_id"] = key.map(ids.groupby(key).first()).fillna("")
    return pool[["title", "text", "label", "source", "news_id", "from_sets"]]


DATASET = Dataset(
    name="fakenewsnet_fulltext",
    summary="Human-written PolitiFact and GossipCop full-text articles (FakeNewsNet) pooled from four AI-set releases",
    origin="https://github.com/KaiDMML/FakeNewsNet",
    licence=("None stated in any of the four source repositories; FakeNewsNet is for research use and the article "
             "text stays the publishers' copyright."),
    citation=("Kai Shu, Deepak Mahudeswaran, Suhang Wang, Dongwon Lee and Huan Liu. FakeNewsNet: A Data Repository "
              "with News Content, Social Context and Spatiotemporal Information for Studying Fake News on Social "
              "Media. Big Data 8(3), 2020 (arXiv:1809.01286)."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=3813, rows=3420, real=1948, fake=1472),
    columns=('title', 'text', 'label', 'source', 'news_id', 'from_sets'),
    notes=("- Labels as every source gives them: 0 real, 1 fake. `source` is fnn_politifact / fnn_gossipcop; "
           "`from_sets` lists each set (llmfake, f3, sheepdog_adv, politifact_pp) holding the same text; `news_id` "
           "is the FakeNewsNet id where any of them gives one; titles only from PolitiFact++ (its title \"null\" read "
           "as none).\n"
           "- Each source is first cleaned as its own set is: llmfake's six information-manipulation files and f3's "
           "FIKE major-perturbation validation file are read only because llmfake drops two real seeds and f3 one "
           "article that they repeat with the other label.\n"
           "- Every article is the human seed of LLM rows in llmfake, f3, sheepdog_adv or PolitiFact++: never "
           "train on it and test on those sets without a seed-aware split (`news_id`).\n"
           "- GossipCop dominates; some PolitiFact fake articles are crawl boilerplate."),
    used_copy=("No FakeNewsNet crawl could be obtained where the registry was built, so the article texts come "
               "from the releases of four papers that used it."),
    tags=("external",),
)
