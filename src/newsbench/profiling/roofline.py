"""What this CPU's matrix multiplies sustain, so a speed can be stated as a share of it.

ONNX Runtime runs one MatMul per graph: fp32 ``MatMul``, and ``MatMulInteger`` (uint8 activations
x int8 weights -> int32, what dynamic int8 quantisation executes) at a transformer's shapes:
MiniLM-L6's feed-forward (384 -> 1536), MobileBERT's bottleneck (128 -> 512), and a large square
one. Each point is the median of timed runs after warm-up, at a fixed thread count; GOP/s counts a
multiply-add as two operations. The highest point of a precision is its measured roof.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from newsbench.errors import require

# (name, M rows = batch x tokens, K, N)
SHAPES = (("MiniLM-L6 feed-forward", 256, 384, 1536), ("MobileBERT bottleneck", 256, 128, 512),
          ("square 1024", 1024, 1024, 1024))
PRECISIONS = ("fp32", "int8")


@dataclass(frozen=True)
class MatmulPeak:
    """One precision at one shape and thread count."""

    precision: str
    shape: str
    m: int
    k: int
    n: int
    threads: int
    ms: float  # median per multiply
    gops: float  # 2*M*K*N / median time
    repeats: int


def roofs(points: list[MatmulPeak], threads: int | None = None) -> dict[str, float]:
    """The measured roof (highest GOP/s) per precision, at one thread count (default: any)."""
    best: dict[str, float] = {}
    for p in points:
        if threads is None or p.threads == threads:
            best[p.precision] = max(best.get(p.precision, 0.0), p.gops)
    return best


def precision_of(backend: str) -> str:
    """The arithmetic a backend's matrix multiplies run in: ``onnx-int8`` -> int8, ``torch-bf16`` -> bf16."""
    return backend.rpartition("-")[2] if backend.endswith(("-int8", "-bf16")) else "fp32"


def share_of_roof(gop: float | None, ms: float, backend: str, threads: int, points: list[MatmulPeak]) -> float | None:
    """The rate ``gop`` operations in ``ms`` sustain, as a share of the roof of the backend's precision
    at ``threads`` (None when the work or that roof is unknown: bf16 has no roof measured)."""
    roof = roofs(points, threads).get(precision_of(backend))
    return gop / (ms / 1000) / roof if gop and roof and ms > 0 else None


def forward_gop(model, length: int) -> float:
    """Operations (a multiply-add counted as two) in the matrix multiplies of one ``length``-token
    article through a torch classifier, counted by torch's ``FlopCounterMode`` on one forward pass.

    Counted, not estimated from parameter counts, so shared layers (ALBERT) count once per use and
    attention's score and weighted-sum products are included (the pass runs with eager attention:
    the CPU SDPA kernel is not counted). Elementwise work (softmax, norms, GELU) is not an operation
    here, as it is not in the matmul roof either.
    """
    torch = require("torch", "hf")
    from torch.utils.flop_counter import FlopCounterMode

    from newsbench.detectors.hf import eager_attention

    ids = torch.ones((1, length), dtype=torch.long)
    with eager_attention(model), FlopCounterMode(display=False) as counter, torch.no_grad():
        model(input_ids=ids, attention_mask=torch.ones_like(ids))
    return counter.get_total_flops() / 1e9


def measure_roofline(threads: list[int], seconds: float = 0.5, shapes=SHAPES) -> list[MatmulPeak]:
    """Time every precision x shape x thread count; ``seconds`` of repeats per point (at least 5)."""
    ort = require("onnxruntime", "onnx")
    rng = np.random.default_rng(0)
    points = []
    for name, m, k, n in shapes:
        for precision in PRECISIONS:
            model, feed = _graph(precision, m, k, n, rng)
            for count in threads:
                options = ort.SessionOptions()
                options.intra_op_num_threads, options.inter_op_num_threads = count, 1
                session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
                for _ in range(3):
                    session.run(None, feed)
                times, start = [], time.perf_counter()
                while len(times) < 5 or (time.perf_counter() - start < seconds and len(times) < 1000):
                    t0 = time.perf_counter()
                    session.run(None, feed)
                    times.append(time.perf_counter() - t0)
                median = float(np.median(times))
                points.append(MatmulPeak(precision, name, m, k, n, count, median * 1e3, 2 * m * k * n / median / 1e9,
                                         len(times)))
    return points


def _graph(precision: str, m: int, k: int, n: int, rng) -> tuple[bytes, dict]:
    """A one-node ONNX model (weights as an initializer, as in an export) and its input."""
    onnx = require("onnx", "onnx")
    from onnx import TensorProto, helper, numpy_helper

    if precision == "fp32":
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = numpy_helper.from_array(rng.standard_normal((k, n), dtype=np.float32), "B")
        node = helper.make_node("MatMul", ["A", "B"], ["Y"])
        inputs, out_type, extra = [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])], TensorProto.FLOAT, []
    else:
        a = rng.integers(0, 256, (m, k), dtype=np.uint8)
        b = numpy_helper.from_array(rng.integers(-127, 128, (k, n), dtype=np.int8), "B")
        node = helper.make_node("MatMulInteger", ["A", "B", "a_zero"], ["Y"])
        inputs, out_type = [helper.make_tensor_value_info("A", TensorProto.UINT8, [m, k])], TensorProto.INT32
        extra = [numpy_helper.from_array(np.array(128, dtype=np.uint8), "a_zero")]
    graph = helper.make_graph([node], f"matmul_{precision}", inputs, [helper.make_tensor_value_info("Y", out_type,
                                                                                                       [m, n])],
                              [b, *extra])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = min(model.ir_version, 9)
    onnx.checker.check_model(model)
    return model.SerializeToString(), {"A": a}
