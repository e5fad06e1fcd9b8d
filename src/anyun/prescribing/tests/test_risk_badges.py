"""Her colour badge (in words, not colour alone) beside her name on the prescribing
workstation pages: the pharmacist's queue and review, the clinician's home lists, the
prescription and the page it is written on; the queue reads the colours once, however many
rows it lists."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import staff_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.accounts.models import User
from anyun.assessment.tests.badges import GREEN, ORANGE, regrade_orange, squash
from anyun.prescribing import services
from anyun.prescribing.models import Prescription
from anyun.prescribing.selectors import woman_name
from anyun.prescribing.tests.conftest import (
    World,
    consultation_for,
    data,
    draft,
    later,
    seen_in_person,
    signed,
    totp_now,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page_of(user: User, path: str) -> str:
    answer = staff_client(user).get(path, **EN)
    assert answer.status_code == 200
    return squash(answer.content.decode())


def signed_for(world: World, woman: User, starts: datetime) -> Prescription:
    """A prescription signed for another woman of the clinician, in a consultation of hers."""
    seen_in_person(woman, head=world.head, visit=world.head)
    consultation = consultation_for(world.head, world.clinician, woman, starts)
    prescription = services.prescription_create(
        actor=world.clinician, consultation_id=consultation.public_id, data=data()
    )
    return services.prescription_sign(
        actor=world.clinician,
        prescription_id=prescription.public_id,
        otp_token=totp_now(world.clinician),
    )


def test_her_colour_beside_her_name_in_the_queue_and_the_review(
    world: World, time_machine: Any
) -> None:
    regrade_orange(actor=world.head, woman=world.woman)
    hers = signed(world)
    page = page_of(world.pharmacist, "/prescribing/review/")
    [row] = re.findall(r'<tr data-testid="queue-row">.*?</tr>', page, re.S)
    assert f"<td>{woman_name(world.woman)}{ORANGE}</td>" in row
    review = page_of(world.pharmacist, f"/prescribing/review/{hers.public_id}/")
    assert f"<dd>{woman_name(world.woman)}{ORANGE}</dd>" in review
    # Once decided, the queue's recently decided list shows it beside her name too.
    services.review_decide(
        actor=world.pharmacist, prescription_id=hers.public_id, decision="approved"
    )
    decided = page_of(world.pharmacist, "/prescribing/review/")
    assert f"{woman_name(world.woman)}{ORANGE}</td><td>Approved" in decided


def test_her_colour_beside_her_name_on_the_clinicians_pages(
    world: World, time_machine: Any
) -> None:
    regrade_orange(actor=world.head, woman=world.woman)
    written = draft(world)
    name = woman_name(world.woman)
    home = page_of(world.clinician, "/prescribing/clinic/")
    consultations = re.search(r'data-testid="consultations">(.*?)</table>', home, re.S)
    assert consultations is not None
    assert f"<td>{name}{ORANGE}</td>" in consultations.group(1)
    listed = re.search(r'data-testid="written">(.*?)</table>', home, re.S)
    assert listed is not None
    assert f"<td>{name}{ORANGE}</td><td>{written.diagnosis}</td>" in listed.group(1)
    detail = page_of(world.clinician, f"/prescribing/{written.public_id}/")
    assert f"<dd>{name}{ORANGE}</dd>" in detail
    edit = page_of(world.clinician, f"/prescribing/{written.public_id}/edit/")
    assert f"<h2>{name}{ORANGE}</h2>" in edit
    new = page_of(world.clinician, f"/prescribing/consultation/{world.consultation.public_id}/new/")
    assert f"<h2>{name}{ORANGE}</h2>" in new


def test_the_queue_reads_the_colours_once_however_many_rows(
    world: World, time_machine: Any, make_woman: Callable[..., User], tomorrow: datetime
) -> None:
    regrade_orange(actor=world.head, woman=world.woman)
    signed(world)

    def queue() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            page = page_of(world.pharmacist, "/prescribing/review/")
        # Each row is an audited read naming her (one insert a row, by design).
        return page, [
            q["sql"] for q in queries.captured_queries if "INSERT" not in q["sql"].upper()
        ]

    one_page, one = queue()
    assert len(re.findall(r'data-testid="queue-row"', one_page)) == 1
    nine = timezone.localtime(tomorrow).replace(hour=9)
    others = [make_woman(pregnant_weeks=22), make_woman(pregnant_weeks=26)]
    for n, woman in enumerate(others, start=1):
        later(time_machine)
        signed_for(world, woman, nine + timedelta(minutes=30 * n))
    three_page, three = queue()
    rows = re.findall(r'<tr data-testid="queue-row">.*?</tr>', three_page, re.S)
    assert len(rows) == 3
    assert f"<td>{woman_name(world.woman)}{ORANGE}</td>" in rows[0]
    for woman, row in zip(others, rows[1:], strict=True):
        assert f"<td>{woman_name(woman)}{GREEN}</td>" in row
    assert len(three) == len(one)
    assert sum("assessment_riskgrading" in sql for sql in three) == 1
