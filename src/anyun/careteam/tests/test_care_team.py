"""Care teams: the department head or her responsible clinician assigns, a nurse proposes,
always within the department; her responsible clinician hears of every change."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import staff_client
from django.test import Client

from anyun.audit.models import AuditEvent
from anyun.careteam.models import CareTeamProposal
from anyun.careteam.selectors import can_see_woman
from anyun.careteam.services import care_team_assign, care_team_proposal_decide, care_team_propose
from anyun.core.errors import NotFound, PermissionDenied
from anyun.notify.models import Notification
from anyun.staff.models import Department
from anyun.staff.services import department_create

pytestmark = pytest.mark.django_db


def test_head_and_responsible_clinician_assign_a_nurse_only_proposes(
    make_woman: Any, make_clinician: Any
) -> None:

    woman = make_woman()
    head, nurse = make_clinician(head=True), make_clinician("nurse")
    responsible, doctor = make_clinician(), make_clinician()
    care_team_assign(actor=head, woman=woman, member=responsible, responsible=True)
    care_team_assign(actor=responsible, woman=woman, member=nurse)
    assert can_see_woman(nurse, woman)
    with pytest.raises(PermissionDenied):
        care_team_assign(actor=nurse, woman=woman, member=doctor)
    proposal = care_team_propose(actor=nurse, woman=woman, member=doctor)
    assert not can_see_woman(doctor, woman)  # a proposal opens nothing
    told = Notification.objects.filter(recipient=responsible, kind="care_team")
    assert told.count() == 2  # made responsible; then the proposal to decide
    with pytest.raises(NotFound):  # another clinician cannot decide it
        care_team_proposal_decide(
            actor=make_clinician(), proposal_public_id=proposal.public_id, approve=True
        )
    care_team_proposal_decide(
        actor=responsible, proposal_public_id=proposal.public_id, approve=True
    )
    assert can_see_woman(doctor, woman)
    assert CareTeamProposal.objects.get().status == "approved"
    assert Notification.objects.filter(recipient=nurse, kind="care_team").count() == 1


def test_every_assignment_notifies_her_responsible_clinician(
    make_woman: Any, make_clinician: Any
) -> None:

    woman = make_woman()
    head, responsible, doctor = make_clinician(head=True), make_clinician(), make_clinician()
    care_team_assign(actor=head, woman=woman, member=responsible, responsible=True)
    care_team_assign(actor=head, woman=woman, member=doctor)
    notices = Notification.objects.filter(recipient=responsible, kind="care_team")
    assert notices.count() == 2
    assert str(doctor) in notices.order_by("-pk").first().body


def test_a_declined_proposal_opens_nothing(make_woman: Any, make_clinician: Any) -> None:

    woman = make_woman()
    head, nurse, doctor = make_clinician(head=True), make_clinician("nurse"), make_clinician()
    proposal = care_team_propose(actor=nurse, woman=woman, member=doctor)
    # Without a responsible clinician the department head decides.
    care_team_proposal_decide(actor=head, proposal_public_id=proposal.public_id, approve=False)
    assert not can_see_woman(doctor, woman)
    with pytest.raises(NotFound):
        care_team_proposal_decide(actor=head, proposal_public_id=proposal.public_id, approve=True)


def test_a_plain_clinician_cannot_assign(make_woman: Any, make_clinician: Any) -> None:
    woman, doctor = make_woman(), make_clinician()
    with pytest.raises(PermissionDenied):
        care_team_assign(actor=doctor, woman=woman, member=doctor)
    assert not can_see_woman(doctor, woman)


def test_a_nurse_cannot_give_herself_access(make_woman: Any, make_clinician: Any) -> None:
    woman, nurse = make_woman(), make_clinician("nurse")
    with pytest.raises(PermissionDenied) as err:
        care_team_assign(actor=nurse, woman=woman, member=nurse)
    assert err.value.code == "not_allowed_to_assign"
    assert not can_see_woman(nurse, woman)


def test_nobody_assigns_across_departments(make_woman: Any, make_clinician: Any) -> None:

    woman, head, other = make_woman(), make_clinician(head=True), make_clinician()
    elsewhere = department_create(
        hospital=Department.objects.get(code="OB").hospital, name="Gyn", code="GY"
    )
    other.clinician_profile.department = elsewhere
    other.clinician_profile.save()
    with pytest.raises(PermissionDenied) as err:
        care_team_assign(actor=head, woman=woman, member=other)
    assert err.value.code == "other_department"


def test_the_lookup_is_audited_and_a_nurse_sees_only_a_masked_name(
    make_woman: Any, make_clinician: Any
) -> None:
    woman, nurse, head = make_woman(), make_clinician("nurse"), make_clinician(head=True)
    real_name = woman.woman_profile.real_name
    page = staff_client(nurse).get("/clinic/care-team/", {"lookup": woman.phone})
    assert page.status_code == 200 and page.context["found"] == woman
    assert page.context["shown_name"] == real_name[0] + "*" * (len(real_name) - 1)
    assert real_name not in page.content.decode()
    assert AuditEvent.objects.filter(action="lookup", actor=nurse, subject=woman).count() == 1
    assert (
        staff_client(head).get("/clinic/care-team/", {"lookup": woman.phone}).context["shown_name"]
        == real_name
    )
    # A nurse posting herself as the member only proposes, and gains nothing.
    staff_client(nurse).post(
        "/clinic/care-team/assign/", {"woman": woman.public_id, "member": nurse.public_id}
    )
    assert not can_see_woman(nurse, woman)


def test_the_lookup_takes_the_number_as_a_person_types_it(
    make_woman: Any, make_clinician: Any
) -> None:
    woman, head = make_woman(), make_clinician(head=True)
    full_width = woman.phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for typed in (full_width, f"+86 {woman.phone[:3]} {woman.phone[3:7]} {woman.phone[7:]}"):
        page = staff_client(head).get("/clinic/care-team/", {"lookup": typed})
        assert page.context["found"] == woman, typed


def test_her_team_is_shown_to_her(make_woman: Any, make_clinician: Any) -> None:

    woman = make_woman(pregnant_weeks=20)
    head, responsible = make_clinician(head=True), make_clinician()
    care_team_assign(actor=head, woman=woman, member=responsible, responsible=True)
    client = Client()
    client.force_login(woman)
    page = client.get("/")
    assert [m.member for m in page.context["team"]] == [responsible]
    assert str(responsible) in page.content.decode()


def test_her_colour_beside_her_name_for_who_decides_not_for_a_masked_lookup(
    make_woman: Any, make_clinician: Any
) -> None:
    woman, nurse, head = make_woman(), make_clinician("nurse"), make_clinician(head=True)
    doctor = make_clinician()
    care_team_propose(actor=nurse, woman=woman, member=doctor)
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    decider = staff_client(head).get("/clinic/care-team/", {"lookup": woman.phone}, **en)
    text = decider.content.decode()
    proposal_row = text.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="risk-badge"' in proposal_row and "Risk not graded" in proposal_row
    found = text.split('<section class="card"><h2>', 2)[2].split("</h2>", 1)[0]
    assert 'data-testid="risk-badge"' in found
    masked = staff_client(nurse).get("/clinic/care-team/", {"lookup": woman.phone}, **en)
    assert 'data-testid="risk-badge"' not in masked.content.decode()
