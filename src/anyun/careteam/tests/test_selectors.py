"""`of_women_visible_to` narrows another app's rows by the same rule as `women_visible_to`."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import World

from anyun.accounts.models import User
from anyun.careteam.selectors import of_women_visible_to, women_visible_to
from anyun.careteam.services import care_team_assign, care_team_end
from anyun.pregnancy.models import Pregnancy

pytestmark = pytest.mark.django_db


def _pregnancies(user: Any) -> set[Any]:
    rows = of_women_visible_to(user, Pregnancy.objects.all())
    return set(rows.values_list("woman_id", flat=True))


def test_each_kind_of_user_gets_the_rows_of_the_women_she_may_see(world: World) -> None:
    hers, other = world.woman.pk, world.other_woman.pk
    assert _pregnancies(world.woman) == {hers}
    assert _pregnancies(world.other_woman) == {other}
    assert _pregnancies(world.inside) == {hers}
    for nobody in (world.outside, world.head, world.pharmacist, world.quality, world.auditor):
        assert _pregnancies(nobody) == set(), nobody.role
    # The same answer as the rule it stands for, for every one of them.
    for user in vars(world).values():
        expected = set(women_visible_to(user).values_list("pk", flat=True))
        assert _pregnancies(user) == expected, user.role


def test_an_ended_membership_or_a_deactivated_woman_hides_her_rows(world: World) -> None:
    membership = care_team_assign(actor=world.head, woman=world.other_woman, member=world.inside)
    assert _pregnancies(world.inside) == {world.woman.pk, world.other_woman.pk}
    care_team_end(actor=world.head, membership=membership)
    assert _pregnancies(world.inside) == {world.woman.pk}
    User.objects.filter(pk=world.woman.pk).update(is_active=False)
    assert _pregnancies(world.inside) == set()
