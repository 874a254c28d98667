"""A real HTTP server on loopback that serves raw dataset files laid out as the origin serves them
(owner/name/commit/path), with faults a download must survive: wrong bytes, a body cut short, a
connection dropped on the first request of a file."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


@dataclass
class Mirror:
    root: Path
    hits: Counter = field(default_factory=Counter)  # requests per relative path
    corrupt: set[str] = field(default_factory=set)  # served with one byte changed
    truncate: set[str] = field(default_factory=set)  # Content-Length says all, half is sent
    drop_once: set[str] = field(default_factory=set)  # first request: half the body, then the connection dies
    url: str = ""


def serve(root: Path):
    """Start a mirror of ``root`` on 127.0.0.1 (a free port); returns (Mirror, stop)."""
    mirror = Mirror(root)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            rel = unquote(self.path.lstrip("/"))
            mirror.hits[rel] += 1
            path = mirror.root / rel
            if not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            if rel in mirror.corrupt:
                body = bytes([body[0] ^ 1]) + body[1:]
            cut = rel in mirror.truncate or (rel in mirror.drop_once and mirror.hits[rel] == 1)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
            if cut:
                self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    mirror.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    return mirror, stop
