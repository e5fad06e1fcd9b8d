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
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    _middleware_chain: Any  # set by load_middleware (untyped in Django's stubs)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)
