"""newsbench serve over real HTTP on loopback: the server runs in a subprocess, as users run it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from conftest import make_corpus

from newsbench.config import EvalConfig
from newsbench.evaluation import evaluate, save_run

pytest.importorskip("fastapi")
KEY = "k3y-for-tests-0123456789abcdef"


@pytest.fixture(scope="module")
def model(dateline_model) -> Path:
    return dateline_model


class Server:
    """``newsbench serve`` in a subprocess on a free loopback port, ready when /v1/health answers."""

    def __init__(self, model: Path, *args: str):
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsbench", "serve", "--model", str(model), "--port", "0", "--allow-pickle",
             *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("server exited: " + "".join(self.lines))
            self.lines.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                break
        else:
            raise AssertionError("no address announced: " + "".join(self.lines))
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()
        headers = {"Authorization": f"Bearer {KEY}"} if "--api-key-file" in args else {}
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/v1/health", headers=headers, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("server never became ready: " + "".join(self.lines))

    def post(self, path: str = "/v1/predict", **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, timeout=30, **kwargs)

    def stop(self) -> int:
        """SIGTERM, and whether the server ended as uvicorn ends a graceful shutdown: by re-raising the
        signal once its requests are done (exit status -15), or 0."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30) in (0, -signal.SIGTERM)


@pytest.fixture(scope="module")
def server(model):
    s = Server(model)
    yield s
    s.stop()


def test_predictions_equal_evaluate_on_the_same_articles(server, model, tmp_path):
    articles = make_corpus(24, seed=11)[["title", "text", "label"]]
    articles["text"] = "LONDON (Reuters) - " + articles["text"]  # stripped by both, as in training
    articles.to_csv(tmp_path / "new.csv", index=False)
    run = evaluate(EvalConfig(model=str(model), data=[str(tmp_path / "new.csv")], n_bootstrap=0,
                              allow_pickle=True, threshold="validation"))
    save_run(run, tmp_path / "run")
    expected = pd.read_csv(tmp_path / "run" / "predictions.csv")
    answer = server.post(json={"articles": articles[["title", "text"]].to_dict("records")})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    got = [p["prob_fake"] for p in body["predictions"]]
    np.testing.assert_allclose(got, expected["prob_fake"].to_numpy(), atol=1e-9)
    threshold = run.result.evaluations[0].threshold
    assert body["threshold"] == pytest.approx(threshold) and body["threshold_source"].startswith("model.json")
    assert [p["label"] for p in body["predictions"]] == ["fake" if p >= threshold else "real" for p in got]
    assert not any(p["truncated"] for p in body["predictions"])
    # texts are bodies; a request threshold overrides the model's
    again = server.post(json={"texts": articles["text"].tolist()[:3], "threshold": 0.99}).json()
    assert again["threshold"] == 0.99 and again["threshold_source"] == "request"
    assert all(p["label"] == "real" for p in again["predictions"] if p["prob_fake"] < 0.99)


def test_explain_returns_the_words_that_pushed_each_score(server):
    answer = server.post(json={"texts": ["shocking secret hoax exposed miracle cover up"], "explain": True}).json()
    [prediction] = answer["predictions"]
    why = prediction["explanation"]
    assert why["method"] == "linear" and prediction["label"] == "fake"
    assert {p["word"] for p in why["top_fake"]} & {"shocking", "secret", "hoax", "miracle"}
    assert all(p["weight"] > 0 for p in why["top_fake"])


@pytest.mark.parametrize("kwargs, status, field", [
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "body"),
    ({"json": {"texts": [1, 2]}}, 422, "texts[0]"),
    ({"json": {"articles": [{"title": "t", "text": 5}]}}, 422, "articles[0].text"),
    ({"json": {"articles": [{"title": "t", "text": "x", "section": 3}]}}, 422, "articles[0]"),
    ({"json": {"texts": ["fine", "   "]}}, 422, "texts[1]"),
    ({"json": {"texts": []}}, 422, "texts"),
    ({"json": {}}, 422, "articles"),
    ({"json": {"texts": ["a"], "articles": [{"text": "b"}]}}, 422, "articles"),
    ({"json": {"texts": ["a"], "threshold": 1.5}}, 422, "threshold"),
    ({"json": {"texts": ["a"], "explain": "yes"}}, 422, "explain"),
    ({"json": {"texts": ["a"], "txets": ["b"]}}, 422, "txets"),
    ({"json": {"texts": ["a"] * 65}}, 413, "texts"),
    ({"json": ["a list"]}, 422, "body"),
    ({"content": b'{"texts": ["ok", "a \\ud800 b"], "explain": true}', "headers": {"content-type": "application/json"}},
     422, "texts[1]"),
    ({"json": {"texts": ["\u200b\u200c\ufeff"]}}, 422, "texts[0]"),
    ({"content": b'{"texts": ["fine"]}', "headers": {"content-type": "text/plain"}}, 415, "body"),
    ({"content": b'{"texts": ["fine"]}'}, 415, "body"),  # FastAPI's strict content type: no type, no JSON
    ({"content": b'texts=fine', "headers": {"content-type": "application/x-www-form-urlencoded"}}, 415, "body"),
])
def test_bad_requests_get_a_4xx_naming_the_field(server, kwargs, status, field):
    answer = server.post(**kwargs)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field and answer.json()["detail"]
    assert server.post(json={"texts": ["still serving"]}).status_code == 200  # nothing crashed the worker


def test_limits_cut_long_articles_and_refuse_large_bodies(model):
    s = Server(model, "--max-chars", "50", "--max-body-mb", "0.01", "--max-articles", "3")
    try:
        long = "the ministry confirmed data shows " * 10
        [p] = s.post(json={"texts": [long]}).json()["predictions"]
        assert p["truncated"] and p["chars"] == 50
        big = s.post(json={"texts": ["x" * 20000]})
        assert big.status_code == 413 and big.json()["field"] == "body"
        chunked = s.post(content=iter([b'{"texts": ["', b"y" * 20000, b'"]}']),
                         headers={"content-type": "application/json"})
        assert chunked.status_code == 413
        assert s.post(json={"texts": ["a", "b", "c", "d"]}).status_code == 413
        hidden = s.post(json={"texts": ["\u200b" * 60 + "shocking secret hoax"]})  # nothing visible in the 50 read
        assert hidden.status_code == 422 and "in its first 50 characters" in hidden.json()["detail"]
        info = httpx.get(s.url + "/v1/model").json()
        assert info["serving"]["max_chars"] == 50 and info["serving"]["max_articles"] == 3
    finally:
        assert s.stop()


def test_the_api_key_guards_v1_and_the_page_and_cors_is_off_unless_asked(model, tmp_path):
    (tmp_path / "key").write_text(KEY + "\n")
    s = Server(model, "--api-key-file", str(tmp_path / "key"), "--cors-origin", "https://app.example.org")
    try:
        assert s.post(json={"texts": ["a"]}).status_code == 401
        wrong = s.post(json={"texts": ["a"]}, headers={"Authorization": "Bearer " + KEY[:-1] + "X"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert httpx.get(s.url + "/v1/model").status_code == 401
        ok = s.post(json={"texts": ["a"]}, headers={"Authorization": f"Bearer {KEY}"})
        assert ok.status_code == 200
        assert s.post("/", data={"title": "", "text": "hoax"}).status_code == 401
        assert s.post("/", data={"title": "", "text": "hoax", "api_key": KEY}).status_code == 200
        allowed = httpx.options(s.url + "/v1/predict", headers={
            "Origin": "https://app.example.org", "Access-Control-Request-Method": "POST"})
        assert allowed.headers.get("access-control-allow-origin") == "https://app.example.org"
        other = httpx.options(s.url + "/v1/predict", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        s.stop()


def test_no_cors_headers_without_cors_origin(server):
    answer = httpx.get(server.url + "/v1/health", headers={"Origin": "https://app.example.org"})
    assert "access-control-allow-origin" not in answer.headers


def test_concurrent_requests_are_micro_batched_and_model_info_is_reported(model):
    s = Server(model, "--batch-wait-ms", "300", "--threads", "1")
    try:
        results: list[httpx.Response] = []
        threads = [threading.Thread(target=lambda i=i: results.append(s.post(json={"texts": [f"story {i} hoax"]})))
                   for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.status_code for r in results] == [200] * 6
        health = httpx.get(s.url + "/v1/health").json()
        assert health["requests"] == 6 and health["articles"] == 6 and 1 <= health["batches"] <= 6
        info = httpx.get(s.url + "/v1/model").json()
        assert info["serving"]["threads"] == 1 and info["recipe"] == "tfidf-lr"
        assert info["trained_on"]["articles"] > 0 and 0 < info["threshold"] < 1
        assert info["validation"]["accuracy"] > 0.5 and info["size_mb"] > 0
    finally:
        s.stop()


def test_the_batcher_scores_what_queued_meanwhile_in_one_call_and_answers_each_its_own():
    import asyncio

    from newsbench.serving.batching import MicroBatcher

    calls: list[list[str]] = []

    def slow_score(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        time.sleep(0.2)
        return np.array([float(t.split()[-1]) for t in texts])

    async def scenario(enabled: bool) -> list[np.ndarray]:
        batcher = MicroBatcher(slow_score, max_batch=64, wait_ms=50, enabled=enabled)
        await batcher.start()
        first = asyncio.create_task(batcher.score(["a 0"]))
        await asyncio.sleep(0.05)  # the first call is running: the next five queue behind it
        rest = [asyncio.create_task(batcher.score([f"b {i}", f"c {i + 0.5}"])) for i in range(1, 6)]
        answers = await asyncio.gather(first, *rest)
        await batcher.stop()
        assert batcher.stats.requests == 6 and batcher.stats.articles == 11
        return answers

    answers = asyncio.run(scenario(True))
    assert [len(c) for c in calls] == [1, 10]  # the lone request did not wait; the queued five went together
    assert [a.tolist() for a in answers] == [[0.0]] + [[i, i + 0.5] for i in range(1, 6)]
    calls.clear()
    asyncio.run(scenario(False))
    assert [len(c) for c in calls] == [1, 2, 2, 2, 2, 2]  # --no-batching: one request per call


def test_graceful_shutdown_finishes_in_flight_requests(tiny_bert):
    s = Server(Path(tiny_bert), "--backend", "torch", "--explain-budget", "60")
    # Explaining 64 articles by occlusion takes the tiny BERT a few seconds: a request in flight.
    texts = [" ".join(["election budget vaccine climate court"] * 25)] * 64
    answer: list[tuple[httpx.Response, float]] = []
    request = threading.Thread(target=lambda: answer.append(
        (s.post(json={"texts": texts, "explain": True}), time.perf_counter())))
    request.start()
    time.sleep(0.5)
    signalled = time.perf_counter()
    s.process.send_signal(signal.SIGTERM)
    request.join(timeout=60)
    [(response, finished)] = answer
    assert finished > signalled  # it was in flight when the signal came, and still got its answer
    assert response.status_code == 200 and len(response.json()["predictions"]) == 64
    assert s.stop() and "Traceback" not in "".join(s.lines)


def test_results_of_another_model_are_refused(model, tmp_path):
    run_dir = tmp_path / "run"
    (tmp_path / "x.csv").write_text("text,label\nshocking hoax,1\nofficials said,0\n" * 6)
    save_run(evaluate(EvalConfig(model="fake", data=[str(tmp_path / "x.csv")], n_bootstrap=0)), run_dir)
    failed = subprocess.run([sys.executable, "-m", "newsbench", "serve", "--model", str(model), "--allow-pickle",
                             "--results", str(run_dir / "results.json")], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2 and "made with the model at fake" in failed.stderr


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (installed by .ci/run)")
def test_the_page_shows_a_verdict_typed_into_the_form_in_chromium(model, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    articles = make_corpus(12, seed=5)
    articles.to_csv(tmp_path / "ext.csv", index=False)
    save_run(evaluate(EvalConfig(model=str(model), data=[f"ext={tmp_path / 'ext.csv'}"], n_bootstrap=0,
                                 allow_pickle=True)), tmp_path / "run")
    s = Server(model, "--results", str(tmp_path / "run" / "results.json"))
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(s.url + "/")
            assert "ext" in page.inner_text("table")  # the measured caveats, before any verdict
            page.fill("#title", "Miracle cure exposed")
            page.fill("#text", "shocking secret hoax exposed they do not want you to know")
            page.click("button[type=submit]")
            page.wait_for_selector("#verdict")
            assert page.inner_text("#verdict") == "Likely fake"
            prob = float(page.inner_text("#prob"))
            assert page.locator("mark.fake").count() >= 2  # the words that pushed it, highlighted
            assert page.input_value("#text").startswith("shocking secret")  # the form keeps the article
            browser.close()
        api = s.post(json={"articles": [{"title": "Miracle cure exposed",
                                         "text": "shocking secret hoax exposed they do not want you to know"}]})
        assert api.json()["predictions"][0]["prob_fake"] == pytest.approx(prob, abs=5e-4)
        info = httpx.get(s.url + "/v1/model").json()
        assert [m["dataset"] for m in info["measured"]] == ["ext"]
    finally:
        s.stop()


def test_the_openapi_schema_documents_predict(server):
    schema = httpx.get(server.url + "/openapi.json").json()
    assert "/v1/predict" in schema["paths"] and "PredictRequest" in json.dumps(schema)


def test_the_listener_is_tcp_so_keep_alive_connections_get_nodelay():
    import socket

    from newsbench.serving.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0
    finally:
        sock.close()


@pytest.mark.parametrize("setting", [{"max_body_mb": float("inf")}, {"explain_budget": float("inf")},
                                     {"batch_wait_ms": -1.0}, {"max_body_mb": 0.0}])
def test_serve_limits_must_be_finite_and_in_range(model, setting):
    from newsbench.errors import ConfigError
    from newsbench.serving.config import ServeConfig

    with pytest.raises(ConfigError, match="max_body_mb must be in"):
        ServeConfig(model=model, allow_pickle=True, **setting)
