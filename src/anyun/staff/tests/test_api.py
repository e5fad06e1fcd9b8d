"""Public staff API: /api/v1/staff/clinicians, /clinicians/{id}, /licence-lookup."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from anyun.accounts.models import Role, User
from anyun.staff.models import CredentialKind, Title
from anyun.staff.selectors import mask_number
from anyun.staff.services import photo_set
from anyun.staff.tests.conftest import png_bytes, upload

K = CredentialKind
BASE = "/api/v1/staff"
pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def li_hua(make_profile: Any, give_all: Any) -> Any:
    profile = make_profile(
        name="Li Hua",
        title=Title.CHIEF_PHYSICIAN,
        specialty="Preeclampsia",
        introduction="Leads the high-risk clinic.",
        is_department_head=True,
    )
    give_all(profile, until=timezone.localdate() + timedelta(days=400))
    return profile


def test_clinician_list_is_public_and_lists_only_listed(
    client: Client,
    li_hua: Any,
    make_profile: Any,
    pharmacy: Any,
    django_assert_max_num_queries: Any,
) -> None:
    wang = make_profile(
        Role.PHARMACIST, name="Wang Fang", title=Title.PHARMACIST, department=pharmacy
    )
    make_profile(name="Hidden Doctor", is_listed=False)
    photo_set(profile=li_hua, photo=upload("me.png", png_bytes()))

    with django_assert_max_num_queries(2):  # count + page
        response = client.get(f"{BASE}/clinicians")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["items"] == [
        {
            "public_id": str(li_hua.public_id),
            "name": "Li Hua",
            "title": "chief_physician",
            "title_label": "Chief physician",
            "specialty": "Preeclampsia",
            "department": {
                "public_id": str(li_hua.department.public_id),
                "name": "Obstetrics",
                "hospital": "Anyun Maternity Hospital",
            },
            "is_department_head": True,
            "photo_url": f"/staff/{li_hua.public_id}/photo",
        },
        {
            "public_id": str(wang.public_id),
            "name": "Wang Fang",
            "title": "pharmacist",
            "title_label": "Pharmacist",
            "specialty": "High-risk pregnancy",
            "department": {
                "public_id": str(pharmacy.public_id),
                "name": "Pharmacy",
                "hospital": "Anyun Maternity Hospital",
            },
            "is_department_head": False,
            "photo_url": None,
        },
    ]


def test_clinician_list_filters(
    client: Client, li_hua: Any, make_profile: Any, pharmacy: Any
) -> None:
    make_profile(Role.PHARMACIST, name="Wang Fang", title=Title.PHARMACIST, department=pharmacy)

    def names(**params: Any) -> list[str]:
        response = client.get(f"{BASE}/clinicians", params)
        assert response.status_code == 200
        return [item["name"] for item in response.json()["items"]]

    assert names(department=str(pharmacy.public_id)) == ["Wang Fang"]
    assert names(q="preeclampsia") == ["Li Hua"]
    assert names(q="nobody") == []
    assert names(department=str(uuid.uuid4())) == []
    assert names(limit=1) == ["Li Hua"]
    assert names(limit=1, offset=1) == ["Wang Fang"]
    assert client.get(f"{BASE}/clinicians", {"department": "x"}).status_code == 422


def test_clinician_detail(client: Client, li_hua: Any) -> None:
    response = client.get(f"{BASE}/clinicians/{li_hua.public_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Li Hua"
    assert body["introduction"] == "Leads the high-risk clinic."
    credentials = {c["kind"]: c for c in body["credentials"]}
    assert list(credentials) == [
        "practising_certificate",
        "hospital_registration",
        "mch_certificate",
        "internet_admission",
    ]
    practising = li_hua.credentials.get(kind=K.PRACTISING_CERTIFICATE)
    assert credentials["practising_certificate"] == {
        "public_id": str(practising.public_id),
        "kind": "practising_certificate",
        "kind_label": "Practising certificate",
        "number": practising.number,
        "issuer": "Guangdong Health Commission",
        "valid_from": "2020-01-01",
        "valid_until": (timezone.localdate() + timedelta(days=400)).isoformat(),
        "status": "valid",
        "status_label": "Valid",
    }
    mch = li_hua.credentials.get(kind=K.MCH_CERTIFICATE).number
    assert credentials["mch_certificate"]["number"] == mask_number(mch)
    assert all("scan" not in c for c in body["credentials"])


def test_clinician_detail_404_for_unlisted_and_unknown(client: Client, make_profile: Any) -> None:
    hidden = make_profile(is_listed=False)
    for public_id in (hidden.public_id, uuid.uuid4()):
        response = client.get(f"{BASE}/clinicians/{public_id}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_licence_lookup_by_number_and_name(
    client: Client, li_hua: Any, make_profile: Any, give: Any
) -> None:
    other = make_profile(name="Li Na")
    give(other, K.MCH_CERTIFICATE, until=timezone.localdate() - timedelta(days=1))
    number = li_hua.credentials.get(kind=K.PRACTISING_CERTIFICATE).number

    by_number = client.get(f"{BASE}/licence-lookup", {"q": number})
    by_name = client.get(f"{BASE}/licence-lookup", {"q": "Li Na"})
    partial = client.get(f"{BASE}/licence-lookup", {"q": "Li"})

    assert by_number.status_code == 200
    assert [r["clinician"]["name"] for r in by_number.json()] == ["Li Hua"]
    assert [r["clinician"]["name"] for r in by_name.json()] == ["Li Na"]
    assert [(c["kind"], c["status"]) for c in by_name.json()[0]["credentials"]] == [
        ("mch_certificate", "expired")
    ]
    assert sorted(r["clinician"]["name"] for r in partial.json()) == ["Li Hua", "Li Na"]


def test_licence_lookup_needs_a_query(client: Client) -> None:
    response = client.get(f"{BASE}/licence-lookup", {"q": "  "})

    assert response.status_code == 400
    assert response.json() == {
        "code": "query_required",
        "message": "Enter a name or a certificate number.",
        "field": "q",
    }


@pytest.mark.parametrize("role", [Role.WOMAN, Role.CLINICIAN])
def test_signed_in_users_get_the_same_public_view(
    role: str, make_user: Callable[..., User], li_hua: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(role))
    response = client.get(f"{BASE}/clinicians/{li_hua.public_id}")
    assert response.status_code == 200
    assert response.json()["name"] == "Li Hua"
