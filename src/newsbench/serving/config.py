"""Settings of ``newsbench serve`` (see ``newsbench.config`` for how a setting declares its help
text and command-line form)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from newsbench.config import setting
from newsbench.detectors.base import DetectorOptions
from newsbench.errors import ConfigError


@dataclass
class ServeConfig:
    """Settings of ``newsbench serve``; each field's help says what it does."""

    model: str = setting(help="The detector to serve (as evaluate takes it).")
    backend: str = setting("auto", "Backend (auto, torch, torch-bf16, onnx, onnx-int8, sklearn, ...).")
    host: str = setting("127.0.0.1", "Address to bind; loopback unless you mean to expose it (then use "
                                     "--api-key-file).")
    port: int = setting(8000, "Port to listen on (0 = any free port, printed at start).")
    threads: int | None = setting(None, "Intra-op threads of the detector (default: library default).")
    batch_size: int = setting(32, "Articles per forward pass.")
    batch_tokens: int | None = setting(1024, "Tokens per forward pass at most (padded; 0 = no cap): long articles "
                                             "run faster in small passes on a small CPU.")
    max_length: int | None = setting(None, "Truncate articles to this many tokens (default: as trained).")
    max_articles: int = setting(64, "Most articles one request may carry.")
    max_chars: int = setting(20000, "Longer articles are cut to this many characters (and flagged truncated).")
    max_body_mb: float = setting(8.0, "Largest request body in MiB.")
    batching: bool = setting(True, "Micro-batch concurrent requests into one forward pass.",
                             flag="--batching/--no-batching")
    max_batch: int = setting(64, "Micro-batching: stop collecting once this many articles wait.")
    batch_wait_ms: float = setting(2.0, "Micro-batching: how long a request waits for others (ms) while other "
                                        "requests are in flight; alone, it never waits.")
    explain_budget: float = setting(10.0, "Seconds an explanation ('explain': true, and the page) may take per "
                                          "request; articles not reached in time get none.")
    api_key_file: Path | None = setting(None, "File holding a token that /v1/* requests must send as "
                                              "'Authorization: Bearer TOKEN' (and the page's form as its key).")
    cors_origin: list[str] = setting(help="Origin allowed to call the API from a browser, e.g. "
                                          "https://app.example.org (repeatable; default: none).",
                                     cli="repeat", factory=list)
    results: list[str] = setting(help="results.json of 'newsbench evaluate' runs of this model: the page and "
                                      "/v1/model show their scores as the model's measured caveats (repeatable).",
                                 cli="repeat", factory=list)
    shutdown_timeout: float = setting(30.0, "On Ctrl-C/SIGTERM, seconds to let in-flight requests finish.")
    allow_pickle: bool = setting(False, "Allow loading joblib/pickle models (runs code from the file).")
    trust_remote_code: bool = setting(False, "Allow model code shipped with a Hugging Face checkpoint.")

    def __post_init__(self):
        for name in ("max_articles", "max_chars", "max_batch", "batch_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be in 0..65535, got {self.port}")
        if not (0 < self.max_body_mb < 2**20 and 0 <= self.batch_wait_ms <= 60_000
                and 0 <= self.explain_budget <= 3600):
            raise ConfigError(f"max_body_mb must be in (0, 1048576) MiB, batch_wait_ms in [0, 60000] ms and "
                              f"explain_budget in [0, 3600] s; got {self.max_body_mb}, {self.batch_wait_ms} and "
                              f"{self.explain_budget}")
        if self.api_key_file is not None:
            self.api_key()  # fails now, not at the first request
        self.detector_options()

    @property
    def loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

    def api_key(self) -> str | None:
        """The bearer token, read from ``api_key_file`` (None without one)."""
        if self.api_key_file is None:
            return None
        try:
            token = Path(self.api_key_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--api-key-file {self.api_key_file}: cannot read it ({exc})") from None
        if len(token) < 16 or any(c.isspace() for c in token):
            raise ConfigError(f"--api-key-file {self.api_key_file}: the token must be one line of at least 16 "
                              "characters without spaces, e.g. from: python -c 'import secrets; "
                              "print(secrets.token_urlsafe(32))'")
        return token

    def detector_options(self) -> DetectorOptions:
        return DetectorOptions(batch_size=self.batch_size, batch_tokens=self.batch_tokens or None,
                               threads=self.threads, allow_pickle=self.allow_pickle,
                               trust_remote_code=self.trust_remote_code)


ENGINES = ("local", "ray")


@dataclass
class PredictConfig:
    """Settings of ``newsbench predict``; each field's help says what it does."""

    model: str = setting(help="The detector (as evaluate takes it).")
    data: list[str] = setting(help="CSV/TSV/JSONL/JSON/Parquet file, folder, or dataset name under "
                                   "$NEWSBENCH_DATA_DIR (repeatable). Labels, if any, are not needed.", cli="repeat")
    out: Path = setting(help="Parquet file to write: one row per input row (id, file, row, prob_fake, label, "
                             "skipped).")
    backend: str = setting("auto", "Backend (auto, torch, torch-bf16, onnx, onnx-int8, sklearn, ...).")
    threshold: float | None = setting(None, "Decision threshold on P(fake) (default: the model's validation "
                                            "threshold from model.json, else 0.5).")
    chunk_rows: int = setting(10000, "Rows read, scored and written at a time (memory is bounded by one chunk; "
                                     "an interrupted run resumes at the first unwritten chunk).")
    threads: int | None = setting(None, "Intra-op threads of the detector (ray: per actor).")
    batch_size: int = setting(32, "Articles per forward pass.")
    batch_tokens: int | None = setting(1024, "Tokens per forward pass at most (padded; 0 = no cap).")
    max_length: int | None = setting(None, "Truncate articles to this many tokens (default: as trained).")
    text_cols: tuple[str, ...] | None = setting(None, "Comma-separated text columns (default: as evaluate picks "
                                                      "them: title+content, title+text, text or content).",
                                                cli="comma")
    text_template: str | None = setting(None, "Build the text from columns, e.g. '{title} {text}' (default: the "
                                              "model's, from model.json).")
    strip_datelines: bool | None = setting(None, "Strip datelines (default: as the model was trained).",
                                           flag="--strip-datelines/--keep-datelines")
    strip_artifacts: bool | None = setting(None, "Strip source artefacts (default: as the model was trained).",
                                           flag="--strip-artifacts/--keep-artifacts")
    encoding: str = setting("utf-8", "Encoding of CSV/TSV/JSONL files.")
    engine: str = setting("local", "local (this process) or ray (Ray Data: an actor pool, each actor loading "
                                   "the detector once).")
    num_cpus: int | None = setting(None, "ray: CPUs of the local Ray started by the command (default: all).")
    ray_address: str | None = setting(None, "ray: address of an existing cluster, e.g. ray://head:10001 or auto.")
    actors: int | None = setting(None, "ray: actors in the pool (default: CPUs / threads per actor).")
    allow_pickle: bool = setting(False, "Allow loading joblib/pickle models (runs code from the file).")
    trust_remote_code: bool = setting(False, "Allow model code shipped with a Hugging Face checkpoint.")

    def __post_init__(self):
        if not self.data:
            raise ConfigError("nothing to score: give --data FILE (repeatable)")
        if self.chunk_rows < 1:
            raise ConfigError(f"chunk_rows must be at least 1, got {self.chunk_rows}")
        if self.threshold is not None and not 0 < self.threshold < 1:
            raise ConfigError(f"threshold must be in (0, 1), got {self.threshold}")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if Path(self.out).suffix.lower() != ".parquet":
            raise ConfigError(f"--out {self.out}: predict writes a Parquet file; name it *.parquet")
        for name in ("num_cpus", "actors"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        self.text_cols = tuple(self.text_cols) if self.text_cols else None
        self.detector_options()

    def detector_options(self) -> DetectorOptions:
        return DetectorOptions(batch_size=self.batch_size, batch_tokens=self.batch_tokens or None,
                               threads=self.threads, allow_pickle=self.allow_pickle,
                               trust_remote_code=self.trust_remote_code)
