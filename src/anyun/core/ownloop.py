"""One event loop per process, kept running in a thread of its own, for synchronous code that
awaits a client holding connections per event loop (the Redis channel layer).

`asgiref.async_to_sync`, called from a thread no event loop serves (a queue worker process),
runs each call in a new loop in a new thread: such a client then opens, and drops, its
connections on every call. `run_on_own_loop(coroutine)` runs the coroutine on this process's
own loop instead (started on first use, and again in a forked child) and returns its result.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _OwnLoop:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            loop = self._loop
            if loop is None or self._pid != os.getpid() or loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="anyun-own-loop", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return loop


_OWN = _OwnLoop()


def own_loop() -> asyncio.AbstractEventLoop:
    """This process's own event loop (running, in a daemon thread)."""
    return _OWN.get()


def run_on_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on this process's own loop and wait for its result (or its error).
    Not from a coroutine running on that loop (it would wait for itself)."""
    return asyncio.run_coroutine_threadsafe(coroutine, own_loop()).result()
