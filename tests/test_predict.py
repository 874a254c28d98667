"""newsbench predict: chunked, resumable scoring with one output row per input row."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbench.config import EvalConfig
from newsbench.errors import ConfigError, DataError
from newsbench.evaluation import evaluate, save_run
from newsbench.serving import predict as predict_module
from newsbench.serving.config import PredictConfig
from newsbench.serving.predict import predict
from newsbench.tables import iter_table, read_table


@pytest.fixture(scope="module")
def model(dateline_model) -> str:
    return str(dateline_model)


def config(model: str, data: list, out: Path, **kwargs) -> PredictConfig:
    return PredictConfig(model=model, data=[str(d) for d in data], out=out, allow_pickle=True, **kwargs)


def interrupt_at(monkeypatch, n: int) -> None:
    """Make scoring the n-th chunk raise KeyboardInterrupt, as Ctrl-C would; the calls after it score."""
    real, calls = predict_module.score_rows, []

    def interrupted(rows, scorer, threshold):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return real(rows, scorer, threshold)

    monkeypatch.setattr(predict_module, "score_rows", interrupted)


def test_predictions_equal_evaluate_and_every_row_is_accounted_for(model, tmp_path):
    corpus = make_corpus(90, seed=8)
    corpus["text"] = "ROME (Reuters) - " + corpus["text"]
    corpus.loc[[5, 40], ["title", "text"]] = ""  # no text at all: reported, not lost
    corpus.to_csv(tmp_path / "news.csv", index=False)
    result = predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=16))
    out = pd.read_parquet(tmp_path / "p.parquet")
    assert result.rows == len(out) == 90 and result.chunks == 6 and result.skipped == {"empty_text": 2}
    assert out["row"].tolist() == list(range(90)) and out["id"].is_unique
    assert out.loc[[5, 40], "skipped"].tolist() == ["empty_text"] * 2 and out.loc[[5, 40], "prob_fake"].isna().all()
    assert not (tmp_path / "p.parquet.parts").exists()

    run = evaluate(EvalConfig(model=model, data=[str(tmp_path / "news.csv")], n_bootstrap=0, allow_pickle=True,
                              threshold="validation"))
    save_run(run, tmp_path / "run")
    expected = pd.read_csv(tmp_path / "run" / "predictions.csv").set_index("id")
    got = out.set_index("id").loc[expected.index]
    np.testing.assert_allclose(got["prob_fake"], expected["prob_fake"], atol=1e-12)
    assert (got["label"] == np.where(expected["pred"] == 1, "fake", "real")).all()


def test_csv_jsonl_and_parquet_give_the_same_predictions(model, tmp_path):
    corpus = make_corpus(50, seed=9)[["title", "text"]]
    corpus.to_csv(tmp_path / "a.csv", index=False)
    corpus.to_json(tmp_path / "a.jsonl", orient="records", lines=True)
    corpus.to_parquet(tmp_path / "a.parquet")
    predict(config(model, [tmp_path / "a.csv", tmp_path / "a.jsonl", tmp_path / "a.parquet"],
                   tmp_path / "p.parquet", chunk_rows=7))
    out = pd.read_parquet(tmp_path / "p.parquet")
    probs = [out.loc[out["file"] == str(tmp_path / f"a.{ext}"), "prob_fake"].to_numpy() for ext in
             ("csv", "jsonl", "parquet")]
    assert all(len(p) == 50 for p in probs)
    np.testing.assert_array_equal(probs[0], probs[1])
    np.testing.assert_array_equal(probs[0], probs[2])
    assert out["id"].is_unique  # three files named "a": ids stay apart


def test_an_interrupted_run_resumes_where_it_stopped_and_ends_identical(model, tmp_path, monkeypatch):
    make_corpus(100, seed=10).to_csv(tmp_path / "news.csv", index=False)
    predict(config(model, [tmp_path / "news.csv"], tmp_path / "whole.parquet", chunk_rows=12))

    interrupt_at(monkeypatch, 4)
    with pytest.raises(KeyboardInterrupt):
        predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=12))
    assert len(list((tmp_path / "p.parquet.parts").glob("*.parquet"))) == 3 and not (tmp_path / "p.parquet").exists()
    with pytest.raises(ConfigError, match="another model, input files or options"):
        predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=12, threshold=0.9))
    result = predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=12))
    assert result.resumed_chunks == 3 and result.chunks == 9
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "p.parquet"), pd.read_parquet(tmp_path / "whole.parquet"))
    with pytest.raises(ConfigError, match="already exists"):
        predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet"))


def test_a_broken_csv_names_its_line(model, tmp_path):
    (tmp_path / "bad.csv").write_text('title,text\na,"fine"\nb,"broken " quote"\nc,fine\n')
    with pytest.raises(DataError, match="line 3"):
        predict(config(model, [tmp_path / "bad.csv"], tmp_path / "p.parquet", chunk_rows=1))
    (tmp_path / "short.csv").write_text("title,text\na,b\nc\n")
    with pytest.raises(DataError, match="line 3 has 1 fields"):
        predict(config(model, [tmp_path / "short.csv"], tmp_path / "q.parquet"))


cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(cell, cell), min_size=1, max_size=25), chunk=st.integers(1, 9),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".parquet"]))
def test_reading_in_chunks_gives_exactly_what_reading_whole_gives(tmp_path, rows, chunk, suffix):
    frame = pd.DataFrame(rows, columns=["title", "text"])
    path = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path)
    try:
        whole, _ = read_table(path)
    except DataError:  # e.g. a CSV of only blank text: read_table refuses it, and so must the chunks
        with pytest.raises(DataError):
            for _ in iter_table(path, chunk_rows=chunk):
                pass
        return
    chunks = list(iter_table(path, chunk_rows=chunk))
    assert [c.start for c in chunks] == list(range(0, len(whole), chunk)) or len(whole) == 0
    joined = pd.concat([c.frame for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(joined.reset_index(drop=True), whole.reset_index(drop=True), check_dtype=False)
    assert chunks[-1].done == 1.0


def test_peak_memory_does_not_grow_with_the_number_of_rows(tmp_path):
    """200,000 rows read, scored and written in chunks of 5,000: peak RSS within 40 MB of 20,000 rows'."""
    rng = np.random.default_rng(0)
    words = np.array("officials said the report shocking secret hoax exposed budget vaccine market".split())

    def generate(n: int, path: Path) -> None:
        with path.open("w") as f:
            f.write("title,text\n")
            for start in range(0, n, 10000):
                picks = words[rng.integers(0, len(words), (min(10000, n - start), 24))]
                f.writelines(f"story {start + i},{' '.join(p)}\n" for i, p in enumerate(picks))

    peaks = {}
    for n in (20_000, 200_000):
        generate(n, tmp_path / f"{n}.csv")
        done = subprocess.run(
            [sys.executable, "-m", "newsbench", "predict", "--model", "fake:shocking,hoax", "--data",
             str(tmp_path / f"{n}.csv"), "--out", str(tmp_path / f"{n}.parquet"), "--chunk-rows", "5000"],
            capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"predicted {n:,} of {n:,} rows" in done.stderr
        peaks[n] = float(re.search(r"peak RSS ([\d,]+) MB", done.stderr).group(1).replace(",", ""))
        assert len(pd.read_parquet(tmp_path / f"{n}.parquet", columns=["row"])) == n
    assert peaks[200_000] < peaks[20_000] + 40, peaks


def test_the_ray_engine_gives_the_local_engine_predictions_and_resumes_its_parts(model, tmp_path, monkeypatch):
    pytest.importorskip("ray.data")
    corpus = make_corpus(70, seed=12)
    corpus.loc[3, ["title", "text"]] = ""
    corpus.to_csv(tmp_path / "news.csv", index=False)
    corpus.iloc[:30].to_json(tmp_path / "more.jsonl", orient="records", lines=True)
    (tmp_path / "header.csv").write_text("title,text\n")  # no rows: one empty chunk, which Ray never returns
    files = [tmp_path / "news.csv", tmp_path / "more.jsonl", tmp_path / "header.csv"]
    local = predict(config(model, files, tmp_path / "local.parquet", chunk_rows=8))
    # an interrupted local run leaves parts; the ray engine picks them up and scores the rest
    interrupt_at(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        predict(config(model, files, tmp_path / "ray.parquet", chunk_rows=8))
    # Ray runs in a process of its own, as users run it (importing ray reconfigures logging).
    done = subprocess.run([sys.executable, "-m", "newsbench", "predict", "--model", model, "--allow-pickle",
                           *[a for f in files for a in ("--data", str(f))], "--out", str(tmp_path / "ray.parquet"),
                           "--chunk-rows", "8", "--engine", "ray", "--num-cpus", "2", "--threads", "1"],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "250"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"2 of {local.chunks} chunks were already written" in done.stderr and local.chunks == 14
    assert "skipped: 2 empty_text" in done.stderr and local.skipped == {"empty_text": 2}  # row 3 of each file
    on_ray, in_process = (pd.read_parquet(tmp_path / f"{name}.parquet") for name in ("ray", "local"))
    pd.testing.assert_frame_equal(on_ray, in_process)


def test_a_later_json_lines_row_that_would_change_the_text_columns_is_an_error(model, tmp_path):
    import json

    rows = [{"text": "calm report on the budget"}] * 2 + [{"title": "shock", "text": "calm report"}] * 2
    (tmp_path / "drift.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataError, match=r"drift.jsonl: row 2 \(0-based\) brings the column 'title', which makes the "
                                        r"text title\+text where the rows before it read text; .*--text-cols"):
        predict(config(model, [tmp_path / "drift.jsonl"], tmp_path / "a.parquet", chunk_rows=2))
    whole = predict(config(model, [tmp_path / "drift.jsonl"], tmp_path / "b.parquet", chunk_rows=10))
    named = predict(config(model, [tmp_path / "drift.jsonl"], tmp_path / "c.parquet", chunk_rows=2,
                           text_cols=["title", "text"]))
    assert whole.rows == named.rows == 4
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "b.parquet"), pd.read_parquet(tmp_path / "c.parquet"))
    # The error names the key that changes the text (not another new key), and .ndjson is JSON Lines too.
    rows = [{"text": "calm"}] * 2 + [{"author": "x", "text": "calm"}, {"title": "shock", "text": "calm"}]
    (tmp_path / "drift.ndjson").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataError, match=r"row 3 \(0-based\) brings the column 'title'"):
        predict(config(model, [tmp_path / "drift.ndjson"], tmp_path / "d.parquet", chunk_rows=2))
    named = predict(config(model, [tmp_path / "drift.ndjson"], tmp_path / "e.parquet", chunk_rows=2,
                           text_cols=["title", "text"]))
    assert named.rows == 4


def test_a_resume_checks_file_contents_and_the_parts_folder_is_predicts_own(model, tmp_path, monkeypatch):
    make_corpus(40, seed=11).to_csv(tmp_path / "news.csv", index=False)
    interrupt_at(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=10))
    # Edited in place: same size, same modification time (as cp -p or rsync -t leave it).
    path, stat = tmp_path / "news.csv", (tmp_path / "news.csv").stat()
    text = path.read_text()
    path.write_text(text.replace("number", "NUMBER"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    with pytest.raises(ConfigError, match="another model, input files or options"):
        predict(config(model, [path], tmp_path / "p.parquet", chunk_rows=10))
    # A parts folder predict did not make is never adopted (its files would be deleted at the end).
    (tmp_path / "u.parquet.parts").mkdir()
    (tmp_path / "u.parquet.parts" / "notes.txt").write_text("precious")
    with pytest.raises(ConfigError, match="holds files that newsbench predict did not write"):
        predict(config(model, [path], tmp_path / "u.parquet"))
    assert (tmp_path / "u.parquet.parts" / "notes.txt").read_text() == "precious"


def test_output_ids_stay_unique_when_file_names_collide(model, tmp_path):
    for folder in ("d1", "d2"):
        (tmp_path / folder).mkdir()
        make_corpus(5, seed=1).to_csv(tmp_path / folder / "x.csv", index=False)
    make_corpus(5, seed=2).to_csv(tmp_path / "x#1.csv", index=False)
    predict(config(model, [tmp_path / "d1" / "x.csv", tmp_path / "d2" / "x.csv", tmp_path / "x#1.csv"],
                   tmp_path / "p.parquet"))
    out = pd.read_parquet(tmp_path / "p.parquet")
    assert len(out) == 15 and out["id"].is_unique
    assert sorted({i.rsplit(":", 1)[0] for i in out["id"]}) == ["x#0", "x#1", "x#1#1"]


def test_a_second_run_on_the_same_output_waits_its_turn(model, tmp_path, monkeypatch):
    make_corpus(30, seed=13).to_csv(tmp_path / "news.csv", index=False)
    interrupt_at(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=10))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "p.parquet.parts" / "lock").write_text(str(other.pid))  # a run still going
        with pytest.raises(ConfigError, match=f"another newsbench predict .process {other.pid}. is writing"):
            predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=10))
    finally:
        other.kill()
        other.wait()
    result = predict(config(model, [tmp_path / "news.csv"], tmp_path / "p.parquet", chunk_rows=10))  # it ended
    assert result.resumed_chunks == 1 and result.rows == 30 and not (tmp_path / "p.parquet.parts").exists()
