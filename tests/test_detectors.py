import subprocess
import sys

import numpy as np
import pytest

from newsbench.detectors import DetectorOptions, choose_backend, detect_backend, load_detector
from newsbench.detectors.base import fake_column
from newsbench.errors import ConfigError, ModelError

TEXTS = ["officials said the report", "shocking secret hoax exposed", "the ministry confirmed data",
         "miracle cover up they do not want you to know " * 40, "election"]


def test_fake_detector_is_deterministic_and_follows_cues():
    detector = load_detector("fake")
    a, b = detector.predict_proba(TEXTS), detector.predict_proba(TEXTS)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 2) and np.allclose(a.sum(axis=1), 1)
    assert a[1, 1] > 0.5 > a[0, 1]
    custom = load_detector("fake:election")
    assert custom.predict_proba(["election"])[0, 1] > custom.predict_proba(["budget"])[0, 1]


def test_backend_detection(tmp_path, tiny_bert, monkeypatch):
    import huggingface_hub.constants

    assert detect_backend("fake") == detect_backend("fake:x") == "fake"
    assert detect_backend(tiny_bert) == "torch"
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.joblib").write_bytes(b"")
    assert detect_backend(str(tmp_path / "m")) == "sklearn"
    with pytest.raises(ModelError, match="model not found"):
        detect_backend(str(tmp_path / "nothing"))
    # A hub id is one only online (or when already in the hub cache).
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE"):
        detect_backend("google/mobilebert-uncased")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    assert detect_backend("google/mobilebert-uncased") == "torch"


def test_unknown_backend_suggests_a_name():
    with pytest.raises(ModelError, match="did you mean 'sklearn'"):
        load_detector("fake", backend="sklern")


def test_sklearn_backend_requires_pickle_opt_in(tmp_path, corpus):
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(corpus["text"], corpus["label"])
    joblib.dump(pipe, tmp_path / "model.joblib")
    with pytest.raises(ModelError, match="--allow-pickle"):
        load_detector(str(tmp_path))
    detector = load_detector(str(tmp_path), options=DetectorOptions(allow_pickle=True))
    probs = detector.predict_proba(corpus["text"].tolist())
    np.testing.assert_allclose(probs, pipe.predict_proba(corpus["text"]))
    assert detector.info().parameters == pipe[-1].coef_.size + 1
    assert detector.times.tokenize_s > 0 and detector.times.inference_s > 0


def test_sklearn_string_classes_map_fake_to_column_one(tmp_path, corpus):
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    names = np.where(corpus["label"] == 1, "fake", "real")  # classes_ sorted: ['fake', 'real']
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(corpus["text"], names)
    joblib.dump(pipe, tmp_path / "p.joblib")
    probs = load_detector(str(tmp_path / "p.joblib"), options=DetectorOptions(allow_pickle=True)).predict_proba(
        corpus["text"].tolist())
    np.testing.assert_allclose(probs[:, 1], pipe.predict_proba(corpus["text"])[:, 0])


@pytest.mark.parametrize("labels, index", [
    (["real", "fake"], 1), (["FAKE", "REAL"], 0), ([0, 1], 1), (["LABEL_0", "LABEL_1"], 1),
    (["true", "false"], 1), (["reliable", "unreliable"], 1),
])
def test_fake_column(labels, index):
    assert fake_column(labels) == index


def test_hf_detector_matches_a_plain_forward_pass(tiny_bert):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    detector = load_detector(tiny_bert, "torch", DetectorOptions(batch_size=2))  # fp32, whatever auto picks
    probs = detector.predict_proba(TEXTS)
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert).eval()
    with torch.no_grad():
        encoded = [tokenizer(t, truncation=True, max_length=128, return_tensors="pt") for t in TEXTS]
        expected = [torch.softmax(model(**e).logits, -1)[0].numpy() for e in encoded]
    np.testing.assert_allclose(probs, np.array(expected), atol=1e-5)
    info = detector.info()
    assert info.backend == "torch" and info.parameters == sum(p.numel() for p in model.parameters())
    assert info.details["max_length"] == "128"  # capped by the model's position embeddings


def test_hf_padding_modes_and_batch_sizes_agree(tiny_bert):
    dynamic = load_detector(tiny_bert, "torch", options=DetectorOptions(batch_size=3)).predict_proba(TEXTS)
    padded = load_detector(tiny_bert, "torch", options=DetectorOptions(batch_size=1, padding="max_length"))
    padded = padded.predict_proba(TEXTS)
    np.testing.assert_allclose(dynamic, padded, atol=1e-5)


def test_hf_threads_are_applied(tiny_bert):
    import torch

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        detector = load_detector(tiny_bert, options=DetectorOptions(threads=1))
        assert torch.get_num_threads() == 1 and detector.info().details["threads"] == "1"
    finally:
        torch.set_num_threads(before)  # torch's thread count is process-wide: leave it as found


def test_hf_errors_are_diagnostic(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="could not load AutoTokenizer from .*tokenizer files"):
        load_detector(str(tmp_path))


def test_options_are_validated():
    with pytest.raises(ConfigError, match="padding"):
        DetectorOptions(padding="longest")
    with pytest.raises(ConfigError, match="batch_size"):
        DetectorOptions(batch_size=0)


def test_cli_help_does_not_import_torch_or_pandas():
    code = "import sys, newsbench.cli; print('torch' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize(("flags", "timed", "unmeasured"), [
    ({"avx2", "fma"}, ["torch", "onnx", "onnx-int8"], "torch"),
    ({"avx2", "avx512f", "avx512_vnni"}, ["torch", "onnx", "onnx-int8"], "onnx-int8"),
    ({"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_int8"}, ["torch", "torch-bf16", "onnx", "onnx-int8"],
     "torch-bf16"),
])
def test_auto_times_the_backends_this_cpu_can_use(flags, timed, unmeasured):
    from newsbench.detectors.choice import candidates, flag_choice

    assert candidates(flags) == timed  # emulated bf16 is not worth timing
    name, reason = flag_choice(flags)  # hub ids, which cannot be timed before download
    assert name == unmeasured and reason.startswith(unmeasured) and "not measured" in reason
    assert choose_backend("fake", flags)[0] == "fake"


def test_auto_measures_each_backend_once_and_says_why(tiny_bert, tmp_path, monkeypatch):
    import json

    from newsbench.detectors import choice

    monkeypatch.setenv("NEWSBENCH_CACHE", str(tmp_path))
    name, reason = choose_backend(tiny_bert, {"avx2", "fma"}, DetectorOptions(threads=1))
    (record,) = (tmp_path / "auto").glob("*.json")
    trials = {t["backend"]: t for t in json.loads(record.read_text())["trials"]}
    assert set(trials) == {"torch", "onnx", "onnx-int8"} and trials["torch"]["max_prob_diff"] == 0
    assert trials["onnx"]["max_prob_diff"] < 1e-4 and all(t["ms"] > 0 for t in trials.values())
    fastest = min((t for t in trials.values() if t["passed"]), key=lambda t: t["ms"])["backend"]
    assert name == fastest and reason.startswith(f"{name}: measured fastest")
    assert all(f"{b} {trials[b]['ms']:.1f} ms" in reason for b in trials)
    monkeypatch.setattr(choice, "time_candidates", lambda *a: pytest.fail("measured again"))
    assert choose_backend(tiny_bert, {"avx2", "fma"}, DetectorOptions(threads=1)) == (name, reason)
    monkeypatch.setattr("newsbench.environment.cpu_flags", lambda: {"avx2", "fma"})
    detector = load_detector(tiny_bert, options=DetectorOptions(threads=1))
    assert (detector.name, detector.choice) == (name, reason)
    # another thread budget is another measurement
    with pytest.raises(pytest.fail.Exception, match="measured again"):
        choose_backend(tiny_bert, {"avx2", "fma"}, DetectorOptions(threads=2))


def test_auto_passes_over_a_faster_backend_that_fails_parity():
    from newsbench.detectors.choice import TOLERANCE, Trial, decide

    trials = [Trial("torch", 9.0, 0.0, True), Trial("onnx", 7.5, 1e-6, True),
              Trial("onnx-int8", 3.0, 0.2, False), Trial("torch-bf16", float("inf"), float("inf"), False, "boom")]
    name, reason = decide(trials, 10)
    assert name == "onnx" and f"over the {TOLERANCE} parity limit" in reason and "failed: boom" in reason


def test_bf16_backend_stays_close_to_fp32(tiny_bert):
    texts = ["officials said the report", "shocking secret hoax exposed", "election"]
    fp32 = load_detector(tiny_bert, backend="hf")
    bf16 = load_detector(tiny_bert, backend="torch-bf16")
    assert (fp32.precision, bf16.precision, bf16.reference) == ("fp32", "bf16", tiny_bert)
    assert bf16.info().backend == "torch-bf16" and fp32.info().backend == "torch"
    np.testing.assert_allclose(bf16.predict_proba(texts), fp32.predict_proba(texts), atol=0.02)


def test_the_core_runs_without_torch_and_transformers(tmp_path, corpus_csv, tiny_bert):
    """The core install (no hf/onnx extras): scikit-learn detectors train and evaluate, and a
    Hugging Face model gets the one-line install hint instead of a traceback."""
    blocked = ("torch", "transformers", "onnxruntime", "onnx", "huggingface_hub", "safetensors", "tokenizers")

    def newsbench(*args):
        # A finder that answers "no such module" for the blocked packages, as on a core install.
        code = ("import importlib.abc, sys\n"
                "class Missing(importlib.abc.MetaPathFinder):\n"
                "    def find_spec(self, name, path, target=None):\n"
                f"        if name.partition('.')[0] in {blocked!r}:\n"
                "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
                "sys.meta_path.insert(0, Missing())\n"
                f"from newsbench.cli import main\nsys.argv = ['newsbench', *{[str(a) for a in args]!r}]\nmain()")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)

    model = tmp_path / "lr"
    done = newsbench("train", "--data", corpus_csv, "--out", model)
    assert done.returncode == 0, done.stderr
    done = newsbench("evaluate", "--model", model, "--allow-pickle", "--data", corpus_csv, "--bootstrap", "0",
                     "--out", tmp_path / "run")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "report.html").exists() and (tmp_path / "run" / "predictions.csv").exists()
    done = newsbench("evaluate", "--model", tiny_bert, "--data", corpus_csv, "--out", tmp_path / "hf")
    assert done.returncode == 2 and "pip install 'newsbench[hf]'" in done.stderr, done.stderr
