"""Micro-batching: concurrent requests' articles scored in one detector call.

A transformer scores 32 articles in far less than 32 times the time of one, so under load a
server that waits a few milliseconds for company answers more requests per second. One worker
thread runs the detector (so its thread budget is what ``--threads`` says, never oversubscribed);
the event loop only collects and distributes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np


@dataclass
class BatchStats:
    """What the batcher has done since it started."""

    batches: int = 0
    articles: int = 0
    requests: int = 0

    @property
    def mean_batch(self) -> float:
        return self.articles / self.batches if self.batches else 0.0


class MicroBatcher:
    """Collects requests for up to ``wait_ms`` or ``max_batch`` articles, scores them in one call.

    Whatever queued while the detector was busy goes into the next call at once; the wait only
    applies while more requests are in flight than collected, so a lone request never waits.

    Args:
        score: texts -> P(fake) array; runs on the one worker thread.
        max_batch: stop collecting once this many articles wait (a request is never split).
        wait_ms: how long the first request of a batch waits for others; 0 with
            ``enabled=False`` scores each request on its own (the comparison without batching).
        enabled: collect requests into batches at all.
    """

    def __init__(self, score: Callable[[list[str]], np.ndarray], max_batch: int = 64, wait_ms: float = 5.0,
                 enabled: bool = True):
        self._score, self.max_batch, self.wait_s, self.enabled = score, max_batch, wait_ms / 1000, enabled
        self.stats = BatchStats()
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="newsbench-detector")
        self._in_flight = 0  # score() calls not yet answered

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Finish what is queued, then stop (called after the server has drained its requests)."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._worker.shutdown(wait=True)

    async def score(self, texts: list[str]) -> np.ndarray:
        """P(fake) of ``texts``, scored together with whatever other requests arrive meanwhile."""
        if self._queue is None:
            raise RuntimeError("MicroBatcher.start() was not awaited")
        future = asyncio.get_running_loop().create_future()
        self._in_flight += 1
        try:
            await self._queue.put((texts, future))
            return await future
        finally:
            self._in_flight -= 1

    async def run(self, fn: Callable, *args):
        """Run ``fn(*args)`` on the detector's worker thread (e.g. an explanation)."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            items = [await self._queue.get()]
            waiting = len(items[0][0])
            deadline = loop.time() + self.wait_s
            while self.enabled and waiting < self.max_batch:
                left = deadline - loop.time()
                if self._queue.empty() and (left <= 0 or self._in_flight <= len(items)):
                    break
                try:
                    item = self._queue.get_nowait() if left <= 0 else await asyncio.wait_for(self._queue.get(), left)
                except (TimeoutError, asyncio.QueueEmpty):
                    break
                items.append(item)
                waiting += len(item[0])
            texts = [t for batch, _ in items for t in batch]
            try:
                probs = await loop.run_in_executor(self._worker, self._score, texts)
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the error, the loop lives on
                for _, future in items:
                    if not future.done():
                        future.set_exception(exc)
            else:
                self.stats.batches += 1
                self.stats.articles += len(texts)
                self.stats.requests += len(items)
                start = 0
                for batch, future in items:
                    if not future.done():  # the client may have gone away
                        future.set_result(probs[start:start + len(batch)])
                    start += len(batch)
            finally:
                for _ in items:
                    self._queue.task_done()
