"""ONNX export: the exported model must predict what the PyTorch model predicts."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.detectors import DetectorOptions, detect_backend, load_detector
from newsbench.errors import ConfigError, ModelError
from newsbench.export import export_onnx

TEXTS = ["officials said the report", "shocking secret hoax exposed", "the ministry confirmed data " * 30,
         "miracle cover up they do not want you to know", "election"]


def test_fp32_export_matches_pytorch(tmp_path, tiny_bert):
    result = export_onnx(tiny_bert, tmp_path / "onnx")
    assert result.argmax_agreement == 1.0 and result.max_logit_diff < 1e-4
    assert detect_backend(str(tmp_path / "onnx")) == "onnx"
    torch_probs = load_detector(tiny_bert, "torch", DetectorOptions(batch_size=2)).predict_proba(TEXTS)
    onnx = load_detector(str(tmp_path / "onnx"), options=DetectorOptions(batch_size=3, threads=1))
    onnx_probs = onnx.predict_proba(TEXTS)
    np.testing.assert_allclose(onnx_probs, torch_probs, atol=1e-5)
    report = json.loads((tmp_path / "onnx" / "export.json").read_text())
    assert report["parameters"] == result.parameters and report["environment"]["packages"]["onnxruntime"]


def test_attention_is_exported_as_plain_matmul_softmax(tmp_path, tiny_bert):
    """The SDPA mask (IsNaN/Where nodes, a fifth of MobileBERT's ONNX time) stays out of the graph,
    and the caller's model keeps the attention it had."""
    import onnx
    from transformers import AutoModelForSequenceClassification

    from newsbench.export import to_onnx

    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert).eval()
    assert model.config._attn_implementation == "sdpa"
    ops = Counter(node.op_type for node in onnx.load(str(to_onnx(model, tmp_path / "m.onnx"))).graph.node)
    # SDPA's export re-checks the mask in every layer (an IsNaN and two Where nodes each)
    assert ops["Softmax"] == 2 and ops["IsNaN"] == 0 and ops["Where"] <= 4
    assert model.config._attn_implementation == "sdpa"


def test_int8_export_is_smaller_and_records_its_parity(tmp_path, tiny_bert):
    import onnx

    from newsbench.export import activation_fed_matmuls

    result = export_onnx(tiny_bert, tmp_path / "q" / "model.int8.onnx", int8=True)
    assert result.int8
    # Weight MatMuls became integer MatMuls, except the feed-forward output projections, which
    # read GELU outputs and stay fp32 (2 layers -> 2 of them).
    graph = onnx.load(str(tmp_path / "q" / "model.int8.onnx")).graph
    kept = [n.name for n in graph.node if n.op_type == "MatMul" and "/output/dense/" in n.name
            and "attention" not in n.name]
    assert len(kept) == 2 and sum(n.op_type == "MatMulInteger" for n in graph.node) > 0
    assert "2 fed by an activation function kept fp32" in result.quantization
    fp32_graph = onnx.load(str(export_onnx(tiny_bert, tmp_path / "f").file)).graph
    assert sorted(activation_fed_matmuls(fp32_graph)) == sorted(kept)
    # The recorded parity is what the two models give on the parity texts, batch by batch.
    detector = load_detector(str(tmp_path / "q"))
    reference = load_detector(tiny_bert, "torch")
    from newsbench.export import PARITY_TEXTS

    encoded = reference.tokenizer(list(PARITY_TEXTS), truncation=True, max_length=reference.max_length)
    batch = reference.pad(encoded, range(len(PARITY_TEXTS)))
    a, b = reference.forward(batch), detector.forward(batch)
    assert result.argmax_agreement == np.mean(a.argmax(1) == b.argmax(1))
    assert result.max_logit_diff == pytest.approx(np.abs(a - b).max(), rel=1e-5)
    info = detector.info()
    assert info.backend == "onnx-int8" and info.details["precision"].startswith("dynamic int8")
    assert detector.precision == "int8" and detector.reference == str(Path(tiny_bert).resolve())
    assert detector.predict_proba(TEXTS).shape == (5, 2)
    with pytest.raises(ModelError, match="holds int8 weights"):
        load_detector(str(tmp_path / "q"), backend="onnx")
    assert not list((tmp_path / "q").glob(".*tmp"))


def test_export_refuses_to_overwrite_the_source(tiny_bert):
    with pytest.raises(ConfigError, match="must not be the model folder"):
        export_onnx(tiny_bert, tiny_bert)


def test_export_takes_only_a_hugging_face_classifier(tmp_path, corpus_csv):
    # "fake" is newsbench's cue-word detector, not a hub id to look up.
    with pytest.raises(ConfigError, match="export takes a Hugging Face classifier folder.*this is a fake model"):
        export_onnx("fake", tmp_path / "x")
    train_run = CliRunner().invoke(app, ["train", "--recipe", "style-lr", "--data", corpus_csv,
                                         "--out", str(tmp_path / "m")])
    assert train_run.exit_code == 0, train_run.output
    with pytest.raises(ConfigError, match="this is a heads model"):
        export_onnx(str(tmp_path / "m"), tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_cli_export_then_evaluate_with_onnx(tmp_path, tiny_bert, corpus_csv):
    result = CliRunner().invoke(app, ["export", "--model", tiny_bert, "--out", str(tmp_path / "x")])
    assert result.exit_code == 0 and "argmax agreement 1.000" in " ".join(result.output.split()), result.output
    run = CliRunner().invoke(app, ["evaluate", "--model", str(tmp_path / "x"), "--data", corpus_csv,
                                   "--out", str(tmp_path / "run"), "--bootstrap", "0"])
    assert run.exit_code == 0, run.output
    data = json.loads((tmp_path / "run" / "results.json").read_text())
    assert data["model"]["backend"] == "onnx" and data["model"]["details"]["precision"] == "fp32"
    assert data["evaluations"][0]["precision_check"] is None


def test_onnx_backends_export_a_hugging_face_folder_once(tmp_path, tiny_bert, monkeypatch):
    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path / "cache"))
    fp32 = load_detector(tiny_bert, backend="onnx", options=DetectorOptions(threads=1))
    int8 = load_detector(tiny_bert, backend="onnx-int8", options=DetectorOptions(threads=1))
    assert (fp32.precision, int8.precision) == ("fp32", "int8") and int8.reference is not None
    exports = sorted(p.name.rsplit("-", 1)[1] for p in (tmp_path / "cache" / "onnx").iterdir())
    assert exports == ["fp32", "int8"]
    stamp = (int8.file.parent / "export.json").stat().st_mtime_ns
    again = load_detector(tiny_bert, backend="onnx-int8")
    assert again.file == int8.file and (int8.file.parent / "export.json").stat().st_mtime_ns == stamp
    torch_probs = load_detector(tiny_bert, backend="torch").predict_proba(TEXTS)
    np.testing.assert_allclose(fp32.predict_proba(TEXTS), torch_probs, atol=1e-5)
