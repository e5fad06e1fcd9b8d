"""The daily credential-expiry job: who is told, what, and only once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from anyun.accounts.models import Role, User
from anyun.notify.models import Delivery, Notification
from anyun.staff.models import CredentialKind, Title
from anyun.staff.services import NOTIFICATION_KIND_CREDENTIAL_EXPIRY
from anyun.staff.tasks import credential_expiry_warnings

K = CredentialKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(tomorrow: datetime) -> datetime:
    """06:00 tomorrow, when the daily job runs: after the test's world was built."""
    return tomorrow.replace(hour=6)


@pytest.fixture
def today(morning: datetime) -> date:
    """The day the job runs."""
    return morning.date()


def sent() -> list[tuple[str, str, str]]:
    return sorted(
        (n.recipient.username if n.recipient else "", n.title, n.body)
        for n in Notification.objects.filter(
            kind=NOTIFICATION_KIND_CREDENTIAL_EXPIRY
        ).select_related("recipient")
    )


@pytest.fixture
def world(
    make_profile: Any, give: Any, give_all: Any, pharmacy: Any, today: date
) -> dict[str, Any]:
    head = make_profile(name="Head Li", title=Title.CHIEF_PHYSICIAN, is_department_head=True)
    give_all(head, until=None)
    soon = make_profile(name="Doctor Soon")
    give_all(soon, until=None, skip=K.MCH_CERTIFICATE)
    mch = give(soon, K.MCH_CERTIFICATE, until=today + timedelta(days=30))
    late = make_profile(name="Doctor Late")
    give_all(late, until=None, skip=K.INTERNET_ADMISSION)
    admission = give(late, K.INTERNET_ADMISSION, until=today - timedelta(days=2))
    fine = make_profile(name="Doctor Fine")
    give_all(fine, until=today + timedelta(days=31))
    pharmacist = make_profile(Role.PHARMACIST, name="Pharmacist Wang", department=pharmacy)
    registration = give(pharmacist, K.HOSPITAL_REGISTRATION, until=today)
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
    world: dict[str, Any], time_machine: Any, morning: datetime, today: date
) -> None:
    time_machine.move_to(morning, tick=False)
    assert credential_expiry_warnings.call() == 3
    first = sent()
    time_machine.move_to(morning + timedelta(hours=12), tick=False)
    assert credential_expiry_warnings.call() == 3

    assert sent() == first
    head = world["head"].user.username
    soon = world["soon"].user.username
    late = world["late"].user.username
    pharmacist = world["pharmacist"].user.username
    mch = "Maternal and child health technology assessment certificate"
    soon_until = (today + timedelta(days=30)).isoformat()
    late_until = (today - timedelta(days=2)).isoformat()
    assert first == sorted(
        [
            (
                soon,
                "Credential expiring soon",
                f"Your {mch} is valid until {soon_until}. Please renew it in time to keep "
                "practising online.",
            ),
            (
                head,
                "Credential expiring soon",
                f"The {mch} of Doctor Soon is valid until {soon_until}.",
            ),
            (
                late,
                "Credential expired",
                f"Your Internet diagnosis admission expired on {late_until}. Online practice is "
                "blocked until a renewed credential is recorded.",
            ),
            (
                head,
                "Credential expired",
                f"The Internet diagnosis admission of Doctor Late expired on {late_until}. Their "
                "online practice is blocked until a renewed credential is recorded.",
            ),
            (
                pharmacist,
                "Credential expiring soon",
                f"Your Practice registration at this hospital is valid until {today}. Please "
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
    world: dict[str, Any], time_machine: Any, morning: datetime
) -> None:
    time_machine.move_to(morning, tick=False)
    credential_expiry_warnings.call()
    for _ in range(2):
        time_machine.move_to(morning + timedelta(days=31), tick=False)
        credential_expiry_warnings.call()

    soon = world["soon"].user
    assert list(
        Notification.objects.filter(recipient=soon)
        .order_by("created_at")
        .values_list("title", flat=True)
    ) == ["Credential expiring soon", "Credential expired"]


def test_a_renewed_credential_is_not_warned_about(
    world: dict[str, Any], give: Any, time_machine: Any, today: date, morning: datetime
) -> None:
    give(world["soon"], K.MCH_CERTIFICATE, start=today, until=today + timedelta(days=5 * 365))
    give(world["late"], K.INTERNET_ADMISSION, start=today, until=None)
    give(
        world["pharmacist"],
        K.HOSPITAL_REGISTRATION,
        start=today,
        until=today + timedelta(days=4 * 365),
    )

    time_machine.move_to(morning, tick=False)
    assert credential_expiry_warnings.call() == 0
    assert sent() == []


def test_nothing_to_send_at_31_days(
    make_profile: Any, give_all: Any, time_machine: Any, today: date, morning: datetime
) -> None:
    give_all(make_profile(), until=today + timedelta(days=31))
    time_machine.move_to(morning, tick=False)
    assert credential_expiry_warnings.call() == 0
    assert sent() == []


def test_the_job_can_be_enqueued() -> None:
    result = credential_expiry_warnings.enqueue()
    assert result.id


def test_without_a_preference_the_notice_is_in_chinese(
    world: dict[str, Any], time_machine: Any, morning: datetime
) -> None:
    User.objects.filter(pk=world["soon"].user.pk).update(preferred_language="")
    time_machine.move_to(morning, tick=False)
    credential_expiry_warnings.call()
    titles = [t for who, t, _body in sent() if who == world["soon"].user.username]
    assert titles == ["资质证书即将过期"]
