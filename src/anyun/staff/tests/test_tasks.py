"""The daily credential-expiry job: who is told, what, and only once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from anyun.accounts.models import Role, User
from anyun.notify.models import Delivery, Notification
from anyun.staff.models import CredentialKind, Title
from anyun.staff.services import NOTIFICATION_KIND_CREDENTIAL_EXPIRY
from anyun.staff.tasks import credential_expiry_warnings

K = CredentialKind
TODAY = date(2025, 6, 1)
MORNING = datetime(2025, 6, 1, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = pytest.mark.django_db


def sent() -> list[tuple[str, str, str]]:
    return sorted(
        (n.recipient.username if n.recipient else "", n.title, n.body)
        for n in Notification.objects.filter(
            kind=NOTIFICATION_KIND_CREDENTIAL_EXPIRY
        ).select_related("recipient")
    )


@pytest.fixture
def world(make_profile: Any, give: Any, give_all: Any, pharmacy: Any) -> dict[str, Any]:
    head = make_profile(name="Head Li", title=Title.CHIEF_PHYSICIAN, is_department_head=True)
    give_all(head, until=None)
    soon = make_profile(name="Doctor Soon")
    give_all(soon, until=None, skip=K.MCH_CERTIFICATE)
    mch = give(soon, K.MCH_CERTIFICATE, until=TODAY + timedelta(days=30))
    late = make_profile(name="Doctor Late")
    give_all(late, until=None, skip=K.INTERNET_ADMISSION)
    admission = give(late, K.INTERNET_ADMISSION, until=TODAY - timedelta(days=2))
    fine = make_profile(name="Doctor Fine")
    give_all(fine, until=TODAY + timedelta(days=31))
    pharmacist = make_profile(Role.PHARMACIST, name="Pharmacist Wang", department=pharmacy)
    registration = give(pharmacist, K.HOSPITAL_REGISTRATION, until=TODAY)
    # The texts asserted below are the English ones; the default (zh-hans) is tested apart.
    User.objects.update(preferred_language="en")
    return {
        "head": head,
        "soon": soon,
        "mch": mch,
        "late": late,
        "admission": admission,
        "pharmacist": pharmacist,
        "registration": registration,
    }


def test_warns_holders_and_department_heads_once_even_when_run_twice(
    world: dict[str, Any],
) -> None:
    with time_machine.travel(MORNING, tick=False):
        assert credential_expiry_warnings.call() == 3
    first = sent()
    with time_machine.travel(MORNING + timedelta(hours=12), tick=False):
        assert credential_expiry_warnings.call() == 3

    assert sent() == first
    head = world["head"].user.username
    soon = world["soon"].user.username
    late = world["late"].user.username
    pharmacist = world["pharmacist"].user.username
    mch = "Maternal and child health technology assessment certificate"
    assert first == sorted(
        [
            (
                soon,
                "Credential expiring soon",
                f"Your {mch} is valid until 2025-07-01. Please renew it in time to keep "
                "practising online.",
            ),
            (
                head,
                "Credential expiring soon",
                f"The {mch} of Doctor Soon is valid until 2025-07-01.",
            ),
            (
                late,
                "Credential expired",
                "Your Internet diagnosis admission expired on 2025-05-30. Online practice is "
                "blocked until a renewed credential is recorded.",
            ),
            (
                head,
                "Credential expired",
                "The Internet diagnosis admission of Doctor Late expired on 2025-05-30. Their "
                "online practice is blocked until a renewed credential is recorded.",
            ),
            (
                pharmacist,
                "Credential expiring soon",
                "Your Practice registration at this hospital is valid until 2025-06-01. Please "
                "renew it in time to keep practising online.",
            ),
        ]
    )
    assert set(
        Notification.objects.filter(kind=NOTIFICATION_KIND_CREDENTIAL_EXPIRY).values_list(
            "link", flat=True
        )
    ) == {"/clinic/"}
    # In-app and push, each exactly once.
    assert (
        Delivery.objects.filter(notification__kind=NOTIFICATION_KIND_CREDENTIAL_EXPIRY).count()
        == 10
    )


def test_expiry_after_a_warning_sends_the_expired_notice_once(
    world: dict[str, Any],
) -> None:
    with time_machine.travel(MORNING, tick=False):
        credential_expiry_warnings.call()
    for _ in range(2):
        with time_machine.travel(MORNING + timedelta(days=31), tick=False):
            credential_expiry_warnings.call()

    soon = world["soon"].user
    assert list(
        Notification.objects.filter(recipient=soon)
        .order_by("created_at")
        .values_list("title", flat=True)
    ) == ["Credential expiring soon", "Credential expired"]


def test_a_renewed_credential_is_not_warned_about(world: dict[str, Any], give: Any) -> None:
    give(world["soon"], K.MCH_CERTIFICATE, start=TODAY, until=date(2030, 6, 1))
    give(world["late"], K.INTERNET_ADMISSION, start=TODAY, until=None)
    give(world["pharmacist"], K.HOSPITAL_REGISTRATION, start=TODAY, until=date(2029, 1, 1))

    with time_machine.travel(MORNING, tick=False):
        assert credential_expiry_warnings.call() == 0
    assert sent() == []


def test_nothing_to_send_at_31_days(make_profile: Any, give_all: Any) -> None:
    give_all(make_profile(), until=TODAY + timedelta(days=31))
    with time_machine.travel(MORNING, tick=False):
        assert credential_expiry_warnings.call() == 0
    assert sent() == []


def test_the_job_can_be_enqueued() -> None:
    result = credential_expiry_warnings.enqueue()
    assert result.id


def test_without_a_preference_the_notice_is_in_chinese(world: dict[str, Any]) -> None:
    User.objects.filter(pk=world["soon"].user.pk).update(preferred_language="")
    with time_machine.travel(MORNING, tick=False):
        credential_expiry_warnings.call()
    titles = [t for who, t, _body in sent() if who == world["soon"].user.username]
    assert titles == ["资质证书即将过期"]
