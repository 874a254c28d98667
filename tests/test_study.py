"""newsbench run: the study file, its units and cache, the comparisons, and the report in a browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import make_corpus
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.errors import ConfigError
from newsbench.study import load_study, run_study, save_study
from newsbench.study.compare import holm

PROFILE = """
[profile]
threads = [1]
batch_sizes = [1, 2]
lengths = [32]
memory_lengths = [32]
queries = 20
seconds_per_point = 0.02
"""


def study_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(textwrap.dedent(body))
    return path


@pytest.fixture
def files(tmp_path):
    make_corpus(120, 0).to_csv(tmp_path / "train.csv", index=False)
    make_corpus(80, 1).to_csv(tmp_path / "ext.csv", index=False)
    corpus = make_corpus(60, 2)
    corpus["text"] = corpus["text"].str.replace("shocking", "breaking")  # the fake cues shift: another domain
    corpus.to_csv(tmp_path / "other.csv", index=False)
    return tmp_path


@pytest.fixture
def study(files, tiny_bert):
    return study_file(files, f"""
        [study]
        name = "tiny"
        bootstrap = 200

        [[detectors]]
        name = "tfidf-lr"
        train = {{ recipe = "tfidf-lr", data = ["{files / 'train.csv'}"] }}

        [[detectors]]
        name = "cues"
        path = "fake:shocking,hoax,secret"

        [[detectors]]
        name = "bert"
        path = "{tiny_bert}"
        backends = ["torch", "onnx-int8"]

        [[datasets]]
        name = "ext"
        data = ["{files / 'ext.csv'}"]

        [[datasets]]
        name = "other"
        data = ["{files / 'other.csv'}"]
        max_rows = 40
        """ + PROFILE)


def test_a_study_trains_evaluates_profiles_and_compares(study, files):
    result = run_study(load_study(study), files / "out")
    written = save_study(result, files / "out")
    assert [r.label for r in result.rows] == ["tfidf-lr", "cues", "bert (torch)", "bert (onnx-int8)"]
    assert result.datasets == ["held-out", "ext", "other"]
    lr = result.rows[0]
    assert [s.dataset for s in lr.scores] == ["train (held-out test)", "ext", "other"] and lr.scores[0].in_domain
    assert lr.scores[2].n == 40 and lr.cost.parameters > 0 and lr.cost.ms_per_article > 0
    assert result.rows[1].cost is None  # the fake detector has nothing to profile
    int8 = result.rows[3]
    assert int8.backend == "onnx-int8" and int8.scores[0].precision_check is not None
    [gen] = [g for g in result.generalisation if g.label == "tfidf-lr"]
    assert gen.in_domain_accuracy == lr.scores[0].accuracy.value
    assert gen.mean_external_auc == pytest.approx(np.mean([lr.scores[1].roc_auc.value, lr.scores[2].roc_auc.value]))
    assert gen.worst_external_auc == min(lr.scores[1].roc_auc.value, lr.scores[2].roc_auc.value)
    # Every pair of the four rows on each of the two external sets (the held-out split is tfidf-lr's alone).
    assert {(t.dataset, t.a, t.b) for t in result.tests} >= {("ext", "tfidf-lr", "cues")}
    assert len([t for t in result.tests if t.dataset == "ext"]) == 6
    saved = json.loads(written["study.json"].read_text())
    assert saved["kind"] == "study" and saved["rows"][0]["scores"][0]["run"].startswith("runs/tfidf-lr/")
    assert (files / "out" / saved["rows"][0]["scores"][1]["run"] / "predictions.csv").exists()
    md = written["report.md"].read_text()
    assert "## Which differences are real" in md and "## Cost on this CPU" in md
    for line in md.splitlines():  # each verdict names the more accurate row first
        if line.startswith("- ext: "):
            high, low = map(float, re.search(r"accuracy ([\d.]+) vs ([\d.]+)", line).groups())
            assert high >= low, line
    assert (files / "out" / "plots" / "pareto.png").stat().st_size > 5000


def test_a_rerun_redoes_only_what_changed(study, files, monkeypatch):
    from newsbench import evaluation, profiling, training

    run_study(load_study(study), files / "out")
    counted = []
    real_evaluate, real_train, real_profile = evaluation.evaluate, training.train, profiling.profile
    monkeypatch.setattr(evaluation, "evaluate", lambda config, progress=None: counted.append(
        ("evaluate", config.model, tuple(config.data) or "held-out")) or real_evaluate(config, progress))
    monkeypatch.setattr(training, "train", lambda config, progress=None: counted.append(("train",)) or
                        real_train(config, progress))
    monkeypatch.setattr(profiling, "profile", lambda config, progress=None: counted.append(("profile",)) or
                        real_profile(config, progress))

    run_study(load_study(study), files / "out")
    assert counted == []  # everything came from the cache

    study.write_text(study.read_text().replace("max_rows = 40", "max_rows = 30"))
    run_study(load_study(study), files / "out")
    assert {c[2] for c in counted} == {(f"other={files / 'other.csv'}",)} and len(counted) == 4  # one per row

    counted.clear()
    make_corpus(120, 5).to_csv(files / "train.csv", index=False)  # the training data changed
    run_study(load_study(study), files / "out")
    trained = str(files / "out" / "runs" / "tfidf-lr" / "model")
    assert counted[0] == ("train",) and ("profile",) in counted
    assert {c[1] for c in counted if c[0] == "evaluate"} == {trained} and len(counted) == 5  # 3 evaluations

    counted.clear()
    make_corpus(80, 7).to_csv(files / "ext.csv", index=False)  # also the texts [profile] times by default
    run_study(load_study(study), files / "out")
    assert counted.count(("profile",)) == 3  # every profiled row (the cue model has nothing to profile)


def test_holm_against_a_hand_computed_case():
    # p sorted: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> 0.06, monotone)
    assert holm([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0]) and holm([]) == []


def test_pair_tests_count_the_discordant_rows_and_apply_holm(files):
    from newsbench.results import Estimate
    from newsbench.study.compare import pair_tests
    from newsbench.study.results import DatasetScore, StudyRow

    y = np.array([0, 1] * 10)
    preds = {"a": y.copy(), "b": y.copy(), "c": 1 - y}
    preds["b"][:3] = 1 - y[:3]  # b is wrong on 3 rows a gets right
    rows = []
    for name, pred in preds.items():
        folder = files / "runs" / name
        folder.mkdir(parents=True)
        (folder / "predictions.csv").write_text("id,dataset,label,pred,prob_fake\n" + "".join(
            f"r{i},d,{y[i]},{pred[i]},{0.9 if pred[i] else 0.1}\n" for i in range(20)))
        e = Estimate(0.5)
        rows.append(StudyRow(name, name, "fake", name, [DatasetScore("d", False, 20, 10, 10, e, e, e, e, e, e, 0, 0,
                                                                     run=f"runs/{name}")]))
    tests = {(t.a, t.b): t for t in pair_tests(rows, files)}
    ab, ac = tests[("a", "b")], tests[("a", "c")]
    assert (ab.only_a_right, ab.only_b_right, ab.n) == (3, 0, 20) and ab.p_value == pytest.approx(0.25)
    assert (ac.only_a_right, ac.only_b_right) == (20, 0) and ac.p_value == pytest.approx(2 * 0.5**20)
    assert ac.p_holm == pytest.approx(3 * ac.p_value) and ac.significant and not ab.significant


def test_a_study_compares_training_recipes_with_crossval(files, monkeypatch):
    from newsbench.generalisation import protocol

    make_corpus(40, 3).to_csv(files / "aug.csv", index=False)
    path = study_file(files, f"""
        [[detectors]]
        name = "cues"
        path = "fake:shocking,hoax"

        [[datasets]]
        name = "ext"
        data = ["{files / 'ext.csv'}"]

        [crossval]
        data = ["{files / 'train.csv'}", "{files / 'ext.csv'}", "{files / 'other.csv'}"]
        recipes = ["tfidf-lr", "style-lr"]
        protocol = "lodo"
        augment = ["{files / 'aug.csv'}"]
        bootstrap = 0
        """)
    result = run_study(load_study(path), files / "out")
    assert [r.recipe for r in result.crossval] == ["tfidf-lr", "style-lr"]
    saved = json.loads((files / "out" / "crossval" / "crossval.json").read_text())
    for headline, recipe in zip(result.crossval, saved["recipes"]):
        assert headline.lodo_mean_auc == pytest.approx(recipe["lodo_mean_auc"]) and headline.lodo_worst
        assert len([c for c in recipe["cells"] if c["kind"] == "left-out"]) == 3
    md = save_study(result, files / "out")["report.md"].read_text()
    assert "## Which training recipe holds up" in md and "crossval/report.html" in md
    calls = []
    monkeypatch.setattr(protocol, "crossval", lambda *a, **k: calls.append(a))
    run_study(load_study(path), files / "out")
    assert calls == []  # cached
    assert saved["settings"]["augment"] == [str(files / "aug.csv")] and saved["settings"]["n_bootstrap"] == 0
    make_corpus(40, 4).to_csv(files / "aug.csv", index=False)  # the augment data changed: run again
    with pytest.raises(AttributeError):  # the stand-in returns nothing to save
        run_study(load_study(path), files / "out")
    assert len(calls) == 1


@pytest.mark.parametrize("body, message", [
    ('[[detectors]]\nname = "a"\npath = "fake"\nbackend = ["torch"]\n[[datasets]]\nname="d"\ndata=["{ext}"]\n',
     "line 4: unknown key 'backend' in [[detectors]] #1; did you mean 'backends'?"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="d"\ndata=["{ext}"]\nmax_rows = "many"\n',
     "line 7: max_rows must be int, got 'many'"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname = "d"\ndata = ["{missing}"]\n',
     "line 6: dataset 'd': data: data file not found"),
    ('[[detectors]]\nname = "a"\ntrain = {{ recipe = "tfidf-lrr", data = ["{ext}"] }}\n',
     "line 3: detector 'a': train: unknown recipe 'tfidf-lrr'"),
    ('[study]\nseed = 1\nnmae = "x"\n[[detectors]]\nname = "a"\npath = "fake"\n',
     "line 3: unknown key 'nmae' in [study]; did you mean 'name'?"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n', "nothing to evaluate"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="d"\ndata=["{ext}"]\n[crossval]\n'
     'data = ["{ext}", "{ext}"]\nrecipes = ["tfidf-lrr"]\n', "[crossval]: unknown crossval recipe 'tfidf-lrr'"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="d"\ndata=["{ext}"]\n[crossval]\n'
     'data = ["{ext}", "{ext}"]\naugment = ["{missing}"]\n', "[crossval]: augment: data file not found"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="d"\ndata=["{ext}"]\n[crossval]\n'
     'data = ["{ext}", "{ext}"]\nbootstrap = 0\nn_bootstrap = 0\n', "both bootstrap and n_bootstrap"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="d"\ndata=["{ext}"]\n[profile]\nthreads = [0]\n',
     "[profile]: threads must be positive integers"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="a.b"\ndata=["{ext}"]\n'
     '[[datasets]]\nname="a-b"\ndata=["{ext}"]\n', "line 8: [[datasets]] 'a.b' and 'a-b' would share the folder 'a-b'"),
    ('[[detectors]]\nname = "../up"\npath = "fake"\n[[detectors]]\nname = "..-up"\npath = "fake"\n'
     '[[datasets]]\nname="d"\ndata=["{ext}"]\n', "[[detectors]] '../up' and '..-up' would share the folder '---up'"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="Profile"\ndata=["{ext}"]\n',
     "line 5: dataset name 'Profile' is taken: held-out and profile"),
    ('[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="x=y"\ndata=["{ext}"]\n',
     "dataset name 'x=y' holds '='"),
    ('[[detectors]]\nname = "a"\npath = "fake"\nbackends = ["torch", "hf"]\n[[datasets]]\nname="d"\ndata=["{ext}"]\n',
     "line 4: detector 'a': backend 'torch' is listed twice"),
    ('[[detectors]]\nname = "a"\npath = "fake"\nthreshold = 1.5\n[[datasets]]\nname="d"\ndata=["{ext}"]\n',
     "line 4: detector 'a': threshold must be a number in [0, 1] or \"validation\", got 1.5"),
    ('[[detectors]]\nname = "a"\npath = "fake"\nbatch_size = 0\n[[datasets]]\nname="d"\ndata=["{ext}"]\n',
     "line 4: detector 'a': batch_size must be at least 1, got 0"),
    ('[study]\nbootstrap = -1\n[[detectors]]\nname = "a"\npath = "fake"\n[[datasets]]\nname="d"\ndata=["{ext}"]\n',
     "line 2: bootstrap must be 0"),
])
def test_study_file_errors_name_the_line_and_key(files, body, message):
    path = study_file(files, body.format(ext=files / "ext.csv", missing=files / "nope.csv"))
    with pytest.raises(ConfigError) as error:
        load_study(path)
    assert str(path) in str(error.value) and message in str(error.value), str(error.value)


def test_study_paths_expand_the_data_dir_variable(files, monkeypatch):
    monkeypatch.setenv("NEWSBENCH_DATA_DIR", str(files))
    path = study_file(files, '[[detectors]]\nname = "a"\npath = "fake"\n'
                             '[[datasets]]\nname = "d"\ndata = ["${NEWSBENCH_DATA_DIR}/ext.csv"]\n')
    assert load_study(path).datasets[0].data == [f"{files}/ext.csv"]


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (installed by .ci/run)")
def test_the_study_report_renders_in_chromium(files):
    path = study_file(files, f"""
        [study]
        name = "browser"
        bootstrap = 0
        [[detectors]]
        name = "tfidf-lr"
        train = {{ recipe = "tfidf-lr", data = ["{files / 'train.csv'}"] }}
        [[detectors]]
        name = "cues"
        path = "fake"
        [[datasets]]
        name = "ext"
        data = ["{files / 'ext.csv'}"]
        """ + PROFILE)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(files / "out")])
    assert result.exit_code == 0, result.output
    page = (files / "out" / "report.html").as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={files / 'chrome'}"]
    assert "<script" not in (files / "out" / "report.html").read_text()  # it reads without JavaScript: it has none
    dom = subprocess.run(["chromium", *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120).stdout
    for heading in ("newsbench study: browser", "Generalisation: in-domain vs each external set",
                    "Leaderboard per dataset", "Which differences are real", "Cost on this CPU"):
        assert heading in dom, heading
    assert dom.count('src="data:image/png;base64,') >= 4
    shot = files / "shot.png"
    subprocess.run(["chromium", *flags, "--window-size=1280,900", f"--screenshot={shot}", page],
                   capture_output=True, timeout=120)
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] == 900 and pixels.std() > 0.05  # not a blank page
