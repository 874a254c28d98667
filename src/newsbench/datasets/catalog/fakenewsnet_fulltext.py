"""FakeNewsNet full text (Shu et al. 2018): the human PolitiFact/GossipCop articles that four AI sets are built on."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files, plain_pickle
from newsbench.datasets.catalog import f3, llmfake, sheepdog_adv

LLMFAKE, F3, SHEEPDOG = llmfake.REPO, f3.REPO, sheepdog_adv.REPO  # the files are theirs, pinned there
PP, PP_COMMIT = "mbzuai-nlp/Fakenews-dataset", "fcb97e4666f2e9b0340527dc299a9c3eca50b2ae"

SEED = llmfake.SEED
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

USED = {  # what this set reads of the other sets' files, in this order
    LLMFAKE: [SEED.format("politifact"), SEED.format("gossipcop")]
    + [MANIPULATED.format(f"information_manipulation_{name}") for name in MANIPULATIONS],
    F3: [F3_HUMAN + name for name in F3_HUMAN_FILES] + [F3_MAJ.format("X"), F3_MAJ.format("y")],
    SHEEPDOG: [f"data/news_articles/politifact_{split}.pkl" for split in ("test", "train")],
}
_PINNED = {(f.repo, f.path): f for f in llmfake.FILES + f3.FILES + sheepdog_adv.FILES}
FILES = tuple(_PINNED[repo, path] for repo, paths in USED.items() for path in paths) + github_files(PP, PP_COMMIT, {
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

    llm_rows = [csv(LLMFAKE, SEED.format(name)).assign(source=ORIGIN[name]) for name in ("politifact", "gossipcop")]
    llm_rows += [csv(LLMFAKE, MANIPULATED.format(f"information_manipulation_{name}")).assign(
        news_text=lambda raw: raw["synthetic_misinformation"], label="1", source="") for name in MANIPULATIONS]
    llm_rows = pd.concat(llm_rows, ignore_index=True)
    llm_rows = human(pd.DataFrame({"title": "", "text": llm_rows["news_text"], "label": llm_rows["label"].astype(int),
                                   "source": llm_rows["source"], "news_id": llm_rows["news_id"]}))

    f3_rows = pd.concat([csv(F3, F3_HUMAN + name) for name in F3_HUMAN_FILES], ignore_index=True)
    f3_rows = f3_rows[(f3_rows["article_type"] == "news article") & f3_rows["dataset_source"].isin(list(ORIGIN))]
    fike = pd.DataFrame({"content": csv(F3, F3_MAJ.format("X"))["aigenerated_content"],
                         "label": csv(F3, F3_MAJ.format("y"))["ai_generated_label"], "dataset_source": ""})
    f3_rows = pd.concat([f3_rows, fike], ignore_index=True)
    f3_rows = human(pd.DataFrame({"title": "", "text": f3_rows["content"],
                                  "label": f3_rows["label"].map({"real": 0, "fake": 1}),
                                  "source": f3_rows["dataset_source"].map(ORIGIN).fillna(""), "news_id": ""}))

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

    sets = {"llmfake": llm_rows, "f3": f3_rows, "sheepdog_adv": sheepdog, "politifact_pp": pp}
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
