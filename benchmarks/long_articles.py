"""Articles longer than a transformer's limit: which part should it read?

For each dataset, up to ``--articles`` articles longer than ``--max-length`` tokens (seeded sample,
the model's own preprocessing applied) are scored four ways by the same fine-tuned classifier:

- head: the first max_length - 2 tokens (what newsbench does);
- head+tail: the first quarter of the budget and the last three quarters (Sun et al., 2019,
  "How to Fine-Tune BERT for Text Classification", found this best on long reviews);
- tail: the last max_length - 2 tokens;
- mean of windows: P(fake) averaged over consecutive max_length - 2 token windows (costs one
  forward pass per window).

Prints accuracy at 0.5, ROC AUC and ms per article (torch fp32, length-sorted batches of 16,
``--threads`` threads) for each, per dataset.

Usage: NEWSBENCH_DATA_DIR=../shared/data python benchmarks/long_articles.py --model runs/demo/runs/minilm/model \\
           [--data isot_samples --data llmfake ...] [--articles 300] [--max-length 512]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DATASETS = ["isot_samples", "llmfake", "f3", "fakenewsamt_celebrity", "fnn_v1_buzzfeed_politifact",
            "fakenewsnet_fulltext"]


def views(ids: list[int], budget: int, head_share: float = 0.25) -> dict[str, list[list[int]]]:
    """The token ids (no special tokens) each strategy reads from one article, as model inputs."""
    head = int(budget * head_share)
    windows = [ids[begin:begin + budget] for begin in range(0, len(ids), budget)]
    return {"head": [ids[:budget]], "head+tail": [ids[:head] + ids[len(ids) - (budget - head):]],
            "tail": [ids[-budget:]], "mean of windows": windows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a fine-tuned Hugging Face classifier folder")
    parser.add_argument("--data", action="append", help=f"dataset (repeatable; default: {', '.join(DATASETS)})")
    parser.add_argument("--articles", type=int, default=300, help="long articles per dataset (seeded sample)")
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from sklearn.metrics import roc_auc_score
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from newsbench.data import DataSpec, load_dataset
    from newsbench.environment import capture_environment
    from newsbench.evaluation import load_model_card
    from newsbench.options import LoadOptions

    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(args.model, trust_remote_code=False)
    tokenizer.model_max_length = 10**9  # whole articles are tokenised on purpose, then cut
    model = AutoModelForSequenceClassification.from_pretrained(args.model, trust_remote_code=False).eval()
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if cls is None or sep is None:
        parser.error(f"{args.model}: its tokenizer has no [CLS]/[SEP] tokens; this benchmark reads BERT-style inputs")
    card = load_model_card(args.model)[0]
    options = card.preprocessing if card else LoadOptions()  # texts built as in training (datelines, template)
    env = capture_environment(0, args.threads)
    print(f"{env.cpu_model}, {args.threads} threads; torch {env.packages['torch']}; commit {env.git_commit}; "
          f"{args.model}, max_length {args.max_length}")
    budget = args.max_length - 2

    def score(sequences: list[list[int]]) -> np.ndarray:
        """P(fake) of each [CLS] ids [SEP] sequence, length-sorted batches of 16."""
        out, order = np.empty(len(sequences)), np.argsort([-len(s) for s in sequences], kind="stable")
        for begin in range(0, len(order), 16):
            index = order[begin:begin + 16]
            batch = tokenizer.pad({"input_ids": [[cls, *sequences[i], sep] for i in index]}, padding="longest",
                                  return_tensors="pt")
            with torch.no_grad():
                logits = model(**batch).logits
            out[index] = torch.softmax(logits, -1)[:, 1].numpy()
        return out

    for name in args.data or DATASETS:
        rows = load_dataset([DataSpec.parse(name)], options).rows
        ids = tokenizer(rows["text"].tolist(), add_special_tokens=False)["input_ids"]
        long = [i for i, x in enumerate(ids) if len(x) > budget]
        picked = np.random.default_rng(0).permutation(long)[:args.articles]
        y = rows["label"].to_numpy()[picked]
        if len(picked) < 10 or len(set(y)) < 2:
            print(f"{name}: {len(long)} articles over {args.max_length} tokens, too few or one class; skipped")
            continue
        print(f"{name}: {len(picked)} of its {len(long)} articles over {args.max_length} tokens (fake share "
              f"{y.mean():.2f})")
        per_article = [views(ids[i], budget) for i in picked]
        for strategy in per_article[0]:
            sequences = [s for v in per_article for s in v[strategy]]
            owner = np.repeat(np.arange(len(picked)), [len(v[strategy]) for v in per_article])
            start = time.perf_counter()
            probs = score(sequences)
            seconds = time.perf_counter() - start
            p = np.bincount(owner, probs) / np.bincount(owner)
            print(f"  {strategy:16} accuracy {np.mean((p >= 0.5) == y):.3f}  ROC AUC {roc_auc_score(y, p):.3f}  "
                  f"{1000 * seconds / len(picked):6.1f} ms/article")


if __name__ == "__main__":
    main()
