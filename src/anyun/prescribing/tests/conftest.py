"""A consultation to prescribe in: her clinician received her booking; a pharmacist, another
woman, a clinician outside her team and a nurse on it are around."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun.accounts.models import Role, User
from anyun.assessment.services import GradingInput, grading_record
from anyun.careteam.services import care_team_assign
from anyun.consultation.models import Consultation
from anyun.consultation.services import consultation_open
from anyun.pregnancy.selectors import current_pregnancy_of
from anyun.prescribing import services
from anyun.prescribing.models import Prescription
from anyun.scheduling import services as scheduling


@dataclass
class World:
    clinician: User
    head: User
    nurse: User
    outsider: User
    pharmacist: User
    woman: User
    other_woman: User
    consultation: Consultation


def totp_now(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def seen_in_person(woman: User, *, head: User, visit: User) -> None:
    care_team_assign(actor=head, woman=woman, member=visit, responsible=True)
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    grading_record(
        actor=visit,
        pregnancy=pregnancy,
        data=GradingInput(answers={}, entered={}, diagnoses=[], note="first visit"),
    )


def consultation_for(
    world_head: User, clinician: User, woman: User, starts_at: datetime
) -> Consultation:
    profile = clinician.clinician_profile
    appointment, _ = scheduling.appointment_book(
        woman=woman, department=profile.department, clinician=profile, starts_at=starts_at
    )
    care_team_assign(actor=world_head, woman=woman, member=clinician)
    return consultation_open(
        woman=woman,
        clinician=clinician,
        reference=f"test:{appointment.public_id}",
        appointment=appointment,
    )


@pytest.fixture
def world(
    make_clinician: Callable[..., User], make_woman: Callable[..., User], tomorrow: datetime
) -> World:
    # Transactional tests flush every table afterwards, migration data included: make sure the
    # formulary the data migration loads is there.
    importlib.import_module("anyun.prescribing.migrations.0002_prenatal_formulary").load(
        django_apps, None
    )
    head = make_clinician(head=True)
    clinician = make_clinician()
    visit = make_clinician()
    nurse = make_clinician(Role.NURSE)
    outsider = make_clinician()
    pharmacist = make_clinician(Role.PHARMACIST)
    profile = clinician.clinician_profile
    for weekday in range(7):
        scheduling.schedule_rule_add(
            actor=clinician,
            department=profile.department,
            clinician=profile,
            weekday=weekday,
            start=time(9),
            end=time(11),
            slot_minutes=30,
            capacity=1,
        )
    woman = make_woman(pregnant_weeks=20)
    other = make_woman(pregnant_weeks=24)
    seen_in_person(woman, head=head, visit=visit)
    seen_in_person(other, head=head, visit=visit)
    care_team_assign(actor=head, woman=woman, member=nurse)
    starts = timezone.localtime(tomorrow).replace(hour=9)
    consultation = consultation_for(head, clinician, woman, starts)
    return World(clinician, head, nurse, outsider, pharmacist, woman, other, consultation)


def line(drug: str = "folic_acid_0_4", **kw: Any) -> services.LineInput:
    values: dict[str, Any] = {"dose": "1 tablet", "frequency": "qd", "days": 7, "quantity": 7}
    values.update(kw)
    return services.LineInput(drug=drug, **values)


def data(*lines: services.LineInput, **kw: Any) -> services.PrescriptionInput:
    kw.setdefault("diagnosis", "Pregnancy 20 weeks, routine supplementation")
    return services.PrescriptionInput(lines=list(lines) or [line()], **kw)


def draft(world: World, *lines: services.LineInput, **kw: Any) -> Prescription:
    return services.prescription_create(
        actor=world.clinician,
        consultation_id=world.consultation.public_id,
        data=data(*lines, **kw),
    )


def signed(world: World, *lines: services.LineInput, **kw: Any) -> Prescription:
    reason = kw.pop("warning_reason", "")
    prescription = draft(world, *lines, **kw)
    return services.prescription_sign(
        actor=world.clinician,
        prescription_id=prescription.public_id,
        otp_token=totp_now(world.clinician),
        warning_reason=reason,
    )


def later(time_machine: Any, seconds: int = 31) -> None:
    """Forward past the TOTP step: a one-time code is never accepted twice."""
    time_machine.move_to(timezone.now() + timedelta(seconds=seconds), tick=False)
