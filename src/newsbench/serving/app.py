"""The HTTP API and web page of ``newsbench serve`` (FastAPI).

``POST /v1/predict`` scores articles through a ``Scorer`` (the preprocessing, token limit and
threshold ``evaluate`` uses) and a ``MicroBatcher``; ``GET /v1/health`` and ``GET /v1/model``
describe the server; ``GET /`` is a page that works without JavaScript. Every refusal is a 4xx JSON
answer ``{"detail": ..., "field": ...}`` naming the field; nothing a client sends stops the worker.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import time
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from newsbench import __version__
from newsbench.data import blank
from newsbench.errors import DataError
from newsbench.explain import explain
from newsbench.reporting.blocks import render_template
from newsbench.reporting.evaluation import explanation_blocks
from newsbench.scorer import Scorer
from newsbench.serving.batching import MicroBatcher
from newsbench.serving.config import ServeConfig

SURROGATE = re.compile("[\ud800-\udfff]")  # JSON can escape half a pair; no text holds one


class ApiError(Exception):
    """A refusal: HTTP status, the request field at fault, and what to do."""

    def __init__(self, status: int, field: str, detail: str):
        super().__init__(detail)
        self.status, self.field, self.detail = status, field, detail


class Article(BaseModel):
    """One article: a title and a body (``text``, or ``content``); other string fields are kept for
    models whose text template reads them."""

    model_config = ConfigDict(extra="allow")
    title: StrictStr | None = None
    text: StrictStr | None = None
    content: StrictStr | None = None

    @model_validator(mode="after")
    def _strings_only(self):
        for name, value in (self.model_extra or {}).items():
            if not isinstance(value, str):
                raise ValueError(f"field '{name}' must be a string, got {type(value).__name__}")
        return self


class PredictRequest(BaseModel):
    """``articles`` or ``texts`` (not both); ``threshold`` overrides the model's; ``explain`` adds
    the words that pushed each score."""

    model_config = ConfigDict(extra="forbid")
    articles: list[Article] | None = None
    texts: list[StrictStr] | None = None
    threshold: float | None = Field(None, gt=0, lt=1)
    explain: StrictBool = False


class Push(BaseModel):
    word: str
    weight: float  # log-odds toward fake (negative: toward real)


class Why(BaseModel):
    method: str
    top_fake: list[Push]
    top_real: list[Push]


class Prediction(BaseModel):
    label: str
    prob_fake: float
    truncated: bool  # the detector did not read the whole article (--max-chars or its token limit)
    chars: int  # characters scored, after preprocessing and --max-chars
    chars_read: int  # of which the detector read
    explanation: Why | None = None


class PredictResponse(BaseModel):
    model: str
    threshold: float
    threshold_source: str
    predictions: list[Prediction]


def create_app(scorer: Scorer, config: ServeConfig, caveats: list[dict] | None = None) -> FastAPI:
    """The FastAPI application serving ``scorer`` with ``config``'s limits and options.

    Args:
        scorer: the loaded detector.
        config: limits, batching, API key and CORS.
        caveats: the model's measured scores on evaluation sets (see ``load_caveats``).
    """
    batcher = MicroBatcher(scorer.score, config.max_batch, config.batch_wait_ms, config.batching)
    token = config.api_key()
    caveats = caveats or []
    about = scorer.describe()

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        await batcher.start()
        yield
        await batcher.stop()  # uvicorn has let in-flight requests finish by now

    app = FastAPI(title="newsbench", version=__version__, lifespan=lifespan,
                  description=f"Fake-news detector `{about['name']}` served by newsbench.")
    app.add_middleware(BodyLimit, max_bytes=int(config.max_body_mb * 2**20))
    if config.cors_origin:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=config.cors_origin, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    bearer = HTTPBearer(auto_error=False)

    def authorised(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if token is None:
            return
        if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
            raise ApiError(401, "Authorization", "send the API key as 'Authorization: Bearer TOKEN'")

    @app.exception_handler(ApiError)
    async def _refused(_: Request, exc: ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"detail": exc.detail, "field": exc.field}, exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):  # FastAPI reads it as bytes, not JSON
            return JSONResponse({"detail": f"Content-Type {media or '(none)'}: send the body as JSON with "
                                           "Content-Type: application/json", "field": "body"}, 415)
        error = exc.errors()[0]
        if error.get("type") == "json_invalid":
            return JSONResponse({"detail": f"malformed JSON: {error.get('ctx', {}).get('error', error['msg'])}",
                                 "field": "body"}, 400)
        location = [str(p) for p in error.get("loc", ()) if p != "body"]
        field = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in location).lstrip(".") or "body"
        return JSONResponse({"detail": f"{field}: {error['msg']}", "field": field}, 422)

    async def predict(texts: list[str], threshold: float, want_why: bool) -> list[tuple[Prediction, object]]:
        """Each text's prediction, and its explanation (``newsbench.explain``) when asked for."""
        cut = [t[:config.max_chars] for t in texts]
        probs = await batcher.score(cut)
        read = await batcher.run(scorer.read_chars, cut)
        whys = await batcher.run(explain, scorer.detector, cut, config.explain_budget) if want_why else \
            [None] * len(cut)
        return [(Prediction(label="fake" if p >= threshold else "real", prob_fake=float(p),
                            truncated=len(t) > config.max_chars or r < len(c), chars=len(c),
                            chars_read=min(r, len(c)), explanation=_why(e)), e)
                for t, c, p, r, e in zip(texts, cut, probs, read, whys)]

    def texts_of(request: PredictRequest) -> list[str]:
        if (request.articles is None) == (request.texts is None):
            raise ApiError(422, "articles", "send either 'articles' (a list of {title, text}) or 'texts' "
                                            "(a list of strings), not both and not neither")
        field = "articles" if request.articles is not None else "texts"
        items = request.articles if request.articles is not None else request.texts
        if not items:
            raise ApiError(422, field, f"'{field}' is empty: send at least one article")
        if len(items) > config.max_articles:
            raise ApiError(413, field, f"{len(items)} articles in one request; at most {config.max_articles} "
                                       "(send several requests)")
        articles = [a.model_dump(exclude_none=True) for a in request.articles] if request.articles is not None \
            else [{"text": t} for t in request.texts]
        try:
            texts = scorer.texts(articles)
        except DataError as exc:
            raise ApiError(422, field, str(exc)) from None
        for i, text in enumerate(texts):
            if blank(text[:config.max_chars]):
                raise ApiError(422, f"{field}[{i}]", f"{field}[{i}] has no text to score"
                               + (f" in its first {config.max_chars:,} characters (--max-chars)" if not blank(text)
                                  else " (after removing the source artefacts the model was trained without)"
                                  if scorer.preprocessing.strip_artifacts else ""))
            lone = SURROGATE.search(text)
            if lone:
                raise ApiError(422, f"{field}[{i}]", f"{field}[{i}] holds {lone.group()!r} at character "
                                                     f"{lone.start()}, half of a UTF-16 surrogate pair, which is no "
                                                     "character")
        return texts

    @app.get("/v1/health", dependencies=[Depends(authorised)])
    async def health() -> dict:
        stats = batcher.stats
        return {"status": "ok", "model": about["name"], "requests": stats.requests, "batches": stats.batches,
                "articles": stats.articles, "mean_batch": round(stats.mean_batch, 2)}

    @app.get("/v1/model", dependencies=[Depends(authorised)])
    async def model() -> dict:
        return {**about, "measured": caveats,
                "serving": {"threads": config.threads, "cores": os.cpu_count(), "batch_size": config.batch_size,
                            "batching": config.batching, "max_batch": config.max_batch,
                            "batch_wait_ms": config.batch_wait_ms, "max_articles": config.max_articles,
                            "max_chars": config.max_chars, "max_body_mb": config.max_body_mb}}

    @app.post("/v1/predict", dependencies=[Depends(authorised)], response_model=PredictResponse)
    async def predict_route(request: PredictRequest) -> PredictResponse:
        texts = texts_of(request)
        threshold = request.threshold if request.threshold is not None else scorer.threshold
        source = "request" if request.threshold is not None else about["threshold_source"]
        return PredictResponse(model=about["name"], threshold=threshold, threshold_source=source,
                               predictions=[p for p, _ in await predict(texts, threshold, request.explain)])

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_page(about, caveats, config, token is not None))

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def page_verdict(request: Request) -> HTMLResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                               keep_blank_values=True).items()}
        title, text = form.get("title", ""), form.get("text", "")
        if token is not None and not hmac.compare_digest(form.get("api_key", "").encode(), token.encode()):
            return HTMLResponse(_page(about, caveats, config, True, title, text, error="Wrong or missing API key."),
                                401)
        try:
            texts = scorer.texts([{"title": title, "text": text}])
        except DataError as exc:
            return HTMLResponse(_page(about, caveats, config, token is not None, title, text, error=str(exc)), 422)
        if not texts[0].strip():
            return HTMLResponse(_page(about, caveats, config, token is not None, title, text,
                                      error="Paste an article's text first."), 422)
        started = time.perf_counter()
        [(verdict, why)] = await predict(texts, scorer.threshold, True)
        return HTMLResponse(_page(about, caveats, config, token is not None, title, text, verdict, why,
                                  time.perf_counter() - started))

    return app


def _why(e) -> Why | None:
    if e is None:
        return None
    return Why(method=e.method, top_fake=[Push(word=w, weight=v) for w, v in e.top_fake],
               top_real=[Push(word=w, weight=v) for w, v in e.top_real])


def _page(about: dict, caveats: list[dict], config: ServeConfig, keyed: bool, title: str = "", text: str = "",
          verdict: Prediction | None = None, why=None, seconds: float = 0.0, error: str | None = None) -> str:
    words = explanation_blocks("", why) if why is not None else []
    return render_template("serve.html.j2", about=about, caveats=caveats, keyed=keyed, title=title, text=text,
                           verdict=verdict, words=words, seconds=seconds, error=error, max_chars=config.max_chars)


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before any of it is parsed."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await _reject(send, self.max_bytes)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await _reject(send, self.max_bytes)
            if not message.get("more_body"):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


async def _reject(send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"request body over {max_bytes / 2**20:g} MiB (--max-body-mb); send fewer or "
                                 "shorter articles per request", "field": "body"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
