"""EPDS item 10 answered 1 on her phone: her responsible clinician's open live feed shows the
alarm within the same request cycle (the request, then the outbox's delivery job)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from conftest import staff_client, woman_client

from anyun.asgi import application
from anyun.core.worker import run_jobs_once
from anyun.monitoring.tests.conftest import Ward
from anyun.notify.tests.wsclient import FeedClient
from anyun.wellbeing.models import Screening
from anyun.wellbeing.tests.helpers import epds, form_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_epds_item_10_reaches_the_clinicians_open_feed(ward: Ward) -> None:
    client = staff_client(ward.responsible)
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    phone = woman_client(ward.woman)

    def submit_and_deliver() -> None:
        response = phone.post(
            "/wellbeing/screen/epds/",
            form_data(epds([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), key="feed-1"),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 302
        run_jobs_once()

    async def scenario() -> list[dict[str, Any]]:
        feed = FeedClient(application, "/ws/feed/", headers=headers)
        connected, _ = await feed.connect()
        assert connected
        received = []
        try:
            await sync_to_async(submit_and_deliver)()
            while True:
                message: dict[str, Any] = await feed.receive_json_from(timeout=5)
                received.append(message)
                if message.get("kind") == "alarm":
                    break
        finally:
            await feed.disconnect()
        return received

    messages = async_to_sync(scenario)()
    alarm = Screening.objects.get().safety_alarm
    assert alarm is not None
    alert = messages[-1]
    assert (alert["type"], alert["kind"]) == ("notification", "alarm")
    assert alert["link"] == f"/clinic/alarms/{alarm.public_id}/"
