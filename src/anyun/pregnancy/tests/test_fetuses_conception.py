"""The number of fetuses and the conception (natural or ART) on the pregnancy record: kept by
the services (1 to 5 fetuses, or not yet known), edited on the record's form and over the API,
shown on the record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.conf import settings
from django.test import Client
from django.utils import timezone

from anyun.accounts.services import api_token_issue
from anyun.core.errors import DomainError
from anyun.pregnancy import selectors, services
from anyun.pregnancy.forms import PregnancyForm
from anyun.pregnancy.models import Pregnancy, PregnancyRevision
from anyun.pregnancy.services import PregnancyInput

pytestmark = pytest.mark.django_db


def _lmp() -> str:
    return (timezone.localdate() - timedelta(weeks=10)).isoformat()


def _api(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _form_data(**changes: Any) -> dict[str, Any]:
    return {"lmp": _lmp(), "cycle_length_days": 28, "gravidity": 2, "parity": 1} | changes


# --- Services ---------------------------------------------------------------------------------


def test_a_twin_art_pregnancy_is_opened_with_both_on_record(make_woman: Any) -> None:
    woman = make_woman()
    p = services.pregnancy_open(
        actor=woman,
        woman=woman,
        data=PregnancyInput(
            lmp=timezone.localdate() - timedelta(weeks=10), fetus_count=2, art_conception=True
        ),
    )
    p.refresh_from_db()
    assert (p.fetus_count, p.art_conception) == (2, True)


def test_both_start_as_not_known(make_woman: Any) -> None:
    p = selectors.current_pregnancy_of(make_woman(pregnant_weeks=10))
    assert p is not None
    assert (p.fetus_count, p.art_conception) == (None, None)


@pytest.mark.parametrize("count", [0, 6, 9])
def test_a_number_of_fetuses_outside_one_to_five_is_refused(make_woman: Any, count: int) -> None:
    woman = make_woman()
    with pytest.raises(DomainError) as err:
        services.pregnancy_open(
            actor=woman,
            woman=woman,
            data=PregnancyInput(lmp=timezone.localdate() - timedelta(weeks=10), fetus_count=count),
        )
    assert (err.value.code, err.value.field) == ("fetus_count_range", "fetus_count")
    assert not Pregnancy.objects.filter(woman=woman).exists()


def test_an_update_keeps_them_when_omitted_and_records_a_change(world: Any) -> None:
    p = selectors.current_pregnancy_of(world.woman)
    assert p is not None
    services.pregnancy_update(
        actor=world.inside,
        pregnancy=p,
        data=services.input_merge(
            services.input_from_pregnancy(p), {"fetus_count": 2, "art_conception": False}
        ),
    )
    p.refresh_from_db()
    assert PregnancyRevision.objects.get(pregnancy=p).changes == {
        "fetus_count": [None, 2],
        "art_conception": [None, False],
    }
    services.pregnancy_update(
        actor=world.woman,
        pregnancy=p,
        data=services.input_merge(services.input_from_pregnancy(p), {"allergies": "青霉素"}),
    )
    p.refresh_from_db()
    assert (p.fetus_count, p.art_conception, p.allergies) == (2, False, "青霉素")


def test_an_update_to_nine_fetuses_changes_nothing(world: Any) -> None:
    p = selectors.current_pregnancy_of(world.woman)
    assert p is not None
    with pytest.raises(DomainError) as err:
        services.pregnancy_update(
            actor=world.inside,
            pregnancy=p,
            data=services.input_merge(
                services.input_from_pregnancy(p), {"fetus_count": 9, "allergies": "x"}
            ),
        )
    assert err.value.field == "fetus_count"
    p.refresh_from_db()
    assert (p.fetus_count, p.allergies) == (None, "")
    assert not PregnancyRevision.objects.filter(pregnancy=p).exists()


# --- Forms and pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "expected"), [("unknown", None), ("false", False), ("true", True), ("", None)]
)
def test_the_form_reads_the_conception(sent: str, expected: bool | None) -> None:
    form = PregnancyForm(_form_data(art_conception=sent, fetus_count="1"))
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["art_conception"], form.cleaned_data["fetus_count"]) == (
        expected,
        1,
    )


@pytest.mark.parametrize("count", ["0", "9"])
def test_the_form_refuses_a_number_of_fetuses_outside_one_to_five(count: str) -> None:
    form = PregnancyForm(_form_data(fetus_count=count))
    assert not form.is_valid()
    assert list(form.errors) == ["fetus_count"]


def test_she_opens_her_record_with_twins_on_the_page(make_woman: Any) -> None:
    woman = make_woman()
    client = woman_client(woman)
    refused = client.post("/pregnancy/", _form_data(fetus_count="9", art_conception="true"))
    assert refused.status_code == 200
    assert 'id="id_fetus_count_error"' in refused.content.decode()
    assert not Pregnancy.objects.filter(woman=woman).exists()
    opened = client.post("/pregnancy/", _form_data(fetus_count="2", art_conception="true"))
    assert opened.status_code == 302
    p = Pregnancy.objects.get(woman=woman)
    assert (p.fetus_count, p.art_conception) == (2, True)


def test_the_clinician_edits_them_and_the_record_shows_them(world: Any) -> None:
    p = selectors.current_pregnancy_of(world.woman)
    assert p is not None
    client = _english(staff_client(world.inside))
    url = f"/pregnancy/{p.public_id}/edit/"
    page = client.get(url).content.decode()
    assert 'name="fetus_count"' in page and 'name="art_conception"' in page
    refused = client.post(url, _form_data(fetus_count="0", art_conception="false"))
    assert 'id="id_fetus_count_error"' in refused.content.decode()
    p.refresh_from_db()
    assert (p.fetus_count, p.art_conception) == (None, None)
    saved = client.post(url, _form_data(fetus_count="2", art_conception="false"))
    assert saved.status_code == 302
    p.refresh_from_db()
    assert (p.fetus_count, p.art_conception) == (2, False)
    # The edit form starts from what the record holds.
    again = client.get(url).content.decode()
    assert 'name="fetus_count" value="2"' in again
    assert '<option value="false" selected>' in again
    shown = _english(woman_client(world.woman)).get("/pregnancy/").content.decode()
    assert '<dd data-testid="fetus-count">2</dd>' in shown
    assert '<dd data-testid="art-conception">Natural conception</dd>' in shown


# --- API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 9])
def test_the_api_refuses_a_bad_number_of_fetuses_and_stores_nothing(
    make_woman: Any, count: int
) -> None:
    woman = make_woman()
    response = _api(woman).post(
        "/api/v1/pregnancy/",
        {"lmp": _lmp(), "fetus_count": count},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "fetus_count_range",
        "fetus_count",
    )
    assert not Pregnancy.objects.filter(woman=woman).exists()


def test_the_api_opens_patches_and_returns_them(make_woman: Any) -> None:
    woman = make_woman()
    api = _api(woman)
    opened = api.post(
        "/api/v1/pregnancy/",
        {"lmp": _lmp(), "fetus_count": 2, "art_conception": True},
        content_type="application/json",
    )
    assert opened.status_code == 201
    body = opened.json()
    assert (body["fetus_count"], body["art_conception"]) == (2, True)
    url = f"/api/v1/pregnancy/{body['id']}"
    # Omitted: unchanged.
    kept = api.patch(url, {"allergies": "青霉素"}, content_type="application/json")
    assert kept.status_code == 200
    assert (kept.json()["fetus_count"], kept.json()["art_conception"]) == (2, True)
    refused = api.patch(url, {"fetus_count": 0}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "fetus_count"
    assert Pregnancy.objects.get(woman=woman).fetus_count == 2
    # Null: back to not known.
    cleared = api.patch(
        url, {"fetus_count": None, "art_conception": None}, content_type="application/json"
    )
    assert (cleared.json()["fetus_count"], cleared.json()["art_conception"]) == (None, None)
    assert api.get(url).json()["fetus_count"] is None
