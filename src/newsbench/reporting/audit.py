"""The shortcut audit report: the probes against the model, the artefacts per class, and the
decisions that flip without artefacts."""

from __future__ import annotations

from newsbench.generalisation.audit import SHORTCUT, AuditResult
from newsbench.reporting.blocks import Block, fmt_estimate


def audit_blocks(result: AuditResult) -> list[Block]:
    flagged = [p for p in result.probes if p.flagged]
    summary = (f"{len(flagged)} of {len(result.probes) - 1} impoverished views reach at least {SHORTCUT:.0%} of "
               f"{result.reference}'s above-chance ROC AUC ({result.reference_auc:.3f}) on the held-out articles"
               + (": " + ", ".join(f"{p.name} ({p.roc_auc.value:.3f})" for p in flagged) + ". The task, as this "
                  "dataset poses it, can be solved from those cues alone, and they will not transfer."
                  if flagged else "; no shortcut of the audited kinds stands out."))
    blocks = [Block("h1", f"newsbench audit: {result.dataset}"), Block("p", summary),
              Block("table", header=["probe", "what it sees", "held-out ROC AUC", "share of reference", "shortcut"],
                    rows=[[p.name, p.view, fmt_estimate(p.roc_auc, 3),
                           "n/a" if p.share_of_model is None else f"{p.share_of_model:.0%}",
                           "yes" if p.flagged else ""] for p in result.probes], numeric=(2, 3)),
              Block("meta", f"Probes: logistic regression on each view, trained on {result.n_train:,} training "
                            f"articles and scored on {result.n_test:,} held-out ones. Share of reference: (probe AUC "
                            f"- 0.5) / (reference AUC - 0.5); {SHORTCUT:.0%} or more flags a shortcut. "
                            + _read(result) + f"{result.environment.cpu_model}, newsbench "
                              f"{result.environment.newsbench_version}.")]
    for note in result.notes:
        blocks.append(Block("note", note))
    if result.flips:
        f = result.flips
        blocks += [Block("h2", "Without artefacts"),
                   Block("p", f"{f.n_with_artifacts:,} of {f.n:,} held-out articles carry a catalogued artefact. "
                              f"Removing them flips {f.flipped:,} of the model's decisions ({f.share:.1%} of those "
                              f"articles); its ROC AUC goes from {f.auc_raw:.3f} to {f.auc_stripped:.3f}.")]
    blocks += [Block("h2", "Artefacts per class (training articles)"),
               Block("table", header=["artefact", "what", "real", "fake"],
                     rows=[[a.name, a.what, f"{a.real_share:.1%}", f"{a.fake_share:.1%}"] for a in result.artifacts],
                     numeric=(2, 3)),
               Block("p", "An artefact far more common in one class is a label leak: train with --strip-artifacts "
                          "(or --strip-datelines) and compare with newsbench crossval.")]
    return blocks


def _read(result: AuditResult) -> str:
    """Where the rows of --data went: read, audited, set aside by reason."""
    if not result.n_input:
        return ""
    aside = ", ".join(f"{k}: {v:,}" for k, v in result.set_aside.items()) or "none"
    return f"Rows read: {result.n_input:,}; set aside: {aside}. "


def render_audit(result: AuditResult) -> dict[str, str]:
    from newsbench.reporting.blocks import to_html, to_markdown

    blocks = audit_blocks(result)
    return {"report.md": to_markdown(blocks), "report.html": to_html(blocks, f"newsbench audit: {result.dataset}", {})}
