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
        if not self.max_body_mb > 0 or not self.batch_wait_ms >= 0 or not self.explain_budget >= 0:
            raise ConfigError("max_body_mb must be positive; batch_wait_ms and explain_budget 0 or more")
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
