"""The patient overview of a graded woman with a high reading, an alarm, an open case and its
tasks reads each thing once: her pregnancy, the risk policy, her case (query counts, exact)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.assessment.services import GradingInput, grading_record
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.monitoring.tests.conftest import Ward, ward
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db
__all__ = ["ward"]  # the fixture

# The statements of one overview: the request's own (session, user, second factor, the
# unread-message count) and the page's reads and its audit row.
OVERVIEW_STATEMENTS = 27


def _statements(client: Any, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_overview_of_a_graded_woman_reads_each_thing_once(
    ward: Ward, time_machine: Any
) -> None:
    # One instant: the session's idle clock (written once a minute) moves on the first view.
    time_machine.move_to(timezone.now(), tick=False)
    readings_record(
        actor=ward.woman,
        woman=ward.woman,
        items=[ReadingInput(kind="blood_pressure", systolic=150, diastolic=95)],
    )
    pregnancy = current_pregnancy_of(ward.woman)
    assert pregnancy is not None
    grading_record(
        actor=ward.responsible,
        pregnancy=pregnancy,
        data=GradingInput(answers={"g_asthma": True}, entered={}, diagnoses=[]),
    )  # orange: her case and its tasks open
    client = staff_client(ward.responsible)
    url = f"/clinic/patients/{ward.woman.public_id}/"
    client.get(url)  # the session's clocks start
    statements = _statements(client, url)
    assert len(statements) == OVERVIEW_STATEMENTS, "\n".join(s[:120] for s in statements)
    pregnancy_reads = [s for s in statements if 'FROM "pregnancy_pregnancy"' in s]
    assert len(pregnancy_reads) == 2  # her current pregnancy; her past ones
    policy_reads = [s for s in statements if 'FROM "assessment_riskpolicysetting"' in s]
    assert len(policy_reads) == 1
    case_reads = [s for s in statements if 'FROM "assessment_highriskcase"' in s]
    assert len(case_reads) == 1
