"""Reads of consultations. A consultation is seen by her and by the clinician who received
her while that clinician may see her (care access, `careteam.selectors`); anyone else gets
the same NotFound as for a consultation that does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from anyun.accounts.models import CLINICAL_ROLES, Role, User
from anyun.careteam.selectors import access_woman
from anyun.clinical.icd10 import diagnosis_of
from anyun.consultation.models import (
    Consultation,
    ConsultationRecord,
    Message,
    PreConsultation,
    RecordStatus,
)
from anyun.core.errors import NotFound
from anyun.monitoring import selectors as monitoring_selectors
from anyun.monitoring.models import Alarm, Reading
from anyun.pregnancy import selectors as pregnancy_selectors
from anyun.pregnancy.models import ExamReport, Pregnancy
from anyun.scheduling.models import Appointment, QueueEntry
from anyun.staff.selectors import clinician_for

HISTORY_PAGE = 200


def _consultations() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("woman", "clinician", "department", "pre")


def consultation_for(user: Any, public_id: UUID | str) -> Consultation:
    """The consultation if `user` is her, or the clinician who received her and may still see
    her; NotFound otherwise (missing and not-yours alike)."""
    if user is None or not user.is_authenticated:
        raise NotFound()
    try:
        found = _consultations().get(public_id=public_id)
    except (Consultation.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc
    if user.role == Role.WOMAN:
        if found.woman_id != user.pk:
            raise NotFound()
        return found
    if user.role in CLINICAL_ROLES and found.clinician_id == user.pk:
        access_woman(user=user, woman_public_id=found.woman.public_id)
        return found
    raise NotFound()


def side_of(consultation: Consultation, user: Any) -> str:
    return "woman" if user.pk == consultation.woman_id else "clinician"


def consultations_of_woman(woman: User) -> list[Consultation]:
    return list(_consultations().filter(woman=woman).order_by("-opened_at"))


def consultations_of_clinician(user: User, *, open_only: bool = False) -> list[Consultation]:
    rows = _consultations().filter(clinician=user)
    if open_only:
        rows = rows.filter(status="open")
    return list(rows.order_by("-opened_at")[:HISTORY_PAGE])


def messages_since(consultation: Consultation, after: int = 0) -> list[Message]:
    return list(
        Message.objects.filter(consultation=consultation, id__gt=max(after, 0))
        .select_related("sender")
        .order_by("id")[:HISTORY_PAGE]
    )


def pre_of_request(
    *, appointment: Appointment | None = None, queue_entry: QueueEntry | None = None
) -> PreConsultation | None:
    if appointment is not None:
        return PreConsultation.objects.filter(appointment=appointment).first()
    if queue_entry is not None:
        return PreConsultation.objects.filter(queue_entry=queue_entry).first()
    return None


def pre_readings(pre: PreConsultation) -> list[Reading]:
    ids = [int(i) for i in pre.readings if isinstance(i, int)]
    return list(Reading.objects.filter(pk__in=ids).order_by("kind", "-measured_at"))


@dataclass
class SidePanel:
    """What the clinician sees beside the conversation (FB-5, IMP-1)."""

    pregnancy: Pregnancy | None
    summary: Any
    diagnoses: list[Any]
    latest: list[Reading]
    alarms: list[Alarm]
    previous: list[Consultation]
    reports: list[ExamReport]
    history: list[Any] = field(default_factory=list)


def side_panel(consultation: Consultation) -> SidePanel:
    """Her record through the other apps' selectors (the caller has checked access)."""
    woman = consultation.woman
    pregnancy = pregnancy_selectors.current_pregnancy_of(woman)
    summary = pregnancy_selectors.pregnancy_summary(pregnancy) if pregnancy else None
    return SidePanel(
        pregnancy=pregnancy,
        summary=summary,
        diagnoses=list(pregnancy_selectors.diagnoses_open(pregnancy)) if pregnancy else [],
        latest=list(monitoring_selectors.latest_by_kind(woman).values()),
        alarms=list(monitoring_selectors.alarms_of(woman, open_only=True)[:10]),
        previous=[
            c
            for c in _consultations().filter(woman=woman).order_by("-opened_at")[:10]
            if c.pk != consultation.pk
        ],
        reports=list(
            ExamReport.objects.filter(pregnancy__woman=woman).order_by("-created_at")[:10]
        ),
        history=list(pregnancy_selectors.history_of(woman)),
    )


def records_of(consultation: Consultation) -> list[ConsultationRecord]:
    return list(consultation.records.select_related("written_by").order_by("version"))


def record_draft_of(consultation: Consultation) -> ConsultationRecord | None:
    return consultation.records.filter(status=RecordStatus.DRAFT).first()


def record_in_force(consultation: Consultation) -> ConsultationRecord | None:
    return consultation.records.filter(status=RecordStatus.SIGNED).order_by("-version").first()


def diagnosis_rows(record: ConsultationRecord) -> list[tuple[str, str]]:
    rows = []
    for code in record.diagnoses:
        found = diagnosis_of(str(code))
        rows.append((str(code), found.name_zh if found else ""))
    return rows


def overdue_records_for_head(user: User) -> list[Consultation]:
    """The department head's list of records past 24 hours (SUM-1)."""
    profile = clinician_for(user)
    if profile is None or not profile.is_department_head:
        return []
    return list(
        _consultations()
        .filter(
            department_id=profile.department_id,
            record_signed_at__isnull=True,
            record_overdue_at__isnull=False,
        )
        .order_by("record_due_at")
    )


def records_open_for(user: User) -> list[Consultation]:
    """The clinician's ended consultations whose record is not yet signed."""
    return list(
        _consultations()
        .filter(clinician=user, record_signed_at__isnull=True, record_due_at__isnull=False)
        .order_by("record_due_at")
    )
