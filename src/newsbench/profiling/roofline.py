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
