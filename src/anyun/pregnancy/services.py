"""Pregnancy-record use cases. Dating decisions come from `anyun.clinical.dating`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.audit.services import audit_record
from anyun.clinical import anthropometry, dating
from anyun.clinical.errors import ClinicalValueError
from anyun.core.errors import DomainError, PermissionDenied
from anyun.core.inputs import text_within
from anyun.core.messages import clinical_message
from anyun.core.uploads import DOCUMENT_TYPES, check_upload, stored_files_removed_on_failure
from anyun.pregnancy.models import (
    HISTORY_TEXT_MAX_LENGTH,
    MAX_FETUSES,
    MAX_GRAVIDITY,
    MAX_PARITY,
    REPORT_TITLE_MAX_LENGTH,
    DatingMethod,
    DeliveryMode,
    DiagnosisCode,
    ExamReport,
    Pregnancy,
    PregnancyDiagnosis,
    PregnancyOutcome,
    PregnancyRevision,
    PregnancyStatus,
    PreviousPregnancy,
)
from anyun.pregnancy.selectors import diagnoses_open, woman_gate
from anyun.pregnancy.signals import diagnoses_changed
from anyun.staff.selectors import require_online_practice

MAX_GA_DAYS = 44 * 7
EARLIEST_EXAM_DATE = dt.date(1900, 1, 1)  # when no birth date is on record


@dataclass
class PregnancyInput:
    """What the woman or her clinician enters. Omitted values stay as they were on update."""

    lmp: dt.date | None = None
    cycle_length_days: int = 28
    scan_date: dt.date | None = None
    scan_crl_mm: Decimal | None = None
    scan_ga_weeks: int | None = None
    scan_ga_days: int | None = None
    gravidity: int = 1
    parity: int = 0
    height_cm: Decimal | None = None
    pre_pregnancy_weight_kg: Decimal | None = None
    fetus_count: int | None = None  # None: not yet known
    art_conception: bool | None = None  # None: not known; False: natural; True: ART
    allergies: str = ""
    chronic_conditions: str = ""
    previous_surgeries: str = ""
    family_history: str = ""


def _clinical(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ClinicalValueError as exc:
        raise DomainError(exc.code, clinical_message(exc), field=exc.field) from exc


def _derive(data: PregnancyInput, *, today: dt.date) -> dict[str, Any]:
    """Validate the input and compute the dating fields stored with the record."""
    if data.lmp is not None:
        _clinical(dating.validate_lmp, data.lmp, today=today)
    lmp_edd = (
        _clinical(dating.edd_from_lmp, data.lmp, cycle_length_days=data.cycle_length_days)
        if data.lmp
        else None
    )
    us_edd = None
    ga_at_scan: dating.GestationalAge | None = None
    if data.scan_date is not None:
        if data.scan_crl_mm is not None:
            ga_at_scan = dating.GestationalAge(
                _clinical(dating.ga_days_from_crl, float(data.scan_crl_mm))
            )
        elif data.scan_ga_weeks is not None:
            ga_at_scan = _clinical(
                dating.GestationalAge.from_weeks_days, data.scan_ga_weeks, data.scan_ga_days or 0
            )
        else:
            raise DomainError(
                "scan_ga_missing",
                _("Give the crown-rump length or the gestational age reported on the scan."),
                field="scan_crl_mm",
            )
        _clinical(dating.validate_scan, data.scan_date, ga_at_scan, today=today)
        us_edd = dating.edd_from_ultrasound(data.scan_date, ga_at_scan)
    chosen = _clinical(
        dating.choose_dating, lmp_edd=lmp_edd, ultrasound_edd=us_edd, ga_at_scan=ga_at_scan
    )
    ga_today = dating.PREGNANCY_LENGTH_DAYS - (chosen.edd - today).days
    if ga_today > MAX_GA_DAYS:
        raise DomainError(
            "pregnancy_too_long",
            _("By these dates she would be past 44 weeks: check the dates."),
            field="scan_date" if chosen.method == "ultrasound" else "lmp",
        )
    if ga_today < 0:
        raise DomainError(
            "pregnancy_not_started",
            _("By these dates the pregnancy has not started yet: check the dates."),
            field="scan_date",
        )
    if not 1 <= data.gravidity <= MAX_GRAVIDITY:
        raise DomainError(
            "gravidity_range",
            _("Pregnancies including this one: enter 1 to %(max)s.") % {"max": MAX_GRAVIDITY},
            field="gravidity",
        )
    if data.parity > MAX_PARITY:
        raise DomainError(
            "parity_range",
            _("Earlier births: enter 0 to %(max)s.") % {"max": MAX_PARITY},
            field="parity",
        )
    if data.fetus_count is not None and not 1 <= data.fetus_count <= MAX_FETUSES:
        raise DomainError(
            "fetus_count_range",
            _("Number of fetuses: enter 1 to %(max)s, or leave it empty if not yet known.")
            % {"max": MAX_FETUSES},
            field="fetus_count",
        )
    for name in ("allergies", "chronic_conditions", "previous_surgeries", "family_history"):
        if len(getattr(data, name) or "") > HISTORY_TEXT_MAX_LENGTH:
            raise DomainError(
                "text_too_long",
                _("Keep this to %(max)s characters.") % {"max": HISTORY_TEXT_MAX_LENGTH},
                field=name,
            )
    if data.gravidity < 1 or not 0 <= data.parity < data.gravidity:
        raise DomainError(
            "parity_exceeds_gravidity",
            _("Parity counts earlier births, so it must be less than gravidity."),
            field="parity",
        )
    if data.height_cm is not None:
        _clinical(anthropometry.validate_height_cm, float(data.height_cm))
    if data.pre_pregnancy_weight_kg is not None:
        _clinical(anthropometry.validate_weight_kg, float(data.pre_pregnancy_weight_kg))
    return {
        "lmp": data.lmp,
        "cycle_length_days": data.cycle_length_days,
        "scan_date": data.scan_date,
        "scan_crl_mm": data.scan_crl_mm if data.scan_date else None,
        "scan_ga_days": ga_at_scan.days if ga_at_scan else None,
        "edd": chosen.edd,
        "dating_method": DatingMethod(chosen.method),
        "lmp_edd": lmp_edd,
        "ultrasound_edd": us_edd,
        "gravidity": data.gravidity,
        "parity": data.parity,
        "height_cm": data.height_cm,
        "pre_pregnancy_weight_kg": data.pre_pregnancy_weight_kg,
        "fetus_count": data.fetus_count,
        "art_conception": data.art_conception,
        "allergies": data.allergies.strip(),
        "chronic_conditions": data.chronic_conditions.strip(),
        "previous_surgeries": data.previous_surgeries.strip(),
        "family_history": data.family_history.strip(),
    }


def _require_writer(*, actor: User, woman: User) -> None:
    """The woman herself or a member of her care team (checked by the caller's access_woman)."""
    if actor.pk != woman.pk and actor.role not in {Role.CLINICIAN, Role.NURSE}:
        raise PermissionDenied("not_allowed", _("You cannot change this record."))
    if actor.role in {Role.CLINICIAN, Role.NURSE}:
        require_online_practice(actor)
    require_woman_ready(woman)


def require_woman_ready(woman: User) -> None:
    """Verified identity and every current consent signed, else PermissionDenied."""
    woman_gate(woman).require_ready()


def pregnancy_open(
    *, actor: User, woman: User, data: PregnancyInput, request: Any = None
) -> Pregnancy:
    """Open her current pregnancy. Refused while another one is current."""
    _require_writer(actor=actor, woman=woman)
    values = _derive(data, today=timezone.localdate())
    try:
        with transaction.atomic():
            pregnancy = Pregnancy.objects.create(
                woman=woman, created_by=actor, updated_by=actor, **values
            )
            audit_record(
                actor=actor,
                action="create",
                object_type="pregnancy",
                object_id=pregnancy.public_id,
                subject=woman,
                request=request,
            )
    except IntegrityError as exc:
        raise DomainError(
            "pregnancy_already_current",
            _("There is already a current pregnancy. Close it before opening a new one."),
        ) from exc
    return pregnancy


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def pregnancy_update(
    *,
    actor: User,
    pregnancy: Pregnancy,
    data: PregnancyInput,
    reason: str = "",
    request: Any = None,
) -> Pregnancy:
    """Change the record; every changed field is kept in a revision with who and when."""
    _require_writer(actor=actor, woman=pregnancy.woman)
    if pregnancy.status != PregnancyStatus.CURRENT:
        raise DomainError("pregnancy_ended", _("An ended pregnancy cannot be changed."))
    values = _derive(data, today=timezone.localdate())
    with transaction.atomic():
        locked = Pregnancy.objects.select_for_update().get(pk=pregnancy.pk)
        if locked.status != PregnancyStatus.CURRENT:  # closed meanwhile
            raise DomainError("pregnancy_ended", _("An ended pregnancy cannot be changed."))
        changes = {
            name: [_jsonable(getattr(locked, name)), _jsonable(value)]
            for name, value in values.items()
            if _jsonable(getattr(locked, name)) != _jsonable(value)
        }
        if not changes:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_by = actor
        locked.save()
        PregnancyRevision.objects.create(
            pregnancy=locked,
            changed_by=actor,
            changes=changes,
            reason=text_within(reason, 500, field="reason"),
        )
        audit_record(
            actor=actor,
            action="update",
            object_type="pregnancy",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={"fields": sorted(changes)},
        )
    return locked


def pregnancy_close(
    *, actor: User, pregnancy: Pregnancy, ended_on: dt.date, outcome: str, request: Any = None
) -> Pregnancy:
    _require_writer(actor=actor, woman=pregnancy.woman)
    if ended_on > timezone.localdate():
        raise DomainError(
            "end_in_future", _("The end date cannot be in the future."), field="ended_on"
        )
    with transaction.atomic():
        updated = Pregnancy.objects.filter(pk=pregnancy.pk, status=PregnancyStatus.CURRENT).update(
            status=PregnancyStatus.ENDED,
            ended_on=ended_on,
            end_reason=outcome[:200],
            updated_by=actor,
        )
        if updated:
            PregnancyRevision.objects.create(
                pregnancy=pregnancy,
                changed_by=actor,
                changes={"status": ["current", "ended"], "ended_on": [None, str(ended_on)]},
            )
            audit_record(
                actor=actor,
                action="close",
                object_type="pregnancy",
                object_id=pregnancy.public_id,
                subject=pregnancy.woman,
                request=request,
            )
    pregnancy.refresh_from_db()
    return pregnancy


def previous_pregnancy_add(
    *,
    actor: User,
    woman: User,
    year: int,
    outcome: str,
    delivery_mode: str = "",
    gestational_weeks: int | None = None,
    complications: str = "",
    request: Any = None,
) -> PreviousPregnancy:
    _require_writer(actor=actor, woman=woman)
    if outcome not in PregnancyOutcome.values:
        raise DomainError("outcome_invalid", _("Choose an outcome from the list."), field="outcome")
    if delivery_mode not in DeliveryMode.values:
        raise DomainError(
            "delivery_mode_invalid",
            _("Choose a mode of birth from the list."),
            field="delivery_mode",
        )
    this_year = timezone.localdate().year
    profile = getattr(woman, "woman_profile", None)
    first_year = profile.birth_date.year + 10 if profile and profile.birth_date else 1950
    if not first_year <= year <= this_year:
        raise DomainError(
            "year_range",
            _("The year must be between %(first)d and %(last)d.")
            % {"first": first_year, "last": this_year},
            field="year",
        )
    if gestational_weeks is not None and not 4 <= gestational_weeks <= 44:
        raise DomainError(
            "weeks_range", _("The weeks must be between 4 and 44."), field="gestational_weeks"
        )
    with transaction.atomic():
        entry = PreviousPregnancy.objects.create(
            woman=woman,
            year=year,
            outcome=outcome,
            delivery_mode=delivery_mode,
            gestational_weeks=gestational_weeks,
            complications=text_within(complications, 500, field="complications"),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="previous_pregnancy",
            object_id=entry.public_id,
            subject=woman,
            request=request,
        )
    return entry


def report_upload(
    *,
    actor: User,
    pregnancy: Pregnancy,
    upload: UploadedFile,
    title: str,
    exam_date: dt.date | None = None,
    request: Any = None,
) -> ExamReport:
    """Store an exam report after checking its content (image or PDF) and size."""
    _require_writer(actor=actor, woman=pregnancy.woman)
    mime = check_upload(upload, allowed=DOCUMENT_TYPES, field="file")
    if exam_date and exam_date > timezone.localdate():
        raise DomainError(
            "exam_in_future", _("The exam date cannot be in the future."), field="exam_date"
        )
    birth = getattr(getattr(pregnancy.woman, "woman_profile", None), "birth_date", None)
    if exam_date and exam_date < (birth or EARLIEST_EXAM_DATE):
        raise DomainError(
            "exam_before_birth",
            _("The exam date is before her birth: check it."),
            field="exam_date",
        )
    title = (title or "").strip() or str(_("Exam report"))
    if len(title) > REPORT_TITLE_MAX_LENGTH:
        raise DomainError(
            "text_too_long",
            _("Keep this to %(max)s characters.") % {"max": REPORT_TITLE_MAX_LENGTH},
            field="title",
        )
    report = ExamReport(
        pregnancy=pregnancy,
        title=title,
        exam_date=exam_date,
        content_type=mime,
        size_bytes=upload.size or 0,
        uploaded_by=actor,
    )
    with stored_files_removed_on_failure(report.file.storage) as stored, transaction.atomic():
        report.file.save("report", upload, save=False)
        stored.append(report.file.name)
        report.save()
        _audit_upload(actor=actor, report=report, pregnancy=pregnancy, request=request)
    return report


def _audit_upload(*, actor: User, report: ExamReport, pregnancy: Pregnancy, request: Any) -> None:
    audit_record(
        actor=actor,
        action="upload",
        object_type="exam_report",
        object_id=report.public_id,
        subject=pregnancy.woman,
        request=request,
    )


def input_from_pregnancy(pregnancy: Pregnancy) -> PregnancyInput:
    """The current values as input, for partial updates."""
    names = {f.name for f in fields(PregnancyInput)}
    values = {n: getattr(pregnancy, n) for n in names if hasattr(pregnancy, n)}
    ga = pregnancy.scan_ga_days
    if pregnancy.scan_crl_mm is None and ga is not None:
        values["scan_ga_weeks"], values["scan_ga_days"] = divmod(ga, 7)
    else:
        values["scan_ga_weeks"], values["scan_ga_days"] = None, None
    return PregnancyInput(**values)


def input_merge(base: PregnancyInput, changes: dict[str, Any]) -> PregnancyInput:
    merged = asdict(base)
    merged.update({k: v for k, v in changes.items() if k in merged})
    return PregnancyInput(**merged)


def diagnoses_set(
    *,
    actor: User,
    pregnancy: Pregnancy,
    codes: Iterable[str],
    request: Any = None,
) -> list[PregnancyDiagnosis]:
    """Record her known conditions: each code not yet open is added (one open row per code);
    codes already open stay as they are. Unknown codes are refused (``diagnosis_invalid``).
    A clinician (or nurse) of her care team only; audited. Returns the rows added."""
    _require_clinical_writer(actor)
    wanted = list(dict.fromkeys(codes))
    for code in wanted:
        if code not in DiagnosisCode.values:
            raise DomainError(
                "diagnosis_invalid", _("Choose a diagnosis from the list."), field="diagnoses"
            )
    added: list[PregnancyDiagnosis] = []
    with transaction.atomic():
        open_codes = set(diagnoses_open(pregnancy).values_list("code", flat=True))
        for code in wanted:
            if code in open_codes:
                continue
            row = PregnancyDiagnosis.objects.create(
                pregnancy=pregnancy, code=code, recorded_by=actor
            )
            added.append(row)
            audit_record(
                actor=actor,
                action="create",
                object_type="pregnancy_diagnosis",
                object_id=row.public_id,
                subject=pregnancy.woman,
                request=request,
                detail={"code": code},
            )
        if added:
            diagnoses_changed.send(
                sender=PregnancyDiagnosis,
                pregnancy=pregnancy,
                added=[row.code for row in added],
                ended=[],
            )
    return added


def diagnosis_end(
    *, actor: User, pregnancy: Pregnancy, code: str, request: Any = None
) -> PregnancyDiagnosis:
    """End her open diagnosis `code` (kept, never deleted). Not open: ``diagnosis_not_open``."""
    _require_clinical_writer(actor)
    with transaction.atomic():
        row = (
            PregnancyDiagnosis.objects.select_for_update()
            .filter(pregnancy=pregnancy, code=code, ended_at__isnull=True)
            .first()
        )
        if row is None:
            raise DomainError(
                "diagnosis_not_open", _("This diagnosis is not on her record."), field="code"
            )
        row.ended_at = timezone.now()
        row.ended_by = actor
        row.save(update_fields=("ended_at", "ended_by", "updated_at"))
        audit_record(
            actor=actor,
            action="update",
            object_type="pregnancy_diagnosis",
            object_id=row.public_id,
            subject=pregnancy.woman,
            request=request,
            detail={"code": code, "ended": True},
        )
        diagnoses_changed.send(
            sender=PregnancyDiagnosis, pregnancy=pregnancy, added=[], ended=[code]
        )
    return row


def _require_clinical_writer(actor: User) -> None:
    if actor.role not in {Role.CLINICIAN, Role.NURSE}:
        raise PermissionDenied("not_allowed", _("You cannot change this record."))
    require_online_practice(actor)
