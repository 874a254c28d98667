"""Heads recipes (TF-IDF, frozen MiniLM embeddings, style features; saved without pickles):
trained, saved, loaded and scored the same way by train, evaluate and profile."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import make_corpus
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.config import EvalConfig, TrainConfig
from newsbench.detectors import detect_backend, load_detector
from newsbench.errors import ConfigError
from newsbench.evaluation import evaluate
from newsbench.heads import HeadModel, canonical, fit_head
from newsbench.static import DIMENSIONS
from newsbench.training import train
from newsbench.training.recipes import source_weights
from newsbench.training.style import STYLE_FEATURES, style_features


@pytest.fixture
def two_sources(tmp_path):
    make_corpus(160, 0).to_csv(tmp_path / "a.csv", index=False)
    b = make_corpus(60, 1)
    b["text"] = b["text"].str.upper() + "!"  # another outlet's house style
    b.to_csv(tmp_path / "b.csv", index=False)
    return tmp_path


def test_a_style_model_trains_saves_without_pickles_and_evaluates_as_trained(two_sources):
    out = two_sources / "style"
    card = train(TrainConfig(data=[str(two_sources / "a.csv"), str(two_sources / "b.csv")], out=out,
                             recipe="style-lr", balance="sources"))
    files = sorted(p.name for p in out.iterdir())
    assert "heads.json" in files and not any(f.endswith((".joblib", ".pkl")) for f in files)
    assert detect_backend(str(out)) == "heads" and card.hyperparameters["balance"] == "sources"
    capped = train(TrainConfig(data=[str(two_sources / "a.csv"), str(two_sources / "b.csv")], out=two_sources / "cap",
                               recipe="style-lr", max_per_source=50))
    assert sum(capped.split.sizes.values()) == 100  # 50 of a's 160 rows, 50 of b's 60
    # evaluate needs no --allow-pickle, and rescoring the held-out split reproduces the card's test metrics.
    run = evaluate(EvalConfig(model=str(out), heldout=True, n_bootstrap=0))
    [ev] = run.result.evaluations
    assert ev.metrics.roc_auc.value == pytest.approx(card.test.roc_auc.value)
    assert ev.metrics.accuracy.value == pytest.approx(card.test.accuracy.value)
    assert run.result.model.backend == "heads" and run.result.model.parameters == len(STYLE_FEATURES) + 1


def test_heads_round_trip_through_their_files(tmp_path):
    corpus = make_corpus(120, 0)
    texts, y = corpus["text"].tolist(), corpus["label"].to_numpy()
    model = HeadModel([fit_head("tfidf", texts, y), fit_head("style", texts, y)])
    model.save(tmp_path)
    again = HeadModel.load(tmp_path)
    probe = make_corpus(30, 5)["text"].tolist()
    np.testing.assert_allclose(again.score(probe), model.score(probe), rtol=1e-6)
    # The mean of the heads' log-odds, by hand.
    logits = [h.log_odds(probe) for h in model.heads]
    np.testing.assert_allclose(model.score(probe), 1 / (1 + np.exp(-(logits[0] + logits[1]) / 2)))
    (tmp_path / "heads.json").write_text(json.dumps({"heads": [{"view": "magic", "file": "head-0.npz"}]}))
    with pytest.raises(Exception, match=r"head 0 \(head-0.npz\) is damaged: unknown view 'magic'"):
        HeadModel.load(tmp_path)


def test_the_ensemble_uses_the_offline_encoder_and_the_detector_never_caches(two_sources, monkeypatch):
    cache = two_sources / "cache"
    monkeypatch.setenv("NEWSBENCH_CACHE", str(cache))
    out = two_sources / "ensemble"
    card = train(TrainConfig(data=[str(two_sources / "a.csv")], out=out, recipe="ensemble"))
    views = [h["view"] for h in json.loads((out / "heads.json").read_text())["heads"]]
    assert views == ["tfidf", "embed", "style"] and (out / "encoder" / "config.json").exists()
    assert card.hyperparameters["encoder_tokens"] == 128
    shards = sorted((cache / "embeddings").rglob("*.npz"))
    assert shards  # training cached the embeddings it computed
    detector = load_detector(str(out))
    texts = make_corpus(10, 7)["text"].tolist()
    first = detector.predict_proba(texts)
    assert np.allclose(first.sum(axis=1), 1) and first.shape == (10, 2)
    np.testing.assert_allclose(detector.predict_proba(texts), first, rtol=1e-5)
    assert sorted((cache / "embeddings").rglob("*.npz")) == shards  # scoring wrote nothing
    [ev] = evaluate(EvalConfig(model=str(out), heldout=True, n_bootstrap=0)).result.evaluations
    assert ev.metrics.roc_auc.value == pytest.approx(card.test.roc_auc.value, abs=1e-6)
    # A damaged cache (a shard cut short, another full of NaN) is encoded again, never trusted.
    from newsbench.training.embeddings import SentenceEncoder
    from newsbench.training.presets import pretrained_path

    with np.load(shards[0]) as data:
        hashes, vectors = data["hashes"], data["vectors"]
    assert set(hashes.tolist()) <= set(SentenceEncoder(pretrained_path("minilm-l6"), 128).cache)
    np.savez(shards[0], hashes=hashes, vectors=np.full_like(vectors, np.nan))
    (shards[0].parent / "zz-cut.npz").write_bytes(b"PK\x03\x04 cut short")
    assert not set(hashes.tolist()) & set(SentenceEncoder(pretrained_path("minilm-l6"), 128).cache)


def test_style_features_measure_what_they_say():
    [plain, shouting] = style_features(["Officials said the report was published.",
                                        "YOU WON'T BELIEVE THIS! Shocking! Is it true?"])
    col = {name: i for i, name in enumerate(STYLE_FEATURES)}
    assert plain[col["exclamations"]] == 0 and shouting[col["exclamations"]] > 0
    assert shouting[col["all_caps_words"]] > plain[col["all_caps_words"]] == 0
    assert plain[col["attribution_rate"]] == pytest.approx(1 / 6) and shouting[col["second_person_rate"]] > 0


def test_balance_is_checked_and_weights_are_per_source():
    with pytest.raises(ConfigError, match="balance"):
        TrainConfig(data=["x"], out="m", balance="equal")
    with pytest.raises(ConfigError, match="finetune"):
        TrainConfig(data=["x"], out="m", recipe="finetune", balance="sources")
    w = source_weights(np.array(["a"] * 30 + ["b"] * 10), np.array([0, 1] * 20), "sources")
    assert w[:30].sum() == pytest.approx(w[30:].sum())
    assert source_weights(None, np.array([0, 0, 0, 1]), "sources")[3] == pytest.approx(2.0)  # one source: classes


def test_canonical_spelling_is_one_word_per_spelling():
    assert canonical("Don\u2019t PANIC: 2016\u2019s \ufb01ne") == "dont panic: 0000s fine"
    assert canonical("don't") == canonical("dont") == canonical("DON`T")


def test_the_robust_recipe_strips_balances_and_reads_one_spelling(two_sources):
    from newsbench.explain import explain

    out = two_sources / "robust"
    card = train(TrainConfig(data=[str(two_sources / "a.csv"), str(two_sources / "b.csv")], out=out,
                             recipe="robust"))
    assert card.preprocessing.strip_artifacts and card.hyperparameters["balance"] == "sources"
    assert card.hyperparameters["C"] == {"tfidf-canonical": 16.0}
    assert card.hyperparameters["tfidf-canonical vectorizer"]["preprocessor"] == "newsbench.heads.canonical"
    assert [h["view"] for h in json.loads((out / "heads.json").read_text())["heads"]] == ["tfidf-canonical"]
    assert TrainConfig(data=["x"], out="m", recipe="robust", balance="classes").balance == "classes"
    detector = load_detector(str(out))  # no pickles
    a, b = ("Officials don\u2019t say the 2016 budget report was fake",
            "officials DON'T say the 1999 budget report was fake")
    first, second = detector.predict_proba([a, b])[:, 1]
    assert first == pytest.approx(second, abs=1e-9)  # curly or straight, case, which digits: one spelling
    # The explanation stays exact with apostrophes inside words (one canonical term per word).
    heads = HeadModel.load(out)
    vocabulary = heads.heads[0].vectorizer.vocabulary_
    word = next(w for w in vocabulary if " " not in w and len(w) > 4)
    text = f"{word[:2]}\u2019{word[2:]} {word}"  # the same term twice: equal shares
    [e] = explain(detector, [text])
    [part] = detector.linear_parts()
    assert sum(w for _, w in e.pieces) + part.intercept == pytest.approx(e.log_odds, abs=1e-6)
    pushes = dict((p.strip(), w) for p, w in e.pieces)
    assert pushes[f"{word[:2]}\u2019{word[2:]}"] == pytest.approx(pushes[word]) != 0
    [ev] = evaluate(EvalConfig(model=str(out), heldout=True, n_bootstrap=0)).result.evaluations
    assert ev.metrics.roc_auc.value == pytest.approx(card.test.roc_auc.value, abs=1e-6)


def test_the_static_table_lookup_converts_float16_exactly_as_numpy_does():
    from newsbench.static import _float32

    bits = np.arange(2**16, dtype=np.uint16)  # every float16: zeros, subnormals, inf, nan
    table = bits.view(np.float16).reshape(-1, 64)
    rows = np.array([0, 5, 5, table.shape[0] - 1, 511])
    got, want = _float32(table, rows), table[rows].astype(np.float32)
    assert got.dtype == np.float32 and np.array_equal(got.view(np.uint32), want.view(np.uint32))
    assert np.array_equal(_float32(want, np.array([1, 0])), want[[1, 0]])  # a float32 table as is


def test_a_static_embedding_model_trains_offline_and_scores_without_torch(two_sources):
    out = two_sources / "static"
    card = train(TrainConfig(data=[str(two_sources / "a.csv")], out=out, recipe="static"))
    assert (out / "static" / "model.safetensors").exists() and (out / "static" / "tokenizer.json").exists()
    saved = (out / "static" / "config.json").read_text()
    assert "all-MiniLM-L6-v2" in saved and "site-packages" not in saved  # no paths of this machine
    assert card.hyperparameters["static_tokens"] == 512 and card.test.roc_auc.value > 0.7
    detector = load_detector(str(out))
    rows, dims = detector.model.heads[0].encoder.model.embedding.shape
    # the whole table, and a head on five prefix means
    assert dims == DIMENSIONS == 384 and detector.parameters == rows * dims + 5 * dims + 1
    [ev] = evaluate(EvalConfig(model=str(out), heldout=True, n_bootstrap=0)).result.evaluations
    assert ev.metrics.roc_auc.value == pytest.approx(card.test.roc_auc.value, abs=1e-6)
    # Scoring needs numpy and tokenizers only: a fresh process never imports torch or onnxruntime.
    texts = make_corpus(5, 3)["text"].tolist()
    script = ("import json, sys; from newsbench.detectors import load_detector; "
              f"p = load_detector({str(out)!r}).predict_proba({texts!r})[:, 1].tolist(); "
              "print(json.dumps([p, sorted(m for m in ('torch', 'onnxruntime', 'transformers') if m in sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    probabilities, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert heavy == []
    np.testing.assert_allclose(probabilities, detector.predict_proba(texts)[:, 1], rtol=1e-6)
    # A folder written before prefix pooling (one max_length, a head as wide as the table) still loads.
    spec = json.loads((out / "heads.json").read_text())
    del spec["heads"][0]["prefixes"]
    spec["heads"][0]["max_length"] = 128
    (out / "heads.json").write_text(json.dumps(spec))
    with np.load(out / "head-0.npz") as arrays:
        np.savez(out / "head-0.npz", coef=arrays["coef"][-dims:], intercept=arrays["intercept"])
    old = HeadModel.load(out)
    assert old.heads[0].encoder.prefixes == (128,) and old.score(texts).shape == (5,)


def test_static_vectors_are_unit_means_of_each_token_prefix():
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, pre_tokenizers

    from newsbench.static import StaticEncoder

    # Long filler tokens: model2vec first cuts a text at max_length x the median token's characters.
    words = ["[UNK]", "a", "b", "c", *(f"filler{i:04d}" for i in range(8))]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    table = np.r_[[[0, 0], [1, 0], [0, 1], [3, 4]], np.ones((8, 2))].astype(np.float32)
    encoder = StaticEncoder(StaticModel(table, tokenizer, normalize=True), prefixes=(4, 2))
    assert encoder.prefixes == (2, 4) and encoder.max_length == 4
    # "a b c c c": the first 2 tokens average to (0.5, 0.5), the first 4 (the cap) to (1.75, 2.25).
    first, both = encoder.encode(["a b c c c", "a"])
    head, whole = np.array([0.5, 0.5]), np.array([1.75, 2.25])
    np.testing.assert_allclose(first, np.r_[head / np.linalg.norm(head), whole / np.linalg.norm(whole)], rtol=1e-6)
    np.testing.assert_allclose(both, [1, 0, 1, 0])  # a text shorter than a prefix: its whole mean
    assert not encoder.encode([""]).any()


def test_sources_the_detector_cannot_separate_are_judged_on_validation():
    from newsbench.training.recipes import check_sources

    rng = np.random.default_rng(0)
    y = np.tile([0, 1], 150)
    source = np.repeat(["a", "b", "noise"], 100)
    prob = np.where(source == "noise", rng.random(300), 0.3 + 0.4 * y + 0.2 * rng.random(300))
    checks = {c.source: c for c in check_sources(prob, y, source)}
    assert [checks[s].dropped for s in ("a", "b", "noise")] == [False, False, True]
    assert checks["a"].roc_auc > 0.95 and checks["a"].p_value < 1e-6 and checks["noise"].p_value >= 0.05
    assert (checks["noise"].n_real, checks["noise"].n_fake) == (50, 50)
    # With one learnable source left there is no pool to filter; too few articles are not judged.
    assert not any(c.dropped for c in check_sources(prob[100:], y[100:], source[100:]))
    few = check_sources(prob[:218], y[:218], source[:218])
    assert few[-1].source == "noise" and few[-1].roc_auc is None and not few[-1].dropped


def test_the_robust_recipe_drops_a_training_source_with_unlearnable_labels(tmp_path):
    make_corpus(400, 0).to_csv(tmp_path / "a.csv", index=False)
    b = make_corpus(300, 1)
    b["text"] = b["text"].str.upper() + "!"
    b.to_csv(tmp_path / "b.csv", index=False)
    noise = make_corpus(300, 7)
    noise["label"] = np.random.default_rng(7).permutation(noise["label"].to_numpy())  # labels unrelated to text
    noise["text"] = noise["text"] + " gazette"
    noise.to_csv(tmp_path / "noise.csv", index=False)
    files = [str(tmp_path / f) for f in ("a.csv", "b.csv", "noise.csv")]
    out = tmp_path / "robust-noise"
    ran = CliRunner().invoke(app, ["train", "--recipe", "robust", *(a for f in files for a in ("--data", f)),
                                   "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    assert "dropped from training noise: its labels were not learned from" in " ".join(ran.output.split())
    card = json.loads((out / "model.json").read_text())
    checks = {c["source"]: c for c in card["hyperparameters"]["source check"]}
    assert card["threshold_criterion"].endswith("split without noise (weighed 0 in training)")
    assert [checks[f]["dropped"] for f in ("a", "b", "noise")] == [False, False, True]
    assert checks["noise"]["p_value"] >= 0.05 > checks["a"]["p_value"]
    readme = (out / "README.md").read_text()
    assert "- logistic regression on tfidf-canonical, training weights: sources\n" in readme
    assert "dropped from training: noise: its labels were not learned from" in readme
    # The noise rows weigh nothing: a term only they hold is in the vocabulary but has no weight.
    [head] = HeadModel.load(out).heads
    assert head.coef[head.vectorizer.vocabulary_["gazette"]] == 0
    plain = train(TrainConfig(data=files, out=tmp_path / "lr-noise", recipe="tfidf-lr"))
    assert "source check" not in plain.hyperparameters


def tiny_static(folder, prefixes=(2, 4)):
    """A saved static heads model on a 12-word vocabulary (no distillation): heads.json, head-0.npz, static/."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, pre_tokenizers

    from newsbench.heads import LinearHead
    from newsbench.static import StaticEncoder

    words = ["[UNK]", "a", "b", "c", *(f"filler{i:04d}" for i in range(8))]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    table = np.random.default_rng(0).normal(size=(len(words), 3)).astype(np.float16)
    encoder = StaticEncoder(StaticModel(table, tokenizer, normalize=True), prefixes)
    head = LinearHead("static", np.arange(3 * len(prefixes), dtype=np.float64) / 10, 0.1, encoder=encoder)
    folder.mkdir(parents=True, exist_ok=True)
    HeadModel([head]).save(folder)
    return folder


def edit_heads(folder, **changes):
    spec = json.loads((folder / "heads.json").read_text())
    spec.update(changes.pop("top", {}))
    spec["heads"][0].update(changes)
    (folder / "heads.json").write_text(json.dumps(spec))


def edit_arrays(path, **arrays):
    with np.load(path) as saved:
        np.savez(path, **{**{k: saved[k] for k in saved.files}, **arrays})


def test_a_damaged_or_edited_heads_folder_is_refused_at_load_naming_what_is_wrong(tmp_path):
    import shutil

    from newsbench.errors import ModelError

    corpus = make_corpus(120, 0)
    texts, y = corpus["text"].tolist(), corpus["label"].to_numpy()
    good = tmp_path / "good"
    good.mkdir()
    HeadModel([fit_head("tfidf", texts, y), fit_head("style", texts, y)]).save(good)
    n_terms = len(json.loads((good / "head-0.vocabulary.json").read_text()))

    def refused(edit, message):
        folder = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
        shutil.copytree(good, folder)
        edit(folder)
        with pytest.raises(ModelError, match=message) as err:
            HeadModel.load(folder)
        assert str(folder) in str(err.value)

    refused(lambda f: edit_arrays(f / "head-0.npz", coef=np.full(n_terms, np.nan)),
            r"head 0 \(head-0.npz\) is damaged: 'coef' holds NaN or infinite values.*train it again")
    refused(lambda f: edit_arrays(f / "head-0.npz", coef=np.ones(n_terms - 1)),
            f"'coef' has {n_terms - 1} values, expected {n_terms}")
    refused(lambda f: edit_arrays(f / "head-0.npz", coef=np.ones((1, n_terms))), "expected a 1-D array")
    refused(lambda f: edit_arrays(f / "head-0.npz", intercept=np.zeros(0)), "'intercept' has 0 values, expected 1")
    refused(lambda f: edit_arrays(f / "head-0.npz", idf=-np.ones(n_terms)), "'idf' holds values below 1")
    refused(lambda f: edit_arrays(f / "head-1.npz", scale=np.zeros(len(STYLE_FEATURES))), "'scale' holds values")
    refused(lambda f: edit_arrays(f / "head-1.npz", mean=np.zeros(5)),
            f"'mean' has 5 values, expected {len(STYLE_FEATURES)}")
    refused(lambda f: (f / "head-0.npz").write_bytes(b"not a zip"), r"head 0 \(head-0.npz\) is damaged")
    refused(lambda f: (f / "head-1.npz").write_bytes(b""), r"head 1 \(head-1.npz\) is damaged")
    refused(lambda f: (f / "head-0.vocabulary.json").write_text(json.dumps(list(range(n_terms)))),
            "not a list of distinct terms")
    refused(lambda f: edit_heads(f, view="statik"), "unknown view 'statik' .known: tfidf, tfidf-canonical, embed")
    refused(lambda f: edit_heads(f, file=3), r"expected \{\"view\": ..., \"file\": ...\}")
    refused(lambda f: edit_heads(f, top={"combine": "max"}), "combine 'max' is not one newsbench knows")
    refused(lambda f: edit_heads(f, file="head-1.npz", view="style"), "a head is listed twice .head-1.npz.")
    refused(lambda f: (f / "heads.json").write_text(json.dumps({"heads": "static"})), "lists no heads")
    assert HeadModel.load(good).score(texts[:3]).shape == (3,)


def test_a_damaged_static_folder_is_refused_and_never_looked_up_on_the_hub(tmp_path, monkeypatch):
    from model2vec import StaticModel
    from safetensors.numpy import save_file

    from newsbench.errors import ModelError

    def case(name, edit):
        folder = tiny_static(tmp_path / name)
        edit(folder)
        return folder

    checks = {
        "prefixes": (lambda f: edit_heads(f, prefixes=[0, 4]), r"prefixes \[0, 4\] are not increasing token counts"),
        "repeated": (lambda f: edit_heads(f, prefixes=[4, 4]), "not increasing token counts from 1 to 512"),
        "floats": (lambda f: edit_heads(f, prefixes=[2.5, 4]), "not increasing token counts"),
        "width": (lambda f: edit_heads(f, prefixes=[2, 3, 4]), "'coef' has 6 values, expected 9"),
        "nan": (lambda f: save_file({"embeddings": np.full((12, 3), np.nan, np.float32)},
                                    f / "static" / "model.safetensors"), "the table holds NaN"),
        "ints": (lambda f: save_file({"embeddings": np.ones((12, 3), np.int8)}, f / "static" / "model.safetensors"),
                 "int8 array of shape .12, 3., expected 2-D float16/float32"),
        "cut": (lambda f: (f / "static" / "model.safetensors").write_bytes(b"\x10"), "not a readable static"),
    }
    for name, (edit, message) in checks.items():
        with pytest.raises(ModelError, match=message):
            HeadModel.load(case(name, edit))
    # A missing table folder is an error here, never a hub id that model2vec would try to download.
    monkeypatch.setattr(StaticModel, "from_pretrained", lambda *a, **k: pytest.fail("looked up " + str(a)))
    with pytest.raises(ModelError, match=r"static: not a static embedding folder \(no model.safetensors, "
                                         r"tokenizer.json, config.json\); copy the model folder again"):
        HeadModel.load(case("gone", lambda f: __import__("shutil").rmtree(f / "static")))


def test_a_static_or_embedding_head_says_where_it_stopped_reading(tmp_path):
    folder = tiny_static(tmp_path / "m")
    detector = load_detector(str(folder))
    short, long = "a b", "a b c filler0001 c c c c"
    # The 4-token cap: the fourth token ('filler0001') ends at character 16.
    assert detector.read_chars([short, long]) == [3, 16]
    assert detector.predict_proba([long])[0, 1] == pytest.approx(detector.predict_proba([long + " b a"])[0, 1])
    corpus = make_corpus(60, 0)
    mixed = HeadModel([detector.model.heads[0], fit_head("style", corpus["text"].tolist(), corpus["label"].to_numpy())])
    detector.model = mixed  # a style head reads everything, so the model does
    assert detector.read_chars([long]) == [len(long)]


def test_a_score_that_is_not_a_number_is_an_error_not_a_real_label(tmp_path):
    from newsbench.errors import ModelError
    from newsbench.scorer import Scorer

    scorer = Scorer(str(tiny_static(tmp_path / "m")))
    assert np.isfinite(scorer.score(["a b c"])).all()
    scorer.detector.model.heads[0].intercept = float("nan")  # what a damaged file would give
    with pytest.raises(ModelError, match=r"m: gave no finite P\(fake\) for 1 of 1 articles"):
        scorer.score(["a b c"])


def test_robust_on_texts_without_a_shared_word_is_a_data_error(tmp_path):
    from newsbench.errors import DataError

    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdefghij"), 8)) for _ in range(80)]
    frame = make_corpus(40, 0).assign(title="", text=[f"{words[2 * i]} {words[2 * i + 1]}" for i in range(40)])
    frame.to_csv(tmp_path / "unique.csv", index=False)
    with pytest.raises(DataError, match="could not be fitted on .* training articles.*at least 2 articles"):
        train(TrainConfig(data=[str(tmp_path / "unique.csv")], out=tmp_path / "m", recipe="robust"))
