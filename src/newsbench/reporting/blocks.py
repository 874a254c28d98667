"""A report as a list of blocks, written to Markdown or to one self-contained HTML page.

Every report newsbench writes (evaluation, profile, comparison, model card) is built once as
blocks; the two writers lay them out, so the Markdown and HTML always say the same thing. Text
from the data is never markup: the HTML page is rendered by Jinja with autoescaping on, and the
Markdown writer passes every text through ``escaping.md``.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field

import jinja2

from newsbench.escaping import md, md_code
from newsbench.results import Estimate


@dataclass(frozen=True)
class Span:
    """A piece of inline text: ``style`` is "" (plain), "code", "bold", or "push": a word highlighted by
    how hard it pushed a score (``weight`` in log-odds, ``strength`` in [0, 1] for the shade)."""

    text: str
    style: str = ""
    weight: float = 0.0
    strength: float = 0.0


@dataclass
class Block:
    """One element of a report.

    Attributes:
        kind: ``h1``-``h4`` (heading), ``p`` (paragraph), ``quote`` (quoted article text),
            ``meta`` (small print), ``note`` (a highlighted warning), ``ul`` (list, one item per row),
            ``table`` or ``img``.
        text: the text of a heading, paragraph, meta or note, or an image's file name.
        spans: inline pieces (code, bold) instead of ``text``.
        header, rows: a table's header and cells; ``rows`` also holds a list's items.
        items: a list's items as inline pieces (code, bold), instead of ``rows``.
        numeric: for a table, the columns aligned as numbers (indexes).
        anchor: an id for a heading (HTML).
        alt: an image's description.
    """

    kind: str
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[list[Span]] = field(default_factory=list)
    numeric: tuple[int, ...] = ()
    anchor: str = ""
    alt: str = ""

    @property
    def parts(self) -> list[Span]:
        return self.spans or [Span(self.text)]

    @property
    def list_items(self) -> list[list[Span]]:
        return self.items or [[Span(row[0])] for row in self.rows]


def fmt(value: float | None, digits: int = 4) -> str:
    """A number with ``digits`` decimals, or ``n/a`` when it is undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def fmt_estimate(estimate: Estimate, digits: int = 4) -> str:
    """``value [low, high]``, or the value alone without an interval."""
    if estimate.value != estimate.value:
        return "n/a"
    if not estimate.ci95 or estimate.ci95[0] != estimate.ci95[0]:
        return fmt(estimate.value, digits)
    lo, hi = estimate.ci95
    return f"{estimate.value:.{digits}f} [{lo:.3f}, {hi:.3f}]"


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown; images are linked by their file names."""
    lines: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3", "h4"):
            lines += ["#" * int(b.kind[1]) + " " + _inline_md(b.parts), ""]
        elif b.kind in ("p", "meta"):
            lines += [_inline_md(b.parts), ""]
        elif b.kind == "note":
            lines += [f"- **{_inline_md(b.parts)}**", ""]
        elif b.kind == "quote":
            lines += [f"> {_inline_md(b.parts)}", ""]
        elif b.kind == "img":
            lines += [f"![{md(b.alt or b.text)}]({b.text})", ""]
        elif b.kind == "ul":
            lines += [f"- {_inline_md(item)}" for item in b.list_items] + [""]
        elif b.kind == "table":
            lines += ["| " + " | ".join(map(md, b.header)) + " |", "|" + "---|" * len(b.header)]
            lines += ["| " + " | ".join(map(md, row)) + " |" for row in b.rows] + [""]
    return "\n".join(lines)


def to_html(blocks: list[Block], title: str, images: dict[str, bytes]) -> str:
    """The blocks as one self-contained HTML page, images inlined as data URIs."""
    inline = {name: "data:image/png;base64," + base64.b64encode(data).decode() for name, data in images.items()}
    return _ENVIRONMENT.get_template("page.html.j2").render(title=title, blocks=blocks, images=inline)


def render_template(name: str, **context) -> str:
    """A page template of ``reporting/templates`` rendered with autoescaping (the serve page)."""
    return _ENVIRONMENT.get_template(name).render(**context)


def _inline_md(spans: list[Span]) -> str:
    out = []
    for span in spans:
        if span.style == "code":
            out.append(str(md_code(span.text)))
        elif span.style == "bold":
            out.append(f"**{md(span.text)}**")
        else:
            out.append(md(span.text))
    return "".join(out)


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("newsbench", "reporting/templates"), autoescape=True,  # always, whatever the name
    trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
)
