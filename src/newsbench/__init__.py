"""newsbench: does a fake-news detector still work on news it never saw, and what does it cost?

Data flow: files -> ``Dataset`` -> ``Detector`` -> predictions -> ``Metrics`` -> ``RunResult``
-> report. The public API is imported lazily so ``newsbench --help`` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "EvalConfig": "newsbench.config",
    "TrainConfig": "newsbench.config",
    "evaluate": "newsbench.evaluate",
    "save_run": "newsbench.evaluate",
    "Run": "newsbench.evaluate",
    "train": "newsbench.train",
    "DataSpec": "newsbench.data",
    "LoadOptions": "newsbench.data",
    "Dataset": "newsbench.data",
    "load_dataset": "newsbench.data",
    "load_datasets": "newsbench.data",
    "Detector": "newsbench.detectors",
    "DetectorOptions": "newsbench.detectors",
    "load_detector": "newsbench.detectors",
    "choose_backend": "newsbench.detectors",
    "ProfileConfig": "newsbench.profile",
    "ProfileResult": "newsbench.profile",
    "profile": "newsbench.profile",
    "export_onnx": "newsbench.export",
    "RunResult": "newsbench.results",
    "ModelCard": "newsbench.results",
    "from_json": "newsbench.results",
    "to_json": "newsbench.results",
    "NewsbenchError": "newsbench.errors",
    "DataError": "newsbench.errors",
    "ModelError": "newsbench.errors",
    "ConfigError": "newsbench.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'newsbench' has no attribute {name!r}")
