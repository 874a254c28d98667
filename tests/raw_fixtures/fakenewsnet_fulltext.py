"""FakeNewsNet full text: llmfake/F3 pandas CSVs, SheepDog protocol-4 pickles, PolitiFact++ index-oriented JSON."""

import csv
import io
import pickle

import pandas as pd

from newsbench.datasets.catalog import fakenewsnet_fulltext as fnn

SEEDED = ["news_id", "label", "prediction", "news_text", "synthetic_misinformation"]
F3_HEADER = ["uuid", "content", "label", "article_type", "source_type", "pre_post_GPT", "dataset_source", "text_length"]
LIBRARY = "The mayor opened a new library branch downtown."  # an llmfake real seed an LLM repeats as fake
DOG = "An actress adopted a rescue dog, her publicist said."  # in llmfake and (twice) in f3
OCEAN = "A senator wants to rename the ocean."  # in SheepDog and PolitiFact++
PARK = "The council approved a new park budget."  # an f3 article the FIKE file repeats as fake
SEEDS = {"politifact": [("politifact2001", LIBRARY, 0), ("politifact2002", "A post: the mayor banned bicycles.", 1)],
         "gossipcop": [("gossipcop-800001", DOG, 0), ("gossipcop-800002", "A singer faked her wedding, fans say.", 1)]}
F3_ROWS = {  # file: (content, label, dataset_source)
    "article_type/news article/test.csv": [(DOG, "real", "FakeNewsNet_Gossipcop"),
                                           ("Officials urged people to wash hands.", "real", "CoAID")],  # not FNN
    "article_type/news article/validation.csv": [(PARK, "real", "FakeNewsNet_Politifacts")],
    "dataset_source/FakeNewsNet_Gossipcop/test.csv": [(f"  {DOG.replace(' a ', '  a ')}", "real",
                                                       "FakeNewsNet_Gossipcop")],  # f3's own duplicate
    "dataset_source/FakeNewsNet_Gossipcop/validation.csv": [("A reality star bought a castle, a fan page says.",
                                                             "fake", "FakeNewsNet_Gossipcop")],
    "dataset_source/FakeNewsNet_Politifacts/test.csv": [("A senator said the moon landing was staged.", "fake",
                                                         "FakeNewsNet_Politifacts")],
    "dataset_source/FakeNewsNet_Politifacts/train.csv": [("", "real", "FakeNewsNet_Politifacts"),  # empty
                                                         ("The state raised the minimum wage.", "real",
                                                          "FakeNewsNet_Politifacts")],
    "dataset_source/FakeNewsNet_Politifacts/validation.csv": [("Congress passed a rural broadband bill.", "real",
                                                               "FakeNewsNet_Politifacts")],
}
SHEEPDOG_NEWS = {"test": (["The governor vetoed a tax on soda.", "A blogger says the governor owns a zoo."], [0, 1]),
                 "train": (["   ", f"{OCEAN}\n"], [0, 1])}  # a blank: dropped by SheepDog's cleaning
PP_ROWS = {"HR": [("politifact3001", "The treasury issued a new 10/20 note.", "null"),  # title "null" -> ""
                  ("politifact3002", "Voters approved a school bond in the spring.", "School bond passes")],
           "HF": [("politifact3003", OCEAN.replace(" the ", "  the\n"), "Ocean plan")]}


def _csv(header: list[str], rows: list[tuple]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def raw_files() -> dict[str, bytes]:
    files = {}
    for origin, rows in SEEDS.items():
        files[f"{fnn.LLMFAKE}/{fnn.SEED.format(origin)}"] = _csv(
            ["news_id", "news_text", "label", "lang", "theme", "synthetic_misinformation"],
            [(nid, text, label, "en", "", f"A paraphrase of {nid}.") for nid, text, label in rows])
    for i, name in enumerate(fnn.MANIPULATIONS):
        text = f" {LIBRARY}" if i == 0 else f"An {name} twist on politifact story {i}."  # AI rows: never kept
        files[f"{fnn.LLMFAKE}/{fnn.MANIPULATED.format('information_manipulation_' + name)}"] = _csv(
            SEEDED, [("politifact2001" if i == 0 else f"politifact{600 + i}", 0, 1, "the seed", text)])
    for name, rows in F3_ROWS.items():
        files[f"{fnn.F3}/{fnn.F3_HUMAN}{name}"] = _csv(F3_HEADER, [
            (f"00000000-0000-4000-8000-{i:012d}", text, label, "news article", "human", "pre-GPT", source,
             len(text.split())) for i, (text, label, source) in enumerate(rows)])
    files[f"{fnn.F3}/{fnn.F3_MAJ.format('X')}"] = _csv(["aigenerated_content"], [(PARK.replace(" a ", " a\n"),),
                                                                         ("A parade was cancelled by aliens.",)])
    files[f"{fnn.F3}/{fnn.F3_MAJ.format('y')}"] = _csv(["ai_generated_label"], [("fake",), ("real",)])
    for split, (news, labels) in SHEEPDOG_NEWS.items():
        files[f"{fnn.SHEEPDOG}/data/news_articles/politifact_{split}.pkl"] = pickle.dumps(
            {"news": news, "labels": labels}, protocol=4)
    for name, rows in PP_ROWS.items():
        frame = pd.DataFrame([{"id": i, "text": t, "title": title, "description": f"About {i}."}
                              for i, t, title in rows])
        files[f"{fnn.PP}/Dataset/PolitiFact++/{name}.json"] = frame.to_json(orient="index", indent=2).encode()
    return files


# Each set's cleaning first: llmfake keeps 3 of its 4 seeds (the library seed clashes with its LLM repeat); f3
# keeps 5 FNN articles (the CoAID one is not FNN; the empty, the dog's twin and the park clash are dropped);
# SheepDog keeps 3 (a blank dropped); PolitiFact++ 3. rows_in 14; the pool then drops the dog's f3 copy and the
# ocean's PolitiFact++ copy: real 6 (dog, minimum wage, broadband, soda, treasury, school bond), fake 6.
EXPECTED = {"rows_in": 14, "real": 6, "fake": 6, "values": {
    "source": {"fnn_politifact", "fnn_gossipcop"}, "title": {"", "School bond passes"},
    "from_sets": {"llmfake", "f3;llmfake", "f3", "sheepdog_adv", "politifact_pp;sheepdog_adv", "politifact_pp"},
    "news_id": {"", "politifact2002", "gossipcop-800001", "gossipcop-800002", "politifact3001", "politifact3002",
                "politifact3003"},  # the ocean's SheepDog row takes PolitiFact++'s id
}}
EXPECTED["label_of"] = {"rescue dog": 0, "banned bicycles": 1, "faked her wedding": 1, "castle": 1, "moon": 1,
                        "minimum wage": 0, "soda": 0, "owns a zoo": 1, "rename": 1, "school bond": 0}
