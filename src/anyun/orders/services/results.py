"""Recording a report of results: values checked and flagged, the order's status, who is
told, and the risk-grading hook (see the package docstring for the rules)."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anyun.accounts.models import CLINICAL_ROLES, User
from anyun.assessment import selectors as assessment_selectors
from anyun.assessment.services import TASK_REGRADE, task_open
from anyun.audit.services import audit_record
from anyun.clinical import labs, risk
from anyun.clinical.dating import GestationalAge, gestational_age_on
from anyun.clinical.errors import ClinicalValueError
from anyun.core.errors import DomainError, PermissionDenied
from anyun.core.inputs import text_within
from anyun.notify.services import notification_send
from anyun.orders import words
from anyun.orders.models import (
    EXTERNAL_ID_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    LabOrder,
    OrderStatus,
    Report,
    ReportSource,
    Result,
)
from anyun.orders.selectors import access_order
from anyun.pregnancy.selectors import current_pregnancy_of

logger = logging.getLogger("anyun.orders")

TASK_LAB_RISK = "lab_risk_review"


def report_link_for_woman(report: Report) -> str:
    return f"/orders/mine/results/{report.public_id}/"


def report_link_for_clinic(report: Report) -> str:
    return f"/orders/clinic/results/{report.public_id}/"


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueInput:
    """One observation as it arrived: `number` for a quantity, `text` for the rest; the
    laboratory's range when it sent one; `abnormal` the reporter's reading of a written
    finding."""

    code: str
    number: float | None = None
    text: str = ""
    unit: str = ""
    reported_low: float | None = None
    reported_high: float | None = None
    abnormal: bool = False


@dataclass(frozen=True)
class ReportInput:
    values: Sequence[ValueInput]
    source: str = ReportSource.STAFF
    external_id: str = ""
    conclusion: str = ""
    observed_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# Units as the laboratory may write them (UCUM and common spellings) -> ours.
UNIT_ALIASES = {
    "g/l": "g/L",
    "10^9/l": "10^9/L",
    "10*9/l": "10^9/L",
    "x10^9/l": "10^9/L",
    "10^9/L".lower(): "10^9/L",
    "mmol/l": "mmol/L",
    "u/l": "U/L",
    "iu/l": "U/L",
    "umol/l": "umol/L",
    "µmol/l": "umol/L",
    "μmol/l": "umol/L",
    "mu/l": "mU/L",
    "miu/l": "mU/L",
    "m[iu]/l": "mU/L",
    "uiu/ml": "mU/L",
    "pmol/l": "pmol/L",
    "ug/l": "ug/L",
    "µg/l": "ug/L",
    "ng/ml": "ug/L",
    "bpm": "bpm",
    "/min": "bpm",
    "{beats}/min": "bpm",
}


def _unit(observation: labs.Observation, raw: str, *, where: str) -> str:
    text = (raw or "").strip()
    if not text:
        return observation.unit
    if UNIT_ALIASES.get(text.lower()) == observation.unit or text == observation.unit:
        return observation.unit
    raise DomainError(
        "unit_mismatch",
        _("This result must be in %(unit)s.") % {"unit": observation.unit},
        field=where,
    )


def _ga_days(woman: User, day: dt.date) -> int | None:
    pregnancy = current_pregnancy_of(woman)
    if pregnancy is None:
        return None
    try:
        ga = gestational_age_on(pregnancy.edd, day)
    except ClinicalValueError:
        return None
    return ga.days if ga.days <= 320 else None


def _observations_of(order: LabOrder) -> dict[str, str]:
    """Observation code -> the first ordered test that measures it."""
    out: dict[str, str] = {}
    for code in order.tests:
        test = labs.CATALOGUE.get(code)
        for observation in test.observations if test else ():
            out.setdefault(observation, code)
    return out


def _result(item: ValueInput, *, where: str, ga_days: int | None, test: str) -> dict[str, Any]:
    observation = labs.OBSERVATIONS[item.code]
    number: float | None = None
    text = ""
    unit = ""
    if observation.kind == labs.Kind.QUANTITY:
        if item.number is None:
            raise DomainError(
                "value_required", words.lab_value_error("value_required"), field=where
            )
        number = float(item.number)
        unit = _unit(observation, item.unit, where=f"{where}.unit")
    elif observation.kind == labs.Kind.TEXT:
        text = text_within(item.text, TEXT_MAX_LENGTH, field=where)
        if not text:
            raise DomainError(
                "value_required", words.lab_value_error("value_required"), field=where
            )
    else:
        try:
            text = labs.parse_qualitative(observation, item.text)
        except labs.LabValueError as exc:
            raise DomainError(exc.code, words.lab_value_error(exc.code), field=where) from exc
    reported = None
    low, high = (
        v if v is not None and math.isfinite(v) else None
        for v in (item.reported_low, item.reported_high)
    )
    if low is not None or high is not None:
        reported = (low, high)
    try:
        flag, chosen = labs.flag_value(
            observation,
            number=number,
            text=text,
            ga_days=ga_days,
            reported=reported,
            reporter_abnormal=item.abnormal,
        )
    except labs.LabValueError as exc:
        raise DomainError(exc.code, words.lab_value_error(exc.code), field=where) from exc
    return {
        "test": test,
        "observation": item.code,
        "number": number,
        "text": text,
        "unit": unit,
        "flag": flag.value,
        "range_low": chosen.low if chosen else None,
        "range_high": chosen.high if chosen else None,
        "range_high_inclusive": chosen.high_inclusive if chosen else False,
        "range_source": chosen.source[:200] if chosen else "",
        "range_pregnancy": chosen.pregnancy if chosen else False,
    }


def _require_reporter(actor: User) -> None:
    if actor.role not in CLINICAL_ROLES:
        raise PermissionDenied("not_reporter", _("Only her clinicians can record results."))


def _checked_rows(order: LabOrder, data: ReportInput, ga_days: int | None) -> list[dict[str, Any]]:
    if not data.values:
        raise DomainError("values_required", _("Enter at least one result."), field="values")
    if len(data.values) > 50:
        raise DomainError(
            "too_many_values", _("A report holds at most 50 results."), field="values"
        )
    ordered = _observations_of(order)
    seen: set[str] = set()
    rows = []
    for i, item in enumerate(data.values):
        where = f"values.{i}"
        if item.code not in ordered:
            raise DomainError(
                "observation_not_ordered",
                _("This result is not one of the ordered tests."),
                field=f"{where}.code",
            )
        if item.code in seen:
            raise DomainError(
                "observation_twice", _("This result is given twice."), field=f"{where}.code"
            )
        seen.add(item.code)
        rows.append(_result(item, where=where, ga_days=ga_days, test=ordered[item.code]))
    return rows


def report_record(
    *, actor: User, order_id: Any, data: ReportInput, request: Any = None
) -> tuple[Report, bool]:
    """Record a report of results for an order (a clinician or nurse of her care team, or the
    laboratory system's account, which is one). Returns (report, created): the same
    `external_id` again returns the first report and writes nothing. Each value is checked
    (refusals name the field), flagged, stored; the order's status follows; she is told her
    results are in; an abnormal report tells the ordering clinician (critical: by SMS too);
    values that bear on her risk grading ask assessment for a regrading task. All in one
    transaction."""
    _require_reporter(actor)
    order = access_order(user=actor, order_id=order_id)
    if order.status == OrderStatus.CANCELLED:
        raise DomainError("order_cancelled", _("This order was cancelled: no results for it."))
    external = text_within(data.external_id, EXTERNAL_ID_MAX_LENGTH, field="external_id")
    if external:
        earlier = Report.objects.filter(order=order, external_id=external).first()
        if earlier is not None:
            return earlier, False
    now = timezone.now()
    observed_at = data.observed_at or now
    if timezone.is_naive(observed_at):
        observed_at = timezone.make_aware(observed_at)
    if observed_at > now + timedelta(minutes=5):
        raise DomainError(
            "observed_in_future", _("The time taken cannot be in the future."), field="observed_at"
        )
    if observed_at < order.created_at - timedelta(days=1):
        raise DomainError(
            "observed_before_order",
            _("The time taken cannot be before the order."),
            field="observed_at",
        )
    conclusion = text_within(data.conclusion, TEXT_MAX_LENGTH, field="conclusion")
    ga_days = _ga_days(order.woman, timezone.localtime(observed_at).date())
    rows = _checked_rows(order, data, ga_days)
    flags = [labs.Flag(r["flag"]) for r in rows]
    try:
        with transaction.atomic():
            report = Report.objects.create(
                order=order,
                woman=order.woman,
                source=data.source,
                external_id=external,
                observed_at=observed_at,
                conclusion=conclusion,
                entered_by=actor,
                abnormal=any(f.abnormal for f in flags),
                critical=any(f.critical for f in flags),
                ga_days=ga_days,
            )
            Result.objects.bulk_create(
                Result(
                    report=report,
                    woman=order.woman,
                    position=i + 1,
                    observed_at=observed_at,
                    **row,
                )
                for i, row in enumerate(rows)
            )
            _status_follow(order, now=now)
            audit_record(
                actor=actor,
                action="lab_report_record",
                object_type="lab_report",
                object_id=report.public_id,
                subject=order.woman,
                request=request,
                detail={
                    "order": str(order.public_id),
                    "source": data.source,
                    "results": len(rows),
                    "abnormal": report.abnormal,
                    "critical": report.critical,
                },
            )
            _tell(report, rows)
            _risk_hook(report, rows)
    except IntegrityError:
        earlier = Report.objects.filter(order=order, external_id=external).first()
        if external and earlier is not None:
            return earlier, False
        raise
    return report, True


def _status_follow(order: LabOrder, *, now: datetime) -> None:
    locked = LabOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status == OrderStatus.CANCELLED:
        raise DomainError("order_cancelled", _("This order was cancelled: no results for it."))
    done = set(Result.objects.filter(report__order=locked).values_list("test", flat=True))
    complete = all(code in done for code in locked.tests)
    locked.status = OrderStatus.RESULTED if complete else OrderStatus.PARTIAL
    locked.resulted_at = now if complete else None
    locked.save(update_fields=["status", "resulted_at", "updated_at"])
    order.status = locked.status


def _abnormal_summary(rows: list[dict[str, Any]]) -> str:
    parts = []
    for row in rows:
        flag = labs.Flag(row["flag"])
        if not flag.abnormal:
            continue
        value = f"{row['number']:g} {row['unit']}" if row["number"] is not None else row["text"]
        parts.append(f"{words.observation_label(row['observation'])} {value}")
    return "; ".join(parts)


def _tell(report: Report, rows: list[dict[str, Any]]) -> None:
    order = report.order
    notification_send(
        recipient=order.woman,
        kind="lab_result",
        title=str(_("Your results are in")),
        body=str(_("See your results with what they mean.")),
        link=report_link_for_woman(report),
        dedup_key=f"lab-result:{report.pk}:woman",
    )
    if not report.abnormal:
        return
    summary = _abnormal_summary(rows)
    channels: tuple[str, ...] = ("in_app", "push")
    if report.critical and (order.clinician.phone or "").strip():
        channels = ("in_app", "push", "sms")
    notification_send(
        recipient=order.clinician,
        kind="lab_result_critical" if report.critical else "lab_result_abnormal",
        title=str(_("Critical lab result") if report.critical else _("Abnormal lab result")),
        body=gettext("A result of a woman you ordered tests for needs attention: %(what)s")
        % {"what": summary},
        link=report_link_for_clinic(report),
        channels=channels,
        dedup_key=f"lab-result:{report.pk}:clinician",
    )


def _risk_values(report: Report, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The risk facts (anyun.clinical.risk.RiskFacts names) the report's results give."""
    values: dict[str, Any] = {}
    for row in rows:
        observation = labs.OBSERVATIONS[row["observation"]]
        fact = observation.risk_fact
        if not fact:
            continue
        if observation.kind == labs.Kind.QUANTITY:
            values[fact] = row["number"]
            if fact == "fasting_glucose" and report.ga_days is not None:
                values["fasting_glucose_ga"] = GestationalAge(report.ga_days)
        elif fact == "rh_negative":
            values[fact] = row["text"] == "negative"
        else:
            values[fact] = row["text"] == "positive"
    if any(r["observation"] == "urine_glucose" and r["flag"] == "positive" for r in rows):
        values["glycosuria"] = True
    return values


def _risk_hook(report: Report, rows: list[dict[str, Any]]) -> None:
    """Results that bear on her five-colour grading (Hb < 110 g/L, platelets < 100 x10^9/L,
    fasting glucose, Rh, infection screens; DOMAIN.md section 4): when her record with them
    would raise her colour over her last grading, her clinician gets assessment's regrading
    task (one open at a time); when she has no grading yet, or the change is not one the
    grading table raises (a fasting glucose is a screening item), a task to review her risk
    with this report. A failure here is logged and never undoes the report (a savepoint)."""
    lab = _risk_values(report, rows)
    abnormal_facts = [
        r
        for r in rows
        if labs.OBSERVATIONS[r["observation"]].risk_fact and labs.Flag(r["flag"]).abnormal
    ]
    if not lab:
        return
    try:
        with transaction.atomic():
            proposal = _proposal(report, lab)
            if proposal is not None:
                task_open(
                    woman=report.woman,
                    kind=TASK_REGRADE,
                    key="risk:regrade",
                    reason=gettext(
                        "A lab result (%(what)s) suggests a higher risk colour: please regrade her."
                    )
                    % {"what": _abnormal_summary(rows) or words.test_label(rows[0]["test"])},
                    details={
                        "colour": str(proposal.colour),
                        "purple": proposal.purple,
                        "items": [o.code for o in proposal.matched],
                        "lab_report": str(report.public_id),
                        "lab_values": {k: _plain(v) for k, v in lab.items()},
                    },
                    due_on=timezone.localdate() + timedelta(days=1),
                )
            elif abnormal_facts:
                task_open(
                    woman=report.woman,
                    kind=TASK_LAB_RISK,
                    key=f"lab:{report.public_id}",
                    reason=gettext("A lab result bears on her risk grading: %(what)s")
                    % {"what": _abnormal_summary(abnormal_facts)},
                    details={
                        "lab_report": str(report.public_id),
                        "lab_values": {k: _plain(v) for k, v in lab.items()},
                    },
                    due_on=timezone.localdate() + timedelta(days=1),
                )
    except Exception:  # the report stands even if the proposal cannot be made
        logger.exception("Risk proposal for lab report %s failed.", report.pk)


def _plain(value: Any) -> Any:
    return value.days if isinstance(value, GestationalAge) else value


def _proposal(report: Report, lab: dict[str, Any]) -> risk.Grading | None:
    pregnancy = current_pregnancy_of(report.woman)
    if pregnancy is None:
        return None
    facts = assessment_selectors.record_facts(pregnancy)
    if facts.last_grading is None:
        return None
    values = {**facts.values, **lab}
    try:
        now = assessment_selectors.facts_from_values(values)
    except (ClinicalValueError, TypeError):
        return None
    previous = assessment_selectors.grading_result(facts.last_grading)
    return risk.regrading_proposal(previous, now, assessment_selectors.risk_policy_current())
