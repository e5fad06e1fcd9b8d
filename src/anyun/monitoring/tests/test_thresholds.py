"""Alarm thresholds and the alarm policy: proposed, approved by a second person (a clinician
who heads a department), checked against the whole set in force, audited, heads told."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from anyun.accounts.models import Role, User
from anyun.audit.models import AuditEvent
from anyun.clinical.alarm_thresholds import DEFAULT_POLICY, AlarmPolicy
from anyun.core.errors import DomainError, NotFound, PermissionDenied
from anyun.monitoring import services
from anyun.monitoring.models import (
    AlarmPolicySetting,
    Reading,
    ThresholdChange,
    ThresholdDecision,
    ThresholdOverride,
)
from anyun.monitoring.selectors import (
    alarm_policy_current,
    thresholds_current,
    thresholds_table,
    trend_for,
)
from anyun.monitoring.tests.conftest import Ward, bp
from anyun.notify.models import Notification

pytestmark = pytest.mark.django_db

REASON = "Cardiology advice after the 2026 review"
BODY = "脉搏过快，高于此值需关注：100 次/分 → 105 次/分。理由：" + REASON


def propose(actor: User, name: str, value: str, reason: str = REASON) -> ThresholdChange:
    return services.threshold_change_propose(
        actor=actor, name=name, value=Decimal(value), reason=reason
    )


def approve(head: User, change: ThresholdChange, note: str = "") -> ThresholdChange:
    return services.threshold_change_decide(
        actor=head, change_id=change.public_id, approve=True, note=note
    )


@pytest.fixture
def quality(make_staff: Any) -> User:
    return make_staff(Role.QUALITY_MANAGER)


def test_a_proposed_change_is_pending_and_not_in_force_until_a_head_approves_it(
    ward: Ward, record: Any, quality: User
) -> None:
    change = propose(quality, "temperature_raised", "37.5")
    assert (change.decision, change.old_value, change.new_value) == (
        ThresholdDecision.PENDING,
        Decimal("37.30"),
        Decimal("37.50"),
    )
    assert thresholds_current().temperature_raised == 37.3
    assert not ThresholdOverride.objects.exists()
    assert [a.rule for a in record({"kind": "temperature", "value": 37.4}).alarms] == [
        "temperature_raised"
    ]
    approved = approve(ward.head, change, note="Agreed at the safety meeting")
    assert approved.decision == ThresholdDecision.APPROVED
    assert (approved.decided_by, approved.decision_note) == (
        ward.head,
        "Agreed at the safety meeting",
    )
    assert approved.decided_at is not None
    assert thresholds_current().temperature_raised == 37.5
    assert record({"kind": "temperature", "value": 37.4}).alarms == []
    assert [a.rule for a in record({"kind": "temperature", "value": 37.5}).alarms] == [
        "temperature_raised"
    ]
    rows = {r.name: r for r in thresholds_table()}
    assert (rows["temperature_raised"].value, rows["temperature_raised"].overridden) == (37.5, True)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        # The example: severe systolic 300, high systolic 170.
        ("bp_systolic_severe", "300", "重度收缩压（紧急）：请输入 150 至 180 mmHg 之间的数值。"),
        ("bp_systolic_high", "170", "收缩压偏高（需关注）：请输入 130 至 150 mmHg 之间的数值。"),
        ("bp_systolic_severe", "149", "重度收缩压（紧急）：请输入 150 至 180 mmHg 之间的数值。"),
    ],
)
def test_a_value_outside_its_safe_range_is_refused_naming_the_threshold(
    ward: Ward, record: Any, quality: User, name: str, value: str, message: str
) -> None:
    with translation.override("zh-hans"), pytest.raises(DomainError) as err:
        propose(quality, name, value)
    assert (err.value.code, err.value.field) == ("alarm_threshold_range", "value")
    assert str(err.value.message) == message
    assert not ThresholdChange.objects.exists()
    assert not AuditEvent.objects.filter(object_type="alarm_threshold").exists()
    assert [a.rule for a in record(bp(165, 95)).alarms] == ["bp_severe"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1E+30", "alarm_threshold_range"),
        ("999999", "alarm_threshold_range"),
        ("NaN", "alarm_threshold_not_number"),
        ("Infinity", "alarm_threshold_not_number"),
        ("160.5", "alarm_threshold_whole"),
    ],
)
def test_a_value_that_is_no_usable_number_is_refused_before_it_is_stored(
    ward: Ward, quality: User, value: str, code: str
) -> None:
    with pytest.raises(DomainError) as err:
        propose(quality, "bp_systolic_severe", value)
    assert (err.value.code, err.value.field) == (code, "value")
    assert not ThresholdChange.objects.exists()


def test_more_decimals_than_are_stored_are_refused(ward: Ward, quality: User) -> None:
    with pytest.raises(DomainError) as err:
        propose(quality, "sfh_low_z", "-1.285")
    assert err.value.code == "threshold_decimals"


def test_an_order_violation_against_the_set_in_force_is_refused_naming_both(
    ward: Ward, quality: User
) -> None:
    approve(ward.head, propose(quality, "bp_systolic_severe", "150"))
    with translation.override("zh-hans"), pytest.raises(DomainError) as err:
        propose(quality, "bp_systolic_high", "150")
    assert err.value.code == "alarm_threshold_order"
    assert str(err.value.message) == (
        "重度收缩压（紧急）（150 mmHg）必须高于收缩压偏高（需关注）（150 mmHg）。"
    )
    with translation.override("en"), pytest.raises(DomainError) as err:
        propose(quality, "bp_systolic_high", "150")
    assert str(err.value.message) == (
        "Severe systolic blood pressure (urgent) (150 mmHg) must stay above "
        "High systolic blood pressure (attention) (150 mmHg)."
    )
    assert propose(quality, "bp_systolic_high", "145").decision == ThresholdDecision.PENDING


def test_the_value_is_checked_again_at_approval_against_the_set_then_in_force(
    ward: Ward, quality: User, make_clinician: Any
) -> None:
    high = propose(quality, "bp_systolic_high", "150")  # fine against severe 160
    severe = propose(quality, "bp_systolic_severe", "150")  # fine against high 140
    approve(ward.head, severe)
    with pytest.raises(DomainError) as err:
        approve(ward.head, high)
    assert (err.value.code, err.value.field) == ("alarm_threshold_order", "value")
    high.refresh_from_db()
    assert high.decision == ThresholdDecision.PENDING
    assert thresholds_current().bp_systolic_high == 140
    rejected = services.threshold_change_decide(
        actor=ward.head,
        change_id=high.public_id,
        approve=False,
        note="No longer below the severe limit",
    )
    assert rejected.decision == ThresholdDecision.REJECTED
    assert thresholds_current().bp_systolic_high == 140


def test_the_proposer_cannot_approve_their_own_change(ward: Ward, make_clinician: Any) -> None:
    change = propose(ward.head, "pulse_high", "105")  # a head may propose, not approve it
    with pytest.raises(PermissionDenied) as err:
        approve(ward.head, change)
    assert err.value.code == "own_change"
    change.refresh_from_db()
    assert change.decision == ThresholdDecision.PENDING
    assert thresholds_current().pulse_high == 100
    other_head = make_clinician(head=True)
    approve(other_head, change)
    assert thresholds_current().pulse_high == 105


def test_only_a_clinician_who_heads_a_department_approves(
    ward: Ward, quality: User, make_staff: Any, make_clinician: Any
) -> None:
    change = propose(quality, "pulse_high", "105")
    nurse_head = make_clinician(Role.NURSE, head=True)
    for person in (ward.responsible, make_staff(Role.QUALITY_MANAGER), nurse_head):
        with pytest.raises(PermissionDenied):
            approve(person, change)
    change.refresh_from_db()
    assert change.decision == ThresholdDecision.PENDING
    assert thresholds_current().pulse_high == 100


def test_who_may_propose_and_what(ward: Ward, quality: User) -> None:
    with pytest.raises(PermissionDenied):
        propose(ward.responsible, "pulse_high", "105")  # a clinician who is no head
    for name in ("temperature_fever", "no_such_threshold"):
        with pytest.raises(DomainError) as err:
            propose(quality, name, "38.5")
        assert (err.value.code, err.value.field) == ("threshold_fixed", "name")
    for reason in ("", "x", "  ok  "):
        with pytest.raises(DomainError) as err:
            propose(quality, "pulse_high", "105", reason=reason)
        assert (err.value.code, err.value.field) == ("reason_required", "reason")
    with pytest.raises(DomainError) as err:
        propose(quality, "pulse_high", "100")
    assert err.value.code == "threshold_unchanged"
    assert not ThresholdChange.objects.exists()


def test_one_pending_change_per_threshold_and_a_decided_change_stays_decided(
    ward: Ward, quality: User
) -> None:
    change = propose(quality, "pulse_high", "105")
    with pytest.raises(DomainError) as err:
        propose(quality, "pulse_high", "106")
    assert err.value.code == "threshold_change_pending"
    approve(ward.head, change)
    with pytest.raises(DomainError) as err:
        approve(ward.head, change)
    assert err.value.code == "threshold_change_decided"
    with pytest.raises(NotFound):
        services.threshold_change_decide(
            actor=ward.head, change_id="not-a-uuid", approve=True, note=""
        )
    with pytest.raises(DomainError) as err:
        services.threshold_change_decide(
            actor=ward.head,
            change_id=propose(quality, "pulse_low", "45").public_id,
            approve=False,
            note="",
        )
    assert (err.value.code, err.value.field) == ("note_required", "note")


def test_proposal_and_decision_are_audited_and_the_heads_and_proposer_told(
    ward: Ward, quality: User, make_clinician: Any
) -> None:
    other_head = make_clinician(head=True)
    change = propose(quality, "pulse_high", "105")
    proposed = AuditEvent.objects.get(action="threshold_change_propose")
    assert (proposed.object_type, proposed.object_id, proposed.actor_label) == (
        "alarm_threshold",
        "pulse_high",
        quality.username,
    )
    assert proposed.detail == {
        "change": str(change.public_id),
        "old_value": "100",
        "new_value": "105",
        "reason": REASON,
    }
    told = Notification.objects.filter(kind="threshold_change")
    assert {n.recipient for n in told} == {ward.head, other_head}
    assert told.get(recipient=ward.head).body == BODY
    assert not told.filter(recipient__in=[quality, ward.responsible]).exists()
    approve(other_head, change, note="Agreed")
    applied = AuditEvent.objects.get(action="threshold_set")
    assert (applied.actor_label, applied.object_id) == (other_head.username, "pulse_high")
    assert applied.detail == {
        "change": str(change.public_id),
        "old_value": "100.00",
        "value": "105.00",
        "reason": REASON,
        "proposed_by": quality.username,
        "note": "Agreed",
    }
    assert Notification.objects.filter(kind="threshold_change", recipient=quality).count() == 1


def test_a_stored_value_that_cannot_be_used_falls_back_to_the_default(
    ward: Ward, record: Any, quality: User, caplog: pytest.LogCaptureFixture
) -> None:
    """A row written past the checks (SQLite keeps 1E+30 in a numeric(8,2) column; on
    PostgreSQL a value outside the safe range) neither breaks ingestion nor silences alarms."""
    approve(ward.head, propose(quality, "bp_systolic_severe", "170"))
    approve(ward.head, propose(quality, "pulse_high", "105"))
    bad = "1E+30" if connection.vendor == "sqlite" else "999999"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ThresholdOverride._meta.db_table} SET value = {bad} WHERE name = %s",  # noqa: S608
            ["bp_systolic_severe"],
        )
    with caplog.at_level("ERROR", logger="anyun.monitoring"):
        thresholds = thresholds_current()
    assert thresholds.bp_systolic_severe == 160  # the default, not the stored value
    assert thresholds.pulse_high == 105  # the other override still applies
    assert "bp_systolic_severe" in caplog.text
    assert [a.rule for a in record(bp(165, 95)).alarms] == ["bp_severe"]
    rows = {r.name: r for r in thresholds_table()}
    assert (rows["bp_systolic_severe"].value, rows["bp_systolic_severe"].overridden) == (160, False)


# --- the alarm policy ---------------------------------------------------------------------


def test_the_alarm_policy_is_the_default_until_a_head_changes_it(
    ward: Ward, make_clinician: Any
) -> None:
    assert alarm_policy_current() == DEFAULT_POLICY
    other_head = make_clinician(head=True)
    policy = services.alarm_policy_set(
        actor=ward.head,
        first_high_bp_grade="advice",
        close_on_normal_repeat=True,
        reason="Agreed by the obstetric safety meeting",
    )
    assert policy == AlarmPolicy("advice", True)
    assert alarm_policy_current() == AlarmPolicy("advice", True)
    event = AuditEvent.objects.get(action="alarm_policy_set")
    assert event.detail == {
        "old": {"first_high_bp_grade": "attention", "close_on_normal_repeat": False},
        "new": {"first_high_bp_grade": "advice", "close_on_normal_repeat": True},
        "reason": "Agreed by the obstetric safety meeting",
    }
    assert event.actor_label == ward.head.username
    assert [n.recipient for n in Notification.objects.filter(kind="alarm_policy")] == [other_head]


def test_the_alarm_policy_refuses_others_unknown_grades_short_reasons_and_no_change(
    ward: Ward, quality: User
) -> None:
    def set_policy(actor: User, grade: str = "advice", reason: str = REASON) -> AlarmPolicy:
        return services.alarm_policy_set(
            actor=actor, first_high_bp_grade=grade, close_on_normal_repeat=False, reason=reason
        )

    for person in (quality, ward.responsible):
        with pytest.raises(PermissionDenied):
            set_policy(person)
    with pytest.raises(DomainError) as err:
        set_policy(ward.head, grade="urgent")
    assert (err.value.code, err.value.field) == ("alarm_policy_grade", "first_high_bp_grade")
    with pytest.raises(DomainError) as err:
        set_policy(ward.head, reason="ok")
    assert err.value.code == "reason_required"
    with pytest.raises(DomainError) as err:
        set_policy(ward.head, grade="attention")
    assert err.value.code == "alarm_policy_unchanged"
    assert not AlarmPolicySetting.objects.exists()
    assert not AuditEvent.objects.filter(action="alarm_policy_set").exists()


def test_a_stored_policy_that_cannot_be_used_falls_back_to_the_default(
    ward: Ward, caplog: pytest.LogCaptureFixture
) -> None:
    AlarmPolicySetting.objects.create(
        pk=1,
        first_high_bp_grade="bogus",
        close_on_normal_repeat=True,
        reason="written past the service",
        changed_by=ward.head,
    )
    with caplog.at_level("ERROR", logger="anyun.monitoring"):
        assert alarm_policy_current() == DEFAULT_POLICY
    assert "bogus" in caplog.text


def test_her_trend_draws_the_reference_line_in_force_not_the_default(
    ward: Ward, record: Any, quality: User
) -> None:
    record({"kind": "temperature", "value": 37.0})
    readings = list(Reading.objects.filter(pregnancy__woman=ward.woman, kind="temperature"))
    before = trend_for(ward.woman, kind="temperature", readings=readings)
    assert before.lines == [(37.3, "37.3")]
    approve(ward.head, propose(quality, "temperature_raised", "37.5"))
    after = trend_for(ward.woman, kind="temperature", readings=readings)
    assert after.lines == [(37.5, "37.5")]
