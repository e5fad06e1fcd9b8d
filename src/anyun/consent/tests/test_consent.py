"""ACC-1 / POL-7: informed consent before any service, versioned, withdrawable."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import woman_client
from django.utils import timezone

from anyun.audit.models import AuditEvent
from anyun.consent import services
from anyun.consent.models import ConsentDocument, ConsentSignature, DocumentKind
from anyun.core.errors import DomainError, PermissionDenied
from anyun.pregnancy.models import Pregnancy
from anyun.pregnancy.services import PregnancyInput, pregnancy_open

pytestmark = pytest.mark.django_db


def test_two_documents_in_both_languages_are_in_force() -> None:
    docs = services.documents_current()
    assert [d.kind for d in docs] == [DocumentKind.INTERNET_CARE, DocumentKind.HEALTH_DATA]
    for doc in docs:
        assert doc.version == 1
        assert "互联网" in doc.title_zh or "健康信息" in doc.title_zh
        assert doc.body_en and doc.body_zh


def test_signing_records_time_address_device_and_version(make_woman: Any) -> None:
    woman = make_woman(consented=False)
    client = woman_client(woman)
    doc = services.documents_current()[0]
    response = client.post(
        f"/consent/sign/{doc.public_id}/",
        {"agree": "yes"},
        HTTP_USER_AGENT="TestPhone/1.0",
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302
    sig = ConsentSignature.objects.get(user=woman)
    assert sig.document == doc
    assert sig.ip_address == "198.51.100.4"
    assert sig.user_agent == "TestPhone/1.0"
    assert sig.signed_at is not None
    assert AuditEvent.objects.filter(action="consent_sign", subject=woman).count() == 1


def test_without_ticking_the_box_nothing_is_signed(make_woman: Any) -> None:
    woman = make_woman(consented=False)
    doc = services.documents_current()[0]
    woman_client(woman).post(f"/consent/sign/{doc.public_id}/", {})
    assert not ConsentSignature.objects.filter(user=woman).exists()


def test_services_are_refused_until_every_document_is_signed(make_woman: Any) -> None:
    woman = make_woman(consented=False)
    first = services.documents_current()[0]
    services.consent_sign(user=woman, document_public_id=first.public_id)
    with pytest.raises(PermissionDenied) as err:
        pregnancy_open(actor=woman, woman=woman, data=PregnancyInput(lmp=timezone.localdate()))
    assert err.value.code == "consent_required"
    assert not Pregnancy.objects.exists()
    # The web sends her to the consent page instead of the service.
    response = woman_client(woman).get("/pregnancy/")
    assert response.status_code == 302
    assert response["Location"].startswith("/consent/")


def test_a_new_version_requires_everyone_to_consent_again(make_woman: Any) -> None:
    woman = make_woman()
    assert services.consent_missing_for(woman) == []
    new = services.document_publish(
        kind=DocumentKind.INTERNET_CARE,
        title_zh="新版",
        title_en="New",
        body_zh="正文",
        body_en="Text",
    )
    assert new.version == 2
    assert services.consent_missing_for(woman) == [new]
    with pytest.raises(PermissionDenied):
        services.require_consent(woman)
    services.consent_sign(user=woman, document_public_id=new.public_id)
    assert services.consent_missing_for(woman) == []


def test_an_outdated_version_cannot_be_signed(make_woman: Any) -> None:
    woman = make_woman(consented=False)
    old = services.documents_current()[0]
    services.document_publish(
        kind=old.kind, title_zh="新版", title_en="New", body_zh="正文", body_en="Text"
    )
    with pytest.raises(DomainError) as err:
        services.consent_sign(user=woman, document_public_id=old.public_id)
    assert err.value.code == "consent_version_outdated"
    assert not ConsentSignature.objects.filter(user=woman).exists()


def test_withdrawal_stops_new_services_and_keeps_the_record(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=10)
    sig = ConsentSignature.objects.filter(user=woman).first()
    assert sig is not None
    client = woman_client(woman)
    response = client.post(f"/consent/signed/{sig.public_id}/", {"reason": "moving away"})
    assert response.status_code == 302
    sig.refresh_from_db()
    assert sig.withdrawn_at is not None
    assert sig.withdrawal_reason == "moving away"
    assert services.consent_withdrawn(woman)
    assert Pregnancy.objects.filter(woman=woman).count() == 1  # kept
    with pytest.raises(PermissionDenied):
        services.require_consent(woman)
    assert client.get("/pregnancy/")["Location"].startswith("/consent/")


def test_she_can_read_what_she_signed_but_not_another_womans(make_woman: Any) -> None:
    woman, other = make_woman(), make_woman()
    sig = ConsentSignature.objects.filter(user=other).first()
    mine = ConsentSignature.objects.filter(user=woman).first()
    client = woman_client(woman)
    assert client.get(f"/consent/signed/{mine.public_id}/").status_code == 200
    assert client.get(f"/consent/signed/{sig.public_id}/").status_code == 404
    assert client.post(f"/consent/signed/{sig.public_id}/", {"reason": "x"}).status_code == 404
    sig.refresh_from_db()
    assert sig.withdrawn_at is None


def test_documents_are_numbered_per_kind() -> None:
    assert ConsentDocument.objects.filter(kind=DocumentKind.HEALTH_DATA).count() == 1
