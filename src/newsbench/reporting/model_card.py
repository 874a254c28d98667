"""The model card (README.md beside a trained model): data, training, measured in-domain results,
intended use and limits. Only measured numbers."""

from __future__ import annotations

from dataclasses import asdict

from newsbench.reporting.blocks import Block, Span, fmt_estimate
from newsbench.results import ModelCard


def _grouping(group_col: str | None) -> list[Span]:
    if group_col == "article":  # training.split.ARTICLE: linked articles, not a column
        return [Span(", by article (rows sharing a seed id or the same or a near-duplicate text stay in one split)")]
    return [Span(", grouped by "), Span(group_col, "code")] if group_col else []


def model_card_blocks(card: ModelCard) -> list[Block]:
    h = card.hyperparameters
    sizes = card.split.sizes
    data = [[Span(f.path, "code"), Span(f" (sha256 {f.sha256[:12]}, {f.rows:,} rows, labels from {f.label_source})")]
            for f in card.data]
    data.append([Span(f"after deduplication, split {sizes['train']:,} / {sizes['validation']:,} / "
                      f"{sizes['test']:,} (train / validation / test), seed {card.split.seed}"),
                 *_grouping(card.split.group_col)])
    options = ", ".join(f"{k}={v}" for k, v in asdict(card.preprocessing).items() if v)
    data.append([Span(f"preprocessing: {options}")])
    return [
        Block("h1", f"newsbench detector: {card.recipe}" + (f" from {card.base}" if card.base else "")),
        Block("p", spans=[Span("A binary fake-news classifier (0 = real, 1 = fake) trained with "),
                          Span("newsbench train", "code"), Span(".")]),
        Block("h2", "Training data"),
        Block("ul", items=data),
        Block("h2", "Training"),
        Block("ul", rows=[[str(h.get("description") or h.get("base_source"))],
                          *([f"dropped from training: {line}"] for line in dropped_sources(h)),
                          [f"{card.training_seconds:.0f} s of training; {card.stopped}"],
                          [f"decision threshold {card.threshold:.3f} ({card.threshold_criterion})"]]),
        Block("h2", "Measured in-domain results (threshold 0.5, 95% bootstrap intervals)"),
        Block("table", header=["split", "n", "accuracy", "F1 macro", "ROC AUC", "FPR", "FNR"],
              rows=[[name, f"{sizes[name]:,}", fmt_estimate(m.accuracy), fmt_estimate(m.f1_macro),
                     fmt_estimate(m.roc_auc), fmt_estimate(m.fpr), fmt_estimate(m.fnr)]
                    for name, m in (("validation", card.validation), ("test", card.test))],
              numeric=(1, 2, 3, 4, 5, 6)),
        Block("h2", "Intended use and known limitations"),
        Block("ul", items=[
            [Span("For research on fake-news detection and for measuring generalisation with "),
             Span("newsbench evaluate", "code"), Span(".")],
            [Span("These numbers are in-domain: the test split comes from the same sources and period as the "
                  "training data. Detectors trained on one corpus are often near chance on news from other "
                  "sources, years or generators; measure that before relying on the model: "),
             Span("newsbench evaluate --model <this folder> --heldout --data <external set> ...", "code"),
             Span(".")],
            [Span("ISOT-derived data carries source shortcuts (the "), Span("(Reuters)", "code"),
             Span(" dateline, class-specific subjects); a high in-domain score can mean the model learned the "
                  "source, not veracity.")],
            [Span("It labels style and source patterns, not facts; do not use it to judge individual articles "
                  "without human review.")],
        ]),
    ]


def dropped_sources(hyperparameters: dict) -> list[str]:
    """The training sources a recipe dropped because it could not learn them (``check_sources``)."""
    return [f"{c['source']}: its labels were not learned from (weight 0; its texts still shape the vocabulary): "
            f"validation ROC AUC {c['roc_auc']:.3f} on {c['n_real']:,} real and {c['n_fake']:,} fake articles is not "
            f"above chance (one-sided Mann-Whitney p = {c['p_value']:.2f}); its test rows are still scored"
            for c in hyperparameters.get("source check", []) if c["dropped"]]
