"""Two heads approving clashing threshold changes at the same moment: exactly one wins."""

from __future__ import annotations

import contextlib
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from anyun.accounts.models import Role
from anyun.core.errors import DomainError
from anyun.monitoring import services
from anyun.monitoring.models import ThresholdChange, ThresholdDecision
from anyun.monitoring.selectors import thresholds_current
from anyun.monitoring.services import thresholds as thresholds_service

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="SQLite serialises writers; the race needs concurrent transactions",
    ),
]
REASON = "Local audit of outcomes"


def test_clashing_approvals_at_once_leave_the_thresholds_in_order(
    make_staff: Any, make_clinician: Any, monkeypatch: Any
) -> None:
    quality, other_quality = make_staff(Role.QUALITY_MANAGER), make_staff(Role.QUALITY_MANAGER)
    heads = [make_clinician(head=True), make_clinician(head=True)]
    high = services.threshold_change_propose(
        actor=quality, name="bp_systolic_high", value=Decimal("150"), reason=REASON
    )  # 150 is fine against severe 160
    severe = services.threshold_change_propose(
        actor=other_quality, name="bp_systolic_severe", value=Decimal("150"), reason=REASON
    )  # 150 is fine against high 140; both together are not (high < severe)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    # Widen the window: each approval, once its value is checked, waits (up to a second) for
    # the other to be checked too before it writes - both check against the old set unless
    # the second check has to wait for the first approval to commit.
    checked = threading.Barrier(2, timeout=1.0)
    check = thresholds_service._check

    def check_then_wait(name: str, value: Decimal) -> Decimal:
        result = check(name, value)
        # Broken after a second: the other approval is waiting for this one's lock.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()
        return result

    monkeypatch.setattr(thresholds_service, "_check", check_then_wait)

    def decide(head: Any, change: ThresholdChange) -> None:
        start.wait()
        try:
            services.threshold_change_decide(
                actor=head, change_id=change.public_id, approve=True, note=""
            )
            outcomes.append("approved")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(head, change))
        for head, change in zip(heads, (high, severe), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["alarm_threshold_order", "approved"]
    decided = ThresholdChange.objects.filter(decision=ThresholdDecision.APPROVED).count()
    assert decided == 1
    current = thresholds_current()
    assert current.bp_systolic_high < current.bp_systolic_severe
