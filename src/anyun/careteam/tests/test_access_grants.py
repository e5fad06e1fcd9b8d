"""Access given to many at once (`care_access_grants`, a batch of alarms routed together):
the same memberships as one `care_access_grant` each, in a constant number of statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.careteam.models import AccessSource, CareTeamMember
from anyun.careteam.selectors import can_see_woman, care_teams_of
from anyun.careteam.services import AccessGrant, care_access_grant, care_access_grants

pytestmark = pytest.mark.django_db


def test_grants_open_the_missing_extend_the_short_and_keep_the_longer(
    make_woman: Any, make_clinician: Any
) -> None:
    woman, other = make_woman(), make_woman()
    first, second = make_clinician(), make_clinician()
    now = timezone.now()
    short = care_access_grant(
        woman=woman,
        clinician=first,
        reference="alarm:a",
        until=now + dt.timedelta(days=1),
        source=AccessSource.ALARM,
    )
    long = care_access_grant(
        woman=woman,
        clinician=second,
        reference="alarm:a",
        until=now + dt.timedelta(days=30),
        source=AccessSource.ALARM,
    )
    until = now + dt.timedelta(days=7)
    grants = [
        AccessGrant(woman=woman, clinician=first, reference="alarm:a", until=until),
        AccessGrant(woman=woman, clinician=second, reference="alarm:a", until=until),
        AccessGrant(woman=other, clinician=first, reference="alarm:b", until=until),
        AccessGrant(woman=other, clinician=first, reference="alarm:b", until=until),  # twice
        AccessGrant(woman=other, clinician=second, reference="alarm:c", until=until),
    ]
    assert not can_see_woman(first, other)
    with CaptureQueriesContext(connection) as captured:
        care_access_grants(grants)
    short.refresh_from_db()
    long.refresh_from_db()
    assert short.ends_at == until  # extended
    assert long.ends_at == now + dt.timedelta(days=30)  # a later end is kept
    opened = CareTeamMember.objects.filter(woman=other, source=AccessSource.ALARM)
    assert sorted((m.member_id, m.reference, m.ends_at) for m in opened) == sorted(
        [(first.pk, "alarm:b", until), (second.pk, "alarm:c", until)]
    )
    assert can_see_woman(first, other) and can_see_woman(second, other)
    # read, insert (in a savepoint), one update per end
    assert len(captured.captured_queries) == 5
    care_access_grants(grants)  # again: nothing more
    assert CareTeamMember.objects.filter(source=AccessSource.ALARM).count() == 4


def test_care_teams_hold_each_member_once_however_many_alarms_opened_her_access(
    make_woman: Any, make_clinician: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every alarm routed to someone opens a membership of its own: the teams read for
    routing give each member once (her first row in the team's order), and reading the teams
    of a woman with many alarms takes the statements of one with a single alarm."""
    woman, other = make_woman(), make_woman()
    duty, nurse = make_clinician(), make_clinician()
    until = timezone.now() + dt.timedelta(days=7)

    def grants(reference: str) -> list[AccessGrant]:
        return [
            AccessGrant(woman=woman, clinician=duty, reference=reference, until=until),
            AccessGrant(woman=woman, clinician=nurse, reference=reference, until=until),
            AccessGrant(woman=other, clinician=nurse, reference=reference, until=until),
        ]

    care_access_grants(grants("alarm:0"))
    with CaptureQueriesContext(connection) as once:
        teams = care_teams_of([woman.pk, other.pk])
    assert [m.member for m in teams[woman.pk]] == [duty, nurse]
    for n in range(1, 30):
        care_access_grants(grants(f"alarm:{n}"))
    assert CareTeamMember.objects.filter(woman=woman).count() == 60
    with CaptureQueriesContext(connection) as many:
        teams = care_teams_of([woman.pk, other.pk])
    assert [m.member for m in teams[woman.pk]] == [duty, nurse]
    assert [(m.member, m.reference) for m in teams[other.pk]] == [(nurse, "alarm:0")]
    assert teams[woman.pk][0].member.clinician_profile.department is not None  # joined
    assert len(many.captured_queries) == len(once.captured_queries) == 2
    compiled: list[object] = []
    real = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    assert [m.member for m in care_teams_of([other.pk, woman.pk])[woman.pk]] == [duty, nurse]
    assert compiled == []  # the routing job reads teams for every chunk: compiled once
