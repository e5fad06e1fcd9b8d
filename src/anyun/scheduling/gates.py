"""May she start an online consultation? The one place booking and the live queue ask.

In order: her identity is verified and her consents signed; the follow-up eligibility checks
(POL-13, DOMAIN section 9: an in-person visit on record or accepted evidence) registered by
the app that owns them, which sits above scheduling and registers in its `AppConfig.ready`;
then suitability for online care. Each check raises a DomainError (or PermissionDenied)
with the reason she is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from anyun.accounts.models import User
from anyun.pregnancy.selectors import woman_gate

StartCheck = Callable[[User], None]

# POL-13 follow-up eligibility lives here once its owner registers it.
FOLLOW_UP_CHECKS: list[StartCheck] = []


def register_follow_up_check(check: StartCheck) -> None:
    if check not in FOLLOW_UP_CHECKS:
        FOLLOW_UP_CHECKS.append(check)


def require_may_start(woman: User) -> None:
    woman_gate(woman).require_ready()
    for check in FOLLOW_UP_CHECKS:
        check(woman)
