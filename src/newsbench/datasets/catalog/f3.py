"""F3 (Lucas et al. 2023): GPT-3.5 paraphrased / perturbed news articles and the human articles they came from."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO = "mickeymst/F3"
COMMIT = "4d4d7a143f4cde4f9e86d1b59d7a2de0ea968779"  # HEAD: F3_Dataset/
FIKE_COMMIT = "ba2db718b56b389de664c8cf1ff967bd4a626904"  # older tree "[F3] FIKE Dataset/", removed later
AI = "F3_Dataset/LLM_Disinformation/pre-GPT/dataset_source/"
HUMAN = "F3_Dataset/Human_Disinformation /"  # sic: the folder name ends in a space
FIKE = "[F3] FIKE Dataset/Data Splits/"
FIKE_AI = f"{FIKE}PreGPT3.5_Era/AI-Generated/AI_Articles/"
FIKE_POST = f"{FIKE}PostGPT3.5_Era/AI-Data/AI-Genrated_PostGPT.csv"

AI_FILES = ("CoAID/test.csv", "FakeNewsNet_Gossipcop/test.csv", "FakeNewsNet_Politifacts/test.csv",
            "FakeNewsNet_Politifacts/train.csv", "FakeNewsNet_Politifacts/validation.csv")
PROMPTS = (("Crit", "critical"), ("Maj", "major"), ("Min", "minor"))
HUMAN_FILES = (
    "post-GPT/article_type/news article/data.csv", "post-GPT/dataset_source/x-Gen/data.csv",
    "pre-GPT/article_type/news article/test.csv", "pre-GPT/article_type/news article/validation.csv",
    "pre-GPT/dataset_source/CoAID/test.csv", "pre-GPT/dataset_source/CoAID/train.csv",
    "pre-GPT/dataset_source/CoAID/validation.csv", "pre-GPT/dataset_source/FakeNewsNet_Gossipcop/test.csv",
    "pre-GPT/dataset_source/FakeNewsNet_Gossipcop/validation.csv",
    "pre-GPT/dataset_source/FakeNewsNet_Politifacts/test.csv",
    "pre-GPT/dataset_source/FakeNewsNet_Politifacts/train.csv",
    "pre-GPT/dataset_source/FakeNewsNet_Politifacts/validation.csv",
)

FILES = github_files(REPO, COMMIT, {
    f"{AI}CoAID/test.csv": ("545ff226c445c6ecd28f0933262ca7668fd3165f26021b0ddc0a63062bf28a20", 3244630),
    f"{AI}FakeNewsNet_Gossipcop/test.csv":
        ("01b7592801f1a5a05d6d3762ca789de323841fb24b405581295a6c26a7648ff5", 3842268),
    f"{AI}FakeNewsNet_Politifacts/test.csv":
        ("3223fee951fa654402b6a1d076ff1ebc129060c10623ecd43fcca20ef5d966f8", 77266),
    f"{AI}FakeNewsNet_Politifacts/train.csv":
        ("96d7d755c821218b4093c0f2540568586b62bf138dcbfe18bb674167eaa1d1d1", 643565),
    f"{AI}FakeNewsNet_Politifacts/validation.csv":
        ("0c6d66ec5fe0867add00159e89487bc4701e0f24d4505b1611a48a4305830abc", 183862),
    f"{HUMAN}post-GPT/article_type/news article/data.csv":
        ("a989ad0278570bb98659155981412c3d01a94294ece757bcc5dce7bb96d4c310", 1437737),
    f"{HUMAN}post-GPT/dataset_source/x-Gen/data.csv":
        ("e8a3dc0a21a49c40fa3a600e9ab7b77a1cb470cd978610baca5fe2fa0570a654", 1875136),
    f"{HUMAN}pre-GPT/article_type/news article/test.csv":
        ("34afbdda709a5b7648de555b7931b437b2da7fd3ba0d6c5383e78ccebb141f36", 1352307),
    f"{HUMAN}pre-GPT/article_type/news article/validation.csv":
        ("bde49bf5e29acc95257f60ecc094657710c38e09550c51870231168f303bbbca", 2943888),
    f"{HUMAN}pre-GPT/dataset_source/CoAID/test.csv":
        ("5f44473f231b98d311a2316b04ae73e46c8aaf425e9f7e73e291c02e1ea3eb4a", 221757),
    f"{HUMAN}pre-GPT/dataset_source/CoAID/train.csv":
        ("a83cd374741cefb8e4b47816555c3ac3512586c1cdc7f36fb438b957805707d3", 1556530),
    f"{HUMAN}pre-GPT/dataset_source/CoAID/validation.csv":
        ("8b1b7993e1dd28691a7ce5a07b2e97c02cec2cf6cf4992bca8b396eb559c4a56", 440110),
    f"{HUMAN}pre-GPT/dataset_source/FakeNewsNet_Gossipcop/test.csv":
        ("03f4cffd634c908173eafd231c59c1f7e30a92bdd9f978891c4784f253b0f9a1", 1214530),
    f"{HUMAN}pre-GPT/dataset_source/FakeNewsNet_Gossipcop/validation.csv":
        ("133aa3e277a0a532e8737a2aec108906356324b6e11fced51418e6641e67f84c", 2441234),
    f"{HUMAN}pre-GPT/dataset_source/FakeNewsNet_Politifacts/test.csv":
        ("7fb727229495e479469229cd727f432256159b7398ec720028f1e24548eff549", 90652),
    f"{HUMAN}pre-GPT/dataset_source/FakeNewsNet_Politifacts/train.csv":
        ("1ab76af5112c8deccfd5c70234581a6cf7b29727abf350590ac2b0d4322352db", 531986),
    f"{HUMAN}pre-GPT/dataset_source/FakeNewsNet_Politifacts/validation.csv":
        ("b68459b68f7146cc0fa6b6fc4c8985c54b0240b8db18a9d799d86eda76b8a801", 139978),
}) + github_files(REPO, FIKE_COMMIT, {
    f"{FIKE_AI}Prompt_Crit_Article/X_test_Prompt_Crit_Article.csv":
        ("be51db9568e0fb70df913600024f71dfd3f4eb145b9ca64eec498c7c4d0e9e92", 745309),
    f"{FIKE_AI}Prompt_Crit_Article/y_test_Prompt_Crit_Article.csv":
        ("7e55f717ea0d8baeec35317b2cc07802da892c6d0ad3e0d73e080a41597f51be", 3714),
    f"{FIKE_AI}Prompt_Crit_Article/X_val_Prompt_Crit_Article.csv":
        ("df572cfe881e52370347b284724e48bfaf20cea41105b9a9c5af71fb9c0737ef", 1466243),
    f"{FIKE_AI}Prompt_Crit_Article/y_val_Prompt_Crit_Article.csv":
        ("7976c7f70a39d10013bc77f6953a0ee1ccfc47cc3aa8cfd2a8d9e9c3b216d3e5", 7399),
    f"{FIKE_AI}Prompt_Maj_Article/X_test_Prompt_Maj_Article.csv":
        ("48b03777c1e7195366afbd6560d2be1ddf44e6cbd30d856925bc36ff623a9d20", 759627),
    f"{FIKE_AI}Prompt_Maj_Article/y_test_Prompt_Maj_Article.csv":
        ("e7798d8dabe858299ffc427131f296582d4717fa469f6e109d2e426822f06303", 3749),
    f"{FIKE_AI}Prompt_Maj_Article/X_val_Prompt_Maj_Article.csv":
        ("5e9aa0f3330da80736b75d661b98f1ad06d654ede9b4b08fa0eefc4eebaf5676", 1524627),
    f"{FIKE_AI}Prompt_Maj_Article/y_val_Prompt_Maj_Article.csv":
        ("fb69085024c7c0a2afb27abae2ae900ccf1f504d28fc50e7e4d9e5a9a4855477", 7479),
    f"{FIKE_AI}Prompt_Min_Article/X_test_Prompt_Min_Article.csv":
        ("6be0ac45a143fd27b82454e875aa5d41cc2c2a18c801c1b7e2ecf89d8d825286", 777304),
    f"{FIKE_AI}Prompt_Min_Article/y_test_Prompt_Min_Article.csv":
        ("898b26190b18ede217ce276966e6a6d4ca00bbf7b47eb3e2c2e7bb48c34b5d16", 3724),
    f"{FIKE_AI}Prompt_Min_Article/X_val_Prompt_Min_Article.csv":
        ("7da3f25fe4c0c28f2b87d65d45f4a5b303624dcf3430431780f0ec9e16e4cbaa", 1587778),
    f"{FIKE_AI}Prompt_Min_Article/y_val_Prompt_Min_Article.csv":
        ("fcb2ed6eb80cbf3f1f119f5e1ea7e2026a64785f40f542b5b55d3cf414e5904a", 7429),
    FIKE_POST: ("58eec02e69966826d552238e1883e463680b8f6337912c09259447c2fae50e46", 1016545),
})


def normalise(paths: Mapping[str, Path]):
    """News-article rows only (``article_type == "news article"``); ``real`` -> 0, ``fake`` -> 1. First the HEAD
    AI articles (``ai_content``, seed ``human_content``), then the FIKE val/test AI articles (text and label in
    separate X/y files, no metadata), then the post-GPT AI articles, then the human articles (``content``)."""
    import pandas as pd

    def read(path: str) -> pd.DataFrame:
        return pd.read_csv(paths[f"{REPO}/{path}"], dtype=str, keep_default_na=False)

    label = {"real": 0, "fake": 1}
    parts = []
    for name in AI_FILES:
        raw = read(AI + name)
        raw = raw[raw["article_type"] == "news article"]
        parts.append(pd.DataFrame({
            "title": "", "text": raw["ai_content"], "label": raw["ai_generated_label"].map(label),
            "source": "f3_ai_pregpt", "generator": "gpt-3.5-turbo", "is_ai": 1, "prompt_type": raw["Prompt_type"],
            "era": "pre-GPT", "origin_dataset": raw["dataset_source"], "split": name.split("/")[1][: -len(".csv")],
            "seed_text": raw["human_content"], "file": AI + name,
        }))
    for short, prompt in PROMPTS:
        for split in ("test", "val"):
            folder = f"{FIKE_AI}Prompt_{short}_Article/"
            text = read(f"{folder}X_{split}_Prompt_{short}_Article.csv")["aigenerated_content"]
            labels = read(f"{folder}y_{split}_Prompt_{short}_Article.csv")["ai_generated_label"]
            parts.append(pd.DataFrame({
                "title": "", "text": text, "label": labels.map(label), "source": "f3_ai_pregpt",
                "generator": "gpt-3.5-turbo", "is_ai": 1, "prompt_type": prompt, "era": "pre-GPT",
                "origin_dataset": "unknown(FNN/CoAID/x-Gen)", "split": split, "seed_text": "",
                "file": f"{folder}X_{split}_Prompt_{short}_Article.csv@{FIKE_COMMIT[:10]}",
            }))
    raw = read(FIKE_POST)
    raw = raw[raw["article_type"] == "news article"]
    parts.append(pd.DataFrame({
        "title": "", "text": raw["aigenerated_content"], "label": raw["ai_generated_label"].map(label),
        "source": "f3_ai_postgpt", "generator": raw["model"], "is_ai": 1, "prompt_type": raw["Prompt_type"],
        "era": "post-GPT", "origin_dataset": raw["dataset_source"], "split": "all",
        "seed_text": raw["human_written_content"], "file": f"{FIKE_POST}@{FIKE_COMMIT[:10]}",
    }))
    for name in HUMAN_FILES:
        raw = read(HUMAN + name)
        raw = raw[raw["article_type"] == "news article"]
        parts.append(pd.DataFrame({
            "title": "", "text": raw["content"], "label": raw["label"].map(label),
            "source": "f3_human_" + name.split("/")[0].replace("-", "").lower(), "generator": "human", "is_ai": 0,
            "prompt_type": "", "era": raw["pre_post_GPT"], "origin_dataset": raw["dataset_source"],
            "split": name.rsplit("/", 1)[1][: -len(".csv")], "seed_text": "", "file": HUMAN + name,
        }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="f3",
    summary="GPT-3.5 paraphrased (real) and perturbed (fake) news articles plus human FakeNewsNet/CoAID/x-Gen articles",
    origin=f"https://github.com/{REPO}",
    licence="None stated in the repository.",
    citation=("Jason Lucas, Adaku Uchendu, Michiharu Yamashita, Jooyoung Lee, Shaurya Rohatgi and Dongwon Lee. "
              "Fighting Fire with Fire: The Dual Role of LLMs in Crafting and Detecting Elusive Disinformation. "
              "EMNLP 2023."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=15672, rows=13620, real=8423, fake=5197),
    columns=('title', 'text', 'label', 'source', 'generator', 'is_ai', 'prompt_type', 'era', 'origin_dataset',
             'split', 'seed_text', 'file'),
    notes=("- `real` -> 0, `fake` -> 1 (`ai_generated_label` for AI rows, `label` for human rows); only news-article "
           "rows, social-media posts are left out.\n"
           "- AI label 0 is a GPT-3.5 paraphrase of a real article, AI label 1 a minor/major/critical perturbation "
           "(`prompt_type`) of one; keep `is_ai` to tell them from human rows (`generator == human`).\n"
           "- Columns kept: `generator`, `is_ai`, `prompt_type`, `era`, `origin_dataset`, `split`, `seed_text` "
           "(the human article an AI row rewrote, where the file gives it) and `file`.\n"
           "- The AI train splits could not be obtained; the FIKE val/test files of an older commit "
           "(`origin_dataset` unknown) stand in, and where they repeat a HEAD AI row the HEAD row is kept.\n"
           "- Seeds are FakeNewsNet/CoAID articles: split seed-aware when pooling with those sets."),
    tags=("external",),
)
