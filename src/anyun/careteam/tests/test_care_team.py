"""Care teams: only the department (its head or a nurse) assigns, within the department."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client

from anyun.audit.models import AuditEvent
from anyun.careteam.selectors import can_see_woman
from anyun.careteam.services import care_team_assign
from anyun.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_head_and_nurse_assign_members_of_their_department(
    make_woman: Any, make_clinician: Any
) -> None:
    woman = make_woman()
    head, nurse, doctor = make_clinician(head=True), make_clinician("nurse"), make_clinician()
    care_team_assign(actor=head, woman=woman, member=doctor)
    care_team_assign(actor=nurse, woman=woman, member=head)
    assert can_see_woman(doctor, woman) and can_see_woman(head, woman)


def test_a_plain_clinician_cannot_assign(make_woman: Any, make_clinician: Any) -> None:
    woman, doctor = make_woman(), make_clinician()
    with pytest.raises(PermissionDenied):
        care_team_assign(actor=doctor, woman=woman, member=doctor)
    assert not can_see_woman(doctor, woman)


def test_a_nurse_cannot_give_herself_access(make_woman: Any, make_clinician: Any) -> None:
    woman, nurse = make_woman(), make_clinician("nurse")
    with pytest.raises(PermissionDenied) as err:
        care_team_assign(actor=nurse, woman=woman, member=nurse)
    assert err.value.code == "self_assignment"
    assert not can_see_woman(nurse, woman)


def test_nobody_assigns_across_departments(make_woman: Any, make_clinician: Any) -> None:
    from anyun.staff.models import Department
    from anyun.staff.services import department_create

    woman, head, other = make_woman(), make_clinician(head=True), make_clinician()
    elsewhere = department_create(
        hospital=Department.objects.get(code="OB").hospital, name="Gyn", code="GY"
    )
    other.clinician_profile.department = elsewhere
    other.clinician_profile.save()
    with pytest.raises(PermissionDenied) as err:
        care_team_assign(actor=head, woman=woman, member=other)
    assert err.value.code == "other_department"


def test_the_lookup_page_is_for_those_who_assign_and_is_audited(
    make_woman: Any, make_clinician: Any
) -> None:
    woman, doctor, nurse = make_woman(), make_clinician(), make_clinician("nurse")
    assert (
        staff_client(doctor).get("/clinic/care-team/", {"lookup": woman.phone}).status_code == 404
    )
    page = staff_client(nurse).get("/clinic/care-team/", {"lookup": woman.phone})
    assert page.status_code == 200 and page.context["found"] == woman
    assert AuditEvent.objects.filter(action="lookup", actor=nurse, subject=woman).count() == 1
    # A nurse posting herself as the member is refused, and gains nothing.
    staff_client(nurse).post(
        "/clinic/care-team/assign/", {"woman": woman.public_id, "member": nurse.public_id}
    )
    assert not can_see_woman(nurse, woman)
