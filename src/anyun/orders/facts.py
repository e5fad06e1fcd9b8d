"""Her laboratory results as risk facts for the five-colour grading (FA-5): the latest result
of this pregnancy for each observation that bears on it (``labs.Observation.risk_fact``: Hb,
platelets, Rh, HBsAg, HIV, syphilis), with the report it came from. Registered with
assessment's fact sources in ``OrdersConfig.ready``; assessment never imports this app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from anyun.assessment.fact_sources import SourcedFact
from anyun.clinical import labs
from anyun.clinical.dating import PREGNANCY_LENGTH_DAYS
from anyun.orders import words
from anyun.orders.models import Result
from anyun.orders.services.results import report_link_for_clinic

# Qualitative results as the risk fact's yes/no (as the regrading hook reads them).
_YES_WHEN = {"rh_negative": "negative"}
RISK_OBSERVATIONS: dict[str, str] = {
    code: o.risk_fact
    for code, o in labs.OBSERVATIONS.items()
    if o.risk_fact and o.risk_fact != "fasting_glucose"
}


def _pregnancy_start(pregnancy: Any) -> dt.datetime:
    start = pregnancy.lmp or pregnancy.edd - dt.timedelta(days=PREGNANCY_LENGTH_DAYS)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def _value(result: Result, fact: str) -> Any:
    if result.number is not None:
        return result.number
    return result.text == _YES_WHEN.get(fact, "positive")


def lab_risk_facts(woman: Any, pregnancy: Any) -> list[SourcedFact]:
    """The newest result of this pregnancy (taken on or after its start) for each risk
    observation, one query; several observations giving one fact: the newest wins."""
    rows = (
        Result.objects.filter(
            woman=woman,
            observation__in=list(RISK_OBSERVATIONS),
            observed_at__gte=_pregnancy_start(pregnancy),
        )
        .select_related("report")
        .order_by("-observed_at", "-report_id", "position")
    )
    found: dict[str, SourcedFact] = {}
    for result in rows:
        fact = RISK_OBSERVATIONS[result.observation]
        if fact in found:
            continue
        found[fact] = SourcedFact(
            name=fact,
            value=_value(result, fact),
            taken_at=result.observed_at,
            label=gettext("%(test)s, %(result)s")
            % {
                "test": words.test_label(result.test),
                "result": words.observation_label(result.observation),
            },
            ref=report_link_for_clinic(result.report),
        )
    return list(found.values())
