"""Consultation use cases: opened when scheduling receives her; what she says before it; the
conversation; calls; ending and referral; the record with its deadline; follow-up booking;
her rating. Each is one transaction, audited in it; live events go out after commit."""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.assessment.selectors import suitability_decision_due
from anyun.audit.services import audit_record
from anyun.clinical.alarms import Grade
from anyun.clinical.icd10 import diagnosis_of
from anyun.clinical.red_flags import flag_of, grade_symptoms
from anyun.clinical.signs import SignKind
from anyun.consultation import selectors
from anyun.consultation.models import (
    CLIENT_ID_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    MAX_PHOTOS,
    MESSAGE_MAX_LENGTH,
    QUESTIONS_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RECORD_TEXT_MAX_LENGTH,
    Call,
    Consultation,
    ConsultationRecord,
    ConsultationStatus,
    Message,
    MessageKind,
    PreConsultation,
    PreConsultationPhoto,
    Rating,
    RecordStatus,
    ReferralUrgency,
)
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, check_upload
from anyun.monitoring import selectors as monitoring_selectors
from anyun.monitoring.display import reading_value, symptom_list
from anyun.monitoring.models import SIGN_LABELS, Alarm
from anyun.monitoring.services import ReadingInput, RecordResult, readings_record
from anyun.notify.services import notification_send
from anyun.scheduling import services as scheduling
from anyun.scheduling.models import Appointment, AppointmentStatus, QueueEntry, QueueStatus
from anyun.staff.selectors import clinician_for, department_heads

# The record is finished within 24 hours of the end (SUM-1); the clinician is warned at 20.
RECORD_WARN_AFTER = timedelta(hours=20)
RECORD_DUE_AFTER = timedelta(hours=24)
STOPPING_GRADES = frozenset({Grade.URGENT, Grade.ATTENTION})
SWEEP_BATCH = 500


def group_name(consultation: Consultation) -> str:
    """The channel-layer group of a consultation's open sockets."""
    return f"consultation.{consultation.public_id.hex}"


def _broadcast(consultation: Consultation, event: dict[str, Any]) -> None:
    """Send to the consultation's sockets once the transaction commits."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = group_name(consultation)

    def send() -> None:
        async_to_sync(layer.group_send)(group, event)

    transaction.on_commit(send)


def _tell(recipient: User, *, kind: str, title: Any, body: Any, link: str) -> None:
    if not recipient.is_active:
        return
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        notification_send(
            recipient=recipient, kind=kind, title=str(title), body=str(body), link=link
        )


def link_of(consultation: Consultation) -> str:
    return f"/consultation/{consultation.public_id}/"


def _text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("required", _("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(
            "text_too_long",
            _("Keep this to %(max)s characters.") % {"max": limit},
            field=field,
        )
    if "\x00" in text:
        raise DomainError(
            "text_invalid", _("This text contains characters that cannot be stored."), field=field
        )
    return text


# --- opening -------------------------------------------------------------------------------


def consultation_open(
    *,
    woman: User,
    clinician: User,
    reference: str,
    appointment: Appointment | None = None,
    queue_entry: QueueEntry | None = None,
) -> Consultation:
    """Open the consultation of a received request (called inside scheduling's receiving
    transaction through `request_received`). One per request: a repeat returns it."""
    existing = Consultation.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    department = (
        appointment.department if appointment is not None else queue_entry.department  # type: ignore[union-attr]
    )
    now = timezone.now()
    with transaction.atomic():
        consultation = Consultation.objects.create(
            woman=woman,
            clinician=clinician,
            department=department,
            reference=reference,
            appointment=appointment,
            queue_entry=queue_entry,
            pre=selectors.pre_of_request(appointment=appointment, queue_entry=queue_entry),
            opened_at=now,
        )
        audit_record(
            actor=clinician,
            action="consultation_open",
            object_type="consultation",
            object_id=consultation.public_id,
            subject=woman,
            detail={"reference": reference},
        )
        _tell(
            woman,
            kind="consultation_opened",
            title=_("Your consultation has started"),
            body=_("Your clinician is ready. Open the consultation to talk."),
            link=link_of(consultation),
        )
    return consultation


def consultation_read(*, user: Any, consultation_id: Any, request: Any = None) -> Consultation:
    """Open a consultation for reading (access checked, audited)."""
    consultation = selectors.consultation_for(user, consultation_id)
    audit_record(
        actor=user,
        action="consultation_read",
        object_type="consultation",
        object_id=consultation.public_id,
        subject=consultation.woman,
        request=request,
    )
    return consultation


# --- pre-consultation ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreOutcome:
    pre: PreConsultation
    alarms: list[Alarm]
    reported: RecordResult | None = None


def _request_of(
    woman: User, *, appointment_id: Any = None, queue_entry_id: Any = None
) -> tuple[Appointment | None, QueueEntry | None]:
    if appointment_id is not None:
        appointment = Appointment.objects.filter(public_id=appointment_id, woman=woman).first()
        if appointment is None:
            raise NotFound()
        if appointment.status != AppointmentStatus.BOOKED:
            raise DomainError(
                "request_not_waiting",
                _("This appointment is no longer waiting: it was received, cancelled or missed."),
            )
        return appointment, None
    entry = QueueEntry.objects.filter(public_id=queue_entry_id, woman=woman).first()
    if entry is None:
        raise NotFound()
    if entry.status != QueueStatus.WAITING:
        raise DomainError(
            "request_not_waiting",
            _("This request is no longer waiting: it was accepted, left or expired."),
        )
    return None, entry


def pre_consultation_submit(
    *,
    woman: User,
    appointment_id: Any = None,
    queue_entry_id: Any = None,
    questions: str,
    symptoms: Sequence[str] = (),
    photos: Sequence[UploadedFile] = (),
    request: Any = None,
) -> PreOutcome:
    """What she says before the consultation (ASM-1): her questions, photos of reports
    (checked by content and size), the symptom checklist; her latest readings are attached.

    A red flag (an urgent or attention symptom, DOMAIN section 6) stops the online flow: the
    symptoms go through monitoring's normal path (alarm graded, routed to the clinician on
    duty), she leaves the live queue (an appointment is cancelled where the rules allow), and
    the page shows her the emergency action instead of a queue place."""
    if woman.role != Role.WOMAN:
        raise PermissionDenied("not_a_woman", _("Only a woman can do this for herself."))
    appointment, entry = _request_of(
        woman, appointment_id=appointment_id, queue_entry_id=queue_entry_id
    )
    if selectors.pre_of_request(appointment=appointment, queue_entry=entry) is not None:
        raise DomainError(
            "pre_already_sent", _("You have already sent this before your consultation.")
        )
    ticked = sorted(set(symptoms))
    if any(flag_of(s) is None for s in ticked):
        raise DomainError("symptom_unknown", _("Tick the symptoms you have now."), field="symptoms")
    stopped = any(
        f.grade in STOPPING_GRADES for f in grade_symptoms(ticked, sign=SignKind.SYMPTOM_REPORT)
    )
    text = _text(questions, field="questions", limit=QUESTIONS_MAX_LENGTH, required=not stopped)
    if len(photos) > MAX_PHOTOS:
        raise DomainError(
            "too_many_photos",
            _("Attach at most %(max)s photos.") % {"max": MAX_PHOTOS},
            field="photos",
        )
    checked = [
        (photo, check_upload(photo, allowed=DOCUMENT_TYPES, field="photos")) for photo in photos
    ]
    reference = appointment.public_id if appointment else entry.public_id  # type: ignore[union-attr]
    reported: RecordResult | None = None
    if ticked:
        try:
            reported = readings_record(
                actor=woman,
                woman=woman,
                items=[ReadingInput(kind=SignKind.SYMPTOM_REPORT, symptoms=ticked)],
                idempotency_key=f"pre:{reference}",
                request=request,
            )
        except DomainError:
            # Nothing to record against (no current pregnancy or year after a birth): the
            # flow still stops and she is still told what to do now.
            reported = None
    latest = monitoring_selectors.latest_by_kind(woman)
    now = timezone.now()
    with transaction.atomic():
        pre = PreConsultation.objects.create(
            woman=woman,
            appointment=appointment,
            queue_entry=entry,
            questions=text,
            symptoms=ticked,
            readings=[r.pk for r in latest.values() if r.kind != SignKind.SYMPTOM_REPORT],
            stopped=stopped,
            reading_batch=reported.readings[0].batch if reported and reported.readings else None,
            submitted_at=now,
        )
        for photo, mime in checked:
            row = PreConsultationPhoto(
                pre=pre, content_type=mime, size_bytes=photo.size or 0, uploaded_at=now
            )
            row.file.save(str(row.public_id), photo, save=False)
            row.save()
        audit_record(
            actor=woman,
            action="pre_consultation_submit",
            object_type="pre_consultation",
            object_id=pre.public_id,
            subject=woman,
            request=request,
            detail={"stopped": stopped, "symptoms": ticked, "photos": len(checked)},
        )
    if stopped:
        if entry is not None:
            scheduling.queue_leave(woman=woman, request=request)
        elif appointment is not None:
            # Past the cut-off it stays booked: the clinic sees the stop in her summary.
            with contextlib.suppress(DomainError):
                scheduling.appointment_cancel(
                    actor=woman,
                    appointment_id=appointment.public_id,
                    reason=str(_("Warning signs: to be seen in person now")),
                    request=request,
                )
    alarms = list(reported.alarms) if reported else []
    return PreOutcome(pre=pre, alarms=alarms, reported=reported)


def pre_summary(pre: PreConsultation | None) -> dict[str, Any] | None:
    """The one-screen summary the clinician opens with."""
    if pre is None:
        return None
    readings = selectors.pre_readings(pre)
    return {
        "pre": pre,
        "questions": pre.questions,
        "symptoms": symptom_list(pre.symptoms) if pre.symptoms else "",
        "readings": [
            (str(SIGN_LABELS.get(r.kind, r.kind)), reading_value(r), r.measured_at)
            for r in readings
        ],
        "photos": list(pre.photos.all()),
        "stopped": pre.stopped,
    }


# --- the conversation ---------------------------------------------------------------------


def message_event(message: Message) -> dict[str, Any]:
    """A message as the sockets and the API carry it."""
    return {
        "id": message.id,
        "sender": message.sender.public_id.hex,
        "sender_name": str(message.sender),
        "kind": message.kind,
        "text": message.text,
        "image": f"/consultation/messages/{message.id}/image/"
        if message.kind == MessageKind.IMAGE
        else "",
        "client_id": message.client_id,
        "sent_at": message.sent_at.isoformat(),
    }


def _require_open(consultation: Consultation) -> None:
    if not consultation.is_open:
        raise DomainError(
            "consultation_closed", _("This consultation has ended; nothing more can be sent.")
        )


def _client_id(value: str) -> str:
    key = (value or "").strip()
    if len(key) > CLIENT_ID_MAX_LENGTH:
        raise DomainError(
            "client_id_invalid", _("The message id is at most 64 characters."), field="client_id"
        )
    return key or uuid.uuid4().hex


def message_post(
    *,
    actor: User,
    consultation_id: Any,
    text: str = "",
    image: IO[bytes] | None = None,
    client_id: str = "",
    request: Any = None,
) -> tuple[Message, bool]:
    """Store one message and deliver it live. Returns (message, created): the same
    `client_id` sent again (a resend after a lost connection) returns the first."""
    consultation = selectors.consultation_for(actor, consultation_id)
    key = _client_id(client_id)
    earlier = Message.objects.filter(consultation=consultation, sender=actor, client_id=key).first()
    if earlier is not None:
        return earlier, False
    _require_open(consultation)
    mime = ""
    if image is not None:
        mime = check_upload(image, allowed=IMAGE_TYPES, field="image")
        body = ""
    else:
        body = _text(text, field="text", limit=MESSAGE_MAX_LENGTH, required=True)
    try:
        with transaction.atomic():
            message = Message(
                consultation=consultation,
                sender=actor,
                kind=MessageKind.IMAGE if image is not None else MessageKind.TEXT,
                text=body,
                content_type=mime,
                client_id=key,
                sent_at=timezone.now(),
            )
            if image is not None:
                image.seek(0)
                message.image.save(key, ContentFile(image.read()), save=False)
            message.save()
            audit_record(
                actor=actor,
                action="message_post",
                object_type="consultation",
                object_id=consultation.public_id,
                subject=consultation.woman,
                request=request,
                detail={"message": message.id, "kind": message.kind},
            )
            _broadcast(consultation, {"type": "chat.message", "message": message_event(message)})
    except IntegrityError:
        earlier = Message.objects.filter(
            consultation=consultation, sender=actor, client_id=key
        ).first()
        if earlier is None:
            raise
        return earlier, False
    return message, True


def image_from_base64(data: str) -> IO[bytes]:
    """An image sent over the socket as base64: the size is checked before decoding."""
    limit = settings.ANYUN_UPLOAD_MAX_BYTES
    if not isinstance(data, str) or len(data) > (limit * 4) // 3 + 8:
        raise DomainError(
            "upload_too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)},
            field="image",
        )
    try:
        raw = base64.b64decode(data.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(
            "upload_corrupt", _("The image could not be read."), field="image"
        ) from exc
    buffer = io.BytesIO(raw)
    return buffer


def messages_read(*, actor: User, consultation_id: Any, upto: int) -> int:
    """Read receipt: `actor` has seen every message up to `upto` (never moves back)."""
    consultation = selectors.consultation_for(actor, consultation_id)
    side = selectors.side_of(consultation, actor)
    column = "woman_read_upto" if side == "woman" else "clinician_read_upto"
    newest = (
        Message.objects.filter(consultation=consultation)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )
    upto = max(0, min(int(upto), newest))
    with transaction.atomic():
        Consultation.objects.filter(pk=consultation.pk).update(
            **{column: Greatest(F(column), upto)}
        )
        value = Consultation.objects.values_list(column, flat=True).get(pk=consultation.pk)
        _broadcast(consultation, {"type": "chat.read", "side": side, "upto": value})
    return int(value)


# --- calls ---------------------------------------------------------------------------------


def call_start(*, actor: User, consultation_id: Any) -> Call:
    consultation = selectors.consultation_for(actor, consultation_id)
    _require_open(consultation)
    with transaction.atomic():
        call = Call.objects.create(
            consultation=consultation, started_by=actor, started_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="call_start",
            object_type="consultation",
            object_id=consultation.public_id,
            subject=consultation.woman,
            detail={"call": str(call.public_id)},
        )
    return call


def call_end(*, actor: User, consultation_id: Any) -> int:
    consultation = selectors.consultation_for(actor, consultation_id)
    with transaction.atomic():
        ended = Call.objects.filter(consultation=consultation, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        if ended:
            audit_record(
                actor=actor,
                action="call_end",
                object_type="consultation",
                object_id=consultation.public_id,
                subject=consultation.woman,
            )
    return ended


# --- ending and referral -------------------------------------------------------------------


def _close(
    consultation: Consultation, *, actor: User, status: str, request: Any, detail: dict[str, Any]
) -> Consultation:
    now = timezone.now()
    changed = Consultation.objects.filter(
        pk=consultation.pk, status=ConsultationStatus.OPEN
    ).update(
        status=status,
        ended_at=now,
        ended_by=actor,
        record_warn_at=now + RECORD_WARN_AFTER,
        record_due_at=now + RECORD_DUE_AFTER,
        referral_reason=detail.get("reason", ""),
        referral_urgency=detail.get("urgency", ""),
    )
    if not changed:
        raise DomainError("consultation_closed", _("This consultation has already ended."))
    Call.objects.filter(consultation=consultation, ended_at__isnull=True).update(ended_at=now)
    audit_record(
        actor=actor,
        action="consultation_end" if status == ConsultationStatus.ENDED else "consultation_refer",
        object_type="consultation",
        object_id=consultation.public_id,
        subject=consultation.woman,
        request=request,
        detail=detail,
    )
    consultation.refresh_from_db()
    _broadcast(consultation, {"type": "chat.ended", "status": status})
    return consultation


def consultation_end(*, actor: User, consultation_id: Any, request: Any = None) -> Consultation:
    """Either side ends the consultation; the clinician's record is due in 24 hours."""
    consultation = selectors.consultation_for(actor, consultation_id)
    with transaction.atomic():
        consultation = _close(
            consultation, actor=actor, status=ConsultationStatus.ENDED, request=request, detail={}
        )
        other = consultation.clinician if actor.pk == consultation.woman_id else consultation.woman
        _tell(
            other,
            kind="consultation_ended",
            title=_("Consultation ended"),
            body=_("The consultation has ended."),
            link=link_of(consultation),
        )
    return consultation


def consultation_refer(
    *, actor: User, consultation_id: Any, reason: str, urgency: str, request: Any = None
) -> Consultation:
    """The clinician converts the consultation to "go in person" with reason and urgency;
    she is told what to do, in words."""
    consultation = selectors.consultation_for(actor, consultation_id)
    if actor.pk != consultation.clinician_id:
        raise PermissionDenied(
            "not_the_clinician", _("Only her clinician can refer her in person.")
        )
    text = _text(reason, field="reason", limit=REASON_MAX_LENGTH, required=True)
    if urgency not in ReferralUrgency.values:
        raise DomainError(
            "urgency_invalid", _("Choose how soon she is to be seen."), field="urgency"
        )
    with transaction.atomic():
        consultation = _close(
            consultation,
            actor=actor,
            status=ConsultationStatus.REFERRED,
            request=request,
            detail={"reason": text, "urgency": urgency},
        )
        _tell(
            consultation.woman,
            kind="consultation_referred",
            title=_("Please be seen in person"),
            body=ReferralUrgency(urgency).label,
            link=link_of(consultation),
        )
    return consultation


# --- the record ----------------------------------------------------------------------------


@dataclass
class RecordInput:
    history: str = ""
    symptoms: str = ""
    signs: str = ""
    diagnoses: Sequence[str] = ()
    diagnosis_note: str = ""
    treatment_plan: str = ""


def record_proposal(consultation: Consultation) -> RecordInput:
    """A draft from what the session holds: her questions and the chat (history), the
    symptoms she ticked, her readings (signs), the referral (plan)."""
    pre = consultation.pre
    her_lines = [
        m.text
        for m in Message.objects.filter(
            consultation=consultation, sender=consultation.woman, kind=MessageKind.TEXT
        ).order_by("id")[:20]
    ]
    history = "\n".join(([pre.questions] if pre and pre.questions else []) + her_lines)
    signs = ""
    if pre is not None:
        signs = "\n".join(
            f"{SIGN_LABELS.get(r.kind, r.kind)}: {reading_value(r)}"
            for r in selectors.pre_readings(pre)
        )
    plan = ""
    if consultation.status == ConsultationStatus.REFERRED:
        plan = f"{ReferralUrgency(consultation.referral_urgency).label}: {consultation.referral_reason}"
    return RecordInput(
        history=history[:RECORD_TEXT_MAX_LENGTH],
        symptoms=symptom_list(pre.symptoms) if pre and pre.symptoms else "",
        signs=signs[:RECORD_TEXT_MAX_LENGTH],
        treatment_plan=plan[:RECORD_TEXT_MAX_LENGTH],
    )


def _record_fields(data: RecordInput) -> dict[str, Any]:
    codes = []
    for code in data.diagnoses:
        found = diagnosis_of(str(code))
        if found is None:
            raise DomainError(
                "diagnosis_unknown",
                _("Choose diagnoses from the list; write any other in the notes."),
                field="diagnoses",
            )
        if found.code not in codes:
            codes.append(found.code)
    return {
        "history": _text(data.history, field="history", limit=RECORD_TEXT_MAX_LENGTH),
        "symptoms": _text(data.symptoms, field="symptoms", limit=RECORD_TEXT_MAX_LENGTH),
        "signs": _text(data.signs, field="signs", limit=RECORD_TEXT_MAX_LENGTH),
        "diagnoses": codes,
        "diagnosis_note": _text(
            data.diagnosis_note, field="diagnosis_note", limit=RECORD_TEXT_MAX_LENGTH
        ),
        "treatment_plan": _text(
            data.treatment_plan, field="treatment_plan", limit=RECORD_TEXT_MAX_LENGTH
        ),
    }


def _record_writer(actor: User, consultation_id: Any) -> Consultation:
    consultation = selectors.consultation_for(actor, consultation_id)
    if actor.pk != consultation.clinician_id:
        raise PermissionDenied("not_the_clinician", _("Only her clinician writes this record."))
    if consultation.is_open:
        raise DomainError(
            "consultation_open", _("The record is written after the consultation ends.")
        )
    return consultation


def record_save(
    *,
    actor: User,
    consultation_id: Any,
    data: RecordInput,
    correction_reason: str = "",
    request: Any = None,
) -> ConsultationRecord:
    """Save the draft (the first version, or a correction of a signed one, which needs its
    reason). A signed version is never changed."""
    consultation = _record_writer(actor, consultation_id)
    fields = _record_fields(data)
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        draft = selectors.record_draft_of(consultation)
        in_force = selectors.record_in_force(consultation)
        reason = _text(correction_reason, field="correction_reason", limit=REASON_MAX_LENGTH)
        if in_force is not None and not reason and (draft is None or not draft.correction_reason):
            raise DomainError(
                "correction_reason_required",
                _("A signed record is corrected in a new version: give the reason."),
                field="correction_reason",
            )
        if draft is None:
            last = (
                consultation.records.order_by("-version").values_list("version", flat=True).first()
            )
            draft = ConsultationRecord(
                consultation=consultation, version=(last or 0) + 1, written_by=actor
            )
        for name, value in fields.items():
            setattr(draft, name, value)
        if reason:
            draft.correction_reason = reason
        draft.written_by = actor
        draft.save()
        audit_record(
            actor=actor,
            action="record_save",
            object_type="consultation_record",
            object_id=draft.public_id,
            subject=consultation.woman,
            request=request,
            detail={"version": draft.version},
        )
    return draft


def record_sign(*, actor: User, consultation_id: Any, request: Any = None) -> ConsultationRecord:
    """Sign the draft: from now on it is locked. A woman whose colour allows online care only
    with a clinician's decision at each consultation (ASM-3) has that decision recorded since
    the consultation began first, unless it ended in a referral to in-person care."""
    consultation = _record_writer(actor, consultation_id)
    now = timezone.now()
    with transaction.atomic():
        draft = selectors.record_draft_of(consultation)
        if draft is None:
            raise DomainError("record_no_draft", _("There is no draft to sign."))
        if consultation.status != ConsultationStatus.REFERRED and suitability_decision_due(
            consultation.woman, since=consultation.opened_at
        ):
            raise DomainError(
                "suitability_decision_due",
                _(
                    "Record your online-care decision for this consultation before signing: "
                    "her risk colour asks for it at each consultation."
                ),
            )
        changed = ConsultationRecord.objects.filter(pk=draft.pk, status=RecordStatus.DRAFT).update(
            status=RecordStatus.SIGNED, signed_at=now
        )
        if not changed:
            raise DomainError("record_no_draft", _("There is no draft to sign."))
        Consultation.objects.filter(pk=consultation.pk, record_signed_at__isnull=True).update(
            record_signed_at=now
        )
        audit_record(
            actor=actor,
            action="record_sign",
            object_type="consultation_record",
            object_id=draft.public_id,
            subject=consultation.woman,
            request=request,
            detail={"version": draft.version},
        )
        _tell(
            consultation.woman,
            kind="consultation_record",
            title=_("Your consultation record is ready"),
            body=_("You can read it and download it as PDF."),
            link=link_of(consultation) + "record/",
        )
    draft.refresh_from_db()
    return draft


def record_deadlines_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Periodic (SUM-1): unsigned records at 20 hours warn their clinician; at 24 hours they
    are marked overdue and the department heads are told. Set-based: one read and one update
    per step; each row once."""
    now = now or timezone.now()
    warned = 0
    overdue = 0
    with transaction.atomic():
        due_warn = list(
            Consultation.objects.filter(
                record_signed_at__isnull=True,
                record_warned_at__isnull=True,
                record_warn_at__lte=now,
            )
            .select_related("clinician")
            .order_by("record_warn_at")[:SWEEP_BATCH]
        )
        if due_warn:
            warned = Consultation.objects.filter(
                pk__in=[c.pk for c in due_warn], record_warned_at__isnull=True
            ).update(record_warned_at=now)
            for c in due_warn:
                _tell(
                    c.clinician,
                    kind="record_due_soon",
                    title=_("Consultation record due in 4 hours"),
                    body=_("Finish and sign the record of a consultation that ended 20 hours ago."),
                    link=link_of(c) + "record/",
                )
        due_over = list(
            Consultation.objects.filter(
                record_signed_at__isnull=True,
                record_overdue_at__isnull=True,
                record_due_at__lte=now,
            )
            .select_related("department")
            .order_by("record_due_at")[:SWEEP_BATCH]
        )
        if due_over:
            overdue = Consultation.objects.filter(
                pk__in=[c.pk for c in due_over], record_overdue_at__isnull=True
            ).update(record_overdue_at=now)
            heads: dict[int, list[User]] = {}
            for c in due_over:
                if c.department_id not in heads:
                    heads[c.department_id] = department_heads(department=c.department)
                for head in heads[c.department_id]:
                    _tell(
                        head,
                        kind="record_overdue",
                        title=_("Consultation record overdue"),
                        body=_("A consultation record was not signed within 24 hours."),
                        link="/consultation/clinic/overdue/",
                    )
    return warned, overdue


# --- follow-up booking and rating -----------------------------------------------------------


def follow_up_book(
    *, actor: User, consultation_id: Any, starts_at: datetime, request: Any = None
) -> Appointment:
    """At the end the clinician books her next online follow-up in their own schedule
    (IMP-5), through scheduling's booking rules."""
    consultation = selectors.consultation_for(actor, consultation_id)
    if actor.pk != consultation.clinician_id:
        raise PermissionDenied("not_the_clinician", _("Only her clinician books this follow-up."))
    profile = clinician_for(actor)
    if profile is None:
        raise PermissionDenied("not_staff", _("Only the hospital's clinical staff can do this."))
    appointment, _created = scheduling.appointment_book(
        woman=consultation.woman,
        department=profile.department,
        clinician=profile,
        starts_at=starts_at,
        idempotency_key=f"fu:{consultation.public_id.hex}:{int(starts_at.timestamp())}",
        request=request,
    )
    audit_record(
        actor=actor,
        action="follow_up_book",
        object_type="consultation",
        object_id=consultation.public_id,
        subject=consultation.woman,
        request=request,
        detail={"appointment": str(appointment.public_id)},
    )
    return appointment


def rating_submit(
    *, woman: User, consultation_id: Any, score: int, comment: str = "", request: Any = None
) -> Rating:
    """After the end she rates it once: 1-5 and a comment."""
    consultation = selectors.consultation_for(woman, consultation_id)
    if woman.pk != consultation.woman_id:
        raise NotFound()
    if consultation.is_open:
        raise DomainError("consultation_open", _("You can rate the consultation after it ends."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("score_invalid", _("Choose 1 to 5 stars."), field="score")
    text = _text(comment, field="comment", limit=COMMENT_MAX_LENGTH)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(consultation=consultation, score=score, comment=text)
            audit_record(
                actor=woman,
                action="rating_submit",
                object_type="consultation",
                object_id=consultation.public_id,
                subject=woman,
                request=request,
                detail={"score": score},
            )
    except IntegrityError:
        raise DomainError("rating_exists", _("You have already rated this consultation.")) from None
    return rating
