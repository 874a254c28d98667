"""Training: baselines, splits, and transformer fine-tuning on a tiny random BERT."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.config import TrainConfig
from newsbench.data import DataSpec, load_dataset
from newsbench.errors import ConfigError
from newsbench.results import ModelCard
from newsbench.serialize import from_json
from newsbench.training import split_ids, train
from newsbench.training.finetune import TrainingInterrupted, epoch_batches

FAST = dict(recipe="finetune", epochs=3, batch_size=8, lr=3e-3, max_length=32, eval_every=None,
            patience=0, max_minutes=None, threads=1, warmup_ratio=0.0)


@pytest.fixture
def toy_csv(tmp_path, corpus):
    path = tmp_path / "toy.csv"
    corpus.to_csv(path, index=False)
    return str(path)


def weights(folder) -> dict:
    return load_file(str(folder / "model.safetensors"))


def test_split_is_stratified_seeded_and_disjoint(toy_csv):
    ds = load_dataset([DataSpec.parse(toy_csv)])
    a, b = split_ids(ds, 0.1, 0.2, seed=1), split_ids(ds, 0.1, 0.2, seed=1)
    assert a == b and split_ids(ds, 0.1, 0.2, seed=2) != a
    assert sum(map(len, a.values())) == len(ds) and not set(a["train"]) & set(a["test"])
    labels = ds.rows.set_index("id")["label"]
    assert labels[a["test"]].mean() == pytest.approx(0.5, abs=0.05)


def test_grouped_split_keeps_groups_together(tmp_path, corpus):
    corpus["news_id"] = [f"seed{i // 4}" for i in range(len(corpus))]
    corpus.loc[:5, "news_id"] = ""
    corpus.to_csv(tmp_path / "g.csv", index=False)
    ds = load_dataset([DataSpec.parse(str(tmp_path / "g.csv"))])
    split = split_ids(ds, 0.2, 0.2, seed=0, group_col="news_id")
    where = {i: name for name, ids in split.items() for i in ids}
    groups = ds.rows.assign(split=ds.rows["id"].map(where)).query("news_id != ''").groupby("news_id")["split"].nunique()
    assert (groups == 1).all() and len(set(where.values())) == 3
    with pytest.raises(ConfigError, match="--group-col"):
        split_ids(ds, 0.2, 0.2, seed=0, group_col="nope")


def test_article_split_keeps_near_copies_and_seed_ids_together(tmp_path, corpus):
    """--group-col article: an article's near copies (one word added, no id) and rows sharing a
    seed id fall in one split, as crossval links them; a row split puts them on both sides."""
    copies = corpus.assign(text=corpus["text"] + " again", title="")  # a near copy of every article
    rows = pd.concat([corpus.assign(title="", news_id=""), copies.assign(news_id="")], ignore_index=True)
    rows.loc[:9, "news_id"] = "seedA"  # ten articles (and so their copies) tied by one seed id
    rows["article"] = range(len(rows))  # a column of that name is not what "article" groups by
    rows.to_csv(tmp_path / "a.csv", index=False)
    ds = load_dataset([DataSpec.parse(str(tmp_path / "a.csv"))])
    article = ds.rows["text"].str.removesuffix(" again")

    def straddling(split) -> int:
        where = ds.rows["id"].map({i: name for name, ids in split.items() for i in ids})
        by_article = where.groupby(article).nunique()
        return int((by_article > 1).sum()) + int(where[:10].nunique() > 1)

    assert straddling(split_ids(ds, 0.2, 0.2, seed=0)) > 10  # by row: many articles on two sides
    split = split_ids(ds, 0.2, 0.2, seed=0, group_col="article")
    assert straddling(split) == 0 and sum(map(len, split.values())) == len(ds)
    assert TrainConfig(data=["x.csv"], out=tmp_path / "m", recipe="robust").group_col == "article"
    assert TrainConfig(data=["x.csv"], out=tmp_path / "m", recipe="tfidf-lr").group_col is None
    assert TrainConfig(data=["x.csv"], out=tmp_path / "m", recipe="robust", group_col="none").group_col is None


def test_epoch_batches_cover_every_row_once_and_depend_on_epoch():
    lengths = np.random.default_rng(0).integers(5, 50, 103)
    batches = epoch_batches(lengths, 8, seed=0, epoch=0)
    assert sorted(np.concatenate(batches).tolist()) == list(range(103))
    again = epoch_batches(lengths, 8, seed=0, epoch=0)
    assert all((x == y).all() for x, y in zip(batches, again))
    assert any((x != y).any() for x, y in zip(batches, epoch_batches(lengths, 8, seed=0, epoch=1)) if len(x) == len(y))


def test_finetune_learns_and_writes_a_model_folder_evaluate_takes(tmp_path, toy_csv, tiny_bert):
    out = tmp_path / "ft"
    card = train(TrainConfig(data=[toy_csv], out=out, base=tiny_bert, **FAST))
    assert card.stopped == "completed all epochs" and len(card.history) == 3
    assert card.history[-1].train_loss < card.history[0].train_loss
    assert card.test.accuracy.value >= 0.8 and card.validation.roc_auc.value >= 0.9
    for name in ("model.safetensors", "config.json", "tokenizer.json", "model.json", "split.json",
                 "README.md", "training_curve.png", "train_fingerprints.npy"):
        assert (out / name).exists(), name
    assert not (out / "checkpoint.pt").exists()
    assert json.loads((out / "config.json").read_text())["id2label"] == {"0": "real", "1": "fake"}
    readme = (out / "README.md").read_text()
    assert f"{card.test.accuracy.value:.4f}" in readme and "in-domain" in readme

    from transformers import AutoModelForSequenceClassification
    assert AutoModelForSequenceClassification.from_pretrained(out).config.num_labels == 2
    run = CliRunner().invoke(app, ["evaluate", "--model", str(out), "--heldout", "--out", str(tmp_path / "run"),
                                   "--bootstrap", "0", "--backend", "torch"])  # fp32 as trained, on any CPU
    assert run.exit_code == 0, run.output
    data = json.loads((tmp_path / "run" / "results.json").read_text())
    [heldout] = data["evaluations"]
    assert heldout["metrics"]["roc_auc"]["value"] == pytest.approx(card.test.roc_auc.value, abs=1e-6)
    assert data["model"]["details"]["max_length"] == "32"  # evaluated as it was fine-tuned


def test_finetune_is_repeatable_and_resume_gives_identical_weights(tmp_path, toy_csv, tiny_bert):
    config = dict(data=[toy_csv], base=tiny_bert, **{**FAST, "epochs": 2, "eval_every": 4, "grad_accum": 2})
    train(TrainConfig(out=tmp_path / "a", **config))
    train(TrainConfig(out=tmp_path / "b", **config))
    with pytest.raises(TrainingInterrupted, match="--resume"):
        train(TrainConfig(out=tmp_path / "c", **config), stop_after_steps=5)
    assert (tmp_path / "c" / "checkpoint.pt").exists() and not (tmp_path / "c" / "model.json").exists()
    card = train(TrainConfig(out=tmp_path / "c", resume=True, **config))
    a, b, c = weights(tmp_path / "a"), weights(tmp_path / "b"), weights(tmp_path / "c")
    for name in a:
        assert torch.equal(a[name], b[name]), name
        assert torch.equal(a[name], c[name]), name
    first = from_json(ModelCard, (tmp_path / "a" / "model.json").read_text())
    assert [p.val_f1_macro for p in card.history] == [p.val_f1_macro for p in first.history]


def test_resume_refuses_other_settings(tmp_path, toy_csv, tiny_bert):
    config = dict(data=[toy_csv], base=tiny_bert, out=tmp_path / "r", **FAST)
    with pytest.raises(TrainingInterrupted):
        train(TrainConfig(**config), stop_after_steps=1)
    with pytest.raises(ConfigError, match="other data or settings"):
        train(TrainConfig(**{**config, "lr": 1e-3}, resume=True))


def test_early_stopping_and_time_budget(tmp_path, toy_csv, tiny_bert):
    stalled = train(TrainConfig(data=[toy_csv], out=tmp_path / "s", base=tiny_bert,
                                **{**FAST, "epochs": 10, "lr": 1e-9, "eval_every": 2, "patience": 2}))
    assert stalled.stopped.startswith("early stopping") and len(stalled.history) == 3
    timed = train(TrainConfig(data=[toy_csv], out=tmp_path / "t", base=tiny_bert,
                              **{**FAST, "epochs": 50, "max_minutes": 1e-9}))
    assert timed.stopped.startswith("time budget") and timed.hyperparameters["steps_done"] == 1
    assert (tmp_path / "t" / "model.safetensors").exists()


def test_a_run_that_diverges_says_so_and_how_to_fix_it(tmp_path, toy_csv, tiny_bert, monkeypatch):
    from newsbench.detectors.hf import HFDetector
    from newsbench.errors import NewsbenchError

    monkeypatch.setattr(HFDetector, "predict_proba",
                        lambda self, texts, progress=None: np.full((len(texts), 2), np.nan))
    with pytest.raises(NewsbenchError, match="training diverged: the validation scores are not numbers at step .* "
                                             "lower --lr"):
        train(TrainConfig(data=[toy_csv], out=tmp_path / "m", base=tiny_bert, **{**FAST, "epochs": 1}))


def test_random_preset_base_builds_a_two_label_model_with_the_minilm_vocabulary():
    from newsbench.training.presets import load_base, random_config

    config = random_config("mobilebert")
    assert config.classifier_activation is False and config.num_labels == 2
    model, tokenizer, source = load_base("random:tinybert-4l", seed=0)
    assert model.config.num_hidden_layers == 4 and model.config.hidden_size == 312
    assert model.config.vocab_size == len(tokenizer) and model.config.id2label == {0: "real", 1: "fake"}
    assert "random weights" in source
    with pytest.raises(ConfigError, match="did you mean 'distilbert'"):
        random_config("distilbrt")


def test_text_template_and_baseline_card(tmp_path, corpus):
    corpus.to_csv(tmp_path / "t.csv", index=False)
    card = train(TrainConfig(recipe="tfidf-lr", data=[str(tmp_path / "t.csv")], out=tmp_path / "m",
                             text_template="{source}: {text}"))
    assert card.preprocessing.text_template == "{source}: {text}"
    assert card.test.accuracy.value > 0.8 and (tmp_path / "m" / "README.md").exists()


@pytest.mark.parametrize("changes, message", [
    ({"recipe": "tfidf-lrr"}, "did you mean 'tfidf-lr'"),
    ({"data": []}, "no training data"),
    ({"val_size": 0.6}, "val_size must be in"),
    ({"val_size": 0.45, "test_size": 0.45}, "too little to train on"),
    ({"epochs": 0}, "epochs must be at least 1"),
    ({"lr": 2.0}, "lr must be in"),
    ({"warmup_ratio": 1.0}, "warmup_ratio"),
    ({"patience": -1}, "patience"),
    ({"text_template": "{title!r}"}, "not a plain column name"),
    ({"max_minutes": -1.0}, "max_minutes must be 0 .no budget."),
    ({"max_minutes": float("nan")}, "max_minutes must be"),
    ({"weight_decay": float("nan")}, "weight_decay must be 0 or more, got nan"),
    ({"seed": -1}, "seed must be in 0..4294967295, got -1"),
    ({"resume": True}, "--resume continues an interrupted finetune; tfidf-lr trains in one go"),
])
def test_train_config_names_the_field(tmp_path, changes, message):
    settings = {"recipe": "tfidf-lr", "data": ["x.csv"], "out": tmp_path / "m", **changes}
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**settings)


def test_train_config_reads_zero_as_off(tmp_path):
    config = TrainConfig(recipe="finetune", data=["x.csv"], out=tmp_path / "m", eval_every=0, max_minutes=0)
    assert config.eval_every is None and config.max_minutes is None
