"""FB-9: a reading -> alarm -> outbox -> delivered to the clinician's live feed (WebSocket)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from conftest import staff_client

from anyun.asgi import application
from anyun.core.worker import run_jobs_once
from anyun.monitoring.models import Alarm
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.notify.tests.wsclient import FeedClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_urgent_reading_reaches_the_clinicians_open_feed(ward: Ward, record: Any) -> None:
    client = staff_client(ward.responsible)
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]

    def submit_and_deliver() -> None:
        record(bp(165, 112))
        run_jobs_once()

    async def scenario() -> dict[str, Any]:
        feed = FeedClient(application, "/ws/feed/", headers=headers)
        connected, _ = await feed.connect()
        assert connected
        try:
            await sync_to_async(submit_and_deliver)()
            message: dict[str, Any] = await feed.receive_json_from(timeout=5)
        finally:
            await feed.disconnect()
        return message

    message = async_to_sync(scenario)()
    alarm = Alarm.objects.get()
    assert message["type"] == "notification"
    assert message["kind"] == "alarm"
    assert message["link"] == f"/clinic/alarms/{alarm.public_id}/"
    assert "165/112" in message["body"]
    assert message["unread"] == 2  # the alarm and the notice that she is responsible for her
    delivery_states = sorted(alarm.woman.alarms.get().events.values_list("kind", flat=True))
    assert delivery_states == ["notified", "raised"]
