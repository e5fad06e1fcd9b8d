"""The patient overview of a graded woman with a high reading, an alarm, an open case and its
tasks reads each thing once: her pregnancies, her earlier pregnancies, her case, her alarms'
red flags; the risk policy not at all while it is unchanged (query counts, exact)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.assessment.selectors import risk_policy_current
from anyun.assessment.services import GradingInput, grading_record, risk_policy_set
from anyun.clinical.risk import OnlineCare
from anyun.monitoring.services import ReadingInput, readings_record
from anyun.monitoring.tests.conftest import Ward, ward
from anyun.pregnancy.selectors import current_pregnancy_of

pytestmark = pytest.mark.django_db
__all__ = ["ward"]  # the fixture

# The statements of one overview: the request's own (session, user, second factor, the
# unread-message count) and the page's reads and its audit row.
OVERVIEW_STATEMENTS = 20


def _overview_statements(ward: Ward, time_machine: Any, *, graded: bool) -> list[str]:
    """The statements of her overview, seen a second time by her responsible clinician, once
    she has sent a high pressure (and, `graded`, was graded orange: her case and tasks open)."""
    # One instant: the session's idle clock (written once a minute) moves on the first view.
    time_machine.move_to(timezone.now(), tick=False)
    readings_record(
        actor=ward.woman,
        woman=ward.woman,
        items=[ReadingInput(kind="blood_pressure", systolic=150, diastolic=95)],
    )
    if graded:
        pregnancy = current_pregnancy_of(ward.woman)
        assert pregnancy is not None
        grading_record(
            actor=ward.responsible,
            pregnancy=pregnancy,
            data=GradingInput(answers={"g_asthma": True}, entered={}, diagnoses=[]),
        )
    client = staff_client(ward.responsible)
    url = f"/clinic/patients/{ward.woman.public_id}/"
    client.get(url)  # the session's clocks start
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_overview_of_a_graded_woman_reads_each_thing_once(
    ward: Ward, time_machine: Any
) -> None:
    statements = _overview_statements(ward, time_machine, graded=True)
    assert len(statements) == OVERVIEW_STATEMENTS, "\n".join(s[:120] for s in statements)

    def reads(table: str) -> int:  # the statements that read `table` (not in a subquery)
        return sum(1 for s in statements if s.partition(" FROM ")[2].startswith(f'"{table}"'))

    assert reads("pregnancy_pregnancy") == 1  # her current pregnancy and her past ones
    assert reads("pregnancy_previouspregnancy") == 1  # her history: the page and her facts
    assert reads("assessment_riskpolicysetting") == 0  # held in the process (VersionedValue)
    assert reads("assessment_highriskcase") == 1
    # Her open alarms on the page and her red flags (open ones and those since her last
    # decision) in one read.
    assert reads("monitoring_alarm") == 1
    # The team on the page with her responsible clinician's hospital joined.
    assert reads("careteam_careteammember") == 1


def test_the_overview_of_an_ungraded_woman_reads_no_case_and_no_record_facts(
    ward: Ward, time_machine: Any
) -> None:
    """Ungraded, she has no case (a grading opens it) and no regrading to propose: neither her
    case nor the facts a regrading weighs (pressures, diagnoses, results) are read."""
    statements = _overview_statements(ward, time_machine, graded=False)
    # The graded woman's, but for the case, the pressures, diagnoses and results; and one
    # statement for whether she was seen in person (her grading answers it when graded).
    assert len(statements) == OVERVIEW_STATEMENTS - 4 + 1, "\n".join(s[:120] for s in statements)
    read = " ".join(s.partition(" FROM ")[2][:40] for s in statements)
    for table in ("assessment_highriskcase", "pregnancy_pregnancydiagnosis", "orders_result"):
        assert f'"{table}"' not in read
    # Her highest confirmed pressure: its own read of two columns.
    assert not [s for s in statements if s.startswith('SELECT "monitoring_reading"."systolic"')]


def test_a_changed_risk_policy_is_read_afresh_after_the_change(ward: Ward) -> None:
    assert risk_policy_current().online_orange == OnlineCare.CASE_MANAGED  # now held
    risk_policy_set(
        actor=ward.head,
        values={"online_orange": "in_person"},
        reason="Orange women are seen in person this winter.",
    )
    assert risk_policy_current().online_orange == OnlineCare.IN_PERSON
