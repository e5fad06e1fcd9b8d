"""Django's ASGI handler with its middleware chain and views run in one trip to a thread.

Every view of ours is sync. Django's `ASGIHandler` builds an async chain around an async base
(`_get_response_async`): each of its own middlewares (`MiddlewareMixin`, able to run either
way) then runs its `process_request` and `process_response` through `sync_to_async`, and the
base calls the view middleware and the view through it again; our sync-only middlewares
switch back with `async_to_sync`. Under load those trips between the event loop and the
threads were a sixth of a readings request's CPU. Here the chain is built exactly as under
WSGI (sync, around `_get_response`) and the handler awaits it once, in a thread; the rest of
the ASGI handling (the request body, disconnects, streaming, closing) is Django's own. An
async view would still work: the sync base runs it with `async_to_sync`, as WSGI does.

Django gives each request a thread of its own (a `ThreadSensitiveContext`), which asgiref
starts for the request and, since 3.13, joins from one more new thread at its end: two thread
starts per request. Here the request's thread comes from a pool of single-thread executors
kept between requests (asgiref's `ThreadSensitiveContext(executor=...)`, whose caller owns
the executor), as a WSGI server keeps its threads. One request still has one thread to
itself while it runs; what a request leaves in a thread is what a WSGI thread would keep
(Django's connections and translations live in the request's context, not the thread).
"""

from __future__ import annotations

import collections
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

# Idle request threads kept per process; past that a finished request's thread ends.
KEEP_IDLE_THREADS = 64


class RequestThread(ThreadPoolExecutor):
    """One thread for one request at a time; `idle` when nothing it was given still runs (a
    request whose client went away may leave its view running: that thread is not reused)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="anyun-request")
        self._given = 0  # written on the event loop
        self._done = 0  # written by the thread's own callbacks
        self._count = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._count:
            self._given += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future[Any]) -> None:
        with self._count:
            self._done += 1

    @property
    def idle(self) -> bool:
        with self._count:
            return self._given == self._done


class RequestThreads:
    """The pool: `take` an idle thread or start one; `give_back` keeps it while idle."""

    def __init__(self, keep: int = KEEP_IDLE_THREADS) -> None:
        self._idle: collections.deque[RequestThread] = collections.deque()
        self._keep = keep

    def take(self) -> RequestThread:
        try:
            return self._idle.pop()
        except IndexError:
            return RequestThread()

    def give_back(self, thread: RequestThread) -> None:
        if thread.idle and len(self._idle) < self._keep:
            self._idle.append(thread)
        else:
            thread.shutdown(wait=False)  # ends once what runs in it returns

    def __len__(self) -> int:
        return len(self._idle)


class SyncChainASGIHandler(ASGIHandler):
    _middleware_chain: Any  # set by load_middleware (untyped in Django's stubs)

    def __init__(self) -> None:
        super().__init__()
        self.threads = RequestThreads()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # as Django's own handler
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = self.threads.take()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(thread)
