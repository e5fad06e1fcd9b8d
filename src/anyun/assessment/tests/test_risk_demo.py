"""The demo women are screened and graded: the patient list shows green, yellow, orange and a
purple flag, and one woman has an open high-risk case with her plans and a report due."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anyun import demo
from anyun.accounts.models import User
from anyun.assessment.models import DistrictReport, HighRiskCase, RiskGrading
from anyun.web.selectors import patient_list_for

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_badge_and_an_open_case() -> None:
    demo.load_demo()
    colours = sorted(RiskGrading.objects.values_list("colour", flat=True))
    assert set(colours) == {"green", "yellow", "orange"}
    assert RiskGrading.objects.filter(purple=True).count() == 1
    orange_case = HighRiskCase.objects.get(status="open", opened_by_grading__colour="orange")
    assert orange_case.individual_plan and orange_case.emergency_plan
    assert DistrictReport.objects.filter(case=orange_case, submitted_at__isnull=True).exists()
    nurse = User.objects.get(username="nurse_chen")  # on every demo woman's team
    _page, rows = patient_list_for(nurse, sort="risk", today=timezone.localdate())
    assert [row.risk_colour for row in rows][:1] == ["orange"]  # highest colour first
    # ...and the woman not yet seen in person has no colour yet.
    assert {row.risk_colour for row in rows} == {"green", "yellow", "orange", None}
    assert sum(row.risk_purple for row in rows) == 1
