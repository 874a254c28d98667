"""The profile report (profile.md, profile.html): size, load cost, latency, memory, per backend.

The evaluation report embeds the same blocks (``newsbench report RUN --profile DIR``).
"""

from __future__ import annotations

import numpy as np

from newsbench.profiling import Latency, ProfileResult
from newsbench.profiling.roofline import roofs, share_of_roof
from newsbench.reporting.blocks import Block
from newsbench.reporting.plots import figure, plain_text, png


def profile_blocks(result: ProfileResult, level: int = 2) -> list[Block]:
    """The profile as blocks; ``level`` is the heading level of its sections."""
    h, sub = f"h{level}", f"h{level + 1}"
    env, s = result.environment, result.static
    out = [Block("p", f"{result.model} ({result.architecture}); {env.cpu_model}, {env.cpu_count} cores, instruction "
                      f"sets: {', '.join(env.cpu_flags) or 'none recorded'}; torch {env.packages.get('torch', '?')}, "
                      f"onnxruntime {env.packages.get('onnxruntime', 'not installed')}; "
                      f"newsbench {env.newsbench_version}"
                      f"{' (' + env.git_commit[:12] + ')' if env.git_commit else ''}; {env.started_at}. Backends: "
                      f"{', '.join(result.backends)}.")]
    out += [Block(h, "Size and load cost"),
            Block("table", header=["parameters", "parameter MB (fp32)", *[f"{k} file MB" for k in s.files_mb]],
                  rows=[[f"{s.parameters:,}", f"{s.parameter_mb:.2f}", *[f"{v:.2f}" for v in s.files_mb.values()]]]),
            Block("table", header=["backend", "load s (median)", "RSS with libraries MB", "RSS after load MB",
                                   "load increase MB", "increase after first use MB"],
                  rows=[[x.backend, f"{x.seconds:.2f}", f"{x.rss_before_load_mb:.1f}", f"{x.rss_after_load_mb:.1f}",
                         f"{x.load_increase_mb:.1f}", f"{x.first_use_increase_mb:.1f}"] for x in result.load]),
            Block("p", f"Each load in a fresh process (median of {result.load[0].runs if result.load else 0}): RSS "
                       "with the libraries imported (torch and transformers, or onnxruntime alone: ONNX Runtime "
                       "processes never import torch), after loading the model (torch weights touched, since "
                       "transformers pages them in lazily), and after a first batch-1, 64-token forward.")]
    if result.single_stream:
        first = result.single_stream[0]
        out += [Block(h, "Single-stream latency on real news"),
                Block("p", f"{first.queries} articles from {first.source}, one at a time (MLPerf single-stream): "
                           + (f"tokenise + forward at each article's own length, truncated at {first.max_length} "
                              f"tokens (mean {first.mean_tokens:.0f} tokens, {first.share_at_cap:.0%} at the cap)"
                              if first.max_length else
                              f"the pipeline on each article's whole text (mean {first.mean_tokens:.0f} words)")
                           + ", after 10 untimed queries."),
                Block("img", "plots/backends.png", alt="single-stream latency per backend"),
                Block("table", header=["backend", "threads", "p50 ms", "p90 ms", "p99 ms", "mean ms", "forward p50 ms",
                                       "tokenise p50 ms", "vs torch fp32 (p50)"],
                      rows=[[x.backend, str(x.threads), f"{x.p50_ms:.2f}", f"{x.p90_ms:.2f}", f"{x.p99_ms:.2f}",
                             f"{x.mean_ms:.2f}", f"{x.forward_p50_ms:.2f}", f"{x.tokenize_p50_ms:.2f}",
                             _ratio(result, x)] for x in result.single_stream])]
    if result.roofline:
        out += [Block(h, "What this CPU's matrix multiplies sustain"),
                Block("p", "One ONNX Runtime MatMul (fp32) or MatMulInteger (uint8 x int8 -> int32, what dynamic int8 "
                           "quantisation runs) per graph, median of timed runs after warm-up; GOP/s counts a "
                           "multiply-add as two. The highest point per precision and thread budget is its roof: "
                           + "; ".join(f"{t} thread{'s' if t > 1 else ''}: " + ", ".join(
                               f"{p} {v:,.0f}" for p, v in roofs(result.roofline, t).items()) + " GOP/s"
                               for t in dict.fromkeys(x.threads for x in result.roofline)) + "."),
                Block("table", header=["precision", "shape", "M x K x N", "threads", "ms", "GOP/s", "repeats"],
                      rows=[[x.precision, x.shape, f"{x.m} x {x.k} x {x.n}", str(x.threads), f"{x.ms:.3f}",
                             f"{x.gops:,.0f}", str(x.repeats)] for x in result.roofline])]
    out += [Block(h, "Latency vs batch size (every article padded to the length)"),
            Block("img", "plots/latency.png", alt="latency per article vs batch size"),
            Block(sub, "Best per backend"),
            Block("table", header=["backend", "threads", "length", "batch 1 p50 ms", "best batch",
                                   "best p50 ms / article"],
                  rows=[[b, str(t), str(n), f"{one.p50_ms:.2f}", str(best.batch_size), f"{best.p50_ms_per_article:.2f}"]
                        for (b, t, n), (one, best) in _best(result.latency).items()]),
            Block(sub, "All points"),
            Block("table", header=["backend", "threads", "length", "batch", "repeats", "p50 ms", "p90 ms", "p99 ms",
                                   "p50 ms / article", "GOP/s (p50)", "share of roof"],
                  rows=[[p.backend, str(p.threads), str(p.seq_len), str(p.batch_size), str(p.repeats),
                         f"{p.p50_ms:.2f}", f"{p.p90_ms:.2f}", f"{p.p99_ms:.2f}", f"{p.p50_ms_per_article:.2f}",
                         *_rate(result, p)] for p in result.latency])]
    if any(p.gop for p in result.latency):
        out.append(Block("p", "GOP/s: the pass's matrix-multiply operations (counted by torch's FlopCounterMode on "
                              "one forward, a multiply-add as two) over its p50 time; share of roof: that rate over "
                              "the measured matmul roof of the backend's precision at the same threads (fp32 for "
                              "torch and onnx, int8 for onnx-int8; none is measured for bf16). Elementwise work "
                              "is not counted, so no model reaches 100%."))
    if result.memory:
        out += [Block(h, "Peak memory vs sequence length"),
                Block("img", "plots/memory.png", alt="peak memory growth vs sequence length"),
                Block("p", "Each point is one forward pass in a fresh process: peak RSS (the kernel's high-water mark, "
                           "reset after loading) minus RSS after loading. The fixed overhead is the same "
                           "measurement for a batch-1, 8-token forward (kernel caches, allocator arenas); growth "
                           "minus it is what the length adds. The analytic estimates count the largest fp32 "
                           "activations alive in one layer, with and without the attention score matrices "
                           "(fused attention never holds them whole)."),
                Block("table", header=["backend", "threads", "batch", "length", "RSS after load MB", "peak RSS MB",
                                       "growth MB", "fixed overhead MB", "growth minus fixed MB",
                                       "activations MB (scores held)", "activations MB (fused)"],
                      rows=[[m.backend, str(m.threads), str(m.batch_size), str(m.seq_len), f"{m.rss_after_load_mb:.1f}",
                             f"{m.peak_rss_mb:.1f}", f"{m.growth_mb:.1f}",
                             f"{result.first_forward_overhead_mb.get(m.backend, 0.0):.1f}",
                             f"{m.growth_mb - result.first_forward_overhead_mb.get(m.backend, 0.0):.1f}",
                             _mb(m.activations_mb), _mb(m.activations_fused_mb)] for m in result.memory])]
    if result.notes:
        out += [Block(h, "Notes"), Block("ul", rows=[[n] for n in result.notes])]
    for block in out:  # every column of the cost tables is a number but the backend's name
        if block.kind == "table":
            block.numeric = tuple(range(1, len(block.header)))
    return out


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _best(points: list[Latency]) -> dict[tuple[str, int, int], tuple[Latency, Latency]]:
    """(backend, threads, length) -> (smallest-batch point, point with the lowest p50 per article)."""
    out: dict[tuple[str, int, int], tuple[Latency, Latency]] = {}
    for p in points:
        key = (p.backend, p.threads, p.seq_len)
        one, best = out.get(key, (p, p))
        out[key] = (p if p.batch_size < one.batch_size else one,
                    p if p.p50_ms_per_article < best.p50_ms_per_article else best)
    return out


def _rate(result: ProfileResult, p: Latency) -> list[str]:
    """GOP/s at p50 and its share of the roof of the backend's precision ("n/a" where unknown)."""
    if not p.gop:
        return ["n/a", "n/a"]
    share = share_of_roof(p.gop, p.p50_ms, p.backend, p.threads, result.roofline)
    return [f"{p.gop / (p.p50_ms / 1000):,.0f}", "n/a" if share is None else f"{share:.0%}"]


def _ratio(result: ProfileResult, x) -> str:
    base = [y for y in result.single_stream if y.backend == "torch" and y.threads == x.threads]
    return f"{base[0].p50_ms / x.p50_ms:.2f}x" if base else "n/a"


@plain_text
def profile_plots(result: ProfileResult) -> dict[str, bytes]:
    """Latency per article vs batch size; memory growth vs length beside the estimates; per-backend bars."""
    out = {}
    plt, fig, ax = figure(9, 4.5)
    for backend, threads, length in dict.fromkeys((p.backend, p.threads, p.seq_len) for p in result.latency):
        points = [p for p in result.latency if (p.backend, p.threads, p.seq_len) == (backend, threads, length)]
        ax.plot([p.batch_size for p in points], [p.p50_ms_per_article for p in points], marker="o",
                ls="-" if length == max(p.seq_len for p in result.latency) else "--",
                label=f"{backend}, {length} tokens, {threads} threads")
    sizes = sorted({p.batch_size for p in result.latency})
    ax.set(xscale="log", xlabel="batch size", ylabel="p50 ms per article", title="Latency per article")
    ax.set_xticks(sizes, [str(b) for b in sizes])
    ax.minorticks_off()
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    out["plots/latency.png"] = png(plt, fig)
    if result.memory:
        plt, fig, ax = figure(9, 4.5)
        batch = max(m.batch_size for m in result.memory)
        for backend in result.backends:
            points = [m for m in result.memory if m.backend == backend and m.batch_size == batch]
            fixed = result.first_forward_overhead_mb.get(backend, 0.0)
            ax.plot([m.seq_len for m in points], [m.growth_mb - fixed for m in points], marker="o",
                    label=f"{backend}: measured growth minus fixed overhead")
        batch = max(m.batch_size for m in result.memory)
        points = [m for m in result.memory if m.backend == result.memory[0].backend and m.batch_size == batch]
        if points[0].activations_mb is not None:
            ax.plot([m.seq_len for m in points], [m.activations_mb for m in points], ls="--", color="k",
                    label="analytic fp32 activations, scores held")
            ax.plot([m.seq_len for m in points], [m.activations_fused_mb for m in points], ls=":", color="k",
                    label="analytic fp32 activations, fused attention")
        ax.set(xlabel="sequence length (tokens)", ylabel="MB", title=f"Peak memory growth, batch {batch}")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.grid(alpha=0.3)
        out["plots/memory.png"] = png(plt, fig)
    if result.single_stream:
        plt, fig, ax = figure(7, 4)
        labels = [f"{x.backend}\n{x.threads} threads" for x in result.single_stream]
        p50 = np.array([x.p50_ms for x in result.single_stream])
        p99 = np.array([x.p99_ms for x in result.single_stream])
        ax.bar(labels, p50, color="#4c72b0", label="p50")
        ax.errorbar(labels, p50, yerr=[np.zeros_like(p50), p99 - p50], fmt="none", ecolor="k", capsize=4,
                    label="to p99")
        ax.set(ylabel="ms per article", title="Single-stream latency on real news")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, axis="y")
        out["plots/backends.png"] = png(plt, fig)
    return out
