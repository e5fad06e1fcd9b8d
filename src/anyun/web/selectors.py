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
}
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


def patient_sort(raw: str | None) -> str:
    """The sort asked for if it is one we offer, else the default (never an error)."""
    return raw if raw in PATIENT_SORTS else PATIENT_SORT_DEFAULT


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
    return (
        women.annotate(
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


def patient_list_for(
    user: Any, *, query: str = "", sort: str = PATIENT_SORT_DEFAULT, page: Any = 1, today: dt.date
) -> tuple[Page[Any], list[PatientRow]]:
    """One page of the women `user` may see, with what an obstetrician triages by: GA today,
    EDD, open urgent/attention alarms and the newest sign reading of the current pregnancy.

    Two queries whatever the number of women: the count, and the page with every figure as
    a subquery.
    """
    women = _patients(user, query=query).order_by(*PATIENT_SORTS[patient_sort(sort)])
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
            )
        )
    return shown, out
