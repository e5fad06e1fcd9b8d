"""Assessment use cases. Clinical tasks: opened once per key, closed with an outcome. The
five-colour risk: a grading stored with its items, the high-risk case and district report its
colour requires, the regrading proposal, the hospital's risk policy, and suitability for
online care (the check other apps call before a new online request, the clinician's decision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import Role, User
from anyun.assessment import selectors
from anyun.assessment.models import (
    COLOUR_RANK,
    DECISION_REASON_MAX_LENGTH,
    EVIDENCE_HOSPITAL_MAX_LENGTH,
    EVIDENCE_NOTE_MAX_LENGTH,
    EVIDENCE_REASON_MAX_LENGTH,
    PLAN_MAX_LENGTH,
    RISK_NOTE_MAX_LENGTH,
    TASK_REASON_MAX_LENGTH,
    CaseReview,
    CaseStatus,
    ClinicalTask,
    DistrictReport,
    EligibilityEvidence,
    EvidenceStatus,
    HighRiskCase,
    InPersonUrgency,
    OnlineCareDecision,
    RiskGrading,
    RiskPolicySetting,
    SuitabilityDecision,
    TaskStatus,
)
from anyun.assessment.task_kinds import KIND_LABELS
from anyun.audit.services import audit_record
from anyun.careteam.selectors import responsible_of
from anyun.clinical import risk
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.risk_tables import GRADING_ITEMS, SCREENING_ITEMS
from anyun.core.errors import DomainError, PermissionDenied
from anyun.core.inputs import text_within
from anyun.core.messages import clinical_message
from anyun.core.uploads import DOCUMENT_TYPES, check_upload, stored_files_removed_on_failure
from anyun.notify.services import notification_send
from anyun.pregnancy.models import Pregnancy
from anyun.pregnancy.selectors import current_pregnancy_of, diagnoses_open
from anyun.pregnancy.services import diagnoses_set, diagnosis_end
from anyun.staff.selectors import is_clinical_head, require_online_practice


def task_open(
    *,
    woman: User,
    kind: str,
    key: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
    due_on: dt.date | None = None,
    assigned_to: User | None = None,
    opened_by: User | None = None,
) -> ClinicalTask:
    """Open a task for her (assigned to her responsible clinician unless told otherwise), or
    return the task already open under the same key: calling twice opens one task."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unregistered clinical task kind {kind!r}")
    open_task = ClinicalTask.objects.filter(woman=woman, key=key, status=TaskStatus.OPEN).first()
    if open_task is not None:
        return open_task
    try:
        with transaction.atomic():
            task = ClinicalTask.objects.create(
                woman=woman,
                kind=kind,
                key=key,
                reason=text_within(reason, TASK_REASON_MAX_LENGTH, field="reason"),
                details=details or {},
                due_on=due_on,
                assigned_to=assigned_to or responsible_of(woman),
                opened_by=opened_by,
            )
    except IntegrityError:  # opened at the same moment by another request
        return ClinicalTask.objects.get(woman=woman, key=key, status=TaskStatus.OPEN)
    audit_record(
        actor=opened_by,
        action="task_open",
        object_type="clinical_task",
        object_id=task.public_id,
        subject=woman,
        detail={"kind": kind, "key": key},
    )
    return task


@transaction.atomic
def task_close(
    *,
    actor: User,
    task: ClinicalTask,
    outcome: str,
    cancelled: bool = False,
    request: Any = None,
) -> ClinicalTask:
    """Close an open task with what was done (or why it no longer applies)."""
    task = ClinicalTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise DomainError("task_closed", _("This task is already closed."))
    task.outcome = text_within(outcome, TASK_REASON_MAX_LENGTH, field="outcome")
    task.status = TaskStatus.CANCELLED if cancelled else TaskStatus.DONE
    task.closed_at = timezone.now()
    task.closed_by = actor
    task.save(update_fields=("outcome", "status", "closed_at", "closed_by", "updated_at"))
    audit_record(
        actor=actor,
        action="task_close",
        object_type="clinical_task",
        object_id=task.public_id,
        subject=task.woman,
        request=request,
        detail={"kind": task.kind, "status": task.status},
    )
    return task


# --- Suitability for online care ---------------------------------------------------------------

TASK_REFERRAL = "risk_in_person_referral"
TASK_REGRADE = "risk_regrade"
TASK_CASE_REVIEW = "risk_case_review"
# The first review of a new high-risk case, until the clinician sets the date [P: local policy].
CASE_FIRST_REVIEW_AFTER = dt.timedelta(days=14)


def _referral_open(woman: User, status: selectors.OnlineCareStatus) -> ClinicalTask:
    """The referral task for her clinician while she is unsuitable (one open at a time)."""
    return task_open(
        woman=woman,
        kind=TASK_REFERRAL,
        key="risk:referral",
        reason=gettext("Not suitable for online care: %(why)s")
        % {"why": selectors.online_care_message(status)},
        details={"block": status.block, "urgency": status.urgency},
        due_on=timezone.localdate(),
    )


def online_care_check(woman: User) -> None:
    """Before a new online request (consultation, booking, prescription renewal): returns None
    when she may start one; else raises DomainError("online_care_unsuitable") whose message
    says why and where and how urgently to go, and makes sure her clinician has a referral
    task. The decision is :func:`anyun.assessment.selectors.online_care_for`."""
    status = selectors.online_care_for(woman)
    if status.allowed:
        return
    try:
        with transaction.atomic():
            _referral_open(woman, status)
    except Exception:  # the refusal must reach her even if the task cannot be written
        selectors.logger.exception("Referral task for woman %s not opened.", woman.pk)
    raise DomainError("online_care_unsuitable", status.message)


def _require_clinician(actor: User) -> None:
    if actor.role not in {Role.CLINICIAN, Role.NURSE}:
        raise PermissionDenied("not_allowed", _("Only her clinicians can do this."))
    require_online_practice(actor)


def _require_doctor(actor: User) -> None:
    if actor.role != Role.CLINICIAN:
        raise PermissionDenied("not_allowed", _("Only a clinician can do this."))
    require_online_practice(actor)


def suitability_decide(
    *,
    actor: User,
    woman: User,
    decision: str,
    reason: str,
    urgency: str = "",
    request: Any = None,
) -> SuitabilityDecision:
    """The clinician's decision on her online care (the caller loaded her with access_woman).

    ``allowed`` clears an earlier block (an in-person decision, a red flag since raised) and
    closes the open referral task; it cannot override the rules themselves (a colour the
    policy sends in person, an open red-flag alarm: ``suitability_rule_blocks``).
    ``in_person`` blocks new online requests and opens the referral task. Reason required."""
    _require_doctor(actor)
    if decision not in OnlineCareDecision.values:
        raise DomainError(
            "suitability_decision_invalid", _("Choose a decision from the list."), field="decision"
        )
    reason = text_within(reason, DECISION_REASON_MAX_LENGTH, field="reason")
    if not reason:
        raise DomainError("reason_required", _("Give the reason."), field="reason")
    if decision == OnlineCareDecision.IN_PERSON:
        if urgency not in InPersonUrgency.values:
            raise DomainError(
                "urgency_invalid", _("Choose how urgently she must come."), field="urgency"
            )
    else:
        urgency = ""
        status = selectors.online_care_for(woman)
        if not status.allowed and status.block in {
            selectors.BLOCK_RED_FLAG,
            selectors.BLOCK_COLOUR,
            selectors.BLOCK_NOT_ELIGIBLE,
        }:
            raise DomainError(
                "suitability_rule_blocks",
                _(
                    "The rules keep her in person: %(why)s Close the red-flag alarm or regrade "
                    "her first."
                )
                % {"why": status.message},
                field="decision",
            )
    with transaction.atomic():
        row = SuitabilityDecision.objects.create(
            woman=woman, decision=decision, urgency=urgency, reason=reason, decided_by=actor
        )
        audit_record(
            actor=actor,
            action="suitability_decide",
            object_type="suitability_decision",
            object_id=row.public_id,
            subject=woman,
            request=request,
            detail={"decision": decision, "urgency": urgency},
        )
        status = selectors.online_care_for(woman)
        if status.allowed:
            for task in selectors.tasks_open_for(woman).filter(kind=TASK_REFERRAL):
                task_close(actor=actor, task=task, outcome=reason, request=request)
        else:
            _referral_open(woman, status)
    return row


# --- Policy -------------------------------------------------------------------------------------

POLICY_REASON_MIN_LENGTH = 8


def risk_policy_set(
    *, actor: User, values: dict[str, Any], reason: str, request: Any = None
) -> risk.RiskPolicy:
    """Change the hospital's risk policy (boundary rules, HBsAg carrier, online care per colour,
    report deadlines): a clinician who heads a department, with a reason; audited with the old
    and new values. A value the rules refuse keeps its field (``risk_policy_value``)."""
    if not is_clinical_head(actor):
        raise PermissionDenied(
            "not_allowed", _("Only a clinician who heads a department changes the risk policy.")
        )
    reason = text_within(reason, 500, field="reason")
    if len(reason) < POLICY_REASON_MIN_LENGTH:
        raise DomainError(
            "reason_required",
            _("Give the reason for the change in at least %(min)s characters.")
            % {"min": POLICY_REASON_MIN_LENGTH},
            field="reason",
        )
    known = set(selectors.policy_values(risk.DEFAULT_RISK_POLICY))
    for name in values:
        if name not in known:
            raise DomainError("risk_policy_unknown", _("Unknown setting."), field=name)
    try:
        policy = risk.RiskPolicy(**values)
    except ClinicalValueError as exc:
        raise DomainError(exc.code, clinical_message(exc), field=exc.field) from exc
    new = selectors.policy_values(policy)
    default = selectors.policy_values(risk.DEFAULT_RISK_POLICY)
    stored = {k: v for k, v in new.items() if v != default[k]}
    with transaction.atomic():
        RiskPolicySetting.objects.select_for_update().filter(pk=1).first()
        old = selectors.policy_values(selectors.risk_policy_stored())
        if old == new:
            raise DomainError("risk_policy_unchanged", _("These choices are already in force."))
        RiskPolicySetting.objects.update_or_create(
            pk=1, defaults={"values": stored, "reason": reason, "changed_by": actor}
        )
        selectors.RISK_POLICY.bump()
        audit_record(
            actor=actor,
            action="risk_policy_set",
            object_type="risk_policy",
            object_id="1",
            request=request,
            detail={
                "old": {k: v for k, v in old.items() if v != new[k]},
                "new": {k: v for k, v in new.items() if v != old[k]},
                "reason": reason,
            },
        )
    return policy


# --- Grading ------------------------------------------------------------------------------------

_GRADING_CODES = frozenset(item.code for item in GRADING_ITEMS)
_SCREENING_CODES = frozenset(item.code for item in SCREENING_ITEMS)


@dataclass(frozen=True)
class GradingInput:
    """What the clinician submits: her answer per grading item (code -> yes/no; absent: no
    answer, the record's value stands), the facts she enters (Hb, platelets, fetuses, ART...;
    None: not known, or for fetuses and ART what her pregnancy record holds), her known conditions (diagnosis codes: the whole set, so a code left out
    is ended; None: unchanged) and a note."""

    answers: dict[str, bool]
    entered: dict[str, Any]
    diagnoses: list[str] | None = None  # her known conditions now; None: as on her record
    note: str = ""
    screening: dict[str, bool] = field(default_factory=dict)  # 附件1 code -> yes/no


def _entered_values(entered: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in entered.items():
        if name not in selectors.ENTERED_FACTS:
            raise DomainError("risk_fact_unknown", _("Unknown fact."), field=name)
        if value is None or value == "":
            continue
        if name in selectors.NUMBER_FACTS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DomainError("number_invalid", _("Enter a number."), field=name)
            out[name] = int(value) if name == "fetuses" else float(value)
        else:
            if not isinstance(value, bool):
                raise DomainError("choice_invalid", _("Choose yes or no."), field=name)
            out[name] = value
    return out


def _item_rows(matched: tuple[risk.ItemOutcome, ...]) -> list[dict[str, Any]]:
    return [
        {
            "code": o.code,
            "colour": str(o.item.colour) if o.item.colour else "",
            "group": str(o.item.group),
            "source": o.item.source,
            "confidence": o.item.confidence,
            "basis": str(o.basis) if o.basis else "",
            "record_value": o.record_value,
            "evidence": {k: v for k, v in o.evidence.items()},
        }
        for o in matched
    ]


def grading_record(
    *,
    actor: User,
    pregnancy: Pregnancy,
    data: GradingInput,
    request: Any = None,
) -> RiskGrading:
    """Grade her (附件2) and store the grading with every matched item, its source and basis.

    The caller loaded `pregnancy` through access_pregnancy. Her record's facts are read afresh
    and the clinician's entered facts and answers override them (fetuses and ART not entered
    are the pregnancy record's; an entered one stays in this grading, the record is not
    changed). In the same transaction: her diagnoses are recorded (pregnancy services), an
    orange, red or purple grading opens her high-risk case (or keeps the open one) and an
    orange or red one a district report with its due time; an open regrading task is closed;
    when she is now unsuitable for online care her clinician gets a referral task. Audited. Refused: a code not in the table, a fact out
    of range (its field named), a pregnancy that is not current."""
    _require_doctor(actor)
    if pregnancy.status != "current":
        raise DomainError("pregnancy_not_current", _("Grade only a current pregnancy."))
    for code in data.answers:
        if code not in _GRADING_CODES:
            raise DomainError("risk_answer_unknown", _("Unknown risk item."), field=code)
    for code in data.screening:
        if code not in _SCREENING_CODES:
            raise DomainError("risk_answer_unknown", _("Unknown risk item."), field=code)
    note = text_within(data.note, RISK_NOTE_MAX_LENGTH, field="note")
    entered = _entered_values(data.entered)
    policy = selectors.risk_policy_current()
    now = timezone.now()
    with transaction.atomic():
        # Her pregnancy row is the lock: two gradings at once are stored one after the other
        # (one case, one report per colour).
        Pregnancy.objects.select_for_update().filter(pk=pregnancy.pk).first()
        woman = pregnancy.woman
        if data.diagnoses is not None:
            diagnoses_set(actor=actor, pregnancy=pregnancy, codes=data.diagnoses, request=request)
            for code in set(diagnoses_open(pregnancy).values_list("code", flat=True)) - set(
                data.diagnoses
            ):
                diagnosis_end(actor=actor, pregnancy=pregnancy, code=code, request=request)
        record = selectors.record_facts(pregnancy, on=timezone.localdate())
        values = {
            k: v for k, v in record.values.items() if k not in selectors.ENTERED_FACTS
        } | selectors.entered_over_record(record, entered)
        try:
            facts = selectors.facts_from_values(values)
            result = risk.grade(facts, dict(data.answers), policy)
            screening = risk.screen(facts, dict(data.screening), policy)
        except ClinicalValueError as exc:
            raise DomainError(exc.code, clinical_message(exc), field=exc.field) from exc
        row = RiskGrading.objects.create(
            woman=woman,
            pregnancy=pregnancy,
            graded_at=now,
            graded_by=actor,
            ruleset_version=result.ruleset_version,
            policy=selectors.policy_values(policy),
            colour=result.colour.value,
            colour_rank=COLOUR_RANK[result.colour.value],
            purple=result.purple,
            purple_items=list(result.purple_items),
            facts=selectors.facts_to_values(values),
            answers={code: bool(v) for code, v in data.answers.items()},
            items=_item_rows(result.matched),
            screening_positive=screening.positive,
            screening_answers={code: bool(v) for code, v in data.screening.items()},
            screening_items=_item_rows(screening.matched),
            note=note,
        )
        audit_record(
            actor=actor,
            action="risk_grade",
            object_type="risk_grading",
            object_id=row.public_id,
            subject=woman,
            request=request,
            detail={
                "colour": row.colour,
                "purple": row.purple,
                "items": [item["code"] for item in row.items],
                "screening_positive": row.screening_positive,
            },
        )
        _manage(actor=actor, grading=row, policy=policy, request=request)
        for task in selectors.tasks_open_for(woman).filter(kind=TASK_REGRADE):
            task_close(
                actor=actor,
                task=task,
                outcome=gettext("Graded %(colour)s") % {"colour": row.get_colour_display()},
                request=request,
            )
        status = selectors.online_care_for(woman)
        if not status.allowed:
            _referral_open(woman, status)
        else:
            for task in selectors.tasks_open_for(woman).filter(kind=TASK_REFERRAL):
                task_close(
                    actor=actor,
                    task=task,
                    outcome=gettext("Regraded: suitable for online care"),
                    request=request,
                )
    return row


def _manage(
    *, actor: User, grading: RiskGrading, policy: risk.RiskPolicy, request: Any
) -> HighRiskCase | None:
    """What the colour requires: the high-risk case (orange, red, purple) and the district
    report (orange, red) with its due time."""
    management = risk.management_for(risk.RiskColour(grading.colour), grading.purple, policy)
    if not management.high_risk_case:
        return None
    case = selectors.open_case_of(grading.pregnancy)
    if case is None:
        case = HighRiskCase.objects.create(
            woman=grading.woman,
            pregnancy=grading.pregnancy,
            opened_by_grading=grading,
            responsible=responsible_of(grading.woman) or actor,
            next_review_on=timezone.localdate() + CASE_FIRST_REVIEW_AFTER,
        )
        audit_record(
            actor=actor,
            action="risk_case_open",
            object_type="high_risk_case",
            object_id=case.public_id,
            subject=grading.woman,
            request=request,
            detail={"colour": grading.colour, "purple": grading.purple},
        )
        task_open(
            woman=grading.woman,
            kind=TASK_CASE_REVIEW,
            key=f"risk:case:{case.public_id}",
            reason=gettext("Write her individual plan and emergency plan."),
            due_on=timezone.localdate() + dt.timedelta(days=3),
            assigned_to=case.responsible,
            opened_by=actor,
        )
    due = management.report_due(grading.graded_at)
    if due is not None and not _reported_at_colour(case, grading.colour):
        report = DistrictReport.objects.create(
            case=case, grading=grading, colour=grading.colour, due_at=due
        )
        audit_record(
            actor=actor,
            action="risk_report_due",
            object_type="district_report",
            object_id=report.public_id,
            subject=grading.woman,
            request=request,
            detail={"colour": grading.colour, "due_at": due.isoformat()},
        )
    return case


def _reported_at_colour(case: HighRiskCase, colour: str) -> bool:
    """A report at this colour or higher is already on the case (a regrading at the same
    colour needs no second report; a rise from orange to red does)."""
    ranks = [COLOUR_RANK[c] for c in case.reports.values_list("colour", flat=True)]
    return any(rank >= COLOUR_RANK[colour] for rank in ranks)


def regrade_check(woman: User) -> ClinicalTask | None:
    """When her record now raises the colour over her last grading (a new diagnosis, a
    confirmed high blood pressure), her clinician gets a regrading task (one open at a time)
    naming the proposed colour and the items behind it. None: nothing raises it."""
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        return None
    proposal = selectors.regrading_proposal_for(pregnancy)
    if proposal is None:
        return None
    last = selectors.latest_grading(pregnancy)
    colour = str(proposal.colour)
    return task_open(
        woman=woman,
        kind=TASK_REGRADE,
        key="risk:regrade",
        reason=gettext("Her record now suggests %(colour)s%(purple)s: please regrade her.")
        % {
            "colour": _colour_word(colour),
            "purple": gettext(" with the purple flag") if proposal.purple else "",
        },
        details={
            "colour": colour,
            "purple": proposal.purple,
            "items": [o.code for o in proposal.matched],
            "previous": str(last.public_id) if last else "",
        },
        due_on=timezone.localdate() + dt.timedelta(days=1),
    )


def _colour_word(colour: str) -> str:
    return {
        "green": gettext("green"),
        "yellow": gettext("yellow"),
        "orange": gettext("orange"),
        "red": gettext("red"),
    }[colour]


# --- High-risk case ---------------------------------------------------------------------------


def case_plan_update(
    *,
    actor: User,
    case: HighRiskCase,
    individual_plan: str,
    emergency_plan: str,
    next_review_on: dt.date | None,
    responsible: User | None = None,
    request: Any = None,
) -> HighRiskCase:
    """Her individual plan, emergency plan, next review date and responsible clinician."""
    _require_doctor(actor)
    if case.status != CaseStatus.OPEN:
        raise DomainError("case_closed", _("This case is closed."))
    if next_review_on is not None and next_review_on < timezone.localdate():
        raise DomainError(
            "review_date_past", _("The review date cannot be in the past."), field="next_review_on"
        )
    if responsible is not None and responsible.role != Role.CLINICIAN:
        raise DomainError("responsible_invalid", _("Choose a clinician."), field="responsible")
    with transaction.atomic():
        case.individual_plan = text_within(
            individual_plan, PLAN_MAX_LENGTH, field="individual_plan"
        )
        case.emergency_plan = text_within(emergency_plan, PLAN_MAX_LENGTH, field="emergency_plan")
        case.next_review_on = next_review_on
        if responsible is not None:
            case.responsible = responsible
        case.save()
        audit_record(
            actor=actor,
            action="risk_case_update",
            object_type="high_risk_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
        )
        if case.individual_plan and case.emergency_plan:
            for task in selectors.tasks_open_for(case.woman).filter(
                kind=TASK_CASE_REVIEW, key=f"risk:case:{case.public_id}"
            ):
                task_close(
                    actor=actor, task=task, outcome=gettext("Plans written"), request=request
                )
    return case


def case_review_record(
    *,
    actor: User,
    case: HighRiskCase,
    note: str,
    next_review_on: dt.date | None,
    request: Any = None,
) -> CaseReview:
    """One review of the case (tracking): what was found and the next date."""
    _require_clinician(actor)
    if case.status != CaseStatus.OPEN:
        raise DomainError("case_closed", _("This case is closed."))
    note = text_within(note, DECISION_REASON_MAX_LENGTH, field="note")
    if not note:
        raise DomainError("note_required", _("Write what the review found."), field="note")
    if next_review_on is not None and next_review_on <= timezone.localdate():
        raise DomainError(
            "review_date_past", _("The next review must be after today."), field="next_review_on"
        )
    with transaction.atomic():
        review = CaseReview.objects.create(
            case=case,
            reviewed_at=timezone.now(),
            reviewed_by=actor,
            note=note,
            next_review_on=next_review_on,
        )
        case.next_review_on = next_review_on
        case.save(update_fields=("next_review_on", "updated_at"))
        audit_record(
            actor=actor,
            action="risk_case_review",
            object_type="high_risk_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
        )
    return review


def case_close(
    *, actor: User, case: HighRiskCase, reason: str, request: Any = None
) -> HighRiskCase:
    """Close her case (birth, regraded below orange without purple, transfer), with a reason."""
    _require_doctor(actor)
    reason = text_within(reason, DECISION_REASON_MAX_LENGTH, field="reason")
    if not reason:
        raise DomainError("reason_required", _("Give the reason."), field="reason")
    with transaction.atomic():
        case = HighRiskCase.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.OPEN:
            raise DomainError("case_closed", _("This case is closed."))
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        case.closed_by = actor
        case.close_reason = reason
        case.save()
        audit_record(
            actor=actor,
            action="risk_case_close",
            object_type="high_risk_case",
            object_id=case.public_id,
            subject=case.woman,
            request=request,
        )
    return case


def district_report_submit(
    *, actor: User, report: DistrictReport, request: Any = None
) -> DistrictReport:
    """Mark the report as sent to the district institution (when and by whom)."""
    _require_clinician(actor)
    with transaction.atomic():
        report = DistrictReport.objects.select_for_update().get(pk=report.pk)
        if report.submitted_at is not None:
            raise DomainError("report_submitted", _("This report has already been sent."))
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        report.save(update_fields=("submitted_at", "submitted_by", "updated_at"))
        audit_record(
            actor=actor,
            action="risk_report_submit",
            object_type="district_report",
            object_id=report.public_id,
            subject=report.case.woman,
            request=request,
        )
    return report


# --- Follow-up eligibility evidence (POL-13) ----------------------------------------------------


def eligibility_evidence_submit(
    *,
    woman: User,
    file: UploadedFile,
    note: str = "",
    hospital: str = "",
    visit_date: dt.date | None = None,
    request: Any = None,
) -> EligibilityEvidence:
    """She uploads evidence of an in-person diagnosis (an image or PDF, checked by content and
    size) for a clinician of her care team to review. One waiting for review at a time."""
    if woman.role != Role.WOMAN:
        raise PermissionDenied("not_allowed", _("Only the woman herself can upload this."))
    mime = check_upload(file, allowed=DOCUMENT_TYPES, field="file")
    note = text_within(note, EVIDENCE_NOTE_MAX_LENGTH, field="note")
    hospital = text_within(hospital, EVIDENCE_HOSPITAL_MAX_LENGTH, field="hospital")
    if visit_date is not None and visit_date > timezone.localdate():
        raise DomainError(
            "visit_in_future", _("The visit date cannot be in the future."), field="visit_date"
        )
    pending_error = DomainError(
        "evidence_pending",
        _("Your earlier upload is still waiting for review. Please wait for its outcome."),
        field="file",
    )
    if selectors.evidence_pending_of(woman) is not None:
        raise pending_error
    evidence = EligibilityEvidence(
        woman=woman,
        content_type=mime,
        size_bytes=file.size or 0,
        note=note,
        hospital=hospital,
        visit_date=visit_date,
    )
    try:
        with (
            stored_files_removed_on_failure(evidence.file.storage) as stored,
            transaction.atomic(),
        ):
            evidence.file.save("evidence", file, save=False)
            stored.append(evidence.file.name)
            evidence.save()
            audit_record(
                actor=woman,
                action="eligibility_evidence_submit",
                object_type="eligibility_evidence",
                object_id=evidence.public_id,
                subject=woman,
                request=request,
            )
    except IntegrityError as exc:  # a concurrent upload won the one-pending constraint
        raise pending_error from exc
    return evidence


def eligibility_evidence_review(
    *,
    actor: User,
    evidence_id: Any,
    accept: bool,
    reason: str = "",
    request: Any = None,
) -> EligibilityEvidence:
    """A clinician of her care team (with valid online-practice credentials) accepts or
    rejects her evidence; a reason is required to reject. She is told the outcome.
    PermissionDenied for anyone but a clinician; NotFound when she is not on their team."""
    if actor.role != Role.CLINICIAN:
        raise PermissionDenied("not_allowed", _("Only a clinician can do this."))
    evidence = selectors.access_evidence(user=actor, evidence_public_id=evidence_id)
    require_online_practice(actor)
    reason = text_within(reason, EVIDENCE_REASON_MAX_LENGTH, field="reason")
    if not accept and not reason:
        raise DomainError("reason_required", _("Give the reason."), field="reason")
    with transaction.atomic():
        locked = EligibilityEvidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.status != EvidenceStatus.SUBMITTED:
            raise DomainError(
                "evidence_reviewed", _("This upload has already been reviewed."), field="accept"
            )
        locked.status = EvidenceStatus.ACCEPTED if accept else EvidenceStatus.REJECTED
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason", "updated_at"])
        audit_record(
            actor=actor,
            action="eligibility_evidence_review",
            object_type="eligibility_evidence",
            object_id=locked.public_id,
            subject=locked.woman,
            request=request,
            detail={"status": locked.status},
        )
        _tell_evidence_outcome(locked)
        if accept:
            status = selectors.online_care_for(locked.woman)
            if status.allowed:
                for task in selectors.tasks_open_for(locked.woman).filter(kind=TASK_REFERRAL):
                    task_close(actor=actor, task=task, outcome=gettext("Evidence accepted."))
    return locked


def _tell_evidence_outcome(evidence: EligibilityEvidence) -> None:
    woman = evidence.woman
    if not woman.is_active:
        return
    with translation.override(woman.preferred_language or settings.LANGUAGE_CODE):
        if evidence.status == EvidenceStatus.ACCEPTED:
            title = gettext("Your in-person record was accepted")
            body = gettext("You may now book online follow-up care.")
        else:
            title = gettext("Your in-person record was not accepted")
            body = gettext("Reason: %(reason)s") % {"reason": evidence.reason}
        notification_send(
            recipient=woman,
            kind="eligibility_evidence_reviewed",
            title=title,
            body=body,
            link=reverse("assessment:evidence"),
            dedup_key=f"eligibility_evidence:{evidence.public_id}",
        )


def evidence_pending_read(*, actor: User, request: Any = None) -> list[EligibilityEvidence]:
    """The uploads waiting for review from the women of the clinician's care teams, each
    read audited (the web list and the API list alike)."""
    rows = list(selectors.evidence_pending_for(actor))
    for row in rows:
        audit_record(
            actor=actor,
            action="eligibility_evidence_read",
            object_type="eligibility_evidence",
            object_id=row.public_id,
            subject=row.woman,
            request=request,
        )
    return rows
