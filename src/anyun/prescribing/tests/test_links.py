"""The ways into ordering tests and prescribing: her overview and her consultation link the
lab order form (with the consultation from the consultation) and prescribing; each link opens."""

from __future__ import annotations

import pytest
from conftest import staff_client

from anyun.prescribing.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_her_overview_links_ordering_and_prescribing(world: World) -> None:
    doctor = staff_client(world.clinician)
    page = doctor.get(f"/clinic/patients/{world.woman.public_id}/").content.decode()
    order_form = f"/orders/clinic/woman/{world.woman.public_id}/new/"
    assert f'href="{order_form}"' in page
    assert 'href="/prescribing/clinic/"' in page
    assert doctor.get(order_form).status_code == 200
    assert doctor.get("/prescribing/clinic/").status_code == 200
    # A nurse on her team, who cannot order, is not offered it.
    nurse = staff_client(world.nurse).get(f"/clinic/patients/{world.woman.public_id}/")
    assert order_form not in nurse.content.decode()


def test_her_consultation_links_the_order_form_and_the_prescription(world: World) -> None:
    doctor = staff_client(world.clinician)
    c = world.consultation
    page = doctor.get(f"/consultation/{c.public_id}/").content.decode()
    order_form = f"/orders/clinic/woman/{world.woman.public_id}/new/?consultation={c.public_id}"
    prescribe = f"/prescribing/consultation/{c.public_id}/new/"
    assert f'href="{order_form}"' in page
    assert f'href="{prescribe}"' in page
    opened = doctor.get(order_form)
    assert opened.status_code == 200
    assert opened.context["consultation"] == c
    assert doctor.get(prescribe).status_code == 200
