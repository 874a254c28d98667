"""Each benchmark script runs end to end on a small architecture with a tiny budget (a smoke test:
the numbers are not checked, only that every path runs and reports)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsbench.sources import DATA_DIR_ENV

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def run(script: str, *args) -> str:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *map(str, args)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_arch_latency_runs(corpus_csv):
    out = run("arch_latency.py", "--archs", "tinybert-4l", "--backends", "torch,onnx-int8", "--threads", 1,
              "--queries", 20, "--repeats", 1, "--seconds", 0.01, "--data", corpus_csv)
    assert "| torch | 512 tokens, batch 8 |" in out and "| onnx-int8 | real mix p99 |" in out
    assert "tinybert-4l:" in out and "parameters" in out


@pytest.fixture
def bert_512(tmp_path, tiny_bert):
    """The tiny BERT's tokenizer with a model that takes 512 positions, as the study pipeline pads to 512."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=2)
    BertForSequenceClassification(config).save_pretrained(tmp_path / "bert-512")
    tokenizer.save_pretrained(tmp_path / "bert-512")
    return tmp_path / "bert-512"


@pytest.mark.skipif(not os.environ.get(DATA_DIR_ENV), reason=f"{DATA_DIR_ENV} not set (reads llmfake)")
def test_eval_throughput_runs(bert_512):
    out = run("eval_throughput.py", "--agreement-model", bert_512, "--arch", "tinybert-4l", "--articles", 8,
              "--repeats", 1, "--batch-size", 4)
    assert "onnx int8, SDPA graph" in out and out.count(" agreement ") >= 4 and "share of its roof" in out
    last = out.strip().splitlines()[-1].split()
    assert last[0] == "ratio:" and float(last[1]) > 0 and last[2] == "agreement:" and 0 <= float(last[3]) <= 1


def test_serve_load_runs(tiny_bert):
    out = run("serve_load.py", "--model", tiny_bert, "--backend", "torch", "--concurrency", "1,4", "--requests", 8,
              "--seconds", 5, "--threads", 1, "--max-length", 64)
    assert "| batching | 4 | 8 | 0 |" in out and "| none | 1 | 8 | 0 |" in out
    assert "ratio: " in out and "errors: 0" in out


def test_predict_throughput_runs():
    pytest.importorskip("ray.data")
    out = run("predict_throughput.py", "--model", "fake:shocking,hoax", "--rows", 300, "--chunk-rows", 100,
              "--threads", 1)
    assert "| local |" in out and "| ray |" in out and "ratio: " in out


@pytest.mark.skipif(not os.environ.get(DATA_DIR_ENV), reason=f"{DATA_DIR_ENV} not set (reads llmfake)")
def test_long_articles_runs(bert_512):
    out = run("long_articles.py", "--model", bert_512, "--data", "llmfake", "--articles", 12, "--max-length", 64,
              "--threads", 1)
    assert "llmfake: 12 of its" in out
    strategies = [line.split()[0] for line in out.splitlines() if "ms/article" in line]
    assert strategies == ["head", "head+tail", "tail", "mean"]


def test_long_article_views_cut_as_documented():
    sys.path.insert(0, str(BENCHMARKS))
    from long_articles import views

    cut = views(list(range(10)), budget=4)
    assert cut == {"head": [[0, 1, 2, 3]], "head+tail": [[0, 7, 8, 9]], "tail": [[6, 7, 8, 9]],
                   "mean of windows": [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]}
