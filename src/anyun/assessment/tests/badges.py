"""Her risk badge as the pages of other apps show it, for their tests: the badges in English,
a regrading to orange, and markup without the blanks before a tag."""

from __future__ import annotations

import re

from anyun.accounts.models import User
from anyun.assessment.services import GradingInput, grading_record
from anyun.pregnancy.selectors import current_pregnancy_of

ORANGE = (
    '<span class="risk-badges" data-testid="risk-badge" data-colour="orange">'
    '<span class="badge risk risk-orange">Orange · higher risk</span></span>'
)
GREEN = (
    '<span class="risk-badges" data-testid="risk-badge" data-colour="green">'
    '<span class="badge risk risk-green">Green · low risk</span></span>'
)


def regrade_orange(*, actor: User, woman: User) -> None:
    """Regraded orange (asthma), e.g. after the green grading of her first visit."""
    pregnancy = current_pregnancy_of(woman)
    assert pregnancy is not None
    grading_record(
        actor=actor,
        pregnancy=pregnancy,
        data=GradingInput(answers={"g_asthma": True}, entered={}, diagnoses=[]),
    )


def squash(html: str) -> str:
    """Without the blanks before a tag (the badge ends with a line break)."""
    return re.sub(r"\s+(?=<)", "", html)
