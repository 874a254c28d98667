"""newsbench: does a fake-news detector still work on news it never saw, and what does it cost?

Data flow: files -> ``Dataset`` -> ``Detector`` -> predictions -> ``Metrics`` -> ``RunResult``
-> report. The public API is imported lazily so ``newsbench --help`` stays fast. No public name
is also the name of a submodule (the functions ``evaluate``, ``train``, ``profile`` and
``compare`` live in ``evaluation``, ``training``, ``profiling`` and ``comparison``): importing a
submodule binds it on the package, which would shadow a function of the same name.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "EvalConfig": "newsbench.config",
    "TrainConfig": "newsbench.config",
    "evaluate": "newsbench.evaluation",
    "save_run": "newsbench.evaluation",
    "Run": "newsbench.evaluation",
    "train": "newsbench.training",
    "DataSpec": "newsbench.sources",
    "LoadOptions": "newsbench.options",
    "Dataset": "newsbench.data",
    "load_dataset": "newsbench.data",
    "load_datasets": "newsbench.data",
    "Detector": "newsbench.detectors",
    "DetectorOptions": "newsbench.detectors",
    "load_detector": "newsbench.detectors",
    "choose_backend": "newsbench.detectors",
    "ProfileConfig": "newsbench.config",
    "ProfileResult": "newsbench.profiling",
    "profile": "newsbench.profiling",
    "compare": "newsbench.comparison",
    "Comparison": "newsbench.comparison",
    "export_onnx": "newsbench.export",
    "RunResult": "newsbench.results",
    "ModelCard": "newsbench.results",
    "from_json": "newsbench.serialize",
    "to_json": "newsbench.serialize",
    "NewsbenchError": "newsbench.errors",
    "DataError": "newsbench.errors",
    "ModelError": "newsbench.errors",
    "ConfigError": "newsbench.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value
    raise AttributeError(f"module 'newsbench' has no attribute {name!r}")
