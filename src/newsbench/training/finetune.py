"""Fine-tune a transformer classifier on the CPU, within a time budget, resumably.

AdamW with linear warm-up/decay, weight decay, gradient clipping and accumulation; validation
every epoch (or every N optimizer steps) with early stopping on macro F1; the best weights are
kept. Ctrl-C stops at the next optimizer step and saves ``checkpoint.pt``; ``resume=True``
continues from it and ends with the same weights as an uninterrupted run (batch order comes from
(seed, epoch), and the RNG state is saved at each optimizer-step boundary).
"""

from __future__ import annotations

import hashlib
import math
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from newsbench import metrics
from newsbench.data import Dataset
from newsbench.detectors.base import ProgressFactory
from newsbench.errors import ConfigError, NewsbenchError, require
from newsbench.results import TrainingPoint
from newsbench.serialize import from_dict, to_dict
from newsbench.training.recipes import Fitted

CHECKPOINT = "checkpoint.pt"


class TrainingInterrupted(NewsbenchError):
    """Training was stopped by Ctrl-C; a resumable checkpoint was saved."""


class _CleanStop(Exception):
    """Raised at an optimizer-step boundary after Ctrl-C, where the state is consistent."""


@dataclass
class _State:
    """Everything needed to continue training exactly where it stopped."""

    epoch: int = 0
    batch: int = 0  # next micro-batch of the epoch (always at an optimizer-step boundary)
    step: int = 0
    elapsed_s: float = 0.0
    best_score: float = -1.0
    best_step: int = 0
    bad_evals: int = 0
    loss_sum: float = 0.0
    loss_count: int = 0
    history: list[TrainingPoint] = field(default_factory=list)
    stopped: str = ""


def epoch_batches(lengths: np.ndarray, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    """Shuffled batches of similar length (sorted within chunks of 50 batches), seeded by epoch.

    Grouping by length keeps padding, and so CPU time, low without giving up randomness.
    """
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        index = order[start:start + chunk]
        index = index[np.argsort(lengths[index], kind="stable")]
        batches += [index[i:i + batch_size] for i in range(0, len(index), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def finetune(config, parts: dict[str, Dataset], out: Path, progress: ProgressFactory | None = None,
             stop_after_steps: int | None = None) -> Fitted:
    """Fine-tune ``config.base`` on ``parts["train"]``, validating on ``parts["validation"]``.

    Args:
        config: a ``TrainConfig`` with recipe ``finetune``.
        parts: the train/validation/test datasets.
        out: folder that receives the model and tokenizer (``train`` stages it beside
            ``config.out``); an interrupted run saves ``checkpoint.pt`` in ``config.out`` itself,
            where ``--resume`` finds it.
        progress: progress-bar factory.
        stop_after_steps: simulate Ctrl-C after this many optimizer steps (for tests).

    Returns:
        The fitted detector's scorer and training record; the best weights are saved in ``out``.
    """
    torch = require("torch", "train")
    from transformers import get_linear_schedule_with_warmup

    from newsbench.detectors import DetectorOptions
    from newsbench.detectors.hf import HFDetector
    from newsbench.training.presets import load_base

    if config.threads:
        torch.set_num_threads(config.threads)
    model, tokenizer, source = load_base(config.base, config.seed)
    train, val = parts["train"], parts["validation"]
    encoded = tokenizer(train.texts, truncation=True, max_length=config.max_length)["input_ids"]
    lengths = np.array([len(ids) for ids in encoded])
    labels = torch.tensor(train.labels)

    n_batches = math.ceil(len(train) / config.batch_size)
    steps_per_epoch = math.ceil(n_batches / config.grad_accum)
    total_steps = steps_per_epoch * config.epochs
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
         "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
    scorer = HFDetector.from_loaded(model, tokenizer, DetectorOptions(max_length=config.max_length, batch_size=32))
    fingerprint = _fingerprint(config, parts)

    state, best = _State(), None
    checkpoint = Path(config.out) / CHECKPOINT
    if config.resume:
        if not checkpoint.exists():
            raise ConfigError(f"--resume: no {checkpoint} to resume from; start without --resume")
        saved = torch.load(checkpoint, weights_only=True)  # tensors and plain data only: no pickle
        if saved["fingerprint"] != fingerprint:
            raise ConfigError(f"--resume: {checkpoint} was made with other data or settings; "
                              "use the same options, or start without --resume")
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["rng"])
        state, best = from_dict(_State, saved["state"]), saved["best"]

    advance = progress("fine-tuning", total_steps) if progress else None
    if advance and state.step:
        advance(state.step)
    stop_requested: list[bool] = []

    def on_interrupt(signum, frame):
        if stop_requested:  # a second Ctrl-C aborts at once, without a checkpoint
            signal.default_int_handler(signum, frame)
        stop_requested.append(True)

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: Ctrl-C keeps its default meaning
        previous = None
    budget = config.max_minutes * 60 if config.max_minutes else math.inf

    def validate() -> None:
        nonlocal best
        prob = scorer.predict_proba(val.texts)[:, 1]
        if not np.isfinite(prob).all():
            raise NewsbenchError(f"training diverged: the validation scores are not numbers at step {state.step} "
                                f"(training loss {state.loss_sum / max(state.loss_count, 1):.4g}); lower --lr "
                                f"(now {config.lr}) or --max-length, or raise --batch-size")
        values = metrics.compute(val.labels, prob)
        eps = 1e-7
        loss = float(-np.mean(val.labels * np.log(prob + eps) + (1 - val.labels) * np.log(1 - prob + eps)))
        state.history.append(TrainingPoint(
            step=state.step, epoch=state.epoch + state.batch / n_batches, seconds=state.elapsed_s,
            train_loss=state.loss_sum / max(state.loss_count, 1), val_loss=loss,
            val_f1_macro=values["f1_macro"], val_accuracy=values["accuracy"],
        ))
        state.loss_sum, state.loss_count = 0.0, 0
        if values["f1_macro"] > state.best_score + 1e-9:
            state.best_score, state.best_step, state.bad_evals = values["f1_macro"], state.step, 0
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            state.bad_evals += 1
        if config.patience and state.bad_evals >= config.patience:
            state.stopped = f"early stopping: no better validation F1 in {config.patience} evaluations"

    try:
        rng_at_boundary = torch.get_rng_state()
        while state.epoch < config.epochs and not state.stopped:
            batches = epoch_batches(lengths, config.batch_size, config.seed, state.epoch)
            while state.batch < len(batches) and not state.stopped:
                started = time.perf_counter()
                group = batches[state.batch:state.batch + config.grad_accum]
                model.train()
                for index in group:
                    batch = tokenizer.pad({"input_ids": [encoded[i] for i in index]}, return_tensors="pt")
                    output = model(**batch, labels=labels[index])
                    (output.loss * len(index) / sum(len(g) for g in group)).backward()
                    state.loss_sum += output.loss.item() * len(index)
                    state.loss_count += len(index)
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                state.step += 1
                state.batch += len(group)
                rng_at_boundary = torch.get_rng_state()
                state.elapsed_s += time.perf_counter() - started
                if config.eval_every and state.step % config.eval_every == 0:
                    started = time.perf_counter()
                    validate()
                    state.elapsed_s += time.perf_counter() - started
                if advance:
                    last = state.history[-1] if state.history else None
                    advance(1, description=f"fine-tuning: loss {output.loss.item():.3f}"
                                           + (f", val F1 {last.val_f1_macro:.3f}" if last else ""))
                if state.elapsed_s > budget and not state.stopped:
                    state.stopped = f"time budget of {config.max_minutes:g} minutes reached"
                if stop_after_steps and state.step >= stop_after_steps:
                    stop_requested.append(True)
                if stop_requested:
                    raise _CleanStop
            if state.batch >= len(batches):
                state.epoch, state.batch = state.epoch + 1, 0
                if not config.eval_every:
                    started = time.perf_counter()
                    validate()
                    state.elapsed_s += time.perf_counter() - started
    except _CleanStop:
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        tmp = checkpoint.with_suffix(".tmp")
        torch.save({"fingerprint": fingerprint, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "rng": rng_at_boundary, "state": to_dict(state),
                    "best": best}, tmp)
        tmp.replace(checkpoint)
        raise TrainingInterrupted(
            f"training interrupted at step {state.step} of {total_steps}; a resumable checkpoint is in "
            f"{checkpoint}: run the same command with --resume to continue"
        ) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

    if not state.history or state.history[-1].step != state.step:
        validate()  # the last weights must compete too
    model.load_state_dict(best)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    checkpoint.unlink(missing_ok=True)
    return Fitted(
        score=lambda texts: scorer.predict_proba(texts)[:, 1],
        hyperparameters={
            "base": config.base, "base_source": source, "parameters": sum(p.numel() for p in model.parameters()),
            "epochs": config.epochs, "batch_size": config.batch_size, "grad_accum": config.grad_accum,
            "lr": config.lr, "weight_decay": config.weight_decay, "warmup_ratio": config.warmup_ratio,
            "max_grad_norm": config.max_grad_norm, "max_length": config.max_length,
            "eval_every": config.eval_every, "patience": config.patience, "max_minutes": config.max_minutes,
            "steps_done": state.step, "steps_planned": total_steps, "best_step": state.best_step,
            "threads": torch.get_num_threads(),
        },
        training_seconds=state.elapsed_s,
        history=state.history,
        stopped=state.stopped or "completed all epochs",
        base=config.base,
        max_length=config.max_length,
    )


def _fingerprint(config, parts: dict[str, Dataset]) -> str:
    """Identifies data + settings, so a checkpoint is only resumed into the same run."""
    settings = {k: v for k, v in asdict(config).items() if k not in ("resume", "out", "threads")}
    digest = hashlib.sha256(repr(sorted(settings.items())).encode())
    for name in sorted(parts):
        digest.update("\n".join(parts[name].rows["id"]).encode())
    return digest.hexdigest()
