from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def anyun(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from anyun.notify.selectors import unread_count_for

        unread = unread_count_for(user=user)
    return {"unread_count": unread}
