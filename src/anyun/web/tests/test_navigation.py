"""Every link of every role's navigation leads to a page (200, or a redirect to one)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import staff_client, woman_client
from django.test import Client

from anyun.accounts.models import Role

pytestmark = pytest.mark.django_db


class _NavLinks(HTMLParser):
    """The hrefs inside the page's navigation: the top bar, any <nav> (the phone's tab bar)
    and the console's menu of services (ul.list on its overview)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.stack: list[bool] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag in {"header", "nav", "ul"}:
            opens = tag in {"header", "nav"} or "list" in classes
            self.stack.append(opens)
            self.depth += opens
        if tag == "a" and self.depth and values.get("href"):
            self.links.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"header", "nav", "ul"} and self.stack:
            self.depth -= self.stack.pop()


def _nav_links(page: str) -> list[str]:
    parser = _NavLinks()
    parser.feed(page)
    return sorted(set(parser.links))


def _home(client: Client) -> str:
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _walk(client: Client, start: str) -> dict[str, int]:
    """Each navigation link of the page at `start`, and where following it ends."""
    page = client.get(start, follow=True)
    assert page.status_code == 200, start
    links = _nav_links(page.content.decode())
    assert links, f"no navigation on {start}"
    results = {}
    for href in links:
        assert not re.match(r"^[a-z]+:", href), f"{href} leaves the site"
        results[href] = client.get(href, follow=True).status_code
    return results


@pytest.fixture
def clients(make_woman: Any, make_clinician: Any, make_staff: Any) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "new woman": woman_client(make_woman(verified=False, consented=False)),
        "pregnant woman": woman_client(make_woman(pregnant_weeks=20)),
        "clinician": staff_client(make_clinician()),
        "department head": staff_client(make_clinician(head=True)),
        "nurse": staff_client(make_clinician(Role.NURSE)),
        "pharmacist": staff_client(make_clinician(Role.PHARMACIST)),
        "quality manager": staff_client(make_staff(Role.QUALITY_MANAGER)),
        "finance": staff_client(make_staff(Role.FINANCE)),
        "system administrator": staff_client(make_staff(Role.SYSTEM_ADMIN)),
        "security administrator": staff_client(make_staff(Role.SECURITY_ADMIN)),
        "audit administrator": staff_client(make_staff(Role.AUDIT_ADMIN)),
    }


ROLES = [
    "anonymous",
    "new woman",
    "pregnant woman",
    "clinician",
    "department head",
    "nurse",
    "pharmacist",
    "quality manager",
    "finance",
    "system administrator",
    "security administrator",
    "audit administrator",
]


@pytest.mark.parametrize("role", ROLES)
def test_every_navigation_link_of_the_role_leads_to_a_page(
    role: str, clients: dict[str, Client]
) -> None:
    client = clients[role]
    walked = _walk(client, "/")
    # A second level: the pages the navigation leads to carry the same navigation, and
    # some (the console's overview) a menu of their own.
    for href in list(walked):
        if walked[href] == 200:
            walked.update(_walk(client, href))
    dead = {href: status for href, status in walked.items() if status != 200}
    assert dead == {}


def test_the_pharmacist_is_not_offered_the_alarm_worklist(make_clinician: Any) -> None:
    client = staff_client(make_clinician(Role.PHARMACIST))
    links = _nav_links(client.get("/clinic/").content.decode())
    assert "/clinic/alarms/" not in links
    assert client.get("/clinic/alarms/").status_code == 404


def test_tests_results_payments_and_reconciliation_are_reachable_from_the_roles_pages(
    clients: dict[str, Client],
) -> None:
    home = clients["pregnant woman"].get("/", follow=True).content.decode()
    assert 'href="/orders/mine/"' in home and 'href="/billing/"' in home
    assert "/orders/clinic/" in _nav_links(_home(clients["clinician"]))
    assert "/billing/reconciliation/" in _nav_links(_home(clients["quality manager"]))
    finance = _home(clients["finance"])
    assert "/billing/reconciliation/" in _nav_links(finance)
    assert clients["finance"].get("/billing/reconciliation/").status_code == 200
    assert "/billing/reconciliation/" not in _nav_links(_home(clients["system administrator"]))
