"""Certificate numbers have one spelling: full-width characters are the ASCII number (the same
practising certificate, the same duplicate); any other digit is refused and records nothing.
Service, back office (web), public lookup page and API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from conftest import staff_client
from django.test import Client
from django.urls import reverse
from django.utils import translation

from anyun.accounts.models import Role, User
from anyun.core.errors import DomainError
from anyun.staff.models import ClinicianProfile, Credential, CredentialKind, Title
from anyun.staff.services import credential_record
from anyun.staff.tests.conftest import PRACTISING_NUMBER

K = CredentialKind
pytestmark = pytest.mark.django_db

MESSAGE_EN = "Write the digits of the certificate number as 0 to 9."
MESSAGE_ZH = "证书编号中的数字请写作 0 至 9。"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def in_digits(text: str, zero: str) -> str:
    """`text` with its ASCII digits written in the digit block that starts at `zero`."""
    return "".join(chr(ord(zero) + int(c)) if c.isascii() and c.isdigit() else c for c in text)


def full_width(text: str) -> str:
    """`text` as a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def superscript(text: str) -> str:
    return "".join(SUPERSCRIPTS[int(c)] if c.isascii() and c.isdigit() else c for c in text)


LOOKALIKES = {
    "arabic-indic": lambda n: in_digits(n, "\u0660"),
    "arabic-indic, one digit": lambda n: n[:3] + in_digits(n[3], "\u0660") + n[4:],
    "devanagari": lambda n: in_digits(n, "\u0966"),
    "superscript": superscript,
    "superscript, one digit": lambda n: n[:3] + SUPERSCRIPTS[int(n[3])] + n[4:],
    "mathematical bold": lambda n: in_digits(n, "\U0001d7ce"),
}


def record(profile: ClinicianProfile, recorder: User, **overrides: Any) -> Credential:
    values: dict[str, Any] = {
        "profile": profile,
        "kind": K.PRACTISING_CERTIFICATE,
        "number": PRACTISING_NUMBER,
        "issuer": "Guangzhou Health Commission",
        "valid_from": date(2020, 1, 1),
        "valid_until": None,
        "recorded_by": recorder,
    }
    values.update(overrides)
    return credential_record(**values)


# --- service ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [full_width(PRACTISING_NUMBER), "１１０４４ ０１０００\u3000１２３４５", "110４40100012345"],
)
def test_full_width_practising_number_is_recorded_as_ascii(
    typed: str, make_profile: Any, recorder: User
) -> None:
    credential = record(make_profile(), recorder, number=typed)

    assert credential.number == PRACTISING_NUMBER


def test_full_width_practising_number_is_the_one_another_clinician_holds(
    make_profile: Any, recorder: User
) -> None:
    record(make_profile(), recorder)

    with pytest.raises(DomainError) as caught:
        record(make_profile(), recorder, number=full_width(PRACTISING_NUMBER))

    assert (caught.value.code, caught.value.field) == ("practising_number_taken", "number")
    assert Credential.objects.count() == 1


@pytest.mark.parametrize("kind", [K.PRACTISING_CERTIFICATE, K.MCH_CERTIFICATE])
def test_full_width_copy_of_a_recorded_credential_is_a_duplicate(
    kind: str, make_profile: Any, recorder: User
) -> None:
    profile = make_profile()
    number = PRACTISING_NUMBER if kind == K.PRACTISING_CERTIFICATE else "MCH-GD-2023-118"
    record(profile, recorder, kind=kind, number=number)

    with pytest.raises(DomainError) as caught:
        record(profile, recorder, kind=kind, number=full_width(number))

    assert (caught.value.code, caught.value.field) == ("credential_duplicate", "number")
    assert list(Credential.objects.values_list("number", flat=True)) == [number]


def test_free_text_number_folds_full_width_letters_and_digits(
    make_profile: Any, recorder: User
) -> None:
    credential = record(
        make_profile(), recorder, kind=K.MCH_CERTIFICATE, number="粤母婴ＧＤ－２０２３"
    )

    assert credential.number == "粤母婴GD-2023"


@pytest.mark.parametrize("spell", LOOKALIKES.values(), ids=LOOKALIKES.keys())
@pytest.mark.parametrize("kind", K.values)
def test_other_digits_are_refused_and_nothing_is_recorded(
    spell: Any, kind: str, make_profile: Any, recorder: User
) -> None:
    number = PRACTISING_NUMBER if kind == K.PRACTISING_CERTIFICATE else "MCH2023-118"

    with pytest.raises(DomainError) as caught:
        record(make_profile(), recorder, kind=kind, number=spell(number))

    assert (caught.value.code, caught.value.field) == ("credential_number_characters", "number")
    with translation.override("zh-hans"):
        assert str(caught.value.message) == MESSAGE_ZH
    assert Credential.objects.count() == 0


def test_other_digits_are_not_a_second_spelling_of_a_held_number(
    make_profile: Any, recorder: User
) -> None:
    record(make_profile(), recorder)

    with pytest.raises(DomainError) as caught:
        record(make_profile(), recorder, number=in_digits(PRACTISING_NUMBER, "\u0660"))

    assert caught.value.code == "credential_number_characters"
    assert Credential.objects.count() == 1


# --- back office (web) -------------------------------------------------------------------


@pytest.fixture
def admin_client(make_staff: Callable[..., User]) -> Client:
    client = staff_client(make_staff(Role.SYSTEM_ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _admin_post(client: Client, user: User, department: Any, number: str) -> Any:
    data = {
        "user": user.pk,
        "department": department.pk,
        "title": Title.ATTENDING_PHYSICIAN,
        "specialty": "Obstetrics",
        "introduction": "",
        "is_listed": "on",
        "credentials-TOTAL_FORMS": "1",
        "credentials-INITIAL_FORMS": "0",
        "credentials-MIN_NUM_FORMS": "0",
        "credentials-MAX_NUM_FORMS": "1000",
        "credentials-0-kind": K.PRACTISING_CERTIFICATE,
        "credentials-0-number": number,
        "credentials-0-issuer": "Guangdong Health Commission",
        "credentials-0-valid_from": "2020-01-01",
        "credentials-0-valid_until": "",
    }
    return client.post(reverse("admin:staff_clinicianprofile_add"), data)


def test_back_office_records_a_full_width_number_as_ascii(
    admin_client: Client, make_user: Callable[..., User], obstetrics: Any
) -> None:
    response = _admin_post(
        admin_client, make_user(Role.CLINICIAN), obstetrics, full_width(PRACTISING_NUMBER)
    )

    assert response.status_code == 302
    assert Credential.objects.get().number == PRACTISING_NUMBER


def test_back_office_sees_a_full_width_number_as_the_one_held(
    admin_client: Client,
    make_user: Callable[..., User],
    make_profile: Any,
    recorder: User,
    obstetrics: Any,
) -> None:
    record(make_profile(), recorder)

    response = _admin_post(
        admin_client, make_user(Role.CLINICIAN), obstetrics, full_width(PRACTISING_NUMBER)
    )

    assert response.status_code == 200
    assert "Another clinician is registered with this practising certificate." in (
        response.content.decode()
    )
    assert Credential.objects.count() == 1


@pytest.mark.parametrize("spell", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_back_office_refuses_other_digits_beside_the_number(
    spell: Any, admin_client: Client, make_user: Callable[..., User], obstetrics: Any
) -> None:
    response = _admin_post(
        admin_client, make_user(Role.CLINICIAN), obstetrics, spell(PRACTISING_NUMBER)
    )

    assert response.status_code == 200
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "credentials"
    )
    assert formset.formset.errors == [{"number": [MESSAGE_EN]}]
    assert ClinicianProfile.objects.count() == 0
    assert Credential.objects.count() == 0


# --- public lookup: page and API ----------------------------------------------------------


@pytest.fixture
def li_hua(make_profile: Any, give: Any) -> ClinicianProfile:
    profile = make_profile(name="Li Hua")
    give(profile, K.PRACTISING_CERTIFICATE, until=None, number=PRACTISING_NUMBER)
    return profile


def test_lookup_by_full_width_number_finds_the_clinician(li_hua: ClinicianProfile) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    api = client.get("/api/v1/staff/licence-lookup", {"q": full_width(PRACTISING_NUMBER)})
    page = client.get(reverse("staff:lookup"), {"q": full_width(PRACTISING_NUMBER)})

    assert api.status_code == 200
    assert [r["clinician"]["name"] for r in api.json()] == ["Li Hua"]
    assert page.status_code == 200
    assert "Li Hua" in page.content.decode()


@pytest.mark.parametrize("spell", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_lookup_by_other_digits_finds_nothing(spell: Any, li_hua: ClinicianProfile) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    query = spell(PRACTISING_NUMBER)

    api = client.get("/api/v1/staff/licence-lookup", {"q": query})
    page = client.get(reverse("staff:lookup"), {"q": query})

    assert api.status_code == 200
    assert api.json() == []
    assert page.status_code == 200
    assert "No clinician of this hospital matches" in page.content.decode()
    assert Credential.objects.count() == 1
