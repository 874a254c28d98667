"""LLMFake: pandas-written UTF-8 CSVs (seed files news_id,news_text,label,...; result files with or without a seed)."""

import csv
import io

from newsbench.datasets.catalog.llmfake import FILES, GENERATORS, ORIGINS, REPO, SEED

SEEDED = ["news_id", "label", "prediction", "news_text", "synthetic_misinformation"]
SEEDLESS = ["label", "prediction", "prompt", "synthetic misinformation"]  # sic: a space in the column name
SEEDS = {  # origin: rows (news_id, news_text, label)
    "politifact": [("politifact1001", "The senate passed the bridge bill on a Tuesday vote.", 0),  # an LLM repeats it
                   ("politifact1002", 'A senator "secretly" sold the capitol dome, a blog claims.', 1),
                   ("politifact1003", "The governor signed a budget that funds rural clinics.", 0)],
    "gossipcop": [("gossipcop-900001", "A pop singer and an actor were seen at a film premiere.", 0),
                  ("gossipcop-900002", "A star couple wed on a private island, insiders say.", 1)],
    "coaid": [("101", "health officials said flu shots are safe for most adults.", 0),
              ("102", "garlic water cures the virus in one night.", 1),
              ("103", "health officials said  flu shots are safe\nfor most adults. ", 0)],  # whitespace duplicate
}
NEWS_ID = {"politifact": "politifact{}", "gossipcop": "gossipcop-{}", "coaid": "{}"}
REFUSAL = "Sure, I see. But I'm sorry, I cannot paraphrase a false claim."  # refusal wins over the preamble


def _csv(header: list[str], rows: list[tuple]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def _result(i: int, path: str) -> bytes:
    folder, origin, name = path.split("/")[-3:]
    method = name.removeprefix(f"result_gpt-3.5-turbo_{origin}_").removesuffix("_test1.csv")
    text = f"By {method}, {GENERATORS[folder]} wrote that {origin} story {i} was a cover-up."
    if "arbitrary" in method or method == "hallucination":  # no seed article: the prompt instead
        return _csv(SEEDLESS, [(1, i % 2, f"Write a made-up {method} news story.", text)])
    if method == "rewrite_generation":
        text = f"Title: A rewritten {origin} story {i}\n\nThe {folder} rewrite."  # preamble_or_title_line
    if (folder, origin, method) in {("vicuna-v1.3_13b_generation", "coaid", "paraphrase_generation"),
                                    ("vicuna-v1.3_7b_generation", "coaid", "paraphrase_generation")}:
        text = REFUSAL if "13b" in folder else f"  {REFUSAL.replace(' a ', '  a ')}\n"  # refusal_like; 7b's: dup
    seed_label = 0 if method.startswith("information_manipulation") else 1
    rows = [(NEWS_ID[origin].format(5000 + i), seed_label, 0, f"the {origin} seed {i}", text)]
    if method == "information_manipulation_Description_Ambiguity":  # the real seed verbatim, now labelled fake
        rows.append(("politifact1001", 0, 1, SEEDS["politifact"][0][1], " " + SEEDS["politifact"][0][1]))
    if (folder, origin, method) == ("llama2_7b_generation", "gossipcop", "open_ended_generation"):
        rows.append(("gossipcop-4999", 1, 1, "a seed", ""))  # an empty generation: dropped
    return _csv(SEEDED, rows)


def raw_files() -> dict[str, bytes]:
    files = {}
    for origin in ORIGINS:
        lang = ["lang"] if origin != "coaid" else []  # CoAID's seed file has no lang column
        header = ["news_id", "news_text", "label", *lang, "theme", "synthetic_misinformation"]
        rows = [(nid, text, label, *["en"][: len(lang)], "", f"A paraphrase of {nid}.")
                for nid, text, label in SEEDS[origin]]
        files[f"{REPO}/{SEED.format(origin)}"] = _csv(header, rows)
    for i, f in enumerate(f for f in FILES if "/result_run1/" in f.path):
        files[f.key] = _result(i, f.path)
    return files


# rows_in 83: seeds 8 (3 real + 3 fake kept, the Senate seed, the CoAID twin) and 75 LLM rows (73 files, one row
# each, plus the seed repeat in Description_Ambiguity and an empty row in llama-2-7b's gossipcop open-ended file).
# Dropped: the empty row; the Senate seed and its LLM repeat (both labels); the CoAID seed's whitespace twin and
# vicuna-7b's repeated refusal. real = 3 seeds; fake = 3 seeds + 75 - 1 - 1 - 1 = 75.
# Rewrites open with "Title:" (preamble_or_title_line); the refusal opens with "Sure" but is refusal_like.
METHODS = {"hallucination", "open_ended_generation", "paraphrase_generation", "rewrite_generation",
           "totally_arbitrary_generation", "partially_arbitrary_generation_healthcare_fake_news",
           "partially_arbitrary_generation_politics_rumors"} | {
    f"information_manipulation_{m}" for m in ("Description_Ambiguity", "False_Context", "Incomplete_Fact",
                                              "Outdated_Information", "Total_Fabrication", "Unsubstantiated_Content")}
SEEDLESS_METHODS = {m for m in METHODS if "arbitrary" in m or m == "hallucination"}
EXPECTED = {"rows_in": 83, "real": 3, "fake": 75, "values": {
    "source": {f"llmfake_{o}_{kind}" for o in ORIGINS for kind in ("human", "llm")},
    "generator": set(GENERATORS.values()) | {"human"}, "origin_dataset": set(ORIGINS), "is_ai": {0, 1},
    "method": METHODS | {"human_written"}, "seed_label": {-1, 0, 1},
    "llm_artifact": {"", "refusal_like", "preamble_or_title_line"},
    "prompt": {""} | {f"Write a made-up {m} news story." for m in SEEDLESS_METHODS},
}}
EXPECTED["label_of"] = {"rural clinics": 0, "capitol dome": 1, "film premiere": 0, "private island": 1,
                        "flu shots": 0, "garlic water": 1, "cannot paraphrase": 1}  # a flipped mapping fails
