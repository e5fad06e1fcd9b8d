"""The thresholds console in zh-Hans: labels with units, source names, the pending list,
approval and rejection, and the alarm policy."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from conftest import staff_client

from anyun.accounts.models import Role, User
from anyun.audit.models import AuditEvent
from anyun.clinical.alarm_thresholds import AlarmPolicy
from anyun.monitoring import services
from anyun.monitoring.models import ThresholdChange, ThresholdDecision, ThresholdOverride
from anyun.monitoring.selectors import alarm_policy_current, thresholds_current
from anyun.monitoring.tests.conftest import Ward

pytestmark = pytest.mark.django_db

URL = "/console/thresholds/"
REASON = "心内科会诊建议调整脉搏阈值"


@pytest.fixture
def quality(make_staff: Any) -> User:
    return make_staff(Role.QUALITY_MANAGER)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, name: str) -> str:
    match = re.search(rf'<tr[^>]*data-testid="threshold-{name}".*?</tr>', html, re.S)
    assert match, name
    return _text(match.group(0))


def test_every_threshold_shows_its_chinese_label_with_units_and_its_source_by_name(
    ward: Ward, quality: User
) -> None:
    html = staff_client(quality).get(URL).content.decode()
    severe = _row(html, "bp_systolic_severe")
    assert "重度收缩压（紧急）" in severe
    assert "160 mmHg" in severe  # in force and default, with the unit
    assert "150–180 mmHg" in severe  # the safe range
    assert "妊娠期高血压疾病诊治指南 (2020)" in severe
    assert "bp_systolic_severe" not in severe
    assert "37.3 °C" in _row(html, "temperature_raised")
    assert "本院规定" in _row(html, "temperature_raised")
    assert "5.3 mmol/L" in _row(html, "glucose_fasting_target")
    assert "妊娠期高血糖诊治指南 (2022)" in _row(html, "glucose_fasting_target")
    assert "100 次/分" in _row(html, "pulse_high")
    assert "WS/T 801-2022" in _row(html, "weight_out_of_range_weeks")
    fever = _row(html, "temperature_fever")
    assert "38.0 °C" in fever and "固定" in fever  # [V]: shown, not settable
    assert "DOMAIN" not in html and ".md" not in html


def test_a_change_proposed_on_the_console_waits_for_a_head_then_is_approved(
    ward: Ward, quality: User
) -> None:
    proposer = staff_client(quality)
    response = proposer.post(
        URL, {"name": "pulse_high", "value": "105", "reason": REASON}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert thresholds_current().pulse_high == 100  # not in force yet
    html = response.content.decode()
    pending = re.search(r'data-testid="pending-pulse_high".*?</article>', html, re.S)
    assert pending
    assert "100 次/分" in _text(pending.group(0)) and "105 次/分" in _text(pending.group(0))
    assert "批准" not in _text(pending.group(0))  # the quality manager cannot decide
    head = staff_client(ward.head)
    page = head.get(URL).content.decode()
    assert "批准" in page and "驳回" in page
    change = ThresholdChange.objects.get()
    response = head.post(
        f"{URL}changes/{change.public_id}/decide/", {"decision": "approve", "note": ""}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert thresholds_current().pulse_high == 105
    assert "105 次/分" in _row(response.content.decode(), "pulse_high")
    assert 'data-testid="decided-changes"' in response.content.decode()


def test_a_head_rejects_with_a_note_and_cannot_decide_their_own_change(
    ward: Ward, quality: User, make_clinician: Any
) -> None:
    head = staff_client(ward.head)
    head.post(URL, {"name": "pulse_high", "value": "105", "reason": REASON})
    change = ThresholdChange.objects.get()
    assert "批准" not in _text(
        re.search(
            r'data-testid="pending-pulse_high".*?</article>', head.get(URL).content.decode(), re.S
        ).group(0)  # type: ignore[union-attr]
    )
    response = head.post(
        f"{URL}changes/{change.public_id}/decide/", {"decision": "approve"}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    other = staff_client(make_clinician(head=True))
    refused = other.post(
        f"{URL}changes/{change.public_id}/decide/", {"decision": "reject"}, follow=True
    )
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]  # a note is needed
    other.post(
        f"{URL}changes/{change.public_id}/decide/",
        {"decision": "reject", "note": "请先提交科室讨论记录"},
    )
    change.refresh_from_db()
    assert change.decision == ThresholdDecision.REJECTED
    assert not ThresholdOverride.objects.exists()
    assert AuditEvent.objects.filter(action="threshold_change_reject").count() == 1


def test_out_of_range_on_the_console_is_refused_with_the_threshold_named(
    ward: Ward, quality: User
) -> None:
    response = staff_client(quality).post(
        URL, {"name": "bp_systolic_severe", "value": "300", "reason": REASON}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "重度收缩压（紧急）：请输入 150 至 180 mmHg 之间的数值。"
    ]
    assert not ThresholdChange.objects.exists()


@pytest.mark.parametrize("value", ["1E+30", "NaN", "Infinity", "-Infinity", "abc", ""])
def test_bad_numbers_get_a_message_not_a_500(ward: Ward, quality: User, value: str) -> None:
    response = staff_client(quality).post(
        URL, {"name": "bp_systolic_severe", "value": value, "reason": REASON}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not ThresholdChange.objects.exists()


def test_who_opens_the_console(ward: Ward, quality: User, make_staff: Any) -> None:
    assert staff_client(quality).get(URL).status_code == 200
    assert staff_client(ward.head).get(URL).status_code == 200
    assert staff_client(ward.responsible).get(URL).status_code == 404  # a clinician, no head
    assert staff_client(make_staff(Role.AUDIT_ADMIN)).get(URL).status_code == 404
    change = services.threshold_change_propose(
        actor=quality, name="pulse_high", value=Decimal("105"), reason=REASON
    )
    response = staff_client(ward.responsible).post(
        f"{URL}changes/{change.public_id}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 404
    assert thresholds_current().pulse_high == 100


def test_the_alarm_policy_is_shown_and_a_head_changes_it(ward: Ward, quality: User) -> None:
    html = staff_client(quality).get(URL).content.decode()
    policy = _text(re.search(r'data-testid="alarm-policy".*?</section>', html, re.S).group(0))  # type: ignore[union-attr]
    assert "需关注：由医生在 24 小时内查看" in policy
    assert "由医生关闭预警（默认）" in policy
    assert 'name="first_high_bp_grade"' not in html  # only a head changes it
    response = staff_client(quality).post(
        f"{URL}policy/", {"first_high_bp_grade": "advice", "reason": REASON}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    head = staff_client(ward.head)
    assert 'name="first_high_bp_grade"' in head.get(URL).content.decode()
    response = head.post(
        f"{URL}policy/",
        {"first_high_bp_grade": "advice", "close_on_normal_repeat": "on", "reason": REASON},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert alarm_policy_current() == AlarmPolicy("advice", True)
    policy = _text(
        re.search(
            r'data-testid="alarm-policy".*?</section>', response.content.decode(), re.S
        ).group(0)  # type: ignore[union-attr]
    )
    assert "建议：仅向孕妇本人显示" in policy and "预警自动关闭" in policy
