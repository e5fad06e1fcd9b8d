"""/api/v1/inbox: the caller's notifications. Thin: selectors and services do the work."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from anyun.notify import selectors, services
from anyun.notify.models import Notification

router = Router(tags=["notify"])


class NotificationOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_id(obj: Notification) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_unread(obj: Notification) -> bool:
        return obj.read_at is None


class InboxQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=100)


class InboxOut(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    items: list[NotificationOut]


class ReadAllOut(Schema):
    marked: int
    unread: int


@router.get("/", response=InboxOut, summary="The caller's inbox, newest first")
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> dict[str, Any]:
    notifications = selectors.inbox_for(user=request.user)
    start = (query.page - 1) * query.page_size
    return {
        "count": notifications.count(),
        "unread": selectors.unread_count_for(user=request.user),
        "page": query.page,
        "page_size": query.page_size,
        "items": list(notifications[start : start + query.page_size]),
    }


@router.post("/read-all", response=ReadAllOut, summary="Mark every notification read")
def read_all(request: HttpRequest) -> dict[str, int]:
    marked = services.inbox_mark_all_read(user=request.user)
    return {"marked": marked, "unread": selectors.unread_count_for(user=request.user)}


@router.post("/{uuid:public_id}/read", response=NotificationOut, summary="Mark one read")
def read_one(request: HttpRequest, public_id: uuid.UUID) -> Notification:
    return services.notification_mark_read(user=request.user, public_id=public_id)
