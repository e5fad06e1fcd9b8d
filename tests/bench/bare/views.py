"""`POST /bare/readings`: validate the body, insert the readings in one transaction."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tests.bench.bare.models import BareReading

KINDS = {"blood_pressure", "glucose", "weight", "fetal_heart_rate", "temperature", "pulse"}
GLUCOSE_CONTEXTS = {"", "fasting", "post_meal_1h", "post_meal_2h", "random"}


class Invalid(ValueError):
    pass


def _int(item: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(name)
    return value


def _decimal(item: dict[str, Any]) -> Decimal | None:
    raw = item.get("value")
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise Invalid("value") from exc
    if not value.is_finite() or not Decimal(0) < value < Decimal(10000):
        raise Invalid("value")
    return value.quantize(Decimal("0.01"))


def _reading(item: Any, *, woman: int, key: str, position: int, now: Any) -> BareReading:
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise Invalid("kind")
    context = item.get("glucose_context", "")
    if context not in GLUCOSE_CONTEXTS:
        raise Invalid("glucose_context")
    reading = BareReading(
        woman=woman,
        kind=item["kind"],
        measured_at=now,
        systolic=_int(item, "systolic", 40, 300),
        diastolic=_int(item, "diastolic", 20, 200),
        pulse=_int(item, "pulse", 20, 250),
        value=_decimal(item),
        glucose_context=context,
        idempotency_key=key,
        position=position,
    )
    if reading.kind == "blood_pressure":
        if reading.systolic is None or reading.diastolic is None:
            raise Invalid("blood_pressure")
    elif reading.value is None:
        raise Invalid("value")
    return reading


@csrf_exempt
@require_POST
def readings(request: HttpRequest) -> HttpResponse:
    key = request.headers.get("Idempotency-Key", "")
    if not 1 <= len(key) <= 80:
        return JsonResponse({"error": "idempotency_key"}, status=400)
    try:
        body = json.loads(request.body)
        items = body["items"]
        if not isinstance(items, list) or not 1 <= len(items) <= settings.BARE_MAX_ITEMS:
            raise Invalid("items")
        woman = int(body.get("woman", 0)) if isinstance(body, dict) else 0
        now = timezone.now()
        rows = [
            _reading(item, woman=woman, key=key, position=n, now=now)
            for n, item in enumerate(items)
        ]
    except (ValueError, KeyError, TypeError) as exc:
        return JsonResponse({"error": "invalid", "field": str(exc)}, status=400)
    try:
        with transaction.atomic():
            if len(rows) == 1:
                rows[0].save(force_insert=True)
            else:
                BareReading.objects.bulk_create(rows)
    except IntegrityError:
        return JsonResponse({"error": "replayed"}, status=409)
    return JsonResponse({"readings": [{"kind": r.kind} for r in rows], "alarms": []}, status=201)
