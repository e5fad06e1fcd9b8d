"""ACC-2 and the three front ends: home and next steps, guide, help, console per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client
from django.utils import translation

from anyun.accounts.models import WomanProfile
from anyun.pregnancy.forms import PregnancyForm
from anyun.web.views import HELP_TOPICS

pytestmark = pytest.mark.django_db


def _steps(page: str) -> list[str]:
    import re

    return re.findall(r'data-step="(\w+)"', page)


def test_home_leads_a_new_woman_step_by_step(make_woman: Any) -> None:
    woman = make_woman(verified=False, consented=False)
    client = woman_client(woman)
    assert _steps(client.get("/").content.decode()) == ["guide", "identity"]
    client.post("/accounts/guide/")
    assert WomanProfile.objects.get(user=woman).guide_seen_at is not None
    assert _steps(client.get("/").content.decode()) == ["identity"]


def test_home_of_a_pregnant_woman_shows_weeks_and_due_date(make_woman: Any) -> None:
    woman = make_woman(pregnant_weeks=20)
    page = woman_client(woman).get("/").content.decode()
    assert 'data-testid="ga">20+0<' in page
    assert 'data-testid="edd"' in page


def test_clinical_pages_send_an_unverified_woman_to_verification(make_woman: Any) -> None:
    client = woman_client(make_woman(verified=False, consented=False))
    response = client.get("/pregnancy/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/identity/"


@pytest.mark.parametrize("topic", HELP_TOPICS)
def test_each_service_has_a_help_page(topic: str) -> None:
    assert Client().get(f"/help/{topic}/").status_code == 200


def test_unknown_help_topic_is_404() -> None:
    assert Client().get("/help/nothing/").status_code == 404


def test_english_is_one_switch_away() -> None:
    client = Client()
    assert 'lang="zh-hans"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_console_shows_each_role_its_own_tools(make_staff: Any) -> None:
    pages = {
        role: staff_client(make_staff(role)).get("/console/").content.decode()
        for role in ("quality_manager", "system_admin", "security_admin", "audit_admin")
    }
    assert 'data-testid="stats"' in pages["quality_manager"]
    assert "/admin/" in pages["system_admin"] and "/console/audit/" not in pages["system_admin"]
    assert (
        "/accounts/security/" in pages["security_admin"]
        and "/admin/" not in pages["security_admin"]
    )
    assert "/console/audit/" in pages["audit_admin"] and "/admin/" not in pages["audit_admin"]


def test_the_three_administrators_are_kept_apart(make_staff: Any) -> None:
    system, security, audit = (
        make_staff(r) for r in ("system_admin", "security_admin", "audit_admin")
    )
    assert staff_client(security).get("/accounts/security/").status_code == 200
    assert staff_client(system).get("/accounts/security/").status_code == 404
    assert staff_client(audit).get("/accounts/security/").status_code == 404
    assert staff_client(audit).get("/console/audit/").status_code == 200
    assert staff_client(system).get("/console/audit/").status_code == 404
    # Only the system administrator uses the back office, and it holds no audit trail.
    assert staff_client(system).get("/admin/").status_code == 200
    assert staff_client(security).get("/admin/").status_code == 302
    assert staff_client(system).get("/admin/audit/auditevent/").status_code == 404


def test_workstation_warns_a_clinician_who_cannot_practise(make_clinician: Any) -> None:
    page = (
        staff_client(make_clinician(missing=("internet_admission",)))
        .get("/clinic/")
        .content.decode()
    )
    assert 'data-testid="practice-blockers"' in page
    page = staff_client(make_clinician()).get("/clinic/").content.decode()
    assert 'data-testid="practice-blockers"' not in page


def test_women_and_staff_get_their_own_front_end(make_woman: Any, make_staff: Any) -> None:
    assert "tabbar" in woman_client(make_woman()).get("/accounts/me/").content.decode()
    assert staff_client(make_staff("clinician")).get("/").status_code == 302
    assert (
        "app-console"
        in staff_client(make_staff("quality_manager")).get("/accounts/me/").content.decode()
    )


def test_the_back_office_is_reached_only_through_the_staff_sign_in(make_staff: Any) -> None:
    sysadmin = make_staff("system_admin")
    login = Client().get("/admin/login/")
    assert login.status_code == 302
    assert login["Location"].startswith("/accounts/staff/login/")
    password_only = Client()
    password_only.force_login(sysadmin)
    chain = password_only.get("/admin/", follow=True).redirect_chain
    assert chain[-1][0].startswith("/accounts/staff/login/")
    verified = staff_client(sysadmin)
    assert verified.get("/admin/").status_code == 200
    # Second-factor secrets are not in the back office.
    assert verified.get("/admin/otp_totp/totpdevice/").status_code == 404
    # An account's role cannot be changed there (the three duties stay apart).
    other = make_staff("clinician")
    form = verified.get(f"/admin/accounts/user/{other.pk}/change/").content.decode()
    assert 'name="role"' not in form


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_inputs_render_iso_values_in_every_language(language: str) -> None:
    """A localised value ("2026/06/20") is refused by the browser's date input, so saving the
    record in Chinese lost the LMP."""

    with translation.override(language):
        html = str(PregnancyForm(initial={"lmp": dt.date(2026, 6, 20)})["lmp"])
    assert 'type="date"' in html
    assert 'value="2026-06-20"' in html
