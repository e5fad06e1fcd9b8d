"""The workstation's patient list: what an obstetrician triages by, sorted, in fixed queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from conftest import staff_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.accounts.models import Role, User
from anyun.careteam.services import care_team_assign
from anyun.clinical.signs import SignKind
from anyun.monitoring.models import GRADE_RANK, Alarm, AlarmStatus, Grade, Reading
from anyun.monitoring.services import ReadingInput, readings_record

pytestmark = pytest.mark.django_db


def _team(make_clinician: Any) -> tuple[User, User]:
    head = make_clinician(head=True)
    return head, make_clinician()


def _on_team(head: User, clinician: User, *women: User) -> None:
    for woman in women:
        care_team_assign(actor=head, woman=woman, member=clinician, responsible=True)


def _reading(woman: User, item: ReadingInput) -> Reading:
    return readings_record(actor=woman, woman=woman, items=[item]).readings[0]


def _alarm(reading: Reading, grade: str, status: str = AlarmStatus.OPEN) -> Alarm:
    """An alarm of a chosen grade on her reading (the rules that raise them are tested in
    monitoring; here the list only counts them)."""
    return Alarm.objects.create(
        woman=reading.woman,
        reading=reading,
        rule="test_rule",
        grade=grade,
        grade_rank=GRADE_RANK[grade],
        sign=reading.kind,
        values={},
        action="contact",
        source="test",
        confidence="S",
        status=status,
    )


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-testid="patient-row">(.*?)</tr>', page, re.S)


def _cell(row: str, name: str) -> str:
    found = re.search(rf'<td data-testid="{name}">(.*?)</td>', row, re.S)
    assert found is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_list_shows_ga_edd_open_alarms_by_grade_and_the_last_reading(
    make_woman: Any, make_clinician: Any
) -> None:
    head, clinician = _team(make_clinician)
    woman = make_woman(pregnant_weeks=30)
    _on_team(head, clinician, woman)
    at = timezone.now() - dt.timedelta(hours=2)
    _reading(woman, ReadingInput(kind=SignKind.BLOOD_PRESSURE, systolic=118, diastolic=76))
    weight = _reading(
        woman, ReadingInput(kind=SignKind.WEIGHT, value=Decimal("63.50"), measured_at=at)
    )
    bp = Reading.objects.get(woman=woman, kind=SignKind.BLOOD_PRESSURE)
    for grade in (Grade.URGENT, Grade.URGENT, Grade.ATTENTION, Grade.ADVICE):
        _alarm(bp, grade)
    _alarm(weight, Grade.URGENT, status=AlarmStatus.CLOSED)
    _alarm(weight, Grade.ATTENTION, status=AlarmStatus.ACKNOWLEDGED)
    edd = woman.pregnancies.get().edd

    response = staff_client(clinician).get("/clinic/", HTTP_ACCEPT_LANGUAGE="en")

    [row] = _rows(response.content.decode())
    assert _cell(row, "ga") == "30+0 wk"
    assert _cell(row, "edd") == edd.isoformat()
    # Two urgent and two attention still open (acknowledged is not closed); closed and
    # advice alarms are not counted.
    assert _cell(row, "alarms") == "2 urgent 2 attention"
    # The newest reading by the time it was measured, with its unit.
    assert _cell(row, "last").startswith("Blood pressure 118/76 mmHg ")
    assert "ID number" not in row


def test_the_last_reading_has_its_unit_and_no_trailing_zeros(
    make_woman: Any, make_clinician: Any
) -> None:
    head, clinician = _team(make_clinician)
    woman = make_woman(pregnant_weeks=24)
    _on_team(head, clinician, woman)
    _reading(woman, ReadingInput(kind=SignKind.WEIGHT, value=Decimal("63.50")))

    page = staff_client(clinician).get("/clinic/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    [row] = _rows(page.content.decode())
    assert _cell(row, "last").startswith("体重 63.5 kg ")
    assert _cell(row, "alarms") == "无"


def test_a_woman_without_a_pregnancy_or_readings_shows_dashes(
    make_woman: Any, make_clinician: Any
) -> None:
    head, clinician = _team(make_clinician)
    _on_team(head, clinician, make_woman())

    [row] = _rows(
        staff_client(clinician).get("/clinic/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    assert (_cell(row, "ga"), _cell(row, "edd")) == ("—", "—")
    assert _cell(row, "last") == "nothing recorded"


def _names(client: Any, sort: str) -> list[str]:
    page = client.get("/clinic/", {"sort": sort}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    return [re.search(r'">([^<]+)</a>', row).group(1) for row in _rows(page.content.decode())]  # type: ignore[union-attr]


def test_sorting_by_each_column(make_woman: Any, make_clinician: Any) -> None:
    head, clinician = _team(make_clinician)
    early, late, none = (
        make_woman(pregnant_weeks=12),
        make_woman(pregnant_weeks=36),
        make_woman(),
    )
    _on_team(head, clinician, early, late, none)
    names = {w: w.woman_profile.real_name for w in (early, late, none)}
    now = timezone.now()
    old = _reading(
        late,
        ReadingInput(
            kind=SignKind.BLOOD_PRESSURE,
            systolic=118,
            diastolic=76,
            measured_at=now - dt.timedelta(days=2),
        ),
    )
    new = _reading(early, ReadingInput(kind=SignKind.WEIGHT, value=Decimal("58")))
    _alarm(old, Grade.ATTENTION)
    _alarm(old, Grade.ATTENTION)
    _alarm(new, Grade.URGENT)
    client = staff_client(clinician)

    assert _names(client, "ga") == [names[late], names[early], names[none]]
    assert _names(client, "edd") == [names[late], names[early], names[none]]
    # One urgent outranks two attention alarms.
    assert _names(client, "alarms") == [names[early], names[late], names[none]]
    assert _names(client, "last") == [names[early], names[late], names[none]]
    assert _names(client, "name") == sorted(names.values())


@pytest.mark.parametrize(
    "sort", ["", "nonsense", "edd; DROP TABLE", "-pk", "woman_profile__national_id"]
)
def test_a_sort_we_do_not_offer_falls_back_to_the_default(
    sort: str, make_woman: Any, make_clinician: Any
) -> None:
    head, clinician = _team(make_clinician)
    calm, alarmed = make_woman(pregnant_weeks=20), make_woman(pregnant_weeks=21)
    _on_team(head, clinician, calm, alarmed)
    reading = _reading(alarmed, ReadingInput(kind=SignKind.WEIGHT, value=Decimal("60")))
    _alarm(reading, Grade.URGENT)
    client = staff_client(clinician)

    page = client.get("/clinic/", {"sort": sort}, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert 'data-sorted="alarms"' in page.content.decode()
    assert _names(client, sort) == [
        alarmed.woman_profile.real_name,
        calm.woman_profile.real_name,
    ]


def test_the_list_is_paged_and_keeps_the_sort(
    make_woman: Any, make_clinician: Any, settings: Any, monkeypatch: Any
) -> None:
    from anyun.web import selectors

    monkeypatch.setattr(selectors, "PATIENT_PAGE_SIZE", 2)
    head, clinician = _team(make_clinician)
    women = [make_woman(pregnant_weeks=w) for w in (10, 20, 30)]
    _on_team(head, clinician, *women)
    client = staff_client(clinician)

    first = client.get("/clinic/", {"sort": "ga"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    second = client.get("/clinic/", {"sort": "ga", "page": 2}, HTTP_ACCEPT_LANGUAGE="en")

    assert len(_rows(first)) == 2
    assert 'href="?sort=ga&amp;page=2"' in first
    [row] = _rows(second.content.decode())
    assert _cell(row, "ga") == "10+0 wk"


def test_only_women_on_her_care_team_are_listed(make_woman: Any, make_clinician: Any) -> None:
    head, clinician = _team(make_clinician)
    mine, theirs = make_woman(pregnant_weeks=20), make_woman(pregnant_weeks=20)
    _on_team(head, clinician, mine)
    _on_team(head, make_clinician(), theirs)

    page = staff_client(clinician).get("/clinic/", {"sort": "name"}).content.decode()

    assert mine.woman_profile.real_name in page
    assert theirs.woman_profile.real_name not in page
    assert str(theirs.public_id) not in page


def test_a_pharmacist_lists_nobody(make_woman: Any, make_clinician: Any) -> None:
    head, clinician = _team(make_clinician)
    _on_team(head, clinician, make_woman(pregnant_weeks=20))

    page = staff_client(make_clinician(Role.PHARMACIST)).get("/clinic/")

    assert page.status_code == 200
    assert _rows(page.content.decode()) == []
    assert 'data-testid="pharmacist-home"' in page.content.decode()


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/clinic/", {"sort": "alarms"}).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_3_women_as_for_30(
    make_woman: Any, make_clinician: Any, monkeypatch: Any, time_machine: Any
) -> None:
    from anyun.web import selectors

    monkeypatch.setattr(selectors, "PATIENT_PAGE_SIZE", 50)
    # One instant throughout: the session's idle clock, written once a minute at most, is
    # written by the first view only, so both counted views cost the page alone.
    time_machine.move_to(timezone.now(), tick=False)
    head, clinician = _team(make_clinician)
    client = staff_client(clinician)
    _queries(client)

    def add(n: int) -> None:
        for i in range(n):
            woman = make_woman(pregnant_weeks=10 + i % 25)
            _on_team(head, clinician, woman)
            reading = _reading(woman, ReadingInput(kind=SignKind.WEIGHT, value=Decimal("60")))
            _alarm(reading, Grade.URGENT if i % 2 else Grade.ATTENTION)

    add(3)
    three = _queries(client)
    add(27)
    thirty = _queries(client)

    assert len(_rows(client.get("/clinic/").content.decode())) == 30
    assert three == thirty
    assert thirty < 15


def test_the_list_is_audited_with_the_women_it_showed(make_woman: Any, make_clinician: Any) -> None:
    from anyun.audit.models import AuditEvent

    head, clinician = _team(make_clinician)
    shown = make_woman(pregnant_weeks=20)
    _on_team(head, clinician, shown)
    staff_client(clinician).get("/clinic/?sort=ga")
    event = AuditEvent.objects.get(object_type="patient_list")
    assert (event.action, event.actor_label) == ("read", clinician.username)
    assert event.detail["women"] == [str(shown.public_id)]
    assert event.detail["sort"] == "ga"
