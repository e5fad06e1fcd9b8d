"""FHIR R4 results in: a DiagnosticReport with its Observations (contained, or beside it in a
Bundle), read by hand for the fields we use, matched to our order, turned into a
`services.ReportInput`. Anything malformed is a DomainError (400) naming the element.

Matched to the order by `DiagnosticReport.basedOn`: a reference `ServiceRequest/<order id>` or
an identifier of the system :data:`ORDER_SYSTEM` whose value is our order id. An Observation is
known by a coding of :data:`OBSERVATION_SYSTEM` (our codes, `anyun.clinical.labs`) or a LOINC
code our table maps (only the codes DOMAIN.md section 12 lists). Only final, amended or
corrected reports and observations are taken. Code-bound values (status, interpretation) are
checked against their value sets here (a structure library would not, DOMAIN.md section 12).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from uuid import UUID

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from anyun.clinical import labs
from anyun.core.errors import DomainError
from anyun.orders.services import ReportInput, ValueInput

ORDER_SYSTEM = "urn:anyun:lab-order"
OBSERVATION_SYSTEM = "urn:anyun:lab-observation"
LOINC_SYSTEM = "http://loinc.org"
FINAL_STATUSES = frozenset({"final", "amended", "corrected"})
ABNORMAL_INTERPRETATIONS = frozenset({"A", "AA", "H", "HH", "L", "LL", "POS", "DET"})
NORMAL_INTERPRETATIONS = frozenset({"N", "NEG", "ND"})
MAX_OBSERVATIONS = 50


def _bad(where: str, message: Any = None, code: str = "fhir_invalid") -> DomainError:
    return DomainError(
        code, message or _("This FHIR element is missing or malformed."), field=where
    )


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where)
    return value


def _list(value: Any, where: str, *, required: bool = False) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise _bad(where)
    return value


def _string(value: Any, where: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(where)
    return value.strip()


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(where)
    return float(value)


def _datetime(value: Any, where: str) -> dt.datetime | None:
    text = _string(value, where)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _bad(where, _("Give a date and time with its time zone (ISO 8601)."))
    return moment


def _order_id(report: dict[str, Any]) -> UUID:
    for i, item in enumerate(_list(report.get("basedOn"), "basedOn")):
        where = f"basedOn.{i}"
        ref = _object(item, where)
        reference = _string(ref.get("reference"), f"{where}.reference")
        if reference.startswith("ServiceRequest/"):
            candidate = reference.removeprefix("ServiceRequest/")
        else:
            identifier = ref.get("identifier")
            if identifier is None:
                continue
            ident = _object(identifier, f"{where}.identifier")
            if _string(ident.get("system"), f"{where}.identifier.system") != ORDER_SYSTEM:
                continue
            candidate = _string(ident.get("value"), f"{where}.identifier.value", required=True)
        try:
            return UUID(candidate)
        except ValueError as exc:
            raise _bad(where, _("This is not one of our order ids.")) from exc
    raise DomainError(
        "order_unmatched",
        _("The report names no order of ours in basedOn (ServiceRequest/<order id>)."),
        field="basedOn",
    )


def _observation_code(observation: dict[str, Any], where: str) -> str:
    code = _object(observation.get("code"), f"{where}.code")
    for j, coding in enumerate(_list(code.get("coding"), f"{where}.code.coding", required=True)):
        c = _object(coding, f"{where}.code.coding.{j}")
        system = _string(c.get("system"), f"{where}.code.coding.{j}.system")
        value = _string(c.get("code"), f"{where}.code.coding.{j}.code")
        if system == OBSERVATION_SYSTEM and value in labs.OBSERVATIONS:
            return value
        if system == LOINC_SYSTEM:
            known = labs.observation_by_loinc(value)
            if known is not None:
                return known.code
    raise DomainError(
        "observation_unknown",
        _("This observation's code is not one we know."),
        field=f"{where}.code",
    )


def _value(observation: dict[str, Any], code: str, where: str) -> ValueInput:
    kind = labs.OBSERVATIONS[code].kind
    low = high = None
    ranges = _list(observation.get("referenceRange"), f"{where}.referenceRange")
    if ranges:
        first = _object(ranges[0], f"{where}.referenceRange.0")
        if first.get("low") is not None:
            low = _number(
                _object(first["low"], f"{where}.referenceRange.0.low").get("value"),
                f"{where}.referenceRange.0.low.value",
            )
        if first.get("high") is not None:
            high = _number(
                _object(first["high"], f"{where}.referenceRange.0.high").get("value"),
                f"{where}.referenceRange.0.high.value",
            )
    abnormal = False
    for j, interp in enumerate(_list(observation.get("interpretation"), f"{where}.interpretation")):
        concept = _object(interp, f"{where}.interpretation.{j}")
        for k, coding in enumerate(
            _list(concept.get("coding"), f"{where}.interpretation.{j}.coding")
        ):
            value = _string(
                _object(coding, f"{where}.interpretation.{j}.coding.{k}").get("code"),
                f"{where}.interpretation.{j}.coding.{k}.code",
            )
            if value in ABNORMAL_INTERPRETATIONS:
                abnormal = True
            elif value not in NORMAL_INTERPRETATIONS:
                raise _bad(f"{where}.interpretation.{j}.coding.{k}.code")
    if kind == labs.Kind.QUANTITY:
        quantity = _object(observation.get("valueQuantity"), f"{where}.valueQuantity")
        number = _number(quantity.get("value"), f"{where}.valueQuantity.value")
        if number is None:
            raise _bad(f"{where}.valueQuantity.value")
        unit = _string(quantity.get("code"), f"{where}.valueQuantity.code") or _string(
            quantity.get("unit"), f"{where}.valueQuantity.unit"
        )
        return ValueInput(code, number=number, unit=unit, reported_low=low, reported_high=high)
    text = ""
    if "valueString" in observation:
        text = _string(observation.get("valueString"), f"{where}.valueString", required=True)
    elif "valueCodeableConcept" in observation:
        concept = _object(observation["valueCodeableConcept"], f"{where}.valueCodeableConcept")
        codings = _list(concept.get("coding"), f"{where}.valueCodeableConcept.coding")
        if codings:
            first = _object(codings[0], f"{where}.valueCodeableConcept.coding.0")
            text = _string(first.get("code"), f"{where}.valueCodeableConcept.coding.0.code")
        text = text or _string(concept.get("text"), f"{where}.valueCodeableConcept.text")
    if not text:
        raise _bad(f"{where}.value[x]")
    return ValueInput(code, text=text, abnormal=abnormal)


def _check_status(resource: dict[str, Any], where: str) -> None:
    status = _string(resource.get("status"), f"{where}.status", required=True)
    if status not in FINAL_STATUSES:
        raise DomainError(
            "report_not_final",
            _("Only final, amended or corrected results are accepted."),
            field=f"{where}.status",
        )


def _resources(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The DiagnosticReport and the Observations it may reference, by reference string."""
    kind = payload.get("resourceType")
    found: dict[str, dict[str, Any]] = {}
    if kind == "DiagnosticReport":
        report = payload
        for i, item in enumerate(_list(report.get("contained"), "contained")):
            resource = _object(item, f"contained.{i}")
            if resource.get("resourceType") == "Observation":
                rid = _string(resource.get("id"), f"contained.{i}.id", required=True)
                found[f"#{rid}"] = resource
        return report, found
    if kind == "Bundle":
        reports = []
        entries = _list(payload.get("entry"), "entry", required=True)
        for i, entry in enumerate(entries):
            resource = _object(_object(entry, f"entry.{i}").get("resource"), f"entry.{i}.resource")
            rtype = resource.get("resourceType")
            if rtype == "DiagnosticReport":
                reports.append(resource)
            elif rtype == "Observation":
                full = _string(entry.get("fullUrl"), f"entry.{i}.fullUrl")
                rid = _string(resource.get("id"), f"entry.{i}.resource.id")
                if full:
                    found[full] = resource
                if rid:
                    found[f"Observation/{rid}"] = resource
        if len(reports) != 1:
            raise DomainError(
                "bundle_reports",
                _("The bundle must hold exactly one DiagnosticReport."),
                field="entry",
            )
        return reports[0], found
    raise DomainError(
        "fhir_resource_type",
        _("Send a DiagnosticReport or a Bundle holding one."),
        field="resourceType",
    )


def report_from_fhir(payload: Any) -> tuple[UUID, ReportInput]:
    """Our order id and the report's input, from a FHIR R4 DiagnosticReport or Bundle."""
    root = _object(payload, "")
    report, observations = _resources(root)
    _check_status(report, "DiagnosticReport")
    order_id = _order_id(report)
    refs = _list(report.get("result"), "result", required=True)
    if len(refs) > MAX_OBSERVATIONS:
        raise _bad("result", _("A report holds at most 50 results."))
    values = []
    for i, ref in enumerate(refs):
        where = f"result.{i}"
        reference = _string(
            _object(ref, where).get("reference"), f"{where}.reference", required=True
        )
        observation = observations.get(reference)
        if observation is None:
            raise _bad(f"{where}.reference", _("This reference names no Observation sent with it."))
        _check_status(observation, f"Observation[{reference}]")
        code = _observation_code(observation, f"Observation[{reference}]")
        values.append(_value(observation, code, f"Observation[{reference}]"))
    identifiers = _list(report.get("identifier"), "identifier")
    external = ""
    if identifiers:
        external = _string(
            _object(identifiers[0], "identifier.0").get("value"), "identifier.0.value"
        )
    observed = _datetime(report.get("effectiveDateTime"), "effectiveDateTime") or _datetime(
        report.get("issued"), "issued"
    )
    return order_id, ReportInput(
        values=values,
        source="fhir",
        external_id=external,
        conclusion=_string(report.get("conclusion"), "conclusion"),
        observed_at=observed,
    )
