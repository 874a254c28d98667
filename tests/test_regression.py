"""Pins what newsbench computes on real data, so a restructuring cannot change a number unnoticed.

A TF-IDF + logistic regression detector is trained with a fixed seed on a slice of isot_samples
and evaluated on slices of llmfake and f3 (all from $NEWSBENCH_DATA_DIR). Every metric, interval,
confusion count, operating point and prediction must equal the values recorded in
tests/golden/tfidf_regression.json (to 1e-9). The file was written by the code before the
backend and reporting layers were restructured (issue 9); rewrite it only for an intended change:
NEWSBENCH_WRITE_GOLDEN=1 make test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from newsbench.sources import DATA_DIR_ENV

GOLDEN = Path(__file__).parent / "golden" / "tfidf_regression.json"
SLICES = {"isot_samples": 600, "llmfake": 300, "f3": 300}
pytestmark = pytest.mark.skipif(not os.environ.get(DATA_DIR_ENV), reason=f"{DATA_DIR_ENV} not set")


def run_pipeline(tmp_path: Path) -> dict:
    """Train and evaluate through the CLI; returns the numbers to pin."""
    from typer.testing import CliRunner

    from newsbench.cli import app

    root = Path(os.environ[DATA_DIR_ENV])
    files = {}
    for name, rows in SLICES.items():
        frame = pd.read_csv(root / name / "data.csv", dtype=str, keep_default_na=False)
        files[name] = tmp_path / f"{name}.csv"
        frame.sample(n=rows, random_state=0).to_csv(files[name], index=False)
    runner = CliRunner()
    model, out = tmp_path / "model", tmp_path / "run"
    result = runner.invoke(app, ["train", "--recipe", "tfidf-lr", "--data", str(files["isot_samples"]),
                                 "--strip-datelines", "--seed", "0", "--out", str(model)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["evaluate", "--model", str(model), "--allow-pickle", "--heldout",
                                 "--data", str(files["llmfake"]), "--data", str(files["f3"]),
                                 "--bootstrap", "300", "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = json.loads((model / "model.json").read_text())
    evaluations = json.loads((out / "results.json").read_text())["evaluations"]
    predictions = pd.read_csv(out / "predictions.csv", keep_default_na=False)
    return {
        "model": {"threshold": card["threshold"], "validation": card["validation"], "test": card["test"],
                  "split": card["split"]["sizes"]},
        "evaluations": [{key: ev[key] for key in ("dataset", "n_input", "n", "n_real", "n_fake", "skipped",
                                                  "metrics", "confusion", "thresholds", "groups")}
                        for ev in evaluations],
        "predictions": {
            "id": predictions["id"].tolist(), "dataset": predictions["dataset"].tolist(),
            "label": predictions["label"].tolist(), "pred": predictions["pred"].tolist(),
            "prob_fake": predictions["prob_fake"].tolist(),
        },
    }


def assert_close(actual, expected, path: str = "") -> None:
    if isinstance(expected, dict):
        assert set(actual) == set(expected), path
        for key in expected:
            assert_close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and isinstance(actual, (int, float)):
        # prob_fake is written with 6 significant digits; every other number is exact to 1e-9
        tolerance = 1e-6 if ".prob_fake" in path else 1e-9
        assert abs(actual - expected) <= tolerance * max(1.0, abs(expected)), (path, actual, expected)
    else:
        assert actual == expected, (path, actual, expected)


def test_tfidf_pipeline_gives_the_pinned_numbers(tmp_path):
    numbers = run_pipeline(tmp_path)
    if os.environ.get("NEWSBENCH_WRITE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(numbers, indent=1) + "\n")
    assert_close(numbers, json.loads(GOLDEN.read_text()))
