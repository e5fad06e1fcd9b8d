"""The readings API's gate: the token, its user, her readiness, current pregnancy and known
diabetes in one statement whose SQL is compiled once (`anyun.core.prepared`) and run again
with the token's hash and the time: it answers exactly as the queryset it was built from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anyun.accounts.models import ApiToken
from anyun.accounts.services import (
    api_token_hash,
    api_token_issue,
    api_tokens_live,
    api_tokens_live_hashed,
)
from anyun.consent.models import ConsentSignature
from anyun.consent.services import current_consent_ids
from anyun.core.prepared import PreparedRead
from anyun.pregnancy import selectors
from anyun.pregnancy.selectors import current_pregnancy_of, woman_gate, woman_gate_by_token

pytestmark = pytest.mark.django_db


def test_the_gate_is_one_statement_and_matches_the_web_gate(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=20)
    raw = api_token_issue(user=woman)
    woman_gate_by_token(raw)  # compiled here
    with CaptureQueriesContext(connection) as captured:
        gate = woman_gate_by_token(raw)
    assert len(captured.captured_queries) == 1
    assert gate is not None
    web = woman_gate(woman)
    assert (gate.user, gate.verified, gate.consented, gate.diabetes) == (
        web.user,
        web.verified,
        web.consented,
        web.diabetes,
    )
    assert gate.pregnancy == current_pregnancy_of(woman)
    assert gate.pregnancy is not None
    assert gate.pregnancy.edd == web.pregnancy.edd  # type: ignore[union-attr]
    assert gate.user.woman_profile.real_name == woman.woman_profile.real_name
    # Her phone number is not read (nor decrypted) for the gate; asked for, it is read then.
    assert "phone" in gate.user.get_deferred_fields()
    with CaptureQueriesContext(connection) as on_use:
        assert gate.user.phone == woman.phone and woman.phone
    assert len(on_use.captured_queries) == 1


def test_a_revoked_an_expired_and_an_unknown_token_admit_nobody(
    make_woman: Any, tomorrow: dt.datetime
) -> None:
    woman = make_woman(pregnant_weeks=20)
    revoked, expiring = api_token_issue(user=woman), api_token_issue(user=woman)
    assert woman_gate_by_token(revoked) is not None
    ApiToken.objects.filter(token_hash=api_token_hash(revoked)).update(revoked_at=timezone.now())
    assert woman_gate_by_token(revoked) is None
    assert woman_gate_by_token("not-a-token") is None
    token = ApiToken.objects.get(token_hash=api_token_hash(expiring))
    with time_machine.travel(token.expires_at - dt.timedelta(seconds=1), tick=False):
        assert woman_gate_by_token(expiring) is not None
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1), tick=False):
        assert woman_gate_by_token(expiring) is None


def test_readiness_changes_are_seen_by_the_compiled_read(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=20)
    raw = api_token_issue(user=woman)
    gate = woman_gate_by_token(raw)
    assert gate is not None and gate.consented
    ConsentSignature.objects.filter(user=woman).update(withdrawn_at=timezone.now())
    gate = woman_gate_by_token(raw)
    assert gate is not None and not gate.consented
    assert gate.pregnancy is not None  # still her record, but she is not ready


def test_the_shape_is_kept_per_set_of_consent_documents(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=20)
    woman_gate_by_token(api_token_issue(user=woman))
    read = selectors._GATE_BY_TOKEN[tuple(current_consent_ids())]
    shapes = dict(read._shapes)
    woman_gate_by_token(api_token_issue(user=woman))
    assert read._shapes == shapes  # nothing compiled again


def test_a_prepared_read_gives_what_the_queryset_gives(make_woman: Any) -> None:
    women = [make_woman(pregnant_weeks=20), make_woman()]
    tokens = [api_token_issue(user=w) for w in women]
    read: PreparedRead[ApiToken] = PreparedRead(
        lambda token_hash, now: api_tokens_live_hashed(token_hash, now=now).order_by("pk")
    )
    for raw in [*tokens, "unknown"]:
        expected = api_tokens_live(raw).order_by("pk").first()
        got = read.first(api_token_hash(raw), timezone.now())
        assert got == expected
        if got is not None and expected is not None:
            assert got.user == expected.user
            assert (got.expires_at, got.user.phone) == (expected.expires_at, expected.user.phone)


def test_a_slot_that_does_not_reach_the_sql_is_refused(make_woman: Any) -> None:
    read: PreparedRead[ApiToken] = PreparedRead(lambda token_hash: ApiToken.objects.all())
    with pytest.raises(ValueError, match="does not reach the SQL"):
        read.first("anything")
