"""Profiling on a small random BERT: latency percentiles, fresh-process memory that grows with length."""

import json

import pytest
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.errors import ConfigError
from newsbench.presets import random_config
from newsbench.profile import Latency, ProfileConfig, activation_mb, profile


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
    point = Latency.from_values(2, 4, 128, [0.010, 0.011, 0.012, 0.013, 0.050])
    assert point.p50_ms == pytest.approx(12.0)
    assert point.p50_ms <= point.p90_ms <= point.p99_ms <= 50.0
    assert point.p50_ms_per_article == pytest.approx(3.0) and point.repeats == 5


def test_profile_measures_latency_and_memory_that_grows_with_length(small_bert):
    config = ProfileConfig(model=small_bert, threads=[1], batch_sizes=[1, 4], lengths=[32, 128],
                           memory_lengths=[64, 512], memory_batch=8, seconds_per_point=0.05, load_runs=1)
    result = profile(config)
    assert [(p.batch_size, p.seq_len) for p in result.latency] == [(1, 32), (4, 32), (1, 128), (4, 128)]
    assert all(p.repeats >= 5 and p.p50_ms <= p.p99_ms for p in result.latency)
    assert result.static.parameters > 0 and result.static.disk_mb > 0
    assert result.load.rss_after_load_mb > 50
    small, large = result.memory
    assert large.activations_mb > 10 * small.activations_mb > large.activations_fused_mb
    # The honest measurement must see the activations the study's sampler missed: at least the
    # growth that even fused attention cannot avoid.
    assert large.growth_mb - small.growth_mb > 0.5 * (large.activations_fused_mb - small.activations_fused_mb)
    assert large.growth_mb > small.growth_mb + 3
    assert result.first_forward_overhead_mb is not None and result.first_forward_overhead_mb >= 0


def test_activation_estimate_uses_mobilebert_bottleneck():
    mobile, bert = random_config("mobilebert"), random_config("bert-base")
    assert activation_mb(mobile, 8, 512) < activation_mb(bert, 8, 512)
    assert activation_mb(bert, 8, 512) > 4 * activation_mb(bert, 8, 128)


def test_profile_config_is_validated():
    with pytest.raises(ConfigError, match="exactly one"):
        ProfileConfig()
    with pytest.raises(ConfigError, match="unknown --arch"):
        ProfileConfig(arch="mobilebret")


def test_cli_profile_writes_json_and_markdown(tmp_path, small_bert):
    out = tmp_path / "prof"
    result = CliRunner().invoke(app, ["profile", "--model", small_bert, "--out", str(out), "--threads", "1",
                                      "--batch-sizes", "1,2", "--lengths", "16", "--memory-lengths", "32",
                                      "--seconds-per-point", "0.02", "--load-runs", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "profile.json").read_text())
    assert data["kind"] == "profile" and data["environment"]["threads"] == 1 and len(data["latency"]) == 2
    assert "Peak memory vs sequence length" in (out / "profile.md").read_text()
    assert (out / "plots" / "latency.png").exists() and (out / "plots" / "memory.png").exists()
    bad = CliRunner().invoke(app, ["profile", "--arch", "mobilebert", "--out", str(out), "--threads", "two"])
    assert bad.exit_code == 2 and "whole numbers" in bad.output
