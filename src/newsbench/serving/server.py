"""Load a detector and run it behind uvicorn.

``build(config)`` loads the detector and returns the FastAPI app; ``serve(config)`` runs it with
uvicorn, which on Ctrl-C or SIGTERM stops accepting connections and lets in-flight requests
finish (``--shutdown-timeout``) before the micro-batcher stops.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from newsbench.errors import ConfigError, require
from newsbench.results import RunResult
from newsbench.scorer import Scorer
from newsbench.serialize import read_json
from newsbench.serving.config import ServeConfig


def load_caveats(paths: list[str], scorer: Scorer) -> list[dict]:
    """The scores of ``newsbench evaluate`` runs of this model, one row per dataset.

    Raises ConfigError when a results.json was made with another model (its fingerprint differs),
    so a page never shows another detector's numbers as this one's.
    """
    rows = []
    for path in paths:
        run = read_json(RunResult, Path(path))
        if run.model.fingerprint != scorer.info.fingerprint:
            raise ConfigError(f"--results {path}: made with the model at {run.model.path} (fingerprint "
                              f"{run.model.fingerprint[:12]}), not the one served ({scorer.info.fingerprint[:12]})")
        for e in run.evaluations:
            m = e.metrics
            rows.append({"dataset": e.dataset, "articles": e.n, "accuracy": m.accuracy.value,
                         "roc_auc": m.roc_auc.value, "fnr": m.fnr.value, "fpr": m.fpr.value, "results": str(path)})
    return rows


def build(config: ServeConfig):
    """Load the detector and return the FastAPI app (not yet running)."""
    require("fastapi", "serve")
    from newsbench.serving.app import create_app

    scorer = Scorer(config.model, config.backend, config.detector_options(), config.max_length)
    return create_app(scorer, config, load_caveats(config.results, scorer))


def serve(config: ServeConfig, announce: Callable[[str], None] = print) -> None:
    """Run the server until Ctrl-C or SIGTERM."""
    require("uvicorn", "serve")
    import uvicorn

    app = build(config)
    if not config.loopback and config.api_key_file is None:
        announce(f"warning: listening on {config.host} without --api-key-file: anyone who can reach this "
                 "address can use the detector")
    sock = bind(config.host, config.port)  # bound here so --port 0 can say which port it got
    host, port = sock.getsockname()[:2]
    announce(f"serving {config.model} on http://{host if ':' not in host else f'[{host}]'}:{port}/ "
             f"(API: POST /v1/predict, docs: /docs); Ctrl-C stops")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=config.shutdown_timeout,
                                           limit_concurrency=1000))
    server.run(sockets=[sock])


def bind(host: str, port: int):
    """A listening TCP socket on ``host:port`` (port 0: any free one).

    Created with ``proto=IPPROTO_TCP``: asyncio sets TCP_NODELAY on accepted connections only when
    the listener says TCP, and with proto 0 every keep-alive request waits ~40 ms for a delayed
    ACK (Nagle; uvicorn issue #3149).
    """
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
