"""Few-shot adaptation: k labelled articles from a shifted source, and what each method recovers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import FAKE_WORDS, make_corpus

from newsbench.config import TrainConfig
from newsbench.errors import ConfigError, DataError
from newsbench.generalisation.config import FewShotConfig
from newsbench.generalisation.fewshot import _mean, fewshot_curve, run_fewshot
from newsbench.training import train


def by(points, method, k):
    return next(p for p in points if p.method == method and p.k == k)


def test_threshold_adaptation_recovers_from_a_shift_that_moves_every_score():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 300)
    # A detector that ranks well (AUC ~0.9) but whose scores the new source pushes toward fake.
    log_odds = 2.5 * y - 1.25 + rng.normal(0, 1, len(y)) + 4.0
    prob = 1 / (1 + np.exp(-log_odds))
    points, n_eval, notes = fewshot_curve(y, prob, np.arange(len(y)), [10, 20, 50, 100], seeds=8,
                                          methods=("none", "threshold", "calibration"))
    shipped = by(points, "none", 0)
    assert shipped.balanced_accuracy.value < 0.6 and shipped.roc_auc.value > 0.85
    assert n_eval == pytest.approx(300, abs=2) and not notes
    for k in (20, 50, 100):
        for method in ("threshold", "calibration"):
            p = by(points, method, k)
            assert p.roc_auc.value == pytest.approx(shipped.roc_auc.value, abs=1e-4)  # monotone (ties at P=1 aside)
            assert p.balanced_accuracy.value > shipped.balanced_accuracy.value + 0.2
            assert p.seeds == 8 and p.balanced_accuracy.ci95[0] < p.balanced_accuracy.value
    # More labelled articles: a threshold closer to the best one.
    assert by(points, "threshold", 100).balanced_accuracy.value > by(points, "threshold", 10).balanced_accuracy.value


def test_calibration_never_reverses_a_detector_the_new_source_inverts():
    rng = np.random.default_rng(2)
    y = np.repeat([0, 1], 200)
    prob = 1 / (1 + np.exp(-(-1.5 * y + rng.normal(0, 1, len(y)))))  # ranks the new source backwards
    points, _, _ = fewshot_curve(y, prob, np.arange(len(y)), [10, 50], seeds=6,
                                 methods=("none", "calibration"))
    shipped = by(points, "none", 0)
    assert shipped.roc_auc.value < 0.25
    for k in (10, 50):  # Platt scaling with a negative slope would flip it; a calibration must not
        assert by(points, "calibration", k).roc_auc.value == pytest.approx(shipped.roc_auc.value)
        assert by(points, "calibration", k).balanced_accuracy.value < 0.6


def test_a_new_head_can_rerank_when_the_embedding_carries_the_signal():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], 250)
    prob = rng.uniform(0.2, 0.8, len(y))  # the shipped detector knows nothing about this source
    embeddings = rng.normal(0, 1, (len(y), 16))
    embeddings[:, 0] += 1.5 * (2 * y - 1)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    groups = np.arange(len(y)) // 2  # pairs of rows are one article: a pair never straddles the split
    points, _, _ = fewshot_curve(y, prob, groups, [10, 100], seeds=5, embeddings=embeddings)
    assert abs(by(points, "none", 0).roc_auc.value - 0.5) < 0.08
    assert by(points, "head", 100).roc_auc.value > 0.8
    assert by(points, "head", 100).roc_auc.value > by(points, "head", 10).roc_auc.value
    # A k larger than the pool allows is skipped, and said.
    _, _, notes = fewshot_curve(y, prob, groups, [400], seeds=2, methods=("none", "threshold"))
    assert notes and "400" in notes[0]


def test_the_fewshot_command_adapts_a_trained_model_to_a_shifted_source(tmp_path):
    from typer.testing import CliRunner

    from newsbench.cli import app

    make_corpus(200, 0).to_csv(tmp_path / "train.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "train.csv")], out=tmp_path / "model", recipe="tfidf-lr"))
    shifted = make_corpus(240, 3)
    # Every article of the new source carries the training set's fake wording: the shipped model calls all fake.
    shifted["text"] = shifted["text"] + " " + " ".join(FAKE_WORDS * 6)
    shifted.to_csv(tmp_path / "target.csv", index=False)
    args = ["fewshot", "--model", str(tmp_path / "model"), "--data", str(tmp_path / "target.csv"), "--allow-pickle",
            "--ks", "10,50", "--seeds", "4", "--methods", "none,threshold,head", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "out" / "fewshot.json").read_text())
    assert saved["kind"] == "fewshot" and saved["ks"] == [10, 50]
    points = {(p["method"], p["k"]): p for p in saved["points"]}
    assert set(points) == {("none", 0), ("threshold", 10), ("threshold", 50), ("head", 10), ("head", 50)}
    shipped = points[("none", 0)]["balanced_accuracy"]["value"]
    assert shipped < 0.6 and points[("threshold", 50)]["balanced_accuracy"]["value"] > shipped + 0.2
    assert (tmp_path / "out" / "plots" / "fewshot.png").stat().st_size > 1000
    assert "as shipped" in (tmp_path / "out" / "report.md").read_text()


def test_fewshot_settings_are_checked():
    with pytest.raises(ConfigError, match="unknown few-shot method 'thresold'.*threshold"):
        FewShotConfig(model="m", data=["x.csv"], methods=["thresold"])
    with pytest.raises(ConfigError, match="at least 2"):
        FewShotConfig(model="m", data=["x.csv"], ks=[1, 10])


def test_fewshot_refuses_a_one_class_target(tmp_path):
    make_corpus(100, 0).to_csv(tmp_path / "train.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "train.csv")], out=tmp_path / "model", recipe="tfidf-lr"))
    frame = make_corpus(60, 1)
    frame[frame["label"] == 1].to_csv(tmp_path / "fakes.csv", index=False)
    with pytest.raises(Exception, match="needs both classes"):
        run_fewshot(FewShotConfig(model=str(tmp_path / "model"), data=[str(tmp_path / "fakes.csv")],
                                  allow_pickle=True, methods=["none", "threshold"]))
    # Rows set aside (by --where here, or as the detector's own training articles): the error says why.
    make_corpus(60, 1).to_csv(tmp_path / "target.csv", index=False)
    with pytest.raises(DataError, match=r"0 real and 0 fake rows left of 60 read \(set aside: filtered_out: 60\)"):
        run_fewshot(FewShotConfig(model=str(tmp_path / "model"), data=[str(tmp_path / "target.csv")],
                                  allow_pickle=True, methods=["none", "threshold"], where=["source=nowhere"]))


def test_fewshot_intervals_stay_within_the_range_of_the_scores():
    rows = [(1.0, 0.9), (0.8, 0.7), (0.99, 0.95)]  # a t-interval of these would pass 1
    ci = _mean(rows, 0).ci95
    assert ci[1] == 1.0 and 0 < ci[0] < 0.93 and _mean(rows[:1], 0).ci95 is None


def test_fewshot_reports_the_rows_it_set_aside(tmp_path):
    make_corpus(100, 0).to_csv(tmp_path / "train.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "train.csv")], out=tmp_path / "model", recipe="tfidf-lr"))
    target = make_corpus(80, 5)
    target.loc[0:1, ["title", "text"]] = ""
    target.to_csv(tmp_path / "target.csv", index=False)
    result = run_fewshot(FewShotConfig(model=str(tmp_path / "model"), data=[str(tmp_path / "target.csv")],
                                       allow_pickle=True, methods=["none", "threshold"], ks=[10], seeds=2))
    assert result.n_input == 80 and result.n == 78 and result.set_aside == {"empty_text": 2}
    from newsbench.reporting.fewshot import fewshot_blocks

    assert "78 target articles of 80 rows read (set aside: empty_text: 2)" in str(fewshot_blocks(result)[1].spans)


def test_fewshot_reads_a_new_source_as_evaluate_does(tmp_path):
    """A body-only model adapts to a file whose body is 'content' and whose labels are 'class'."""
    make_corpus(100, 0).to_csv(tmp_path / "train.csv", index=False)
    train(TrainConfig(data=[str(tmp_path / "train.csv")], out=tmp_path / "model", recipe="tfidf-lr",
                      text_cols=("text",)))
    target = make_corpus(80, 5).rename(columns={"text": "content", "label": "class"})
    target.to_csv(tmp_path / "target.csv", index=False)
    result = run_fewshot(FewShotConfig(model=str(tmp_path / "model"), data=[str(tmp_path / "target.csv")],
                                       allow_pickle=True, methods=["none"], ks=[10], seeds=2))
    assert result.n == 80
