"""``{{ notification.kind|kind_label }}``: a notification's kind in words."""

from __future__ import annotations

from django import template

from anyun.notify.kinds import kind_label

register = template.Library()
register.filter("kind_label", kind_label)
