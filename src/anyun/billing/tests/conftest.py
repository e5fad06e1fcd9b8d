"""A prescription to pay for: the prescribing world (her consultation, her clinician, a
pharmacist, another woman, a nurse and an outsider), signed and approved through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anyun.accounts.models import Role, User
from anyun.billing.models import PaymentOrder
from anyun.billing.providers import SandboxProvider
from anyun.prescribing import services as prescribing
from anyun.prescribing.models import Prescription
from anyun.prescribing.tests.conftest import World, line, signed, world  # noqa: F401 (fixture)

API = "/api/v1/billing"
# folic acid 0.4 mg x 7 and ferrous succinate 0.1 g x 28, at the demo formulary's prices.
LINES = (line("folic_acid_0_4"), line("ferrous_succinate_0_1", quantity=28, dose="0.2 g"))


def approve(rx_world: World, prescription: Prescription) -> Prescription:
    prescribing.review_decide(
        actor=rx_world.pharmacist, prescription_id=prescription.public_id, decision="approved"
    )
    prescription.refresh_from_db()
    return prescription


@pytest.fixture
def approved(world: World) -> Prescription:  # noqa: F811 - the imported fixture
    return approve(world, signed(world, *LINES))


@pytest.fixture
def finance(make_staff: Callable[..., User]) -> User:
    """The hospital's finance staff."""
    return make_staff(Role.FINANCE)


def run_billing_jobs() -> int:
    """Run billing's queued jobs, in order, inside the test's transaction (the real worker
    closes the connection, which a transactional test would need, and those flush the
    formulary the prescriptions are written from). Returns how many ran."""
    ran = 0
    while True:
        job = (
            DBTaskResult.objects.ready()
            .filter(task_path__startswith="anyun.billing.")
            .order_by("enqueued_at")
            .first()
        )
        if job is None:
            return ran
        DBTaskResult.objects.filter(pk=job.pk).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
        )
        job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        ran += 1


@pytest.fixture
def jobs() -> Callable[[], int]:
    return run_billing_jobs


def sandbox_post(
    client: Client, order: PaymentOrder, *, amount_fen: int | None = None, **kw: Any
) -> Any:
    """The sandbox's signed payment notification for `order`, posted to the endpoint."""
    headers, body = SandboxProvider().notification(
        event=kw.pop("event", "payment"),
        order_number=order.number,
        amount_fen=order.amount_fen if amount_fen is None else amount_fen,
        **kw,
    )
    return client.post(
        f"{API}/callbacks/sandbox",
        body,
        content_type="application/json",
        headers=headers,
    )
