"""The evaluation spine and the CLI end to end, on tiny fixtures."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.config import EvalConfig
from newsbench.errors import ConfigError, DataError
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
    assert "real articles flagged as fake" in md and "Labels of manual_real.csv: file label: real." in md
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
    first = (out / "report.html").read_text()
    (out / "report.html").unlink()
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    accuracy = json.loads((out / "results.json").read_text())["evaluations"][0]["metrics"]["accuracy"]["value"]
    again = (out / "report.html").read_text()
    assert f"{accuracy:.4f}" in again and again == first  # the same page, from results.json alone


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


def test_a_cached_export_checks_against_the_folder_asked_for(tmp_path, tiny_bert, corpus_csv, monkeypatch):
    """The export cache is keyed by content: an identical copy reuses an export made from a folder
    that is gone since, and the fp32 check must still run, against the copy asked for."""
    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path / "cache"))
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(tiny_bert, first)
    config = dict(data=[corpus_csv], backend="onnx-int8", n_bootstrap=0, fp32_check=20, threads=1)
    assert evaluate(EvalConfig(model=str(first), **config)).result.evaluations[0].precision_check
    shutil.copytree(first, second)
    shutil.rmtree(first)
    check = evaluate(EvalConfig(model=str(second), **config)).result.evaluations[0].precision_check
    assert check is not None and check.reference == str(second) and check.n == 20
    assert len(list((tmp_path / "cache" / "onnx").iterdir())) == 1  # the export was reused, not redone


def test_a_single_class_dataset_goes_through_evaluate_and_the_report(tmp_path, corpus):
    corpus[corpus.label == 0].to_csv(tmp_path / "real_only.csv", index=False)
    out = tmp_path / "run"
    result = invoke("evaluate", "--model", "fake", "--data", tmp_path / "real_only.csv", "--bootstrap", 200,
                    "--out", out)
    assert result.exit_code == 0, result.output
    [ev] = json.loads((out / "results.json").read_text())["evaluations"]
    assert ev["n_fake"] == 0 and ev["metrics"]["roc_auc"]["value"] is None and ev["metrics"]["fnr"]["value"] is None
    assert ev["metrics"]["fpr"]["value"] == ev["confusion"]["fp"] / 60
    md = (out / "report.md").read_text()
    assert "Only real articles" in md and "| ROC AUC | n/a |" in md


def test_metrics_recomputed_from_predictions_csv_equal_results_json(tmp_path, corpus_csv):
    from newsbench import metrics

    out = tmp_path / "run"
    assert invoke("evaluate", "--model", "fake", "--data", corpus_csv, "--bootstrap", 0, "--out", out).exit_code == 0
    predictions = pd.read_csv(out / "predictions.csv")
    stored = json.loads((out / "results.json").read_text())["evaluations"][0]["metrics"]
    again = metrics.compute(predictions["label"].to_numpy(), predictions["prob_fake"].to_numpy())
    assert all(again[name] == stored[name]["value"] for name in ("roc_auc", "pr_auc", "brier", "ece", "accuracy"))


def test_unknown_schema_version_is_refused(tmp_path, corpus_csv):
    from newsbench.errors import DataError

    run = evaluate(EvalConfig(model="fake", data=[corpus_csv], n_bootstrap=0))
    data = json.loads(to_json(run.result))
    data["schema_version"] = "2.0"
    with pytest.raises(DataError, match="schema version 2.0 is not readable"):
        from_json(RunResult, json.dumps(data))
    data["schema_version"], data["kind"] = "1.0", "profile"
    with pytest.raises(DataError, match="'profile' file"):
        from_json(RunResult, json.dumps(data))


def test_a_schema_1_0_model_card_keeps_its_max_length(tmp_path):
    card = {"recipe": "finetune", "dataset": "d", "data": [], "split": {"seed": 0, "fractions": {}, "sizes": {}},
            "preprocessing": {"text_cols": ["title", "text"], "label_col": None, "encoding": "utf-8",
                              "strip_datelines": True, "text_template": None},
            "hyperparameters": {"max_length": 128}, "threshold": 0.4, "threshold_criterion": "x",
            "training_seconds": 1.0, "schema_version": "1.0", "kind": "model"}
    from newsbench.results import Metrics

    empty = json.loads(to_json(Metrics.from_values({f: 0.5 for f in Metrics.__dataclass_fields__})))
    environment = json.loads(to_json(evaluate(EvalConfig(model="fake", data=[str(_tiny_csv(tmp_path))],
                                                         n_bootstrap=0)).result.environment))
    card.update(validation=empty, test=empty, environment=environment)
    loaded = from_json(ModelCard, json.dumps(card))
    assert loaded.max_length == 128 and loaded.preprocessing.text_cols == ("title", "text")
    assert EvalConfig(model="fake", data=["x"]).detector_options(loaded.max_length).max_length == 128


def _tiny_csv(tmp_path):
    path = tmp_path / "tiny.csv"
    pd.DataFrame({"text": ["a cat", "a dog", "a bird"], "label": [0, 1, 0]}).to_csv(path, index=False)
    return path


def test_require_names_the_extra_to_install():
    from newsbench.errors import MissingDependencyError, require

    with pytest.raises(MissingDependencyError, match=r"pip install 'newsbench\[onnx\]'"):
        require("newsbench_no_such_module", "onnx")


def test_threshold_validation_needs_a_model_card(corpus_csv):
    with pytest.raises(ConfigError, match="--threshold validation needs a model trained by newsbench"):
        evaluate(EvalConfig(model="fake", data=[corpus_csv], threshold="validation", n_bootstrap=0))


@pytest.fixture
def trained(tmp_path, corpus):
    """A TF-IDF model trained with --strip-datelines on a corpus whose real texts carry datelines."""
    corpus = corpus.assign(text=np.where(corpus.label == 0, "LONDON (Reuters) - " + corpus.text, corpus.text))
    corpus.to_csv(tmp_path / "train.csv", index=False)
    model = tmp_path / "model"
    assert invoke("train", "--data", tmp_path / "train.csv", "--strip-datelines", "--out", model).exit_code == 0
    return model, corpus


def test_heldout_split_failures_are_explained(tmp_path, trained, corpus_csv):
    model, corpus = trained
    with pytest.raises(ConfigError, match="--heldout needs a model folder"):
        evaluate(EvalConfig(model="fake", heldout=True))
    corpus.head(50).to_csv(tmp_path / "train.csv", index=False)  # the training file changed
    with pytest.raises(DataError, match="changed since training"):
        evaluate(EvalConfig(model=str(model), heldout=True, allow_pickle=True, n_bootstrap=0))
    (tmp_path / "train.csv").unlink()
    with pytest.raises(DataError, match="is missing"):
        evaluate(EvalConfig(model=str(model), heldout=True, allow_pickle=True, n_bootstrap=0))


def test_external_sets_are_read_with_the_models_dateline_stripping(tmp_path, trained):
    model, corpus = trained
    # The same articles under another dateline: once stripped, they are the training texts.
    external = corpus.assign(text=corpus.text.str.replace("LONDON (Reuters) - ", "PARIS (Reuters) - ", regex=False))
    external.to_csv(tmp_path / "external.csv", index=False)
    runs = {}
    for flag in ("--strip-datelines", "--keep-datelines", None):
        out = tmp_path / f"run{flag}"
        args = ["evaluate", "--model", model, "--allow-pickle", "--data", tmp_path / "external.csv", "--bootstrap", 0,
                "--out", out, *([flag] if flag else [])]
        assert invoke(*args).exit_code == 0
        runs[flag] = json.loads((out / "results.json").read_text())["evaluations"][0]["skipped"]
    assert runs[None] == runs["--strip-datelines"] and runs[None]["in_training_data"] == 108
    assert runs["--keep-datelines"].get("in_training_data", 0) == 54  # only the fakes, which had no dateline


def test_compare_error_paths(tmp_path, corpus_csv, corpus):
    from newsbench.comparison import compare
    from newsbench.errors import NewsbenchError

    runs = []
    for name, data in (("a", corpus_csv), ("b", corpus_csv)):
        out = tmp_path / name
        assert invoke("evaluate", "--model", "fake", "--data", data, "--bootstrap", 0, "--out", out).exit_code == 0
        runs.append(out)
    with pytest.raises(NewsbenchError, match="at least two"):
        compare(runs[:1])
    with pytest.raises(NewsbenchError, match="not a newsbench evaluate folder"):
        compare([runs[0], tmp_path])
    predictions = pd.read_csv(runs[1] / "predictions.csv", keep_default_na=False)
    predictions.assign(label=1 - predictions.label).to_csv(runs[1] / "predictions.csv", index=False)
    with pytest.raises(NewsbenchError, match="disagree on the labels"):
        compare(runs)
    predictions.assign(id="other:" + predictions.id).to_csv(runs[1] / "predictions.csv", index=False)
    with pytest.raises(NewsbenchError, match="share no scored rows"):
        compare(runs)


def test_compare_refuses_runs_of_different_files_and_says_what_it_left_out(tmp_path, corpus):
    from newsbench.comparison import compare
    from newsbench.errors import NewsbenchError
    from newsbench.reporting.comparison import comparison_blocks

    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
    corpus.to_csv(tmp_path / "x" / "news.csv", index=False)
    corpus.assign(text=corpus["text"] + " changed").to_csv(tmp_path / "y" / "news.csv", index=False)  # same labels
    corpus.iloc[:50].assign(text=lambda f: f["text"] + " extra").to_csv(tmp_path / "extra.csv", index=False)

    def run(name, *args):
        assert invoke("evaluate", "--model", "fake", "--bootstrap", 0, "--out", tmp_path / name, *args).exit_code == 0
        return tmp_path / name

    a = run("a", "--data", tmp_path / "x" / "news.csv")
    b = run("b", "--data", tmp_path / "y" / "news.csv")
    with pytest.raises(NewsbenchError, match="news: the runs read different files"):
        compare([a, b])
    c = run("c", "--data", tmp_path / "x" / "news.csv", "--data", tmp_path / "extra.csv", "--max-rows", 60)
    result = compare([a, c])
    [ds] = result.datasets
    assert ds.dataset == "news" and ds.n_common == 60
    assert result.notes == ["news: rows not scored by every run, left out of the comparison: a (fake, fake): 60",
                            "extra: left out, scored only by c (fake, fake)"]
    assert result.notes[1] in [b.text for b in comparison_blocks(result)]
