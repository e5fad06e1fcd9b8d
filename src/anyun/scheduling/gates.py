"""May she start an online consultation? The one place booking and the live queue ask.

In order: her identity is verified and her consents signed; any further follow-up checks
registered by an app above scheduling (in its `AppConfig.ready`); then
`anyun.assessment.services.online_care_check`, which refuses when online care is not for her
now: no in-person visit on record (POL-13, DOMAIN section 9: follow-up only), a colour or
open red flag the policy sends in person, a clinician's in-person decision. Each check raises
a DomainError (or PermissionDenied) with the reason she is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from anyun.accounts.models import User
from anyun.assessment.services import online_care_check
from anyun.pregnancy.selectors import woman_gate

StartCheck = Callable[[User], None]

# Further follow-up eligibility checks (accepted evidence of an in-person diagnosis, when the
# app that reviews such evidence registers one).
FOLLOW_UP_CHECKS: list[StartCheck] = []


def register_follow_up_check(check: StartCheck) -> None:
    if check not in FOLLOW_UP_CHECKS:
        FOLLOW_UP_CHECKS.append(check)


def require_may_start(woman: User) -> None:
    woman_gate(woman).require_ready()
    for check in FOLLOW_UP_CHECKS:
        check(woman)
    online_care_check(woman)
