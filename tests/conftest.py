"""Tiny, seeded fixtures: a synthetic news corpus and a random-weight BERT built from its words."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("NEWSBENCH_OFFLINE", "1")  # no test fetches a dataset from the internet


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """ONNX exports go to a cache of this session's own: never reused from an earlier run whose
    model folders are gone, never left in the user's ~/.cache."""
    os.environ["NEWSBENCH_CACHE"] = str(tmp_path_factory.mktemp("newsbench-cache"))
    os.environ["NEWSBENCH_DATA_HOME"] = str(tmp_path_factory.mktemp("newsbench-data"))

TOPICS = "election budget vaccine climate court senate trade police school market".split()
REAL_WORDS = "officials said on tuesday according to the report the ministry confirmed data shows".split()
FAKE_WORDS = "shocking secret hoax exposed they do not want you to know miracle cover up".split()


def make_corpus(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Articles whose wording leans real or fake, with a source column and some AI rows."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = i % 2
        words = FAKE_WORDS if label else REAL_WORDS
        # 80% of the cue words come from the article's own class, so the task is learnable
        # but not perfectly separable.
        picks = [rng.choice(words) if rng.random() < 0.8 else rng.choice(REAL_WORDS + FAKE_WORDS)
                 for _ in range(int(rng.integers(8, 30)))]
        topic = rng.choice(TOPICS)
        rows.append({
            "title": f"{topic} story {i}",
            "text": f"{topic} " + " ".join(picks) + f" number {i}",
            "label": label,
            "source": "wire" if i % 3 else "blog",
            "is_ai": str(i % 4 == 0).lower(),
        })
    return pd.DataFrame(rows)


@pytest.fixture
def corpus() -> pd.DataFrame:
    return make_corpus()


@pytest.fixture
def corpus_csv(tmp_path, corpus) -> str:
    path = tmp_path / "news.csv"
    corpus.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> str:
    """A 2-layer, 32-wide random BERT classifier with a vocabulary made of the fixture words."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    words = sorted(set(TOPICS + REAL_WORDS + FAKE_WORDS + "story number".split()))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *map(str, range(10))]
    tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(vocab)})
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128, num_labels=2,
                        id2label={0: "real", 1: "fake"}, label2id={"real": 0, "fake": 1})
    import torch

    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    out = tmp_path_factory.mktemp("tiny-bert")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return str(out)


@pytest.fixture(scope="session")
def dateline_model(tmp_path_factory):
    """A TF-IDF model trained with datelines stripped (its real rows carry one), so that scoring
    new text the way evaluate does depends on the preprocessing recorded in model.json."""
    from pathlib import Path

    from newsbench.config import TrainConfig
    from newsbench.training import train

    folder = Path(tmp_path_factory.mktemp("dateline-model"))
    corpus = make_corpus(160, seed=3)
    corpus["text"] = np.where(corpus["label"] == 0, "WASHINGTON (Reuters) - ", "") + corpus["text"]
    corpus.to_csv(folder / "train.csv", index=False)
    train(TrainConfig(data=[str(folder / "train.csv")], out=folder / "model", strip_datelines=True))
    return folder / "model"
