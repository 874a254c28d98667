"""Known source artefacts: text that tells a detector where an article came from, not whether it
is true. A model that learns them scores well in-domain and fails on every other source.

``ARTIFACTS`` is the catalogue; ``strip_artifacts`` removes them (``--strip-artifacts`` in train
and evaluate) and ``artifact_rates`` measures how often each occurs per class (the shortcut audit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Opening lines of LLM output: a chat preamble, or "Title:/Headline:/Date:" scaffolding.
_PREAMBLE = (r"(?:Sure|Certainly|Of course|Absolutely)\b[^\n]{0,200}?\b(?:[Hh]ere|I'll|I will|I can|I'd|I would)\b"
             r"[^\n]{0,200}(?:\n|$)"
             r"|Here(?:'s| is) (?:a|an|the|your)\b[^\n]{0,200}:[ \t]*(?:\n|$)")

# What follows a label ("Title:", "Read more:") up to the end of its line, or up to a run of spaces
# where a flattened text joined that line to the body, at most N characters; failing that, only the
# label goes. Taking the rest of the line would delete whole articles stored on one line.
_VALUE = r"(?:[^\n]{{0,{}}}?(?:\n|[ \t]{{2,}}|$))?"


@dataclass(frozen=True)
class Artifact:
    """One kind of source artefact: a name, what it is, and the pattern that finds it."""

    name: str
    what: str
    pattern: re.Pattern

    def find(self, text: str) -> bool:
        return self.pattern.search(text) is not None


def _artifact(name: str, what: str, pattern: str, flags: int = 0) -> Artifact:
    return Artifact(name, what, re.compile(pattern, flags))


ARTIFACTS: tuple[Artifact, ...] = (
    _artifact("dateline", "opening 'CITY (Reuters) -' dateline",
              r"^\s*[^\n]{0,120}?\((?:Reuters|AP|AFP)\)\s*[-\u2013\u2014]+\s*"),
    _artifact("agency", "news agency names (Reuters, AP, AFP)",
              r"\b(?:Reuters|Associated Press|Agence France-Presse|AFP)\b"),
    _artifact("byline", "bylines and reporting credits ('By NAME', '(Reporting by ...)')",
              r"\((?:Reporting|Writing|Additional reporting|Editing)\b[^)]{0,300}\)"
              r"|^\s*By\s+[A-Z][\w.'\-]+(?:\s+(?:and\s+)?[A-Z][\w.'\-]+){0,4}\s*(?:,[^\n]{0,60})?(?:\n|$)",
              re.MULTILINE),
    _artifact("image_credit", "image credits ('Featured image via ...', 'Photo by ...')",
              r"(?:Featured image|Image|Photo|Picture)(?: credit)?\s*(?:via|by|:)\s*[^\n.]{0,120}\.?"
              r"|\((?:Photo|Image)[^)]{0,120}\)|\bGetty Images\b",
              re.IGNORECASE),
    _artifact("url", "URLs and embedded media links", r"https?://\S+|\bwww\.\S+|\bpic\.twitter\.com/\S+"),
    _artifact("handle", "@handles", r"(?<![\w.])@\w{1,30}"),
    _artifact("boilerplate_tail", "site boilerplate ('Read more:', 'Via:', 'SHARE THIS', '21st Century Wire')",
              r"(?:Read more|READ MORE|Via|For entire story|Continue reading|SHARE THIS|Click here)\s*:"
              + _VALUE.format(120)
              + r"|\b(?:21st Century Wire|21WIRE)\b[^\n]{0,80}",
              re.MULTILINE),
    _artifact("chat_preamble", "LLM chat preambles and refusals ('Sure, here is ...', 'As an AI language model')",
              rf"^\s*(?:{_PREAMBLE})|\bAs an AI(?: language model)?\b[^\n.]*[.]?"),
    _artifact("title_line", "LLM scaffolding lines ('Title:', 'Headline:', 'Date: [Insert ...]')",
              rf"^[ \t]*(?:\*\*)?(?:Title|Headline|Date|Byline|Dateline)(?:\*\*)?\s*:{_VALUE.format(300)}",
              re.MULTILINE | re.IGNORECASE),
)
NAMES = tuple(a.name for a in ARTIFACTS)


def strip_artifacts(text: str, names: Sequence[str] | None = None) -> str:
    """``text`` without the catalogued artefacts (all, or those named), whitespace tidied."""
    for artifact in ARTIFACTS:
        if names is None or artifact.name in names:
            text = artifact.pattern.sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def artifact_matrix(texts: Iterable[str]) -> np.ndarray:
    """(n_texts, n_artifacts) booleans: which artefacts each text carries."""
    return np.array([[a.find(t) for a in ARTIFACTS] for t in texts], dtype=bool).reshape(-1, len(ARTIFACTS))


def artifact_rates(texts: Sequence[str], labels: np.ndarray, found: np.ndarray | None = None
                   ) -> dict[str, tuple[float, float]]:
    """Per artefact, the share of real and of fake texts that carry it (``found``: their
    ``artifact_matrix``, when already computed)."""
    found = artifact_matrix(texts) if found is None else found
    labels = np.asarray(labels)
    rates = {}
    for j, name in enumerate(NAMES):
        real, fake = found[labels == 0, j], found[labels == 1, j]
        rates[name] = (float(real.mean()) if len(real) else float("nan"),
                       float(fake.mean()) if len(fake) else float("nan"))
    return rates
