"""How raw files become texts and labels: options stored with every trained model, so
evaluation reads external data the way the model's training data was read."""

from __future__ import annotations

import string
from dataclasses import dataclass

from newsbench.errors import ConfigError


@dataclass(frozen=True)
class LoadOptions:
    """How raw files become texts and labels; stored with a model so evaluation repeats it.

    Attributes:
        text_cols: columns joined (with a space) into the text; None picks title+content,
            title+text, text or content, whichever the file has.
        label_col: the label column; None looks for label, labels, class, is_fake, target.
        encoding: text encoding of CSV/TSV/JSONL files.
        strip_datelines: remove a leading ``CITY (Reuters) -`` dateline from the body.
        text_template: build the text from columns instead, e.g. ``"{title} [SEP] {text}"``.
        strip_artifacts: remove every catalogued source artefact (``newsbench.artifacts``) from
            each text column: datelines, bylines, agency names, image credits, URLs, handles,
            boilerplate tails, LLM preambles and ``Title:`` lines.
        detect_missing: ``text_cols`` are the model's training columns, not the user's choice: a
            file that lacks one of them has its own schema detected instead of being refused.
    """

    text_cols: tuple[str, ...] | None = None
    label_col: str | None = None
    encoding: str = "utf-8"
    strip_datelines: bool = False
    text_template: str | None = None
    strip_artifacts: bool = False
    detect_missing: bool = False

    def __post_init__(self):
        if self.text_template is not None:
            template_fields(self.text_template)

    def overridden(self, text_cols: tuple[str, ...] | None, label_col: str | None, encoding: str,
                   strip_datelines: bool | None, text_template: str | None,
                   strip_artifacts: bool | None) -> LoadOptions:
        """These options (a model's, from model.json) as a command reading new files uses them:
        each setting given (not None) wins; naming text columns drops the model's template. A file
        is read from the model's text columns when it has them (a body-only model reads bodies),
        else from its own schema."""
        own = not text_cols and not text_template and self.text_cols is not None
        return LoadOptions(
            text_cols or (self.text_cols if own else None), label_col, encoding,
            self.strip_datelines if strip_datelines is None else strip_datelines,
            text_template or (None if text_cols else self.text_template),
            self.strip_artifacts if strip_artifacts is None else strip_artifacts, detect_missing=own)


def template_fields(template: str) -> tuple[str, ...]:
    """The column names a ``--text-template`` uses; each field must be a plain ``{column}``.

    Format specs, conversions, attribute or index access and positional fields are refused:
    ``{title:>99999999999999}`` would ask for a string of that many characters.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"--text-template {template!r} is not a valid template ({exc}); write columns as "
                          "{title} and literal braces as {{ }}") from exc
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name or name.isdigit() or any(ch in name for ch in ".[]"):
            field_text = "{" + (name or "") + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            field_text += "}"
            raise ConfigError(f"--text-template {template!r}: the field {field_text!r} is not a plain column name; "
                              "use fields like {title} {text} (no format specs, conversions or indexing)")
        names.append(name)
    if not names:
        raise ConfigError(f"--text-template {template!r} names no column; use e.g. '{{title}} {{text}}'")
    return tuple(dict.fromkeys(names))
