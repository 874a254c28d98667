"""Profiling on a small random BERT: latency percentiles, fresh-process memory that grows with length."""

import json

import numpy as np
import pytest
from conftest import make_corpus
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.config import ProfileConfig
from newsbench.errors import ConfigError
from newsbench.profiling import Latency, activation_mb, profile
from newsbench.training.presets import random_config


@pytest.fixture(scope="module")
def small_bert(tmp_path_factory):
    """Wide enough attention (4 heads, 512 positions) that activations dominate at 512 tokens."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=200, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=512, num_labels=2)
    out = tmp_path_factory.mktemp("small-bert")
    BertForSequenceClassification(config).save_pretrained(out)
    return str(out)


def test_latency_percentiles():
    point = Latency.from_values("torch", 2, 4, 128, [0.010, 0.011, 0.012, 0.013, 0.050])
    assert point.p50_ms == pytest.approx(12.0)
    assert point.p50_ms <= point.p90_ms <= point.p99_ms <= 50.0
    assert point.p50_ms_per_article == pytest.approx(3.0) and point.repeats == 5


def test_profile_measures_latency_and_memory_that_grows_with_length(small_bert):
    config = ProfileConfig(model=small_bert, backends=["torch"], threads=[1], batch_sizes=[1, 4], lengths=[32, 128],
                           memory_lengths=[64, 512], memory_batches=[1, 8], seconds_per_point=0.05, load_runs=1)
    result = profile(config)
    assert [(p.batch_size, p.seq_len) for p in result.latency] == [(1, 32), (4, 32), (1, 128), (4, 128)]
    assert result.static.parameters > 0 and result.static.disk_mb > 0
    [load] = result.load
    assert load.backend == "torch" and load.rss_after_load_mb > load.rss_before_load_mb > 50
    assert load.rss_after_first_use_mb >= load.rss_after_load_mb
    _, one_large, small, large = result.memory
    assert [(m.batch_size, m.seq_len) for m in result.memory] == [(1, 64), (1, 512), (8, 64), (8, 512)]
    assert large.growth_mb > one_large.growth_mb + 3  # eight articles hold more than one
    assert large.activations_mb > 10 * small.activations_mb > large.activations_fused_mb
    # The honest measurement must see the activations the study's sampler missed: at least the
    # growth that even fused attention cannot avoid.
    assert large.growth_mb - small.growth_mb > 0.5 * (large.activations_fused_mb - small.activations_fused_mb)
    assert large.growth_mb > small.growth_mb + 3


def test_measure_latency_warms_up_then_repeats_until_the_budget():
    import time

    from newsbench.detectors.fake import FakeDetector
    from newsbench.profiling import measure_latency

    class Slow(FakeDetector):
        calls = 0

        def forward(self, batch):
            Slow.calls += 1
            time.sleep(0.01)
            return super().forward(batch)

    times = measure_latency(Slow(), ["a text"], warmup=2, min_repeats=3, max_repeats=50, seconds=0.1)
    assert Slow.calls == 2 + len(times) and all(t >= 0.01 for t in times)
    assert 8 <= len(times) <= 12  # about 0.1 s of 10 ms calls, not the minimum of 3
    Slow.calls = 0
    assert len(measure_latency(Slow(), ["a text"], warmup=0, min_repeats=3, max_repeats=4, seconds=10)) == 4


def test_activation_estimate_uses_mobilebert_bottleneck():
    mobile, bert = random_config("mobilebert"), random_config("bert-base")
    assert activation_mb(mobile, 8, 512) < activation_mb(bert, 8, 512)
    assert activation_mb(bert, 8, 512) > 4 * activation_mb(bert, 8, 128)


def test_profile_config_is_validated():
    with pytest.raises(ConfigError, match="exactly one"):
        ProfileConfig()
    with pytest.raises(ConfigError, match="unknown --arch"):
        ProfileConfig(arch="mobilebret")
    with pytest.raises(ConfigError, match="unknown backend"):
        ProfileConfig(arch="mobilebert", backends=["tflite"])
    assert ProfileConfig(arch="mobilebert").backends[0] == "torch"
    for changes, message in (({"load_runs": 0}, "load_runs must be at least 1"),
                             ({"seconds_per_point": 0.0}, "seconds_per_point must be in"),
                             ({"max_length": 0}, "max_length must be at least 8")):
        with pytest.raises(ConfigError, match=message):
            ProfileConfig(arch="mobilebert", **changes)
    swept = ProfileConfig(arch="mobilebert", threads=[1, 1], batch_sizes=[2, 1, 1], lengths=[16, 8, 16])
    assert swept.threads == [1] and swept.batch_sizes == [2, 1] and swept.lengths == [16, 8]  # each point once


def test_cli_profile_writes_json_and_markdown(tmp_path, small_bert, corpus_csv):
    out = tmp_path / "prof"
    result = CliRunner().invoke(app, ["profile", "--model", small_bert, "--out", str(out), "--threads", "1",
                                      "--backend", "torch", "--batch-sizes", "1,2", "--lengths", "16",
                                      "--memory-lengths", "32", "--memory-batches", "2", "--seconds-per-point", "0.02",
                                      "--load-runs", "1", "--roofline-seconds", "0.02"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "profile.json").read_text())
    roofline = data["roofline"]
    assert sorted({(p["precision"], p["threads"]) for p in roofline}) == [("fp32", 1), ("int8", 1)]
    assert len(roofline) == 6 and all(p["gops"] > 1 and p["repeats"] >= 5 for p in roofline)
    assert "What this CPU's matrix multiplies sustain" in (out / "profile.md").read_text()
    # each latency point carries its counted work: H=64, I=128, 2 layers, L=16, + pooler and classifier
    per_article = 2 * (8 * 16 * 64**2 + 4 * 16 * 64 * 128 + 4 * 16**2 * 64) + 2 * 64 * 64 + 2 * 64 * 2
    assert [p["gop"] * 1e9 for p in data["latency"]] == pytest.approx([per_article, 2 * per_article])
    rows = [line for line in (out / "profile.md").read_text().splitlines()
            if line.startswith(("| torch | 1 | 16 | 1 |", "| torch | 1 | 16 | 2 |"))]  # all points: batch 1, 2
    assert len(rows) == 2 and all(row.rstrip(" |").endswith("%") for row in rows)
    assert data["kind"] == "profile" and data["environment"]["threads"] == 1 and len(data["latency"]) == 2
    assert "Peak memory vs sequence length" in (out / "profile.md").read_text()
    assert "data:image/png;base64," in (out / "profile.html").read_text()
    assert (out / "plots" / "latency.png").exists() and (out / "plots" / "memory.png").exists()
    run = tmp_path / "run"
    assert CliRunner().invoke(app, ["evaluate", "--model", "fake", "--data", corpus_csv, "--out", str(run),
                                    "--bootstrap", "0"]).exit_code == 0
    assert "Cost on this CPU" not in (run / "report.html").read_text()
    merged = CliRunner().invoke(app, ["report", str(run), "--profile", str(out)])
    assert merged.exit_code == 0, merged.output
    page = (run / "report.html").read_text()
    assert "Cost on this CPU" in page and "Peak memory vs sequence length" in page and "&lt;table" not in page
    assert "Cost on this CPU" in (run / "report.md").read_text()
    bad = CliRunner().invoke(app, ["profile", "--arch", "mobilebert", "--out", str(out), "--threads", "two"])
    assert bad.exit_code == 2 and "whole numbers" in bad.output


def test_every_backend_runs_under_the_same_thread_budget_on_real_length_articles(tmp_path, tiny_bert, corpus_csv):
    """torch, onnx and onnx-int8 side by side; single-stream queries keep each article's own length."""
    config = ProfileConfig(model=tiny_bert, backends=["torch", "onnx", "onnx-int8"], threads=[1, 2],
                           batch_sizes=[1, 2], lengths=[16], memory_lengths=[32, 128], memory_batches=[2],
                           texts=corpus_csv, queries=30, seconds_per_point=0.02, load_runs=1)
    result = profile(config)
    assert result.backends == ["torch", "onnx", "onnx-int8"]
    assert {(p.backend, p.threads) for p in result.latency} == {(b, t) for b in result.backends for t in (1, 2)}
    assert [x.backend for x in result.load] == ["torch", "onnx", "onnx-int8"]
    # The ONNX Runtime probes never import torch, so their processes start smaller.
    assert result.load[1].rss_after_load_mb < result.load[0].rss_after_load_mb
    assert set(result.static.files_mb) == {"safetensors fp32", "onnx fp32", "onnx int8"}
    assert all(size > 0 for size in result.static.files_mb.values())
    assert len(result.single_stream) == 6 and {x.queries for x in result.single_stream} == {30}
    [stream] = [x for x in result.single_stream if x.backend == "onnx" and x.threads == 1]
    assert 10 < stream.mean_tokens < 40 and stream.share_at_cap == 0  # the corpus's own lengths, unpadded
    assert stream.p50_ms <= stream.p90_ms <= stream.p99_ms and stream.forward_p50_ms < stream.p50_ms
    assert {m.backend for m in result.memory} == set(result.backends)
    from newsbench.reporting import render_profile

    files = render_profile(result)
    assert "Single-stream latency on real news" in files["profile.md"] and "plots/backends.png" in files


def test_an_exported_onnx_file_is_profiled_as_itself(tmp_path, tiny_bert):
    from newsbench.export import export_onnx

    exported = export_onnx(tiny_bert, tmp_path / "int8", int8=True)
    with pytest.raises(ConfigError, match="runs only as onnx-int8"):
        ProfileConfig(model=str(tmp_path / "int8"), backends=["torch"])
    config = ProfileConfig(model=str(tmp_path / "int8"), threads=[1], batch_sizes=[2], lengths=[16],
                           memory_lengths=[32], memory_batches=[2], seconds_per_point=0.02, load_runs=1)
    assert config.backends == ["onnx-int8"]
    result = profile(config)
    assert result.static.parameters == exported.parameters and list(result.static.files_mb) == ["onnx int8"]
    assert [p.backend for p in result.latency] == ["onnx-int8"] and result.load[0].backend == "onnx-int8"
    assert result.architecture == "BertForSequenceClassification"


def test_a_scikit_learn_pipeline_is_profiled_on_text(tmp_path, corpus, corpus_csv):
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(corpus.text, corpus.label)
    folder = tmp_path / "lr"
    folder.mkdir()
    joblib.dump(pipeline, folder / "model.joblib")
    with pytest.raises(ConfigError, match="allow-pickle"):
        ProfileConfig(model=str(folder))
    config = ProfileConfig(model=str(folder), allow_pickle=True, threads=[1], batch_sizes=[1, 16], lengths=[50],
                           texts=corpus_csv, queries=20, memory_lengths=[100], memory_batches=[4],
                           seconds_per_point=0.02, load_runs=1)
    assert config.backends == ["sklearn"]
    result = profile(config)
    coefficients = pipeline[-1].coef_.size + pipeline[-1].intercept_.size
    assert result.static.parameters == coefficients and list(result.static.files_mb) == ["joblib"]
    assert [(p.backend, p.batch_size, p.seq_len) for p in result.latency] == [("sklearn", 1, 50), ("sklearn", 16, 50)]
    [stream] = result.single_stream
    assert stream.queries == 20 and stream.mean_tokens == pytest.approx(np.mean([len(t.split()) for t in
                                                                               _sampled(corpus_csv, 20)]))
    [point] = result.memory
    assert point.activations_mb is None and point.peak_rss_mb > 0 and result.load[0].backend == "sklearn"
    assert "TfidfVectorizer -> LogisticRegression" == result.architecture
    from newsbench.reporting import render_profile

    assert "whole text (mean" in render_profile(result)["profile.md"]


def _sampled(path: str, n: int) -> list[str]:
    """The articles single-stream picks: the same seeded sample."""
    from newsbench.data import DataSpec, load_dataset

    texts = load_dataset([DataSpec.parse(path)]).texts
    return [texts[i] for i in np.random.default_rng(0).choice(len(texts), n, replace=False)]


def test_forward_work_is_counted_per_use_of_a_layer():
    """Counted, not read off parameters: ALBERT's one shared layer does its work in every layer."""
    from transformers import AlbertConfig, AlbertForSequenceClassification

    from newsbench.profiling.roofline import forward_gop

    def albert(layers):
        return AlbertForSequenceClassification(AlbertConfig(
            vocab_size=50, embedding_size=16, hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
            intermediate_size=64, max_position_embeddings=64)).eval()

    two, four = albert(2), albert(4)
    assert sum(p.numel() for p in two.parameters()) == sum(p.numel() for p in four.parameters())
    layer = 8 * 20 * 32**2 + 4 * 20 * 32 * 64 + 4 * 20**2 * 32  # operations of one layer on 20 tokens
    assert (forward_gop(four, 20) - forward_gop(two, 20)) * 1e9 == pytest.approx(2 * layer)
    assert four.config._attn_implementation == "sdpa"  # counted with eager attention, then restored


def test_share_of_roof_reads_the_backends_precision():
    from newsbench.profiling.roofline import MatmulPeak, precision_of, share_of_roof

    points = [MatmulPeak("fp32", "s", 1, 1, 1, 2, 1.0, 500.0, 5), MatmulPeak("int8", "s", 1, 1, 1, 2, 1.0, 2000.0, 5),
              MatmulPeak("fp32", "s", 1, 1, 1, 1, 1.0, 250.0, 5)]
    assert [precision_of(b) for b in ("torch", "onnx", "onnx-int8", "torch-bf16")] == ["fp32", "fp32", "int8", "bf16"]
    assert share_of_roof(10.0, 40.0, "onnx", 2, points) == pytest.approx(0.5)  # 250 GOP/s of 500
    assert share_of_roof(10.0, 40.0, "onnx-int8", 2, points) == pytest.approx(0.125)
    assert share_of_roof(10.0, 40.0, "torch", 1, points) == pytest.approx(1.0)
    assert share_of_roof(10.0, 40.0, "torch-bf16", 2, points) is None and share_of_roof(None, 40.0, "onnx", 2,
                                                                                            points) is None


def test_the_roofline_graphs_multiply_correctly_and_count_two_operations_per_multiply_add():
    import onnxruntime as ort
    from onnx import load_model_from_string, numpy_helper

    from newsbench.profiling.roofline import _graph, measure_roofline, roofs

    rng = np.random.default_rng(0)
    for precision in ("fp32", "int8"):
        model, feed = _graph(precision, 8, 16, 4, rng)
        session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        [y] = session.run(None, feed)
        weights = {t.name: numpy_helper.to_array(t) for t in load_model_from_string(model).graph.initializer}
        a = feed["A"].astype(np.int64) - 128 if precision == "int8" else feed["A"]
        expected = a @ weights["B"].astype(a.dtype)
        np.testing.assert_allclose(y, expected, rtol=1e-5)
    points = measure_roofline([1], 0.01, shapes=(("tiny", 32, 64, 48),))
    for p in points:
        assert p.gops == pytest.approx(2 * 32 * 64 * 48 / (p.ms / 1e3) / 1e9)
    assert set(roofs(points)) == {"fp32", "int8"} and roofs(points, threads=2) == {}


def test_single_stream_texts_say_how_many_were_timed_and_what_was_set_aside(tmp_path):
    from newsbench.errors import DataError
    from newsbench.profiling.latency import real_articles

    frame = make_corpus(30, 0)
    frame.loc[0:2, ["title", "text"]] = ""
    frame.to_csv(tmp_path / "few.csv", index=False)
    picked, source = real_articles(str(tmp_path / "few.csv"), 50, 0)
    assert len(picked) == 27 and source == "few (27 of 27 articles, seed 0; 50 asked for; set aside: empty_text: 3)"
    frame.iloc[:12].to_csv(tmp_path / "tiny.csv", index=False)
    with pytest.raises(DataError, match=r"9 articles to time \(set aside: empty_text: 3\).*at least 20"):
        real_articles(str(tmp_path / "tiny.csv"), 50, 0)


def test_a_max_length_above_the_models_positions_is_noted(corpus_csv):
    from types import SimpleNamespace

    from newsbench.profiling import _notes

    config = ProfileConfig(arch="mobilebert", texts=corpus_csv, max_length=4096, threads=[1], lengths=[128])
    subject, environment = SimpleNamespace(fixed=None), SimpleNamespace(cpu_count=2)
    [note] = _notes(config, subject, environment, 512, [128], config.memory_lengths)
    assert note.startswith("--max-length 4096 is above the model's 512 positions")
    config.max_length = 512
    assert _notes(config, subject, environment, 512, [128], config.memory_lengths) == []
