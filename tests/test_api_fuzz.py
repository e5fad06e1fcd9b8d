"""The JSON API fuzzed from its own OpenAPI schema: no 5xx, documented answers, shaped errors.

Schemathesis reads /api/openapi.json from the app and sends generated requests (valid and
invalid, boundary values included) to every operation through the WSGI handler in this
process, as three callers: nobody, a pregnant woman and a clinician on her care team, each of
the two with a bearer token. No answer may be a server error; a 2xx (or any status the schema
documents) must match its documented status, content type and body schema; every 4xx must be
our JSON error `{code, message, field}` (anyun.api). A summary of operations and examples per
caller closes the run.

Requests run in the test's thread on a database in autocommit (a transactional test), as in
production: a statement the database refuses does not poison the requests after it. Half of
the ids generated name a record of the test's world, so requests get past "not found". Between
examples the woman's consent is restored and sign-in limits are out of reach, so one example's
state does not turn the next into a refusal that hides the operation. Generation is
deterministic: a failure reproduces on every run.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from conftest import World
from django.core.signals import got_request_exception
from django.core.wsgi import get_wsgi_application
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from anyun.accounts.services import api_token_issue
from anyun.clinical.signs import SignKind
from anyun.consent.services import (
    consent_missing_for,
    consent_sign,
    documents_current,
    signatures_of,
)
from anyun.notify.models import Notification

SCHEMA_PATH = "/api/openapi.json"
CALLERS = ("anonymous", "woman", "clinician")
MAX_EXAMPLES = 25
SEED = 20_240_601
# The records of the world a parameter may name: half of its examples name one of them (a
# stand-in id the test replaces with the record's), the rest are generated.
RECORDS_FOR = {
    "path.pregnancy_id": ("pregnancy", "other pregnancy"),
    "path.woman_id": ("woman", "other woman"),
    "query.woman_id": ("woman", "other woman"),
    "body.woman_id": ("woman", "other woman"),
    "path.document_id": ("document",),
    "path.signature_id": ("signature",),
    "path.public_id": ("clinician", "notification"),
    "path.alarm_id": ("alarm",),
    "path.report_id": ("report",),
}
# Words the schema types as any string: half of the examples use one the product knows.
WORDS_FOR = {
    "body.items[*].kind": tuple(kind.value for kind in SignKind),
    "body.kind": tuple(kind.value for kind in SignKind),
    "body.phone": ("13912345678", "+8613912345678"),
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Sign-in limits a fuzzer would reach within one operation's examples.
GENEROUS_LIMITS = {
    "ANYUN_OTP_RESEND_SECONDS": 0,
    "ANYUN_OTP_MAX_PER_PHONE_HOUR": 1_000_000,
    "ANYUN_OTP_MAX_PER_IP_HOUR": 1_000_000,
    "ANYUN_OTP_MAX_ATTEMPTS": 1_000_000,
    "ANYUN_LOGIN_MAX_FAILURES": 1_000_000,
    "ANYUN_LOGIN_ACCOUNT_MAX_FAILURES": 1_000_000,
    "ANYUN_SIGN_IN_RATE_PER_ADDRESS": "1000000/s",
    "ANYUN_SIGN_IN_RATE_PER_ACCOUNT": "1000000/s",
}

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    user: Any = None


# --- the summary printed at the end of the run --------------------------------------------


class Tally:
    """Examples sent and answers received, per caller and operation."""

    def __init__(self) -> None:
        self.statuses: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    def record(self, caller: str, operation: str, status: int) -> None:
        self.statuses[caller, operation][f"{status // 100}xx"] += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.statuses:
            return
        terminalreporter.section("API fuzzing")
        for caller in CALLERS:
            rows = {op: c for (who, op), c in self.statuses.items() if who == caller}
            if not rows:
                continue
            examples = sum(sum(c.values()) for c in rows.values())
            reached = sum(1 for c in rows.values() if c["2xx"])
            terminalreporter.write_line(
                f"{caller}: {len(rows)} operations, {examples} examples, "
                f"{reached} operations answered 2xx at least once"
            )
            for operation in sorted(rows):
                counts = ", ".join(f"{k} {v}" for k, v in sorted(rows[operation].items()))
                terminalreporter.write_line(f"    {operation}: {counts}")
        total = sum(sum(c.values()) for c in self.statuses.values())
        terminalreporter.write_line(f"total: {total} examples")


@pytest.fixture(scope="session")
def tally(pytestconfig: pytest.Config) -> Tally:
    found = pytestconfig.pluginmanager.get_plugin("anyun-api-fuzz-tally")
    if found is None:
        found = Tally()
        pytestconfig.pluginmanager.register(found, "anyun-api-fuzz-tally")
    return found  # type: ignore[no-any-return]


# --- the world, the callers and the schema --------------------------------------------------


@pytest.fixture(autouse=True)
def _generous_limits_and_own_media(settings: Any, tmp_path: Any) -> None:
    for name, value in GENEROUS_LIMITS.items():
        # Only raise a limit that exists: defining a missing one would hide the code's 500.
        if hasattr(settings, name):
            setattr(settings, name, value)
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=CALLERS)
def caller(request: pytest.FixtureRequest, world: World) -> Caller:
    user = {"anonymous": None, "woman": world.woman, "clinician": world.inside}[request.param]
    headers = {} if user is None else {"Authorization": f"Bearer {api_token_issue(user=user)}"}
    return Caller(name=request.param, headers=headers, user=user)


def _stand_in(role: str) -> str:
    """The fixed id generation uses for one record of the world; the real id exists only once
    the test's world is built."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"anyun-api-fuzz:{role}"))


@pytest.fixture
def records(world: World) -> dict[str, str]:
    """The world's record ids by stand-in: both women and their pregnancies, the woman's
    consent, an exam report, an urgent alarm for her care team and a notification."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anyun.monitoring.services import ReadingInput, readings_record
    from anyun.pregnancy.selectors import current_pregnancy_of
    from anyun.pregnancy.services import report_upload

    pregnancy = current_pregnancy_of(world.woman)
    report = report_upload(
        actor=world.woman,
        pregnancy=pregnancy,
        upload=SimpleUploadedFile("scan.pdf", PDF),
        title="NT scan",
    )
    alarms = readings_record(
        actor=world.woman,
        woman=world.woman,
        items=[ReadingInput(kind=SignKind.BLOOD_PRESSURE, systolic=170, diastolic=115)],
    ).alarms
    found = {
        "pregnancy": pregnancy,
        "other pregnancy": current_pregnancy_of(world.other_woman),
        "woman": world.woman,
        "other woman": world.other_woman,
        "document": documents_current()[0],
        "signature": signatures_of(world.woman).first(),
        "clinician": world.inside.clinician_profile,
        "report": report,
        "alarm": alarms[0] if alarms else None,
        "notification": Notification.objects.order_by("pk").first(),
    }
    missing = sorted(role for role, record in found.items() if record is None)
    assert not missing, f"the world lacks {missing}"
    return {_stand_in(role): str(record.public_id) for role, record in found.items()}


def _swap_stand_ins(case: Case, records: dict[str, str]) -> None:
    containers = [case.path_parameters, case.query]
    if isinstance(case.body, dict):
        containers.append(case.body)
    for container in containers:
        for name, value in list((container or {}).items()):
            if isinstance(value, str) and value in records:
                container[name] = records[value]


@pytest.fixture
def server_tracebacks() -> Iterator[list[str]]:
    """Tracebacks of the exceptions behind 500 answers (the handler logs them, or Django's
    signal reports them), so a failure shows its cause and not only its status."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                seen.append("".join(traceback.format_exception(*record.exc_info)))

    def on_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
        seen.append(traceback.format_exc())

    handler = Keep(level=logging.ERROR)
    loggers = [logging.getLogger(name) for name in ("anyun.api", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    got_request_exception.connect(on_exception)
    yield seen
    got_request_exception.disconnect(on_exception)
    for logger in loggers:
        logger.removeHandler(handler)


# --- checks -----------------------------------------------------------------------------------


def _content_type(response: Response) -> str:
    for name, values in response.headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return ""


def error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 4xx under /api/ is our JSON error: an object with a code, a message and a field."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = _content_type(response)
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered as {content_type or 'no content type'}: "
        f"{response.content[:200]!r}"
    )
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} body is not JSON: {exc}") from None
    assert isinstance(body, dict), f"{response.status_code} body is not an object: {body!r}"
    missing = {"code", "message", "field"} - set(body)
    assert not missing, f"{response.status_code} body lacks {sorted(missing)}: {body!r}"
    assert isinstance(body["code"], str) and body["code"], f"code is not a word: {body!r}"
    assert isinstance(body["message"], str) and body["message"], f"no message: {body!r}"
    assert body["field"] is None or isinstance(body["field"], str), f"field: {body!r}"
    return None


def _documented(case: Case, status: int) -> bool:
    responses = case.operation.definition.raw.get("responses", {})
    return str(status) in responses or f"{status // 100}XX" in responses


def checks_for(case: Case, response: Response) -> list[Any]:
    """No answer is a server error; a success (or a documented status) is as documented; a
    client error is shaped. Undocumented 4xx are expected: the schema lists successes only."""
    status = response.status_code
    checks: list[Any] = [not_a_server_error]
    if status < 400:
        checks.append(status_code_conformance)
    if status < 400 or _documented(case, status):
        checks += [content_type_conformance, response_schema_conformance]
    if 400 <= status < 500:
        checks.append(error_shape)
    return checks


def _restore_consent(caller: Caller) -> None:
    """An example that withdrew the woman's consent would turn every later one into 403."""
    if caller.name == "woman":
        for document in consent_missing_for(caller.user):
            consent_sign(user=caller.user, document_public_id=document.public_id)


# --- the test ---------------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi(
    SCHEMA_PATH,
    get_wsgi_application(),
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "dictionaries": {
                **{
                    name: {"values": [_stand_in(role) for role in roles]}
                    for name, roles in RECORDS_FOR.items()
                },
                **{name: {"values": list(words)} for name, words in WORDS_FOR.items()},
            },
            "parameters": {
                name: {"dictionary": name, "probability": 0.5}
                for name in [*RECORDS_FOR, *WORDS_FOR]
            },
        }
    ),
)


@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
        hypothesis.HealthCheck.filter_too_much,
        hypothesis.HealthCheck.data_too_large,
    ],
)
@schema.parametrize()
def test_api_answers_as_documented(
    case: Case,
    caller: Caller,
    records: dict[str, str],
    tally: Tally,
    server_tracebacks: list[str],
) -> None:
    server_tracebacks.clear()
    _swap_stand_ins(case, records)
    response = case.call(headers=caller.headers)
    tally.record(caller.name, case.operation.label, response.status_code)
    _restore_consent(caller)
    try:
        case.validate_response(response, checks=checks_for(case, response))
    except FailureGroup as failure:
        for text in server_tracebacks[-1:]:
            failure.add_note("Exception behind the answer:\n" + text)
        raise
