"""F3: pandas-style CSVs (HEAD AI/human files, FIKE X/y split pairs, a CRLF post-GPT file, blank trailing columns)."""

import csv
import io

from newsbench.datasets.catalog.f3 import AI, AI_FILES, FIKE_AI, FIKE_POST, HUMAN, HUMAN_FILES, PROMPTS, REPO

AI_HEADER = ["uuid", "ai_content", "human_content", "aigenerated_content_cleaned", "ai_generated_label",
             "Prompt_type", "pre_post_GPT", "article_type", "dataset_source"]
HUMAN_HEADER = ["uuid", "content", "label", "article_type", "source_type", "pre_post_GPT", "dataset_source",
                "text_length"]
POST_HEADER = ["human_written_content", "aigenerated_content", "model", "num_completion_token", "num_original_token",
               "num_prompt_token", "num_iagenerated_token", "original_label", "source_type", "ai_generated_label",
               "article_type", "pre_post_GPT", "dataset_source", "Prompt_type", "", "", "", "", ""]
TWEET = "twitter post"  # social-media rows: left out by the normaliser (not counted in rows_in)
SEEN = {"ai": "A paraphrase of the CoAID test story,\nplain and factual.", "human": "A GossipCop story about a gala."}


def _csv(header: list[str], rows: list[list], newline: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *rows])
    return out.getvalue().encode()


def _ai(i: int, name: str) -> list[list]:
    source, split = name.split("/")
    split = split[: -len(".csv")]
    prompts = [p for _, p in PROMPTS]
    seed = f"the human {source} {split} article"
    real = SEEN["ai"] if name == "CoAID/test.csv" else f"A paraphrase of the {source} {split} story."
    rows = [[f"a-{i}-0", real, seed, real.lower(), "real", prompts[i % 3], "pre-GPT", "news article", source],
            [f"a-{i}-1", f"A perturbed {source} {split} story with a made-up quote.", seed, "x", "fake",
             prompts[(i + 1) % 3], "pre-GPT", "news article", source]]
    if i == 0:
        rows.append([f"a-{i}-2", "An AI tweet about masks.", "a tweet", "x", "real", "minor", "pre-GPT", TWEET, source])
    return rows


def _human(i: int, name: str) -> list[list]:
    era, kind, origin = name.split("/")[:3]
    origin = {"news article": "FakeNewsNet_Gossipcop"}.get(origin, origin)
    real, fake = f"A true {origin} report, file {i}.", f"A false {origin} report, file {i}."
    if era == "post-GPT":  # the x-Gen file repeats the news-article file's rows; pages open with blank lines
        real, fake = "\n\n\n\nPage title | Site\n\nA fact-checked x-Gen report.", "\n\nA debunked x-Gen report."
        origin = "x-Gen"
    if name == "pre-GPT/article_type/news article/test.csv":
        real = SEEN["human"]
    if name == "pre-GPT/dataset_source/FakeNewsNet_Gossipcop/test.csv":
        real = "  A GossipCop story\tabout a gala. "  # whitespace variant of the one above: duplicate dropped
    if name == "pre-GPT/dataset_source/FakeNewsNet_Politifacts/validation.csv":
        fake = "A true FakeNewsNet_Politifacts report, file 9."  # the text of a real row: both rows dropped
    rows = [[f"h-{i}-0", real, "real", "news article", "human", era, origin, len(real.split())],
            [f"h-{i}-1", fake, "fake", "news article", "human", era, origin, len(fake.split())]]
    if name.endswith("Politifacts/train.csv"):
        rows.append([f"h-{i}-2", "", "real", "news article", "human", era, origin, 0])  # empty: dropped
    if kind == "dataset_source" and origin in ("CoAID", "x-Gen"):
        rows.insert(0, [f"h-{i}-t", "A short tweet.", "fake", TWEET, "human", era, origin, 3])
    return rows


def raw_files() -> dict[str, bytes]:
    files = {AI + name: _csv(AI_HEADER, _ai(i, name)) for i, name in enumerate(AI_FILES)}
    for short, prompt in PROMPTS:
        for split in ("test", "val"):
            folder = f"{FIKE_AI}Prompt_{short}_Article/"
            texts = [f"A {prompt} {split} rewrite,\n\ntold calmly.", f"A {prompt} {split} rewrite with a false twist."]
            if (short, split) == ("Crit", "test"):  # repeats a HEAD AI row (whitespace aside): the HEAD row is kept
                texts[0] = "A paraphrase of  the CoAID test story, plain and factual.\n"
            files[f"{folder}X_{split}_Prompt_{short}_Article.csv"] = _csv(["aigenerated_content"], [[t] for t in texts])
            files[f"{folder}y_{split}_Prompt_{short}_Article.csv"] = _csv(["ai_generated_label"], [["real"], ["fake"]])
    post = (("A seed, said\nthe official.", "A twisted x-Gen story.", "fake", "news article"),
            ("A seed tweet.", "An AI tweet.", "real", TWEET),
            ("Another seed.", "A faithful x-Gen story,\nretold.", "real", "news article"))
    post = [[seed, text, "gpt-3.5-turbo-0301", 40, 40, 90, 130, "TRUE", "AI Machine", label, kind, "post-GPT",
             "x-Gen", "minor", "", "", "", "", ""] for seed, text, label, kind in post]
    files[FIKE_POST] = _csv(POST_HEADER, post, newline="\r\n")
    files.update({HUMAN + name: _csv(HUMAN_HEADER, _human(i, name)) for i, name in enumerate(HUMAN_FILES)})
    return {f"{REPO}/{path}": content for path, content in files.items()}


# rows_in 49 (tweets left out): HEAD AI 10 (5 real, 5 fake); FIKE 12 (6/6, one real repeats a HEAD row: dropped);
# post-GPT AI 2 (1/1); human 25 (13/12): 1 empty real, 2 x-Gen repeats (1 real, 1 fake) and 1 GossipCop repeat
# (real) dropped as duplicates, and the PolitiFact text carried by a real and a fake row drops both.
# real = 5 + (6 - 1) + 1 + (13 - 1 - 2 - 1) = 20; fake = 5 + 6 + 1 + (12 - 1 - 1) = 22.
EXPECTED = {"rows_in": 49, "real": 20, "fake": 22, "values": {
    "source": {"f3_ai_pregpt", "f3_ai_postgpt", "f3_human_pregpt", "f3_human_postgpt"},
    "generator": {"gpt-3.5-turbo", "gpt-3.5-turbo-0301", "human"}, "is_ai": {0, 1},
    "prompt_type": {"critical", "major", "minor", ""}, "era": {"pre-GPT", "post-GPT"},
    "origin_dataset": {"CoAID", "FakeNewsNet_Gossipcop", "FakeNewsNet_Politifacts", "x-Gen",
                       "unknown(FNN/CoAID/x-Gen)"},
    "split": {"test", "train", "validation", "val", "all", "data"},
}}
