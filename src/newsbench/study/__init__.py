"""``newsbench run``: a whole study from one file: train, evaluate every detector x backend on every
dataset, profile each, compare them.

The study folder holds one run folder per unit of work (``runs/DETECTOR/BACKEND/DATASET``,
``.../profile``, ``runs/DETECTOR/model``), each written as ``newsbench evaluate``, ``profile`` or
``train`` would write it, and ``cache.json`` with each unit's fingerprint (settings, data sha256,
newsbench version; for cost, also the CPU): a rerun redoes only units whose fingerprint changed.
``study.json`` and the report are built from the units' results.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsbench import __version__
from newsbench.config import EvalConfig, ProfileConfig, TrainConfig
from newsbench.detectors import choose_backend, detect_backend
from newsbench.detectors.base import ProgressFactory, fingerprint
from newsbench.environment import capture_environment
from newsbench.outputs import check_output, write_atomic
from newsbench.profiling import ProfileResult
from newsbench.profiling.subject import FILE_NAMES
from newsbench.results import Evaluation, RunResult
from newsbench.serialize import read_json, to_json
from newsbench.sources import DataSpec
from newsbench.study.compare import generalisation, pair_tests, pareto
from newsbench.study.config import Study, StudyDataset, StudyDetector, folder_name, load_study
from newsbench.study.results import Cost, DatasetScore, RecipeHeadline, StudyResult, StudyRow
from newsbench.tables import file_sha256

__all__ = ["Study", "StudyResult", "load_study", "run_study", "save_study"]

IN_DOMAIN = "held-out"


@dataclass
class Cache:
    """``cache.json``: the fingerprint each finished unit of work was made with."""

    path: Path
    entries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Cache:
        try:
            data = json.loads(path.read_text())
            return cls(path, dict(data["entries"]))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(path)

    def fresh(self, key: str, print_: str, marker: Path) -> bool:
        return self.entries.get(key) == print_ and marker.exists()

    def record(self, key: str, print_: str) -> None:
        self.entries[key] = print_
        write_atomic(self.path, json.dumps({"schema_version": "1.0", "kind": "study-cache", "entries": self.entries},
                                           indent=1))


def run_study(study: Study, out: str | Path, progress: ProgressFactory | None = None) -> StudyResult:
    """Run every unit of the study that is not already in ``out`` with the same fingerprint.

    Returns:
        the study result (also what ``save_study`` writes as study.json).
    """
    out = check_output(out, "study")
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    units = _Units(study, out, progress)
    rows = []
    for detector in study.detectors:
        model, model_print = units.model(detector)
        for backend in detector.backends:
            rows.append(units.row(detector, backend, model, model_print))
    gen = generalisation(rows)
    return StudyResult(
        name=study.name, seed=study.seed, datasets=[IN_DOMAIN, *(d.name for d in study.datasets)], rows=rows,
        generalisation=gen, tests=pair_tests(rows, out), pareto=pareto(rows, gen),
        environment=capture_environment(study.seed, None, started), crossval=units.crossval(),
    )


def save_study(result: StudyResult, out: str | Path) -> dict[str, Path]:
    """Write study.json, report.md, report.html and the report's plots into the study folder."""
    from newsbench.reporting import render_study

    out = Path(out)
    shutil.rmtree(out / "plots", ignore_errors=True)  # only this report's plots
    files = {"study.json": to_json(result), **render_study(result)}
    for name, content in files.items():
        write_atomic(out / name, content)
    return {name: out / name for name in files}


class _Units:
    """The units of work of one study run, each skipped when its fingerprint is in the cache."""

    def __init__(self, study: Study, out: Path, progress: ProgressFactory | None):
        self.study, self.out, self.progress = study, out, progress
        self.cache = Cache.load(out / "cache.json")
        self.shas: dict[str, str] = {}
        total = sum(len(d.backends) * (len(study.datasets) + (1 if d.train else 0) + 1) + (1 if d.train else 0)
                    for d in study.detectors) + (1 if study.crossval else 0)
        self.advance = progress(f"study {study.name}: {total} units", total) if progress else None

    def _step(self, what: str) -> None:
        if self.advance:
            self.advance(1, description=f"study {self.study.name}: {what}")

    def _print(self, *parts) -> str:
        return hashlib.sha256(json.dumps([__version__, *parts], sort_keys=True, default=str).encode()).hexdigest()

    def _data(self, specs: list[str]) -> list[str]:
        """sha256 of each data file the specs name (the content, not the name, decides)."""
        out = []
        for spec in specs:
            path = DataSpec.parse(spec).path
            if str(path) not in self.shas:
                self.shas[str(path)] = file_sha256(path)
            out.append(self.shas[str(path)])
        return out

    def model(self, detector: StudyDetector) -> tuple[str, str]:
        """The model a detector runs (trained here when it has a recipe) and its fingerprint."""
        if detector.train is None:
            path = Path(detector.path).expanduser()
            return detector.path, fingerprint(path) if path.exists() else detector.path
        settings = {"seed": self.study.seed, **detector.train}
        folder = self.out / "runs" / folder_name(detector.name) / "model"
        key, print_ = f"train/{detector.name}", self._print("train", settings, self._data(settings["data"]))
        if not self.cache.fresh(key, print_, folder / "model.json"):
            from newsbench.training import train

            train(TrainConfig(out=folder, **settings), self.progress)
            self.cache.record(key, print_)
        self._step(f"trained {detector.name}")
        return str(folder), print_

    def row(self, detector: StudyDetector, backend: str | None, model: str, model_print: str) -> StudyRow:
        """Evaluate one detector x backend on every dataset (and its held-out split), and profile it."""
        name = backend or "auto"
        base = self.out / "runs" / folder_name(detector.name) / name
        scores, run = [], None
        datasets = ([StudyDataset(IN_DOMAIN, [])] if detector.train else []) + list(self.study.datasets)
        for dataset in datasets:
            run = self._evaluate(detector, backend, model, model_print, dataset, base / folder_name(dataset.name))
            [evaluation] = run.evaluations
            scores.append(_score(evaluation, dataset.name == IN_DOMAIN,
                                 str((base / folder_name(dataset.name)).relative_to(self.out))))
        label = detector.name if len(detector.backends) == 1 else f"{detector.name} ({run.model.backend})"
        return StudyRow(label, detector.name, run.model.backend, model, scores,
                        self._profile(detector, backend, model, model_print, base / "profile"))

    def crossval(self) -> list[RecipeHeadline]:
        """The study's ``[crossval]``: which training recipe holds up on the datasets left out."""
        if not self.study.crossval:
            return []
        from newsbench.generalisation import CrossvalResult, crossval, save_crossval
        from newsbench.generalisation.config import CrossvalConfig

        settings = self.study.crossval
        folder = self.out / "crossval"
        print_ = self._print("crossval", settings, self._data(settings["data"] + settings.get("augment", [])),
                             self.study.seed)
        if not self.cache.fresh("crossval", print_, folder / "crossval.json"):
            save_crossval(crossval(CrossvalConfig(seed=self.study.seed, **settings), self.progress), folder)
            self.cache.record("crossval", print_)
        self._step("crossval")
        result = read_json(CrossvalResult, folder / "crossval.json")
        return [RecipeHeadline(r.recipe, r.lodo_mean_auc, r.lodo_worst_auc, r.lodo_worst, r.transfer_mean_auc,
                               r.in_domain_mean_auc, r.seconds, "crossval/report.html") for r in result.recipes]

    def _evaluate(self, detector: StudyDetector, backend: str | None, model: str, model_print: str,
                  dataset: StudyDataset, folder: Path) -> RunResult:
        heldout = dataset.name == IN_DOMAIN
        config = EvalConfig(
            model=model, data=[_named(dataset.name, s) for s in dataset.data], backend=backend or "auto",
            heldout=heldout, group_by=dataset.group_by, text_cols=dataset.text_cols, label_col=dataset.label_col,
            where=dataset.filters, threshold=detector.threshold, max_length=detector.max_length,
            batch_size=detector.batch_size,
            n_bootstrap=self.study.bootstrap, seed=self.study.seed, max_rows=dataset.max_rows,
            allow_pickle=detector.allow_pickle or detector.train is not None,  # a model it trained itself
            trust_remote_code=detector.trust_remote_code,
        )
        key = f"evaluate/{detector.name}/{backend or 'auto'}/{dataset.name}"
        print_ = self._print("evaluate", model_print, backend, dataset, self._data(dataset.data), self.study.seed,
                             self.study.bootstrap, detector)
        if not self.cache.fresh(key, print_, folder / "results.json"):
            from newsbench.evaluation import evaluate, save_run

            save_run(evaluate(config, self.progress), folder)
            self.cache.record(key, print_)
        self._step(f"evaluated {detector.name} on {dataset.name}")
        return read_json(RunResult, folder / "results.json")

    def _profile(self, detector: StudyDetector, backend: str | None, model: str, model_print: str,
                 folder: Path) -> Cost | None:
        if detect_backend(model) == "fake":
            self._step(f"{detector.name}: nothing to profile")
            return None
        settings = dict(self.study.profile or {})
        settings.setdefault("texts", (self.study.datasets[0].data[0] if self.study.datasets else None))
        chosen = backend or choose_backend(model)[0]
        kind = detect_backend(model)
        config = ProfileConfig(model=model, backends=None if kind in ("sklearn", "heads", "onnx") else [chosen],
                               allow_pickle=detector.allow_pickle or detector.train is not None,
                               trust_remote_code=detector.trust_remote_code, seed=self.study.seed, **settings)
        env = capture_environment(0)
        key = f"profile/{detector.name}/{backend or 'auto'}"
        texts = self._data([settings["texts"]]) if settings.get("texts") else []  # the file's content decides
        print_ = self._print("profile", model_print, chosen, settings, texts, env.cpu_model, env.cpu_count)
        if not self.cache.fresh(key, print_, folder / "profile.json"):
            from newsbench.profiling import profile
            from newsbench.reporting import save_profile

            save_profile(profile(config, self.progress), folder)
            self.cache.record(key, print_)
        self._step(f"profiled {detector.name}")
        return _cost(read_json(ProfileResult, folder / "profile.json"), chosen, str(folder.relative_to(self.out)))


def _named(name: str, spec: str) -> str:
    """A data spec pooled under the study's dataset name."""
    if "=" in spec and not Path(spec).exists():
        spec = spec.split("=", 1)[1]
    return f"{name}={spec}"


def _score(ev: Evaluation, in_domain: bool, run: str) -> DatasetScore:
    m = ev.metrics
    cells = next((g.rows for g in ev.groups if g.column == "is_ai+label"), [])
    return DatasetScore(ev.dataset, in_domain, ev.n, ev.n_real, ev.n_fake, m.accuracy, m.balanced_accuracy,
                        m.f1_macro, m.roc_auc, m.fpr, m.fnr, ev.confusion.fp, ev.confusion.fn, list(cells),
                        ev.precision_check, run)


def _cost(result: ProfileResult, backend: str, run: str) -> Cost:
    stream = result.single_stream[0] if result.single_stream else None
    smallest = min((m.batch_size for m in result.memory), default=None)
    batch1 = {m.seq_len: m.growth_mb for m in result.memory if m.batch_size == smallest}
    load = result.load[0].load_increase_mb if result.load else None
    # The file this backend runs: an int8 row is as big as its int8 export, not the fp32 weights.
    disk = result.static.files_mb.get(FILE_NAMES.get(backend, ""), result.static.disk_mb)
    return Cost(
        parameters=result.static.parameters, disk_mb=disk, load_rss_mb=load,
        ms_per_article=stream.mean_ms if stream else None, p90_ms=stream.p90_ms if stream else None,
        peak_memory_512_mb=batch1.get(512), threads=result.environment.threads or 0,
        batch_ms_per_article={f"{p.batch_size}@{p.seq_len}": p.p50_ms_per_article for p in result.latency},
        memory_growth_mb={str(k): v for k, v in sorted(batch1.items())}, run=run,
    )

