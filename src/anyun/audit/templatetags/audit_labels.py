"""``{{ event.action|action_label }}`` and friends: the audit trail's codes in words."""

from __future__ import annotations

from django import template

from anyun.audit import labels

register = template.Library()

register.filter("action_label", labels.action_label)
register.filter("object_label", labels.object_label)
register.filter("role_label", labels.role_label)
