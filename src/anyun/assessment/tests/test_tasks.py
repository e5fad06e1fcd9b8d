"""Clinical tasks: one open task per woman and key, assigned to her responsible clinician,
closed once with an outcome, audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.translation import gettext_lazy as _

from anyun.assessment import selectors, services
from anyun.assessment.models import TaskStatus
from anyun.assessment.task_kinds import KIND_LABELS, kind_label, register
from anyun.audit.models import AuditEvent
from anyun.careteam.services import care_team_assign
from anyun.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind() -> Iterator[str]:
    register({"test_follow_up": _("Follow-up call")})
    yield "test_follow_up"
    KIND_LABELS.pop("test_follow_up")


def test_opening_twice_under_one_key_opens_one_task_for_her_responsible_clinician(
    make_woman: Any, make_clinician: Any, kind: str
) -> None:
    woman, head, responsible = make_woman(), make_clinician(head=True), make_clinician()
    care_team_assign(actor=head, woman=woman, member=responsible, responsible=True)
    first = services.task_open(woman=woman, kind=kind, key="call:1", reason="Call her back")
    again = services.task_open(woman=woman, kind=kind, key="call:1", reason="Call her back")
    assert first.pk == again.pk
    assert (first.assigned_to, first.status, first.reason) == (responsible, "open", "Call her back")
    assert list(selectors.tasks_open_assigned_to(responsible)) == [first]
    assert AuditEvent.objects.filter(action="task_open", subject=woman).count() == 1
    assert kind_label(kind) == "Follow-up call"
    assert kind_label("never_registered") == "Other task"


def test_a_closed_task_cannot_be_closed_again_and_a_new_one_may_open_under_its_key(
    make_woman: Any, make_clinician: Any, kind: str
) -> None:
    woman, clinician = make_woman(), make_clinician()
    task = services.task_open(woman=woman, kind=kind, key="call:1", assigned_to=clinician)
    services.task_close(actor=clinician, task=task, outcome="Spoke to her")
    task.refresh_from_db()
    assert (task.status, task.outcome, task.closed_by) == (
        TaskStatus.DONE,
        "Spoke to her",
        clinician,
    )
    with pytest.raises(DomainError) as refused:
        services.task_close(actor=clinician, task=task, outcome="again")
    assert refused.value.code == "task_closed"
    assert list(selectors.tasks_open_for(woman)) == []
    reopened = services.task_open(woman=woman, kind=kind, key="call:1", assigned_to=clinician)
    assert reopened.pk != task.pk


def test_an_unregistered_kind_is_a_programming_error(make_woman: Any) -> None:
    with pytest.raises(ValueError):
        services.task_open(woman=make_woman(), kind="nope", key="k")
