"""The finance role: made by the staff account service like every staff role, labelled in
Chinese, framed by the console, admitted to the payment reconciliation and to nothing clinical."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import staff_client
from django.utils import translation

from anyun.accounts.models import CLINICAL_ROLES, STAFF_ROLES, Role, User
from anyun.audit.labels import role_label
from anyun.billing.selectors import FINANCE_ROLES
from anyun.orders.selectors import orders_visible_to
from anyun.web.context_processors import base_template_for

pytestmark = pytest.mark.django_db


def test_a_finance_account_is_staff_in_the_console(make_staff: Callable[..., User]) -> None:
    user = make_staff(Role.FINANCE)
    assert user.role == "finance"
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert Role.FINANCE in STAFF_ROLES and Role.FINANCE not in CLINICAL_ROLES
    assert Role.FINANCE in FINANCE_ROLES
    assert base_template_for(user) == "web/console_base.html"
    with translation.override("zh-hans"):
        assert user.get_role_display() == "财务"
        assert role_label("finance") == "财务"
    assert list(orders_visible_to(user)) == []


def test_finance_reaches_reconciliation_and_no_clinical_page(
    make_staff: Callable[..., User],
) -> None:
    client = staff_client(make_staff(Role.FINANCE))
    assert client.get("/console/").status_code == 200
    assert client.get("/billing/reconciliation/").status_code == 200
    assert client.get("/billing/reconciliation.csv").status_code == 200
    for path in ("/clinic/", "/orders/clinic/", "/prescribing/review/", "/console/audit/"):
        response = client.get(path)
        assert response.status_code in (302, 404), path
        if response.status_code == 302:
            assert response["Location"] in ("/console/", "/"), path


def test_the_system_administrator_is_offered_the_role(make_staff: Callable[..., User]) -> None:
    admin = staff_client(make_staff(Role.SYSTEM_ADMIN))
    page = admin.get("/admin/accounts/user/add/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert '<option value="finance">财务</option>' in page.content.decode()
