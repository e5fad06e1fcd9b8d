"""Every code the audit trail stores is shown in words, in Chinese and English."""

from __future__ import annotations

import ast
import pathlib

import pytest
from conftest import staff_client
from django.utils import translation

import anyun
from anyun.accounts.models import Role
from anyun.audit import labels
from anyun.audit.services import audit_record
from anyun.careteam.models import ProposalStatus

SOURCE = pathlib.Path(anyun.__file__).parent


def _recorded_codes() -> tuple[set[str], set[str]]:
    """The action and object_type constants passed to audit_record anywhere in the code."""
    actions: set[str] = set()
    objects: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record"):
                continue
            for keyword in node.keywords:
                found = {"action": actions, "object_type": objects}.get(keyword.arg or "")
                if found is None:
                    continue
                # Constants, also inside `a if approved else b`; a prefix ("x_" + status) is
                # completed below.
                found |= {
                    c.value
                    for c in ast.walk(keyword.value)
                    if isinstance(c, ast.Constant)
                    and isinstance(c.value, str)
                    and not c.value.endswith("_")
                }
    return actions, objects


def test_every_recorded_action_and_object_has_a_label() -> None:
    actions, objects = _recorded_codes()
    assert {"alarm_close", "login", "consent_sign"} <= actions  # the scan sees the calls
    # Built at run time: "care_team_proposal_" + the decision.
    actions |= {
        f"care_team_proposal_{s}" for s in ProposalStatus.values if s != ProposalStatus.PENDING
    }
    assert actions - labels.ACTION_LABELS.keys() == set()
    assert objects - labels.OBJECT_LABELS.keys() == set()
    assert set(Role.values) <= labels.ROLE_LABELS.keys()


def test_labels_are_words_in_both_languages() -> None:
    with translation.override("zh-hans"):
        assert labels.action_label("alarm_close") == "关闭预警"
        assert labels.role_label(Role.AUDIT_ADMIN) == "审计管理员"
        assert labels.object_label("alarm") == "预警"
        assert labels.action_label("no_such_action") == "其他操作"
    with translation.override("en"):
        assert labels.action_label("login") == "Signed in"


@pytest.mark.django_db
def test_the_audit_trail_shows_words_not_codes(make_staff: object) -> None:
    auditor = make_staff(role=Role.AUDIT_ADMIN)  # type: ignore[operator]
    manager = make_staff(role=Role.QUALITY_MANAGER)  # type: ignore[operator]
    audit_record(actor=manager, action="alarm_close", object_type="alarm", object_id="x1")
    page = staff_client(auditor).get("/console/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    table = page.content.decode().split('data-testid="audit-table"', 1)[1]
    assert "关闭预警" in table and "质控管理员" in table
    cells = table.replace('title="alarm_close', "").replace('title="alarm ', "")
    assert ">alarm_close<" not in cells and ">quality_manager<" not in cells
