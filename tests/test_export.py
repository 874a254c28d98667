"""ONNX export: the exported model must predict what the PyTorch model predicts."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from newsbench.cli import app
from newsbench.detectors import DetectorOptions, detect_backend, load_detector
from newsbench.errors import ConfigError
from newsbench.export import export_onnx

TEXTS = ["officials said the report", "shocking secret hoax exposed", "the ministry confirmed data " * 30,
         "miracle cover up they do not want you to know", "election"]


def test_fp32_export_matches_pytorch(tmp_path, tiny_bert):
    result = export_onnx(tiny_bert, tmp_path / "onnx")
    assert result.argmax_agreement == 1.0 and result.max_logit_diff < 1e-4
    assert detect_backend(str(tmp_path / "onnx")) == "onnx"
    torch_probs = load_detector(tiny_bert, options=DetectorOptions(batch_size=2)).predict_proba(TEXTS)
    onnx = load_detector(str(tmp_path / "onnx"), options=DetectorOptions(batch_size=3, threads=1))
    onnx_probs = onnx.predict_proba(TEXTS)
    np.testing.assert_allclose(onnx_probs, torch_probs, atol=1e-5)
    report = json.loads((tmp_path / "onnx" / "export.json").read_text())
    assert report["parameters"] == result.parameters and report["environment"]["packages"]["onnxruntime"]


def test_int8_export_is_smaller_and_records_its_parity(tmp_path, tiny_bert):
    result = export_onnx(tiny_bert, tmp_path / "q" / "model.int8.onnx", int8=True)
    assert result.int8 and result.size_mb < result.fp32_size_mb
    assert 0.0 <= result.argmax_agreement <= 1.0 and np.isfinite(result.max_logit_diff)
    detector = load_detector(str(tmp_path / "q"))
    assert detector.info().details["weights"].startswith("int8")
    assert detector.predict_proba(TEXTS).shape == (5, 2)
    assert not list((tmp_path / "q").glob(".*tmp"))


def test_export_refuses_to_overwrite_the_source(tiny_bert):
    with pytest.raises(ConfigError, match="must not be the model folder"):
        export_onnx(tiny_bert, tiny_bert)


def test_cli_export_then_evaluate_with_onnx(tmp_path, tiny_bert, corpus_csv):
    result = CliRunner().invoke(app, ["export", "--model", tiny_bert, "--out", str(tmp_path / "x")])
    assert result.exit_code == 0 and "argmax agreement 1.000" in result.output, result.output
    run = CliRunner().invoke(app, ["evaluate", "--model", str(tmp_path / "x"), "--data", corpus_csv,
                                   "--out", str(tmp_path / "run"), "--bootstrap", "0"])
    assert run.exit_code == 0, run.output
    data = json.loads((tmp_path / "run" / "results.json").read_text())
    assert data["model"]["backend"] == "onnx" and data["model"]["details"]["weights"] == "fp32"
