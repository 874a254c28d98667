"""The evaluation spine and the CLI end to end, on tiny fixtures."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.config import EvalConfig
from newsbench.errors import ConfigError
from newsbench.evaluation import evaluate, save_run
from newsbench.results import ModelCard, RunResult
from newsbench.serialize import from_json, to_dict, to_json

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result


@pytest.fixture
def split_files(tmp_path, corpus):
    """An external set in the study's layout: one all-real file, one all-fake file."""
    real = corpus[corpus.label == 0].drop(columns="label").rename(columns={"text": "content"})
    fake = corpus[corpus.label == 1].drop(columns="label")
    real.to_csv(tmp_path / "manual_real.csv", index=False)
    fake.to_json(tmp_path / "fake_claude.jsonl", orient="records", lines=True)
    return f"{tmp_path / 'manual_real.csv'}:real", f"{tmp_path / 'fake_claude.jsonl'}:fake"


def test_evaluate_fake_detector_accounts_for_every_row(tmp_path, corpus):
    messy = pd.concat([corpus, corpus.head(3)], ignore_index=True)  # 3 duplicates
    messy.loc[len(messy)] = {"title": "", "text": "", "label": 0, "source": "x", "is_ai": "false"}
    messy.loc[len(messy)] = {"title": "t", "text": "odd label", "label": "perhaps", "source": "x", "is_ai": "false"}
    messy.to_csv(tmp_path / "messy.csv", index=False)

    run = evaluate(EvalConfig(model="fake", data=[str(tmp_path / "messy.csv")], n_bootstrap=200))
    [ev] = run.result.evaluations
    assert ev.n_input == len(messy) == ev.n + sum(ev.skipped.values())
    assert ev.skipped == {"duplicate": 3, "empty_text": 1, "bad_label": 1}
    assert len(run.predictions) == ev.n and set(run.skipped["reason"]) == set(ev.skipped)
    assert ev.confusion.tn + ev.confusion.fp == ev.n_real == (corpus.label == 0).sum()
    assert ev.metrics.accuracy.ci95[0] <= ev.metrics.accuracy.value <= ev.metrics.accuracy.ci95[1]
    # The fake detector scores cue words, so it separates this corpus well.
    assert ev.metrics.roc_auc.value > 0.9
    assert {g.column for g in ev.groups} == {"source", "is_ai", "is_ai+label"}
    assert [p.name for p in ev.thresholds] == ["default", "oracle"]


def test_leaked_rows_are_skipped_and_reported(tmp_path, corpus):
    corpus.to_csv(tmp_path / "ext.csv", index=False)
    corpus.head(10).to_csv(tmp_path / "train.csv", index=False)
    config = EvalConfig(model="fake", data=[str(tmp_path / "ext.csv")], train_data=[str(tmp_path / "train.csv")],
                        n_bootstrap=0)
    [ev] = evaluate(config).result.evaluations
    assert ev.skipped == {"in_training_data": 10} and ev.n == len(corpus) - 10
    config.keep_leaked = True
    assert evaluate(config).result.evaluations[0].n == len(corpus)


def test_results_round_trip(tmp_path, corpus_csv):
    run = evaluate(EvalConfig(model="fake", data=[corpus_csv], n_bootstrap=200))
    text = to_json(run.result)
    again = from_json(RunResult, text)
    assert to_dict(again) == json.loads(text)
    assert isinstance(again.evaluations[0].metrics.accuracy.ci95, tuple)


def test_config_errors_name_the_field():
    with pytest.raises(ConfigError, match="threshold"):
        EvalConfig(model="fake", data=["x"], threshold="high")
    with pytest.raises(ConfigError, match="n_bootstrap"):
        EvalConfig(model="fake", data=["x"], n_bootstrap=10)
    with pytest.raises(ConfigError, match="nothing to evaluate"):
        EvalConfig(model="fake")


def test_cli_evaluate_tiny_bert_on_the_study_layout(tmp_path, tiny_bert, split_files):
    out = tmp_path / "run"
    result = invoke("evaluate", "--model", tiny_bert, "--data", split_files[0], "--data", split_files[1],
                    "--out", out, "--bootstrap", 200, "--batch-size", 8, "--threads", 1,
                    "--group-by", "source,is_ai+label", "--backend", "torch")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert data["schema_version"] and data["model"]["backend"] == "torch"
    assert data["model"]["details"]["backend_choice"] == "torch: asked for"
    assert data["environment"]["threads"] == 1 and data["environment"]["packages"]["torch"]
    [ev] = data["evaluations"]
    assert ev["dataset"] == "manual_real+fake_claude" and (ev["n_real"], ev["n_fake"]) == (60, 60)
    for name in ("accuracy", "precision_weighted", "recall_weighted", "f1_weighted", "f1_macro",
                 "roc_auc", "pr_auc", "fpr", "fnr", "brier", "ece"):
        value, (lo, hi) = ev["metrics"][name]["value"], ev["metrics"][name]["ci95"]
        assert lo <= value <= hi, name
    assert set(ev["confusion"]) == {"tn", "fp", "fn", "tp"} and sum(ev["confusion"].values()) == 120
    assert ev["timing"]["n_articles"] == 120 and ev["timing"]["inference_s"] > 0
    predictions = pd.read_csv(out / "predictions.csv")
    assert list(predictions.columns[:5]) == ["id", "dataset", "label", "pred", "prob_fake"]
    assert {"source", "is_ai"} <= set(predictions.columns) and len(predictions) == 120
    assert ((predictions.prob_fake >= 0.5).astype(int) == predictions.pred).all()
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "manual_real+fake_claude" in html and "<img src=\"plots/" not in html
    md = (out / "report.md").read_text()
    assert "real articles flagged as fake" in md and "From confusion matrix" not in md
    assert (out / "plots" / "curves.png").stat().st_size > 1000


def test_cli_train_then_evaluate_heldout_with_sklearn(tmp_path, corpus):
    variants = corpus.assign(text=corpus.text + " again", title=corpus.title + "b")
    corpus = pd.concat([corpus, variants], ignore_index=True)
    corpus.to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "model"
    result = invoke("train", "--recipe", "tfidf-lr", "--data", tmp_path / "train.csv", "--out", model)
    assert result.exit_code == 0, result.output
    card = from_json(ModelCard, (model / "model.json").read_text())
    assert card.split.sizes == {"train": 192, "validation": 24, "test": 24}
    assert 0 < card.threshold < 1 and card.validation.roc_auc.value > 0.8

    out = tmp_path / "run"
    result = invoke("evaluate", "--model", model, "--heldout", "--data", tmp_path / "train.csv", "--out", out,
                    "--bootstrap", 200)
    assert result.exit_code != 0 and "--allow-pickle" in result.output  # pickles need the opt-in
    assert not out.exists()  # a failed run writes nothing
    result = invoke("evaluate", "--model", model, "--allow-pickle", "--heldout", "--data", tmp_path / "train.csv",
                    "--threshold", "validation", "--out", out, "--bootstrap", 200)
    assert result.exit_code == 0, result.output
    heldout, full = from_json(RunResult, (out / "results.json").read_text()).evaluations
    assert heldout.dataset == "train (held-out test)" and heldout.n == 24
    # Same rows, same model: the threshold-free AUC must equal what train measured on its test split.
    assert heldout.metrics.roc_auc.value == pytest.approx(card.test.roc_auc.value)
    # Everything but the test split was seen in training, so it is skipped as leakage.
    assert full.skipped == {"in_training_data": 216} and full.n == 24
    assert heldout.threshold == pytest.approx(card.threshold)
    assert [p.name for p in heldout.thresholds] == ["default", "validation", "oracle"]


def test_cli_reports_bad_input_in_one_line(tmp_path):
    (tmp_path / "bad.csv").write_text("headline,label\nx,0\n")
    result = invoke("evaluate", "--model", "fake", "--data", tmp_path / "bad.csv", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "error:" in result.output and "--text-cols" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


def test_cli_report_rerenders(tmp_path, corpus_csv):
    out = tmp_path / "run"
    assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--out", out, "--bootstrap", 0).exit_code == 0
    (out / "report.html").unlink()
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    assert "news" in (out / "report.html").read_text()


def test_save_run_writes_no_temporary_files(tmp_path, corpus_csv):
    run = evaluate(EvalConfig(model="fake", data=[corpus_csv], n_bootstrap=0))
    save_run(run, tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").rglob("*"))
    assert not [n for n in names if ".tmp" in n]
    assert {"results.json", "predictions.csv", "skipped.csv", "report.md", "report.html"} <= set(names)


def test_max_rows_samples_and_accounts_for_the_rest(tmp_path, corpus_csv):
    config = EvalConfig(model="fake", data=[corpus_csv], n_bootstrap=0, max_rows=50, seed=3)
    run = evaluate(config)
    [ev] = run.result.evaluations
    assert ev.n == 50 and ev.skipped == {"not_sampled": 70} and ev.n_input == 120
    again = evaluate(config)
    assert run.predictions["id"].tolist() == again.predictions["id"].tolist()


def test_compare_pairs_rows_and_runs_mcnemar(tmp_path, corpus_csv):
    for name, model in (("a", "fake"), ("b", "fake:number")):
        assert invoke("evaluate", "--model", model, "--data", corpus_csv, "--out", tmp_path / name,
                      "--bootstrap", 0).exit_code == 0
    result = invoke("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    [ds] = data["datasets"]
    assert ds["n_common"] == 120 and len(ds["scores"]) == 2
    a = pd.read_csv(tmp_path / "a" / "predictions.csv")
    b = pd.read_csv(tmp_path / "b" / "predictions.csv").set_index("id").loc[a["id"]]
    right_a, right_b = (a["pred"] == a["label"]).to_numpy(), (b["pred"] == b["label"]).to_numpy()
    [test] = ds["tests"]
    assert test["only_reference_right"] == int((right_a & ~right_b).sum())
    assert test["only_other_right"] == int((~right_a & right_b).sum())
    assert test["p_value"] < 0.05  # cue words beat the uninformative "number" cue
    assert "McNemar" in (tmp_path / "cmp" / "comparison.md").read_text()
    assert invoke("compare", tmp_path / "a").exit_code == 2


def test_int8_run_reports_its_accuracy_delta_against_fp32(tmp_path, tiny_bert, corpus_csv, monkeypatch):
    """An int8 model that loses accuracy must show it: the fp32 check rescored the same rows."""
    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path / "cache"))
    run = evaluate(EvalConfig(model=tiny_bert, data=[corpus_csv], backend="onnx-int8", n_bootstrap=0,
                              fp32_check=50, threads=1))
    [ev] = run.result.evaluations
    check = ev.precision_check
    assert run.result.model.backend == "onnx-int8" and check.backend == "onnx-int8"
    assert check.n == 50 and check.sampled and check.reference == str(Path(tiny_bert).resolve())
    # Recompute the check from the fp32 model's own scores on the same rows.
    fp32 = evaluate(EvalConfig(model=tiny_bert, data=[corpus_csv], backend="torch", n_bootstrap=0, threads=1))
    both = run.predictions.merge(fp32.predictions, on="id", suffixes=("", "_fp32"))
    assert len(both) == ev.n
    index = np.sort(np.random.default_rng(0).choice(ev.n, 50, replace=False))
    rows = both.iloc[index]
    assert check.agreement == pytest.approx(np.mean(rows.pred == rows.pred_fp32))
    assert check.accuracy == pytest.approx(np.mean(rows.pred == rows.label))
    assert check.accuracy_fp32 == pytest.approx(np.mean(rows.pred_fp32 == rows.label))
    assert check.accuracy_delta == pytest.approx(check.accuracy - check.accuracy_fp32)
    assert check.max_abs_prob_diff == pytest.approx(np.abs(rows.prob_fake - rows.prob_fake_fp32).max(), abs=1e-5)
    full = evaluate(EvalConfig(model=tiny_bert, data=[corpus_csv], backend="onnx-int8", n_bootstrap=0,
                               fp32_check="all", threads=1))
    whole = full.result.evaluations[0].precision_check
    assert whole.n == ev.n and not whole.sampled
    off = evaluate(EvalConfig(model=tiny_bert, data=[corpus_csv], backend="onnx-int8", n_bootstrap=0, fp32_check=0))
    assert off.result.evaluations[0].precision_check is None
    with pytest.raises(ConfigError, match="fp32_check"):
        EvalConfig(model="fake", data=["x"], fp32_check="some")
