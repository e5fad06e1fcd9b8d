"""Reads composed for the workstation's pages (across careteam, pregnancy and monitoring)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from anyun.assessment.models import RiskGrading
from anyun.careteam.selectors import women_visible_to
from anyun.clinical.dating import GestationalAge, gestational_age_on
from anyun.clinical.errors import ClinicalValueError
from anyun.clinical.signs import SignKind
from anyun.core import crypto
from anyun.monitoring.models import SIGN_LABELS, Alarm, AlarmStatus, Grade, Reading
from anyun.pregnancy.models import Pregnancy, PregnancyStatus

PATIENT_PAGE_SIZE = 25

# The sorts a clinician may ask for (?sort=...), each with its order. GA and EDD are one
# ordering seen from two sides: the most advanced pregnancy is the one due soonest.
PATIENT_SORTS: dict[str, tuple[Any, ...]] = {
    "alarms": (F("urgent_open").desc(), F("attention_open").desc(), "shown_name", "pk"),
    "ga": (F("edd").asc(nulls_last=True), "shown_name", "pk"),
    "edd": (F("edd").asc(nulls_last=True), "shown_name", "pk"),
    "last": (F("last_reading_at").desc(nulls_last=True), "shown_name", "pk"),
    "name": ("shown_name", "pk"),
    # Highest colour first, purple before the rest of its colour, then ungraded.
    "risk": (
        F("risk_rank").desc(nulls_last=True),
        F("risk_purple").desc(nulls_last=True),
        "shown_name",
        "pk",
    ),
}
# The colour filter (?colour=...): a colour, purple, or ungraded.
RISK_FILTERS = ("red", "orange", "yellow", "green", "purple", "ungraded")
PATIENT_SORT_DEFAULT = "alarms"

SIGN_UNITS: dict[str, str] = {
    SignKind.BLOOD_PRESSURE: "mmHg",
    SignKind.GLUCOSE: "mmol/L",
    SignKind.WEIGHT: "kg",
    SignKind.FUNDAL_HEIGHT: "cm",
    SignKind.ABDOMINAL_CIRCUMFERENCE: "cm",
    SignKind.FETAL_HEART_RATE: "bpm",
    SignKind.TEMPERATURE: "°C",
    SignKind.PULSE: "bpm",
}


@dataclass(frozen=True)
class LastReading:
    label: str
    value: str
    unit: str
    measured_at: dt.datetime


@dataclass(frozen=True)
class PatientRow:
    public_id: Any
    name: str
    verified: bool
    edd: dt.date | None
    ga: GestationalAge | None
    urgent_open: int
    attention_open: int
    last: LastReading | None
    risk_colour: str | None = None
    risk_purple: bool = False


def patient_sort(raw: str | None) -> str:
    """The sort asked for if it is one we offer, else the default (never an error)."""
    return raw if raw in PATIENT_SORTS else PATIENT_SORT_DEFAULT


def risk_filter(raw: str | None) -> str:
    """The colour filter asked for if it is one we offer, else none ("")."""
    return raw if raw in RISK_FILTERS else ""


def _open_alarms(grade: str) -> Any:
    counted = (
        Alarm.objects.filter(woman=OuterRef("pk"), grade=grade)
        .exclude(status=AlarmStatus.CLOSED)
        .order_by()
        .values("woman")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _patients(user: Any, *, query: str) -> QuerySet[Any]:
    women = women_visible_to(user)
    if query:
        women = women.filter(
            Q(display_name__icontains=query)
            | Q(woman_profile__real_name__icontains=query)
            | Q(phone_index=crypto.blind_index(query))
            | Q(woman_profile__national_id_index=crypto.blind_index(query))
        )
    current = Pregnancy.objects.filter(woman=OuterRef("pk"), status=PregnancyStatus.CURRENT)
    signs = Reading.objects.filter(
        woman=OuterRef("pk"), pregnancy__status=PregnancyStatus.CURRENT
    ).exclude(kind=SignKind.SYMPTOM_REPORT)
    newest = signs.order_by("-measured_at", "-id")
    # Her last grading in the current pregnancy (assessment): the colour badge.
    graded = RiskGrading.objects.filter(
        woman=OuterRef("pk"), pregnancy__status=PregnancyStatus.CURRENT
    ).order_by("-graded_at", "-id")
    return (
        women.annotate(
            risk_colour=Subquery(graded.values("colour")[:1]),
            risk_rank=Subquery(graded.values("colour_rank")[:1]),
            risk_purple=Subquery(graded.values("purple")[:1]),
            shown_name=Coalesce(NullIf("woman_profile__real_name", Value("")), "display_name"),
            verified_at=F("woman_profile__verified_at"),
            edd=Subquery(current.values("edd")[:1]),
            urgent_open=_open_alarms(Grade.URGENT),
            attention_open=_open_alarms(Grade.ATTENTION),
            last_reading_at=Subquery(newest.values("measured_at")[:1]),
            **{
                f"last_{name}": Subquery(newest.values(name)[:1])
                for name in ("kind", "systolic", "diastolic", "pulse", "value")
            },
        )
        # Only what the list shows: no encrypted field (phone, ID number) is loaded.
        .only("pk", "public_id", "display_name")
    )


def _last_reading(woman: Any) -> LastReading | None:
    """Her newest sign reading as shown: value without trailing zeros or exponent, and unit."""
    kind = woman.last_kind
    if kind is None:
        return None
    if kind == SignKind.BLOOD_PRESSURE:
        value, unit = f"{woman.last_systolic}/{woman.last_diastolic}", SIGN_UNITS[kind]
    elif kind == SignKind.PULSE and woman.last_value is None:
        value, unit = str(woman.last_pulse), SIGN_UNITS[kind]
    else:
        number = Decimal(woman.last_value if woman.last_value is not None else 0)
        value = f"{number.normalize():f}"
        unit = SIGN_UNITS.get(kind) or _("movements")
    return LastReading(str(SIGN_LABELS[kind]), value, unit, woman.last_reading_at)


def _ga_today(edd: dt.date | None, today: dt.date) -> GestationalAge | None:
    if edd is None:
        return None
    try:
        return gestational_age_on(edd, today)
    except ClinicalValueError:  # a day before her dated LMP: nothing to show
        return None


def _by_colour(women: QuerySet[Any], colour: str) -> QuerySet[Any]:
    if colour == "purple":
        return women.filter(risk_purple=True)
    if colour == "ungraded":
        return women.filter(risk_colour__isnull=True)
    if colour:
        return women.filter(risk_colour=colour)
    return women


def patient_list_for(
    user: Any,
    *,
    query: str = "",
    sort: str = PATIENT_SORT_DEFAULT,
    page: Any = 1,
    today: dt.date,
    colour: str = "",
) -> tuple[Page[Any], list[PatientRow]]:
    """One page of the women `user` may see, with what an obstetrician triages by: GA today,
    EDD, open urgent/attention alarms, the newest sign reading of the current pregnancy and
    her risk colour (filtered by `colour`: a colour, "purple" or "ungraded").

    Two queries whatever the number of women: the count, and the page with every figure as
    a subquery.
    """
    women = _by_colour(_patients(user, query=query), risk_filter(colour)).order_by(
        *PATIENT_SORTS[patient_sort(sort)]
    )
    shown = Paginator(women, PATIENT_PAGE_SIZE).get_page(page)
    out = []
    for woman in shown.object_list:
        out.append(
            PatientRow(
                public_id=woman.public_id,
                name=woman.shown_name,
                verified=woman.verified_at is not None,
                edd=woman.edd,
                ga=_ga_today(woman.edd, today),
                urgent_open=woman.urgent_open,
                attention_open=woman.attention_open,
                last=_last_reading(woman),
                risk_colour=woman.risk_colour,
                risk_purple=bool(woman.risk_purple),
            )
        )
    return shown, out
