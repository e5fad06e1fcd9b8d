from __future__ import annotations

from typing import Any


def unread_count_for(*, user: Any) -> int:
    return 0
