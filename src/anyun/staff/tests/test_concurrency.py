"""Two recordings of the same practising number for two clinicians at once: one wins."""

from __future__ import annotations

import os
import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection

from anyun.core.errors import DomainError
from anyun.staff.models import Credential, CredentialKind
from anyun.staff.services import credential_record
from anyun.staff.tests.conftest import PRACTISING_NUMBER


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite" and not os.environ.get("ANYUN_TEST_DB_NAME"),
    reason="in-memory SQLite (shared cache) fails concurrent writers instead of waiting; "
    "run with PostgreSQL or ANYUN_TEST_DB_NAME=<file>",
)
def test_practising_number_race_has_one_winner(make_profile: Any, recorder: Any) -> None:
    profiles = [make_profile(), make_profile()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(profile: Any) -> None:
        barrier.wait()
        try:
            credential_record(
                profile=profile,
                kind=CredentialKind.PRACTISING_CERTIFICATE,
                number=PRACTISING_NUMBER,
                issuer="Guangdong Health Commission",
                valid_from=date(2020, 1, 1),
                valid_until=None,
                recorded_by=recorder,
            )
            outcomes.append("recorded")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in profiles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["practising_number_taken", "recorded"]
    assert Credential.objects.filter(number=PRACTISING_NUMBER).count() == 1
