"""Journeys through the real pages in headless Chromium: the woman on her phone, the clinician
at the workstation, and a clinician outside the care team who must not see her.

Pages are driven by ids, names, `data-testid` attributes and URLs, never by translated text.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from anyun.accounts import services as accounts
from anyun.accounts.models import IdentityCheck, Role, User, WomanProfile
from anyun.audit.models import AuditEvent
from anyun.careteam.services import care_team_assign
from anyun.clinical.national_id import national_id_check_character
from anyun.consent.models import ConsentSignature
from anyun.consent.services import consent_sign, documents_current
from anyun.core import crypto
from anyun.pregnancy.models import DatingMethod, Pregnancy, PregnancyStatus
from anyun.pregnancy.services import PregnancyInput, pregnancy_open
from anyun.staff import services as staff
from anyun.staff.models import CredentialKind, Title
from tests.browser.support import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    axe_check,
    run_queued_jobs,
    screenshot,
    sms_code_for,
)

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]
STAFF_PASSWORD = "Anyun-Browser-Pass-7"
# 1949-12-31, region 110105, female: a valid number of a woman past 60, over the age limit.
TOO_OLD_NATIONAL_ID = "11010519491231002X"
OTP_THROTTLE_WAIT = timedelta(seconds=2)


def national_id(*, birth: date, sequence: str = "002", region: str = "110105") -> str:
    """A valid GB 11643 number; an even sequence digit makes it a woman's."""
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + national_id_check_character(first17)


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def totp_wrong(device: TOTPDevice) -> str:
    """A well-formed code accepted at no step inside the device's tolerance window."""
    valid = set()
    for offset in range(-device.tolerance - 1, device.tolerance + 2):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        valid.add(f"{totp.token():0{device.digits}d}")
    wrong = 0
    while f"{wrong:06d}" in valid:
        wrong += 1
    return f"{wrong:06d}"


# --- the world, built through the product's own services ----------------------------------


@dataclass
class Clinic:
    department: Any
    admin: User
    head: User


@dataclass
class StaffMember:
    user: User
    device: TOTPDevice


def clinic_create() -> Clinic:
    hospital = staff.hospital_ensure(code="ANYUN-BROWSER", name="安孕浏览器测试医院")
    department = staff.department_create(hospital=hospital, name="产科", code="OB")
    admin, _ = accounts.staff_create(
        username="sysadmin_b",
        password=STAFF_PASSWORD,
        role=Role.SYSTEM_ADMIN,
        display_name="系统管理员",
    )
    head, _ = accounts.staff_create(
        username="head_b", password=STAFF_PASSWORD, role=Role.CLINICIAN, display_name="李静"
    )
    # The department head assigns care teams within the department.
    staff.clinician_profile_upsert(
        user=head,
        department=department,
        title=Title.CHIEF_PHYSICIAN,
        specialty="产科",
        introduction="",
        is_department_head=True,
    )
    return Clinic(department=department, admin=admin, head=head)


def clinician_create(clinic: Clinic, *, username: str, name: str, n: int) -> StaffMember:
    """A clinician with a TOTP device, a listed profile and all four current credentials."""
    user, device = accounts.staff_create(
        username=username,
        password=STAFF_PASSWORD,
        role=Role.CLINICIAN,
        display_name=name,
        totp_key=secrets.token_hex(20),
    )
    profile = staff.clinician_profile_upsert(
        user=user,
        department=clinic.department,
        title=Title.ATTENDING_PHYSICIAN,
        specialty="产前保健",
        introduction=f"{name}，产前保健。",
        is_listed=True,
    )
    today = timezone.localdate()
    numbers = {
        CredentialKind.PRACTISING_CERTIFICATE: f"11011000{n:07d}",
        CredentialKind.HOSPITAL_REGISTRATION: f"BJ-FY-{n:04d}",
        CredentialKind.MCH_CERTIFICATE: f"京母婴-2024-{n:03d}",
        CredentialKind.INTERNET_ADMISSION: f"HLW-{n:04d}",
    }
    for kind, number in numbers.items():
        staff.credential_record(
            profile=profile,
            kind=kind,
            number=number,
            issuer="北京市卫生健康委员会",
            valid_from=today - timedelta(days=730),
            valid_until=None
            if kind == CredentialKind.PRACTISING_CERTIFICATE
            else today + timedelta(days=1095),
            recorded_by=clinic.admin,
        )
    return StaffMember(user=user, device=device)


def woman_ready_create(*, name: str, phone: str, birth: date, lmp: date) -> User:
    """A woman verified, consented to every current document, with a current pregnancy."""
    woman = accounts._woman_create(phone=phone, phone_index=crypto.blind_index(phone))
    accounts.woman_identity_verify(
        user=woman,
        data=accounts.IdentityInput(real_name=name, national_id=national_id(birth=birth)),
    )
    for document in documents_current():
        consent_sign(user=woman, document_public_id=document.public_id)
    pregnancy_open(
        actor=woman,
        woman=woman,
        data=PregnancyInput(
            lmp=lmp, height_cm=Decimal("160.0"), pre_pregnancy_weight_kg=Decimal("52.0")
        ),
    )
    woman.refresh_from_db()
    return woman


def staff_sign_in(page: Page, base: str, *, username: str, token: str) -> None:
    page.goto(f"{base}/accounts/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.fill("#id_token", token)
    page.click("#staff-login button[type=submit]")


# --- journeys ---------------------------------------------------------------------------


def test_woman_registers_verifies_consents_opens_pregnancy_and_sees_her_weeks(
    live_server: Any, open_page: OpenPage, memory_sms: list[tuple[str, str]]
) -> None:
    base = live_server.url
    phone = "13900000001"
    page = open_page(viewport=PHONE_VIEWPORT)

    # Sign in by SMS code; the first sign-in creates her account.
    page.goto(f"{base}/accounts/login/")
    axe_check(page)
    page.fill("#id_phone", phone)
    page.check("#id_accept_terms")
    page.click("#phone-form button[type=submit]")
    expect(page.locator("#code-form")).to_be_visible()
    axe_check(page)
    assert memory_sms == []  # the SMS leaves only through the queue
    run_queued_jobs()
    page.fill("#id_code", sms_code_for(memory_sms, phone))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    woman = User.objects.get(phone_index=crypto.blind_index(phone))
    assert woman.role == Role.WOMAN
    steps = page.locator("[data-testid=next-steps] a[data-step]")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_have_attribute("data-step", "guide")
    expect(steps.nth(1)).to_have_attribute("data-step", "identity")
    axe_check(page)

    # A valid number of a woman over the age limit is refused beside the field.
    page.click("[data-testid=next-steps] a[data-step=identity]")
    page.wait_for_url(f"{base}/accounts/identity/")
    page.fill("#id_real_name", "王小红")
    page.fill("#id_national_id", TOO_OLD_NATIONAL_ID)
    page.click("#identity-form button[type=submit]")
    expect(page.locator(".field.has-error:has(#id_national_id) p.error")).to_have_count(1)
    expect(page.locator(".field.has-error")).to_have_count(1)
    assert page.url == f"{base}/accounts/identity/"
    axe_check(page)
    profile = WomanProfile.objects.get(user=woman)
    assert profile.verified_at is None
    assert profile.national_id_index is None
    assert not IdentityCheck.objects.filter(user=woman).exists()
    assert not AuditEvent.objects.filter(action="identity_verify").exists()

    # Her own valid number: she is 30 or 31.
    her_birth = date(timezone.localdate().year - 31, 6, 15)
    her_id = national_id(birth=her_birth)
    page.fill("#id_real_name", "王小红")
    page.fill("#id_national_id", her_id)
    page.click("#identity-form button[type=submit]")
    page.wait_for_url(f"{base}/consent/")
    profile.refresh_from_db()
    assert profile.verified_at is not None
    assert profile.real_name == "王小红"
    assert profile.birth_date == her_birth

    # Sign each document shown, one by one, until the consent page lets her go home.
    current = documents_current()
    assert len(current) == 2
    for remaining in range(len(current), 0, -1):
        forms = page.locator("article.document form")
        expect(forms).to_have_count(remaining)
        axe_check(page)
        forms.first.locator("input[name=agree]").check()
        forms.first.locator("button[type=submit]").click()
        if remaining > 1:
            page.wait_for_url(f"{base}/consent/")
    page.wait_for_url(f"{base}/")

    # Open the pregnancy record from her last period, 100 days ago (14+2).
    today = timezone.localdate()
    lmp = today - timedelta(days=100)
    page.goto(f"{base}/pregnancy/")
    expect(page.locator("#pregnancy-form")).to_be_visible()
    axe_check(page)
    page.fill("#id_lmp", lmp.isoformat())
    page.fill("#id_height_cm", "162")
    page.fill("#id_pre_pregnancy_weight_kg", "55")
    page.click("#pregnancy-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.locator("[data-testid=ga]")).to_have_text("14+2")
    expect(page.locator("[data-testid=edd]")).to_have_text((lmp + timedelta(days=280)).isoformat())
    axe_check(page)

    pregnancy = Pregnancy.objects.get(woman=woman)
    assert pregnancy.status == PregnancyStatus.CURRENT
    assert pregnancy.dating_method == DatingMethod.LMP == "lmp"
    assert pregnancy.lmp == lmp
    assert pregnancy.edd == lmp + timedelta(days=280)
    assert pregnancy.height_cm == Decimal("162.0")
    assert pregnancy.pre_pregnancy_weight_kg == Decimal("55.0")
    signed = ConsentSignature.objects.filter(user=woman, withdrawn_at__isnull=True)
    assert sorted(s.document_id for s in signed) == sorted(d.pk for d in current)
    created = AuditEvent.objects.filter(
        action="create", object_type="pregnancy", object_id=str(pregnancy.public_id)
    )
    assert [e.actor_id for e in created] == [woman.pk]

    screenshot(page, "woman-home.png")


def test_clinician_signs_in_with_totp_and_opens_her_overview(
    live_server: Any, open_page: OpenPage
) -> None:
    base = live_server.url
    clinic = clinic_create()
    doctor = clinician_create(clinic, username="dr_wang_b", name="王芳", n=1)
    today = timezone.localdate()
    woman = woman_ready_create(
        name="陈思",
        phone="13900000002",
        birth=date(timezone.localdate().year - 36, 7, 21),  # 35 or 36
        lmp=today - timedelta(weeks=20, days=3),
    )
    care_team_assign(actor=clinic.head, woman=woman, member=doctor.user, responsible=True)
    page = open_page(viewport=DESKTOP_VIEWPORT)

    # A wrong one-time code with the right password: refused, still on the sign-in page.
    staff_sign_in(page, base, username="dr_wang_b", token=totp_wrong(doctor.device))
    expect(page.locator("#staff-login .alert-error")).to_have_count(1)
    assert page.url == f"{base}/accounts/staff/login/"
    axe_check(page)
    doctor.user.refresh_from_db()
    assert doctor.user.failed_login_count == 1
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    doctor.device.refresh_from_db()
    assert doctor.device.throttling_failure_count == 1

    # The right code, typed again after django-otp's throttle delay (1 s after one failure):
    # the clock is moved on for the server and the code alike instead of sleeping.
    with time_machine.travel(timezone.now() + OTP_THROTTLE_WAIT, tick=True):
        staff_sign_in(page, base, username="dr_wang_b", token=totp_now(doctor.device))
        page.wait_for_url(f"{base}/clinic/")
    expect(page.locator("[data-testid=practice-blockers]")).to_have_count(0)
    overview_url = f"/clinic/patients/{woman.public_id}/"
    row = page.locator("table.table tbody tr").filter(has=page.locator(f"a[href='{overview_url}']"))
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("陈思")
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    axe_check(page)

    row.locator(f"a[href='{overview_url}']").click()
    page.wait_for_url(f"{base}{overview_url}")
    expect(page.locator("[data-testid=patient-name]")).to_have_text("陈思")
    expect(page.locator("[data-testid=ga]")).to_have_text("20+3")
    axe_check(page)
    assert (
        AuditEvent.objects.filter(
            action="read",
            object_type="patient_overview",
            object_id=str(woman.public_id),
            actor=doctor.user,
        ).count()
        == 1
    )

    screenshot(page, "clinician-overview.png")


def test_other_clinician_cannot_open_the_overview(live_server: Any, open_page: OpenPage) -> None:
    base = live_server.url
    clinic = clinic_create()
    doctor = clinician_create(clinic, username="dr_wang_b", name="王芳", n=1)
    other = clinician_create(clinic, username="dr_zhang_b", name="张敏", n=2)
    woman = woman_ready_create(
        name="陈思",
        phone="13900000002",
        birth=date(timezone.localdate().year - 36, 7, 21),  # 35 or 36
        lmp=timezone.localdate() - timedelta(weeks=20, days=3),
    )
    care_team_assign(actor=clinic.head, woman=woman, member=doctor.user, responsible=True)
    page = open_page(viewport=DESKTOP_VIEWPORT)

    staff_sign_in(page, base, username="dr_zhang_b", token=totp_now(other.device))
    page.wait_for_url(f"{base}/clinic/")
    expect(page.locator("table.table tbody tr td.empty")).to_have_count(1)
    expect(page.locator("a[href^='/clinic/patients/']")).to_have_count(0)
    axe_check(page)

    overview_url = f"{base}/clinic/patients/{woman.public_id}/"
    response = page.goto(overview_url)
    assert response is not None
    assert response.status == 404
    expect(page.locator("[data-testid=patient-name]")).to_have_count(0)
    axe_check(page)
    assert "陈思" not in page.content()
    assert not AuditEvent.objects.filter(
        action="read", object_type="patient_overview", actor=other.user
    ).exists()
