"""FB-5 foundation: opening and keeping the pregnancy record, with dating from DOMAIN.md s.2."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from anyun.audit.models import AuditEvent
from anyun.core.errors import DomainError, PermissionDenied
from anyun.pregnancy import selectors, services
from anyun.pregnancy.models import ExamReport, Pregnancy, PregnancyRevision
from anyun.pregnancy.services import PregnancyInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_day(time_machine: Any, tomorrow: datetime) -> None:
    """09:00 tomorrow, before the test's world is built: one day all through the test."""
    time_machine.move_to(tomorrow.replace(hour=9), tick=False)


@pytest.fixture
def today(tomorrow: datetime) -> date:
    return tomorrow.date()


def _open(woman: Any, **data: Any) -> Pregnancy:
    return services.pregnancy_open(actor=woman, woman=woman, data=PregnancyInput(**data))


def _refused(woman: Any, code: str, field: str | None = None, **data: Any) -> None:
    with pytest.raises(DomainError) as err:
        _open(woman, **data)
    assert err.value.code == code
    if field:
        assert err.value.field == field
    assert not Pregnancy.objects.filter(woman=woman).exists()


def test_lmp_gives_naegele_edd_and_todays_gestational_age(make_woman: Any, today: date) -> None:
    woman = make_woman()
    p = _open(
        woman,
        lmp=today - timedelta(days=100),
        height_cm=Decimal("162"),
        pre_pregnancy_weight_kg=Decimal("55"),
    )
    assert p.edd == today - timedelta(days=100) + timedelta(days=280)
    assert p.dating_method == "lmp"
    summary = selectors.pregnancy_summary(p)
    assert str(summary.ga) == "14+2"
    assert summary.trimester == 2
    assert summary.bmi == 21.0
    assert summary.bmi_category == "normal"
    assert (
        AuditEvent.objects.filter(action="create", object_type="pregnancy", subject=woman).count()
        == 1
    )


def test_gestational_age_is_recomputed_each_day(make_woman: Any, today: date) -> None:
    p = _open(make_woman(), lmp=today - timedelta(days=100))
    assert str(selectors.pregnancy_summary(p, today=today + timedelta(days=5)).ga) == "15+0"


def test_cycle_length_shifts_the_edd(make_woman: Any, today: date) -> None:
    p = _open(make_woman(), lmp=today - timedelta(days=60), cycle_length_days=35)
    assert p.edd == today - timedelta(days=60) + timedelta(days=287)


def test_early_scan_overrides_lmp_beyond_the_acog_threshold(make_woman: Any, today: date) -> None:
    # Scan at 10+0 by report (threshold 7 days): the scan's EDD differs from LMP by 8 days.
    lmp = today - timedelta(days=80)
    scan_date = today - timedelta(days=10)
    scan_edd = scan_date + timedelta(days=280 - 70)
    lmp_edd = lmp + timedelta(days=280)
    assert (scan_edd - lmp_edd).days == 0  # same by construction; shift LMP by 8 days
    p = _open(
        make_woman(),
        lmp=lmp - timedelta(days=8),
        scan_date=scan_date,
        scan_ga_weeks=10,
        scan_ga_days=0,
    )
    assert p.dating_method == "ultrasound"
    assert p.edd == scan_edd
    assert p.lmp_edd == lmp_edd - timedelta(days=8)


def test_early_scan_within_the_threshold_keeps_lmp(make_woman: Any, today: date) -> None:
    lmp = today - timedelta(days=80)
    scan_date = today - timedelta(days=10)
    p = _open(
        make_woman(),
        lmp=lmp - timedelta(days=7),
        scan_date=scan_date,
        scan_ga_weeks=10,
        scan_ga_days=0,
    )
    assert p.dating_method == "lmp"
    assert p.edd == lmp - timedelta(days=7) + timedelta(days=280)


def test_crown_rump_length_dates_the_scan(make_woman: Any, today: date) -> None:
    scan_date = today - timedelta(days=7)
    p = _open(make_woman(), scan_date=scan_date, scan_crl_mm=Decimal("45"))
    # INTERGROWTH-21st: 45 mm -> 78 days (11+1).
    assert p.scan_ga_days == 78
    assert p.edd == scan_date + timedelta(days=280 - 78)
    assert p.dating_method == "ultrasound"


def test_future_lmp_is_refused(make_woman: Any, today: date) -> None:
    _refused(make_woman(), "lmp_in_future", "lmp", lmp=today + timedelta(days=1))


def test_lmp_more_than_44_weeks_ago_is_refused(make_woman: Any, today: date) -> None:
    _refused(make_woman(), "lmp_too_old", "lmp", lmp=today - timedelta(weeks=44, days=1))


def test_lmp_exactly_44_weeks_ago_is_accepted(make_woman: Any, today: date) -> None:
    assert _open(make_woman(), lmp=today - timedelta(weeks=44)).edd == today + timedelta(weeks=-4)


def test_a_height_of_three_metres_is_refused(make_woman: Any, today: date) -> None:
    _refused(
        make_woman(),
        "height_range",
        "height_cm",
        lmp=today - timedelta(days=50),
        height_cm=Decimal("300"),
    )


def test_impossible_weight_is_refused(make_woman: Any, today: date) -> None:
    _refused(
        make_woman(),
        "weight_range",
        lmp=today - timedelta(days=50),
        pre_pregnancy_weight_kg=Decimal("12"),
    )


def test_parity_must_be_below_gravidity(make_woman: Any, today: date) -> None:
    _refused(
        make_woman(),
        "parity_exceeds_gravidity",
        "parity",
        lmp=today - timedelta(days=50),
        gravidity=2,
        parity=2,
    )


def test_neither_lmp_nor_scan_is_refused(make_woman: Any) -> None:
    _refused(make_woman(), "dating_missing")


def test_only_one_current_pregnancy(make_woman: Any, today: date) -> None:
    woman = make_woman()
    _open(woman, lmp=today - timedelta(days=50))
    with pytest.raises(DomainError) as err:
        _open(woman, lmp=today - timedelta(days=40))
    assert err.value.code == "pregnancy_already_current"
    assert Pregnancy.objects.filter(woman=woman).count() == 1


def test_several_pregnancies_over_the_years(make_woman: Any, today: date) -> None:
    woman = make_woman()
    first = _open(woman, lmp=today - timedelta(days=280))
    services.pregnancy_close(
        actor=woman, pregnancy=first, ended_on=today - timedelta(days=3), outcome="term birth"
    )
    second = _open(woman, lmp=today - timedelta(days=2))
    assert selectors.current_pregnancy_of(woman) == second
    assert Pregnancy.objects.filter(woman=woman).count() == 2


def test_unverified_woman_cannot_open_a_record(make_woman: Any, today: date) -> None:
    woman = make_woman(verified=False, consented=False)
    with pytest.raises(PermissionDenied) as err:
        _open(woman, lmp=today - timedelta(days=50))
    assert err.value.code == "identity_required"


def test_every_change_is_kept_with_who_and_when(world: Any) -> None:
    p = selectors.current_pregnancy_of(world.woman)
    data = services.input_merge(
        services.input_from_pregnancy(p), {"allergies": "青霉素", "gravidity": 2}
    )
    services.pregnancy_update(actor=world.inside, pregnancy=p, data=data, reason="clinic visit")
    rev = PregnancyRevision.objects.get(pregnancy=p)
    assert rev.changed_by == world.inside
    assert rev.changes == {"allergies": ["", "青霉素"], "gravidity": [1, 2]}
    assert rev.reason == "clinic visit"
    p.refresh_from_db()
    assert p.updated_by == world.inside
    # Saving the same values again records nothing.
    services.pregnancy_update(actor=world.woman, pregnancy=p, data=data)
    assert PregnancyRevision.objects.filter(pregnancy=p).count() == 1


def test_a_change_is_shown_by_its_fields_labels_and_values_in_words(world: Any) -> None:
    p = selectors.current_pregnancy_of(world.woman)
    data = services.input_merge(
        services.input_from_pregnancy(p), {"allergies": "青霉素", "art_conception": True}
    )
    services.pregnancy_update(actor=world.inside, pregnancy=p, data=data, reason="clinic visit")
    with translation.override("zh-hans"):
        [row] = selectors.revisions_of(p)
        assert (row.changed_by, row.reason) == (world.inside, "clinic visit")
        assert set(row.changes) == {("过敏史", "", "青霉素"), ("辅助生殖受孕", "", "是")}
    with translation.override("en"):
        [row] = selectors.revisions_of(p)
        assert set(row.changes) == {
            ("Allergies", "", "青霉素"),
            ("Conceived by assisted reproduction", "", "yes"),
        }


def test_a_clinician_without_internet_admission_cannot_change_the_record(
    make_woman: Any, make_clinician: Any
) -> None:
    from anyun.careteam.services import care_team_assign

    woman = make_woman(pregnant_weeks=20)
    head = make_clinician(head=True)
    unqualified = make_clinician(missing=("internet_admission",))
    care_team_assign(actor=head, woman=woman, member=unqualified)
    p = selectors.current_pregnancy_of(woman)
    data = services.input_merge(services.input_from_pregnancy(p), {"allergies": "x"})
    with pytest.raises(PermissionDenied) as err:
        services.pregnancy_update(actor=unqualified, pregnancy=p, data=data)
    assert err.value.code == "credential_invalid"
    p.refresh_from_db()
    assert p.allergies == ""


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(("content", "mime"), [(_png(), "image/png"), (PDF, "application/pdf")])
def test_reports_are_checked_by_content(make_woman: Any, content: bytes, mime: str) -> None:
    woman = make_woman(pregnant_weeks=12)
    p = selectors.current_pregnancy_of(woman)
    report = services.report_upload(
        actor=woman, pregnancy=p, upload=SimpleUploadedFile("scan.bin", content), title="NT scan"
    )
    assert report.content_type == mime
    assert report.file.read() == content


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,
            "upload_type",
        ),  # a Windows executable
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "upload_type"),
        (b"%PDF-1.4\n" + b"A" * 100, "upload_corrupt"),  # a PDF header on something else
        (b"", "upload_empty"),
    ],
)
def test_a_file_that_is_not_an_image_or_pdf_is_refused(
    make_woman: Any, content: bytes, code: str
) -> None:
    woman = make_woman(pregnant_weeks=12)
    p = selectors.current_pregnancy_of(woman)
    with pytest.raises(DomainError) as err:
        services.report_upload(
            actor=woman,
            pregnancy=p,
            upload=SimpleUploadedFile("report.pdf", content, "application/pdf"),
            title="x",
        )
    assert err.value.code == code
    assert not ExamReport.objects.exists()


def test_reports_over_the_size_limit_are_refused(make_woman: Any, settings: Any) -> None:
    settings.ANYUN_UPLOAD_MAX_BYTES = 1000
    woman = make_woman(pregnant_weeks=12)
    p = selectors.current_pregnancy_of(woman)
    with pytest.raises(DomainError) as err:
        services.report_upload(
            actor=woman,
            pregnancy=p,
            upload=SimpleUploadedFile("a.pdf", PDF + b" " * 2000),
            title="x",
        )
    assert err.value.code == "upload_too_large"


def test_previous_pregnancies(make_woman: Any, today: date) -> None:
    woman = make_woman()
    entry = services.previous_pregnancy_add(
        actor=woman,
        woman=woman,
        year=today.year - 5,
        outcome="term_birth",
        delivery_mode="caesarean",
        gestational_weeks=39,
    )
    assert list(selectors.history_of(woman)) == [entry]
    with pytest.raises(DomainError) as err:
        services.previous_pregnancy_add(
            actor=woman, woman=woman, year=today.year + 1, outcome="term_birth"
        )
    assert err.value.field == "year"


def test_history_choices_are_checked(make_woman: Any, today: date) -> None:
    woman = make_woman()
    year = today.year - 6
    with pytest.raises(DomainError) as err:
        services.previous_pregnancy_add(actor=woman, woman=woman, year=year, outcome="<bogus>")
    assert err.value.field == "outcome"
    with pytest.raises(DomainError) as err:
        services.previous_pregnancy_add(
            actor=woman, woman=woman, year=year, outcome="term_birth", delivery_mode="teleport"
        )
    assert err.value.field == "delivery_mode"


def test_api_patch_cannot_empty_a_required_field(make_woman: Any) -> None:
    from django.test import Client

    from anyun.accounts.services import api_token_issue

    woman = make_woman(pregnant_weeks=12)
    p = selectors.current_pregnancy_of(woman)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=woman)}")
    response = api.patch(
        f"/api/v1/pregnancy/{p.public_id}", {"gravidity": None}, content_type="application/json"
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("field_required", "gravidity")


def test_a_closed_pregnancy_is_not_changed_by_an_edit_that_started_before(
    make_woman: Any, today: date
) -> None:
    woman = make_woman()
    p = _open(woman, lmp=today - timedelta(days=100))
    stale = Pregnancy.objects.get(pk=p.pk)  # loaded by the editor before the close
    services.pregnancy_close(actor=woman, pregnancy=p, ended_on=today, outcome="miscarriage")
    data = services.input_merge(services.input_from_pregnancy(stale), {"allergies": "penicillin"})
    with pytest.raises(DomainError) as err:
        services.pregnancy_update(actor=woman, pregnancy=stale, data=data)
    assert err.value.code == "pregnancy_ended"
    p.refresh_from_db()
    assert p.allergies == ""
