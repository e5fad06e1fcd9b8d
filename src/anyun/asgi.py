"""The ASGI application (uvicorn): HTTP, WebSocket and the lifespan of background services.

Embedded default (no REDIS_URL): the in-memory channel layer cannot cross processes, so the
queue worker runs inside this process (`ANYUN_EMBEDDED_WORKER`, default on without Redis) and
its pushes reach the sockets this process holds; static files are served here too.
Scaled out (REDIS_URL set): `manage db_worker` processes work the queue and the Redis layer
carries pushes; the lifespan then starts the scheduler and the lost-job reclaimer (which puts
back on the queue the jobs of workers that died; the embedded worker does that itself).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anyun.settings")

import django  # noqa: E402

# Set Django up before anything imports models.
django.setup(set_prefix=False)

from anyun.core.asgi_handler import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from asgiref.sync import sync_to_async  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from anyun import demo  # noqa: E402
from anyun.consultation.routing import (  # noqa: E402
    websocket_urlpatterns as consultation_websockets,
)
from anyun.core.periodic import PeriodicJob  # noqa: E402
from anyun.core.scheduler import PeriodicScheduler  # noqa: E402
from anyun.core.worker import (  # noqa: E402
    EmbeddedWorker,
    LostJobReclaimer,
    embedded_worker_enabled,
)
from anyun.notify.routing import websocket_urlpatterns  # noqa: E402

logger = logging.getLogger("anyun.asgi")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Lifespan:
    """ASGI lifespan: refuse an unsafe database, start the embedded worker (if enabled, else the
    lost-job reclaimer) and the scheduler; stop them."""

    def __init__(
        self,
        *,
        embedded_worker: bool | None = None,
        scheduler: bool = True,
        jobs: Iterable[PeriodicJob] | None = None,
    ) -> None:
        self.embedded_worker = embedded_worker
        self.with_scheduler = scheduler
        self.jobs = jobs
        self.worker: EmbeddedWorker | None = None
        self.reclaimer: LostJobReclaimer | None = None
        self.scheduler: PeriodicScheduler | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await sync_to_async(refuse_unsafe_database)()
                    self.startup()
                except Exception as exc:
                    logger.exception("Background services failed to start.")
                    await self.shutdown()
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def startup(self) -> None:
        embedded = (
            embedded_worker_enabled() if self.embedded_worker is None else self.embedded_worker
        )
        if embedded:
            self.worker = EmbeddedWorker()
            self.worker.start()
            logger.info("Embedded queue worker started (every %ss).", self.worker.interval)
        else:
            self.reclaimer = LostJobReclaimer()
            self.reclaimer.start()
        if self.with_scheduler:
            self.scheduler = PeriodicScheduler(self.jobs)
            self.scheduler.start()
            logger.info("Periodic scheduler started (%s jobs).", len(self.scheduler.jobs))

    async def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        if self.reclaimer is not None:
            await self.reclaimer.stop()
            self.reclaimer = None


def refuse_unsafe_database() -> None:
    """Production never serves a database that holds the demo accounts."""
    if settings.IS_PRODUCTION:
        refusal = demo.production_refusal()
        if refusal:
            raise RuntimeError(refusal)


def _serve_static() -> bool:
    # Embedded mode has no reverse proxy in front; scaled out, the proxy serves /static/.
    return settings.DEBUG or not settings.REDIS_URL


http_app = ASGIStaticFilesHandler(django_asgi_app) if _serve_static() else django_asgi_app

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns + consultation_websockets))
        ),
        "lifespan": Lifespan(),
    }
)
