"""LLMFake (Chen & Shu, ICLR 2024): misinformation written by seven LLMs with 13 methods, and the human seeds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from newsbench.datasets.base import Counts, Dataset, github_files

REPO, COMMIT = "llm-misinformation/llm-misinformation", "411811d3841abfac0f039779827bb750efc2dbbc"
ORIGINS = ("politifact", "gossipcop", "coaid")
RESULT = "experiment/result_run1/{0}/{1}/result_gpt-3.5-turbo_{1}_{2}_test1.csv"
SEED = "experiment/data/chatgpt_3.5_generation/{0}/synthetic-gpt-3.5-turbo_{0}_paraphrase_generation_processed.csv"
GENERATORS = {  # result_run1 folder -> the generating model
    "chatgpt_3.5_generation": "gpt-3.5-turbo",
    "llama2_13b_generation": "llama-2-13b-chat",
    "llama2_70b_generation": "llama-2-70b-chat",
    "llama2_7b_generation": "llama-2-7b-chat",
    "vicuna-v1.3_13b_generation": "vicuna-13b-v1.3",
    "vicuna-v1.3_33b_generation": "vicuna-33b-v1.3",
    "vicuna-v1.3_7b_generation": "vicuna-7b-v1.3",
}
FILES = github_files(REPO, COMMIT, {
    SEED.format("politifact"): ("45862a1990817f4a4e3f7601df3d9ced19165aaccf20ba18620cdb2242be352e", 2129602),
    SEED.format("gossipcop"): ("773131698b782684942a599d39a8703c3b09422de845bec03cae0b6a036c3134", 3010640),
    SEED.format("coaid"): ("2868c9980849153bd4c6c76ad9de40d621683c70f8a359a2c49d1b25e00ff5b6", 415175),
    RESULT.format("chatgpt_3.5_generation", "coaid", "open_ended_generation"):
        ("c571ea4b321924bf93ec5dad6e33d7ac15bc91c496fab3f39baadf107aa3e14e", 322617),
    RESULT.format("chatgpt_3.5_generation", "coaid", "paraphrase_generation"):
        ("47643e72c940d2d3bfa761e3f450e7deffe8eec7ee749ada6ce5d7851faa3581", 45115),
    RESULT.format("chatgpt_3.5_generation", "coaid", "rewrite_generation"):
        ("d1b373eb47d9a0d66f62885cf359d444a1ee0be91493d1bbb7ed294d0c069953", 59776),
    RESULT.format("chatgpt_3.5_generation", "gossipcop", "open_ended_generation"):
        ("b2615e45f07415665dbdd28e3ee37c33df4d74afce1a752a1ade8ed4deda76d1", 1255298),
    RESULT.format("chatgpt_3.5_generation", "gossipcop", "paraphrase_generation"):
        ("97442c636461d33f4fde2af286633187e0328177cb345d16ba0219c8a9972791", 804996),
    RESULT.format("chatgpt_3.5_generation", "gossipcop", "rewrite_generation"):
        ("348a8074cbfbdf82f4df6bd488d0bf3725cc023224783c4a90609449ea8c1c4d", 1005071),
    RESULT.format("chatgpt_3.5_generation", "politifact", "hallucination"):
        ("da885a9c628f7631bf210d0e11bc3988fcddb71b82fa755028d4f009daf4454f", 353939),
    RESULT.format("chatgpt_3.5_generation", "politifact", "information_manipulation_Description_Ambiguity"):
        ("bf7c95de1347421379d7cba2e5acd33dd8aa23202726b17543d847f836b6d254", 424838),
    RESULT.format("chatgpt_3.5_generation", "politifact", "information_manipulation_False_Context"):
        ("efb624b0045227a5e4259cf880156901f0e4b9f84a3a4d0e72ae815d64575ff1", 430903),
    RESULT.format("chatgpt_3.5_generation", "politifact", "information_manipulation_Incomplete_Fact"):
        ("f901135a4f92cf974303bcd31aa75d4f3b6a2aa32c18fd05f718f4df9329faf1", 435656),
    RESULT.format("chatgpt_3.5_generation", "politifact", "information_manipulation_Outdated_Information"):
        ("72ba79cec99f21ccd1edc53f7e47c41a0e1595a8d60514cf8e16a55b2c8262b6", 447878),
    RESULT.format("chatgpt_3.5_generation", "politifact", "information_manipulation_Total_Fabrication"):
        ("03f1d26262200955b86fe89d8366163267cfd4711a3870609f8375d548192ddc", 439123),
    RESULT.format("chatgpt_3.5_generation", "politifact", "information_manipulation_Unsubstantiated_Content"):
        ("32856a71d0866e9ed3fc95bf604706aac0e0ea81596f452d3afef12b91e18ebb", 422800),
    RESULT.format("chatgpt_3.5_generation", "politifact", "open_ended_generation"):
        ("e46b47ac71ce2280f3cc45b7f641004c1509e452e16e8f2e53b914461eadaf56", 986805),
    RESULT.format("chatgpt_3.5_generation", "politifact", "paraphrase_generation"):
        ("493582c1c3d19eef19dea2cc134562f602541b920551960c7e07a6fab9545def", 790714),
    RESULT.format("chatgpt_3.5_generation", "politifact", "partially_arbitrary_generation_healthcare_fake_news"):
        ("ea9ec359d98c78b05334c01b72b3a75b7ef98969880f12e1f34d79f52b2b902e", 285732),
    RESULT.format("chatgpt_3.5_generation", "politifact", "partially_arbitrary_generation_politics_rumors"):
        ("81b84c5f9cd1ffe3e77a3eb72a488d237509e6bef9a043b461bd5feae457a1d5", 290792),
    RESULT.format("chatgpt_3.5_generation", "politifact", "rewrite_generation"):
        ("af6972505532891498e51b0d6d2bf25a33d4e6bb685b3126ea5ed25ffeb92caf", 932195),
    RESULT.format("chatgpt_3.5_generation", "politifact", "totally_arbitrary_generation"):
        ("fab29d5f799607e2de5a608a33089f22c400def62c00bb822c6a7ec9eaab6ce5", 313019),
    RESULT.format("llama2_13b_generation", "coaid", "open_ended_generation"):
        ("970b9416eb0a50b80e50eb7f424bc741ecd454f1cc4a26213d019ec7b3fd8cad", 195843),
    RESULT.format("llama2_13b_generation", "coaid", "paraphrase_generation"):
        ("96ab44906be035b5e836f24fb41480e1d03602505d2a8315e8641b4e8945c916", 49050),
    RESULT.format("llama2_13b_generation", "coaid", "rewrite_generation"):
        ("ec7b52d466398f00eea4a1e9b517b284149959dbdb8e4ea3a97f66ba30d89b32", 104324),
    RESULT.format("llama2_13b_generation", "gossipcop", "open_ended_generation"):
        ("b7ed9c697dd106c807d45112c6e2fc13db7810a50bbe0bdc62931036be27b561", 861446),
    RESULT.format("llama2_13b_generation", "gossipcop", "paraphrase_generation"):
        ("f58acaf72756ad53188b232d81b7d126b9a2903e68e28686c9f9d31e94f497cb", 548656),
    RESULT.format("llama2_13b_generation", "gossipcop", "rewrite_generation"):
        ("d20d9a5f6a9d5d09ce0e0cd44dc2bf426a405dca80021f546b6c5ccd4bb8973d", 621451),
    RESULT.format("llama2_13b_generation", "politifact", "open_ended_generation"):
        ("094db11e3a0f3f065eb2e476b3071b34d59c6431b9a1c3f22c54a6d5f61c215d", 1017193),
    RESULT.format("llama2_13b_generation", "politifact", "paraphrase_generation"):
        ("56b482036ce51413a782fb2ea791852f31a73ff822c2b1379bab384af239ee66", 515048),
    RESULT.format("llama2_13b_generation", "politifact", "rewrite_generation"):
        ("203c40b93b7b62a2783500e7d35aef8db8dccb3bd26824d38db6bcfa2647eded", 608005),
    RESULT.format("llama2_70b_generation", "coaid", "open_ended_generation"):
        ("dfcca337d1d2e3074a141c1f74ee35d72f7ebd2b9ef2eb29e1f8a8cbd4c4f825", 192240),
    RESULT.format("llama2_70b_generation", "coaid", "paraphrase_generation"):
        ("31617d5d4e8959ef7b6740027eb62b74edab700fa7dca65c7810ce6572cb318d", 70170),
    RESULT.format("llama2_70b_generation", "coaid", "rewrite_generation"):
        ("e0d8909e5d0e97b24c89dce3215404c7a9b6af5d39d186fd9df5368233632e77", 145740),
    RESULT.format("llama2_70b_generation", "gossipcop", "open_ended_generation"):
        ("f650d25272b36a2c6642b2a1fbba983ea178cdd3fd834024f70e3aefce75cb20", 959802),
    RESULT.format("llama2_70b_generation", "gossipcop", "paraphrase_generation"):
        ("e1022e3a9dc6f83177fd38720dba0175fd4b71d973fb5471d515fe78dda2281b", 753714),
    RESULT.format("llama2_70b_generation", "gossipcop", "rewrite_generation"):
        ("e03f11459399f1dc8cb208219a88c28107696df19de737b28814dd0c2ec5b505", 1045457),
    RESULT.format("llama2_70b_generation", "politifact", "open_ended_generation"):
        ("0c48c563f7466b7c783a01089c358d161ec5d71fa51d3db60ed311c5e8a3d9ed", 1109300),
    RESULT.format("llama2_70b_generation", "politifact", "paraphrase_generation"):
        ("460863b6a14d6be96b15a2a520af94f9a08bd8e8479899c6f2855830b22fdc72", 809329),
    RESULT.format("llama2_70b_generation", "politifact", "rewrite_generation"):
        ("65f94ba4ce4df271071f53a2c659fce808170337e4710ba031d3fe33dc15120f", 1104023),
    RESULT.format("llama2_7b_generation", "coaid", "open_ended_generation"):
        ("b1849c18b4968ccf8ce7e787a0b31dc92f0e936278387c9eda7169b829bc7cf9", 185466),
    RESULT.format("llama2_7b_generation", "coaid", "paraphrase_generation"):
        ("49f2dabf404cb0166220a921af5f85a60657f86c1f231afa9c845c97cead9656", 58004),
    RESULT.format("llama2_7b_generation", "coaid", "rewrite_generation"):
        ("a11a5320f3845fa8fa09938dcc9ea5307c4ca09e685e5933785d42d8e0b7536e", 112727),
    RESULT.format("llama2_7b_generation", "gossipcop", "open_ended_generation"):
        ("65981f567f6c7517b546640e81415439c027e90b7c50e421bd56055c4974d6e6", 793253),
    RESULT.format("llama2_7b_generation", "gossipcop", "paraphrase_generation"):
        ("45621465966e39a6e377f6595d758b7a1240373d15c67485144cffac93ad1d86", 742998),
    RESULT.format("llama2_7b_generation", "gossipcop", "rewrite_generation"):
        ("737b67c4f57ad9f2369752962691e09960f0a8526ede318a4876d3385d6eda96", 959626),
    RESULT.format("llama2_7b_generation", "politifact", "open_ended_generation"):
        ("12869bac1be72dd4672d092c522a54ad8c6e1a1715012665e1c5e7900a8b3090", 904353),
    RESULT.format("llama2_7b_generation", "politifact", "paraphrase_generation"):
        ("0c461721d8925353282637c654d2122cc2b59fa8d65658a91b04485698873087", 714977),
    RESULT.format("llama2_7b_generation", "politifact", "rewrite_generation"):
        ("4d0d8176090f10cad9fa77da7130584b7d7251a3fe8aed276c20e1382a71918c", 957840),
    RESULT.format("vicuna-v1.3_13b_generation", "coaid", "open_ended_generation"):
        ("da6fd54c361ae4fbbe59a888efed81ad7d427509b023a3ed00c3b1182e992843", 87996),
    RESULT.format("vicuna-v1.3_13b_generation", "coaid", "paraphrase_generation"):
        ("2d462e6583bfc8788041bc961d50beb555e0e26745c472dd3272206057607636", 55191),
    RESULT.format("vicuna-v1.3_13b_generation", "coaid", "rewrite_generation"):
        ("8675d44749a35a463b30756672def9937a7595be05bbf83d3a5f4b17ca50653d", 97103),
    RESULT.format("vicuna-v1.3_13b_generation", "gossipcop", "open_ended_generation"):
        ("565db969d70cd6db9fdcf27c9a1f6d988defe80765dfa38ede98f3f28bc70069", 608446),
    RESULT.format("vicuna-v1.3_13b_generation", "gossipcop", "paraphrase_generation"):
        ("ae63ff9158921b286e8151149965069399a97a65108002ee75f0d3b40d050fe1", 466195),
    RESULT.format("vicuna-v1.3_13b_generation", "gossipcop", "rewrite_generation"):
        ("5de6a94f4fa09e16e5accbce12ce3b9c6637d1e76469758a34757c3a6ac0e78a", 508080),
    RESULT.format("vicuna-v1.3_13b_generation", "politifact", "open_ended_generation"):
        ("3ac81c05d8c67b10cd0cc1c03b0deb9ca09f7183e0b186c867f9b2b5b2ef8e48", 656853),
    RESULT.format("vicuna-v1.3_13b_generation", "politifact", "paraphrase_generation"):
        ("a420b91fbc287fe98a8fbb5b1675a2ab0f8930a5f739c29623ff9715bd45ab9c", 474790),
    RESULT.format("vicuna-v1.3_13b_generation", "politifact", "rewrite_generation"):
        ("104b865425fb1bca4293db54ad2e796f6e90650eb3293ef07bf48389462ebef2", 550016),
    RESULT.format("vicuna-v1.3_33b_generation", "coaid", "open_ended_generation"):
        ("15829723df1c2b53c6af4e1ea94a8b5828a9c61bfb0eea7b9fc114e09042cc52", 97256),
    RESULT.format("vicuna-v1.3_33b_generation", "coaid", "paraphrase_generation"):
        ("a7ec51d642bf0406b4d575e3e0d7e97bd1bfdb3844152386051e105dcf4e6f72", 50731),
    RESULT.format("vicuna-v1.3_33b_generation", "coaid", "rewrite_generation"):
        ("9aac7efc9c170edf691a163f3bfd54635a5be6f0aeea17fdaeba57ca1b3d2e18", 58756),
    RESULT.format("vicuna-v1.3_33b_generation", "gossipcop", "open_ended_generation"):
        ("961ec439e19d4e846edee3ea785022623d1efa6154900eb7bb03acbd423ae9b7", 682069),
    RESULT.format("vicuna-v1.3_33b_generation", "gossipcop", "paraphrase_generation"):
        ("569c5c533ac1e4bc03326c5b791af8c3e737d8b30cde95b88f958d5666cc34e1", 436889),
    RESULT.format("vicuna-v1.3_33b_generation", "gossipcop", "rewrite_generation"):
        ("b1cfbe939112f55f5a5d658bfb846e18428726021eaef76e7a1e396d152df95b", 447370),
    RESULT.format("vicuna-v1.3_33b_generation", "politifact", "open_ended_generation"):
        ("0e67b9f82def61cee71a54bf9ba13293d6f6745457e446c7798d3bf2ff253c19", 679486),
    RESULT.format("vicuna-v1.3_33b_generation", "politifact", "paraphrase_generation"):
        ("1def57b573491971ff14ea0eb6a6d2717409543d8645671bcd55427bc8dd0405", 370977),
    RESULT.format("vicuna-v1.3_33b_generation", "politifact", "rewrite_generation"):
        ("6247f66dece8b80e3da9e4cf6260721ba44437877312512fd4db056c7ebfb98d", 406714),
    RESULT.format("vicuna-v1.3_7b_generation", "coaid", "open_ended_generation"):
        ("fbb39179ba30930d3b421b59980a1624da0d0782ec54b23bc2a6b1bb0bee60f0", 51207),
    RESULT.format("vicuna-v1.3_7b_generation", "coaid", "paraphrase_generation"):
        ("17b6b97af68e18edecabf96bf7ea2c783af62fe688991210764689c002ab95fa", 75770),
    RESULT.format("vicuna-v1.3_7b_generation", "coaid", "rewrite_generation"):
        ("903f6a272236d58b46d93903efd9ab69d72ec5abcf3525c5871495282cfdf865", 89180),
    RESULT.format("vicuna-v1.3_7b_generation", "gossipcop", "open_ended_generation"):
        ("3e7a72b2438285c8fdf1c7583154724f28099704b689b7a00ed725af3399d54f", 478246),
    RESULT.format("vicuna-v1.3_7b_generation", "gossipcop", "paraphrase_generation"):
        ("f265b999db72a2813ab2558e98dc29e7c3ca57e68ac5e18fd35441d726d20e45", 533397),
    RESULT.format("vicuna-v1.3_7b_generation", "gossipcop", "rewrite_generation"):
        ("f5fb85f8fffd0c2cf9b803877d5e2c45e060c55f423f65aed0f5181e748de2c4", 589271),
    RESULT.format("vicuna-v1.3_7b_generation", "politifact", "open_ended_generation"):
        ("185eda3821994308261fa70577318e1356267c722641a3c1e9a60398fdd85f44", 557390),
    RESULT.format("vicuna-v1.3_7b_generation", "politifact", "paraphrase_generation"):
        ("69f12def25d94b20a70f14915ecfb637db7667325403a5f340772517402090f5", 677019),
    RESULT.format("vicuna-v1.3_7b_generation", "politifact", "rewrite_generation"):
        ("1241ba74f81449570a32a909346ce20758f0e7b098b6c9c332bca4147ca90ed9", 766050),
})

# An LLM text that refuses or disclaims in its first 300 characters, or opens with a chat preamble or a title line.
REFUSAL = re.compile(r"I cannot|I can't|I'm sorry|I apologize|as an AI|not able to generate", re.IGNORECASE)
PREAMBLE = re.compile(r"title\s*:|headline\s*:|here is|here's|sure|\[", re.IGNORECASE)


def artifact(text: str) -> str:
    """``refusal_like``, ``preamble_or_title_line`` or "" for one LLM-written text (refusal checked first)."""
    text = text.strip()
    if REFUSAL.search(text[:300]):
        return "refusal_like"
    return "preamble_or_title_line" if PREAMBLE.match(text) else ""


def normalise(paths: Mapping[str, Path]):
    """Human rows first: ``news_text`` of the three seed files with their own label (0 real, 1 fake); then every
    ``result_run1`` generation file in path order: its ``synthetic_misinformation`` text, label 1, the file's
    ``label`` kept as ``seed_label`` and its ``prompt`` where the method has no seed article."""
    import pandas as pd

    parts = []
    for origin in ORIGINS:
        path = SEED.format(origin)
        raw = pd.read_csv(paths[f"{REPO}/{path}"], dtype=str, keep_default_na=False)
        parts.append(pd.DataFrame({
            "title": "", "text": raw["news_text"], "label": raw["label"].astype(int),
            "source": f"llmfake_{origin}_human", "generator": "human", "method": "human_written",
            "origin_dataset": origin, "news_id": raw["news_id"], "is_ai": 0, "seed_label": -1, "llm_artifact": "",
            "prompt": "", "file": path,
        }))
    for f in FILES:
        if "/result_run1/" not in f.path:
            continue
        folder, origin, name = f.path.split("/")[-3:]
        method = name.removeprefix(f"result_gpt-3.5-turbo_{origin}_").removesuffix("_test1.csv")
        raw = pd.read_csv(paths[f.key], dtype=str, keep_default_na=False)
        text = raw["synthetic_misinformation" if "synthetic_misinformation" in raw else "synthetic misinformation"]
        parts.append(pd.DataFrame({
            "title": "", "text": text, "label": 1, "source": f"llmfake_{origin}_llm", "generator": GENERATORS[folder],
            "method": method, "origin_dataset": origin, "news_id": raw.get("news_id", ""), "is_ai": 1,
            "seed_label": raw["label"].astype(int), "llm_artifact": text.map(artifact),
            "prompt": raw.get("prompt", ""), "file": f.path,
        }))
    return pd.concat(parts, ignore_index=True)


DATASET = Dataset(
    name="llmfake",
    summary="LLM-written misinformation (7 generators x 13 methods) with the human PolitiFact/GossipCop/CoAID seeds",
    origin=f"https://github.com/{REPO}",
    licence="None stated in the repository; its README asks for citation.",
    citation=("Canyu Chen and Kai Shu. Can LLM-Generated Misinformation Be Detected? "
              "The Twelfth International Conference on Learning Representations (ICLR), 2024."),
    files=FILES,
    normalise=normalise,
    counts=Counts(rows_in=13270, rows=12723, real=750, fake=11973),
    columns=('title', 'text', 'label', 'source', 'generator', 'method', 'origin_dataset', 'news_id', 'is_ai',
             'seed_label', 'llm_artifact', 'prompt', 'file'),
    notes=("- Human rows (`generator` human): `news_text` of the three `synthetic-gpt-3.5-turbo_*_paraphrase_"
           "generation_processed.csv` seed files, their label kept (0 real, 1 human-written fake).\n"
           "- LLM rows: the `synthetic_misinformation` column of the 73 `result_run1/<generator>/<origin>/"
           "result_gpt-3.5-turbo_*_test1.csv` files, all labelled 1; these carry the same generations as "
           "`experiment/data`, whose Llama/Vicuna files are too big to pin. The detector's `prediction` is dropped.\n"
           "- `seed_label` is the result file's own `label` (1 for most methods, 0 for `information_manipulation_*`, "
           "which manipulates real PolitiFact articles; also 1 for hallucination/arbitrary methods, which have no "
           "seed and keep their `prompt`); -1 on human rows. `news_id`, `is_ai` and `file` are kept; no titles.\n"
           "- `llm_artifact`: `refusal_like` (refusal or disclaimer wording in the first 300 characters) or "
           "`preamble_or_title_line` (opens with `Title:`, `Headline:`, `Here is`, `Sure` or `[`); report with "
           "and without them.\n"
           "- Seeds come from FakeNewsNet and CoAID: split seed-aware (`news_id`) when pooling with "
           "fakenewsnet_fulltext, f3 or coaid_news."),
    tags=("external",),
)
