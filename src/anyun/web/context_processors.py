from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from anyun.accounts.models import Role
from anyun.notify.selectors import unread_count_for
from anyun.web.text_size import LARGE, text_size_of


def base_template_for(user: Any) -> str:
    """Which front end frames a page: the woman's app, the workstation or the console."""
    if user is None or not user.is_authenticated:
        return "web/public_base.html"

    if user.role == Role.WOMAN:
        return "web/woman_base.html"
    if user.role in {Role.CLINICIAN, Role.NURSE, Role.PHARMACIST}:
        return "web/clinic_base.html"
    return "web/console_base.html"


def anyun(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_count_for(user=user)
    return {
        "unread_count": unread,
        "base_template": base_template_for(user),
        "text_large": text_size_of(request) == LARGE,
    }
