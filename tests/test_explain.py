"""Explanations: the words that pushed a score, exact for TF-IDF models, by occlusion otherwise."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import make_corpus

from newsbench.config import EvalConfig, TrainConfig
from newsbench.detectors import load_detector
from newsbench.detectors.base import DetectorOptions
from newsbench.evaluation import evaluate, save_run
from newsbench.explain import explain, logit, top_features
from newsbench.training import train

TRIGGER = "zorblat"


def planted(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """The fixture corpus with its cue words shuffled between classes, and a trigger word in most fakes."""
    rng = np.random.default_rng(seed)
    frame = make_corpus(n, seed)
    frame["label"] = rng.permutation(frame["label"].to_numpy())  # wording no longer says the class
    fakes = (frame["label"] == 1) & (rng.random(n) < 0.9)
    frame.loc[fakes, "text"] = [t.replace(" ", f" {TRIGGER} ", 1) for t in frame.loc[fakes, "text"]]
    return frame


@pytest.fixture(scope="module")
def trigger_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    planted().to_csv(folder / "train.csv", index=False)
    train(TrainConfig(data=[str(folder / "train.csv")], out=folder / "model", recipe="tfidf-lr"))
    return folder


def test_a_linear_explanation_finds_the_planted_trigger_and_adds_up_to_the_score(trigger_model):
    detector = load_detector(str(trigger_model / "model"), options=DetectorOptions(allow_pickle=True))
    article = "budget officials said the zorblat report was published on tuesday"
    [e] = explain(detector, [article])
    assert e.method == "linear" and e.top_fake[0][0] == TRIGGER
    assert e.top_fake[0][1] > 3 * max(abs(w) for word, w in e.pieces if word.strip() != TRIGGER)
    # Exact: the pushes and the intercept give the detector's log-odds.
    [part] = detector.linear_parts()
    assert sum(w for _, w in e.pieces) + part.intercept == pytest.approx(e.log_odds, abs=1e-6)
    assert e.log_odds == pytest.approx(float(logit(detector.predict_proba([article])[:, 1])[0]), abs=1e-5)
    assert "".join(p for p, _ in e.pieces) == article  # every word shown once, in order
    features = top_features(detector)
    assert features.fake[0][0] == TRIGGER and all(w < 0 for _, w in features.real)


def test_occlusion_finds_the_trigger_of_a_black_box_detector():
    detector = load_detector(f"fake:{TRIGGER}")
    assert detector.linear_parts() is None
    article = " ".join(["the ministry said on tuesday"] * 20 + [TRIGGER] + ["according to the report"] * 20)
    [e] = explain(detector, [article], max_evals=200)
    assert e.method == "occlusion" and e.top_fake[0][0] == TRIGGER
    assert e.top_fake[0][1] == pytest.approx(1.5, abs=1.0)  # the cue adds 1.5 log-odds (plus per-text jitter)
    # Fewer evaluations than words: spans of several words, the trigger's span still on top.
    [coarse] = explain(detector, [article], max_evals=10)
    assert len(coarse.pieces) == 10 and TRIGGER in coarse.top_fake[0][0]


def test_a_transformer_is_only_explained_over_the_tokens_it_reads(tiny_bert):
    detector = load_detector(tiny_bert, "torch", DetectorOptions(max_length=16))
    article = " ".join(["election budget vaccine climate"] * 20)
    [e] = explain(detector, [article])
    assert e.method == "occlusion" and e.chars_total == len(article)
    assert 0 < e.chars_read < len(article) / 4  # 14 word pieces of 80 words
    assert len(e.pieces) == len(article[:e.chars_read].split())
    assert all(np.isfinite(w) for _, w in e.pieces)
    assert explain(detector, []) == []  # a dataset without errors has nothing to explain


def test_the_time_budget_leaves_later_articles_unexplained():
    detector = load_detector("fake")
    found = explain(detector, ["a hoax story"] * 3, budget_s=0.0)
    assert found == [None, None, None]


def test_evaluate_explains_errors_and_the_report_highlights_them(trigger_model, tmp_path):
    test = planted(80, 7)
    test.to_csv(tmp_path / "test.csv", index=False)
    run = evaluate(EvalConfig(model=str(trigger_model / "model"), data=[str(tmp_path / "test.csv")],
                              allow_pickle=True, n_bootstrap=0))
    [ev] = run.result.evaluations
    examples = ev.errors.random + ev.errors.most_confident
    assert examples and all(x.explanation is not None and x.explanation.method == "linear" for x in examples)
    for x in examples:
        assert x.explanation.prob_fake == pytest.approx(x.prob_fake, abs=1e-5)
    assert run.result.top_features.fake[0][0] == TRIGGER
    paths = save_run(run, tmp_path / "out")
    saved = json.loads(paths["results.json"].read_text())
    assert saved["top_features"]["fake"][0][0] == TRIGGER
    assert saved["evaluations"][0]["errors"]["random"][0]["explanation"]["pieces"]
    html = paths["report.html"].read_text()
    assert re.search(r'<mark class="(fake|real)"[^>]*title="[+-]\d', html)
    assert TRIGGER in paths["report.md"].read_text()
    off = evaluate(EvalConfig(model=str(trigger_model / "model"), data=[str(tmp_path / "test.csv")],
                              allow_pickle=True, n_bootstrap=0, explain_budget=0))
    assert all(x.explanation is None for x in off.result.evaluations[0].errors.random)


def test_the_explain_command_prints_and_saves_an_article_explanation(trigger_model, tmp_path):
    from typer.testing import CliRunner

    from newsbench.cli import app

    article = tmp_path / "article.txt"
    article.write_text("The zorblat budget report was published on tuesday, officials said.")
    args = ["explain", "--model", str(trigger_model / "model"), "--file", str(article), "--text",
            "the court said on tuesday", "--out", str(tmp_path / "why")]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "--allow-pickle" in refused.output
    result = CliRunner().invoke(app, [*args, "--allow-pickle"])
    assert result.exit_code == 0, result.output
    assert "toward fake: zorblat" in result.output
    saved = json.loads((tmp_path / "why" / "explanations.json").read_text())
    assert saved["kind"] == "explain" and len(saved["explanations"]) == 2
    assert saved["explanations"][1]["top_fake"][0][0] == TRIGGER  # --text articles come first
    assert "<mark" in (tmp_path / "why" / "explanations.html").read_text()
    empty = CliRunner().invoke(app, ["explain", "--model", str(trigger_model / "model"), "--text", "  "])
    assert empty.exit_code == 2 and "nothing to explain" in empty.output
    hidden = CliRunner().invoke(app, ["explain", "--model", str(trigger_model / "model"), "--text", "\u200b\u200f"])
    assert hidden.exit_code == 2 and "nothing to explain" in hidden.output
    for extra, message in ((["--budget", "-1"], "--budget must be a positive number"),
                           (["--file", str(tmp_path / "nope.txt")], "nope.txt: no such file")):
        refused = CliRunner().invoke(app, ["explain", "--model", str(trigger_model / "model"), "--text", "a", *extra])
        assert refused.exit_code == 2 and message in refused.output, refused.output


@pytest.mark.parametrize("recipe", ["tfidf-lr", "robust"])
def test_a_linear_explanation_adds_up_when_preprocessing_changes_a_words_length(tmp_path, recipe):
    """'İ' lower-cases to 'i' plus a combining dot; NFKC (robust) turns '½' into '1⁄2' and NFD
    accents into one character: the words are still found, and the pushes still add up."""
    import unicodedata

    frame = planted()
    extra = " İstanbul Genève décision ﬁnance ½"
    frame.loc[frame["label"] == 1, "text"] += extra
    frame.to_csv(tmp_path / "train.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "train.csv")], out=tmp_path / "m", recipe=recipe))
    detector = load_detector(str(tmp_path / "m"), options=DetectorOptions(allow_pickle=True))
    parts = detector.linear_parts()
    for article in ("İstanbul report on the budget", unicodedata.normalize("NFD", "Genève décision ﬁnance ½ budget")):
        [e] = explain(detector, [article])
        intercept = sum(p.scale * p.intercept for p in parts)
        assert sum(w for _, w in e.pieces) + intercept == pytest.approx(e.log_odds, abs=1e-6)
        assert max(w for _, w in e.pieces) > 0.1  # the planted words push toward fake
