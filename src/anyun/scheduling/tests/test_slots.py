"""Slot arithmetic (pure): weekly rules, closed days, leave, capacity, reminder times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from anyun.scheduling import slots

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2027, 3, 8)  # a Monday; the arithmetic does not read the clock
RULE = slots.WeeklyRule(weekday=0, start=time(9), end=time(11), slot_minutes=30, capacity=2)


def test_a_rule_cuts_its_block_into_slots_and_drops_a_short_tail() -> None:
    rule = slots.WeeklyRule(weekday=0, start=time(9), end=time(10, 50), slot_minutes=30, capacity=1)
    got = slots.slots_on([rule], MONDAY, SHANGHAI)
    assert [s.starts_at.time() for s in got] == [time(9), time(9, 30), time(10)]
    assert got[-1].ends_at.time() == time(10, 30)
    assert slots.slots_on([rule], MONDAY + timedelta(days=1), SHANGHAI) == []


def test_closed_days_and_leave_give_no_slots() -> None:
    week = slots.slots_between(
        [RULE],
        first=MONDAY,
        last=MONDAY + timedelta(days=20),
        closed={MONDAY + timedelta(7)},
        zone=SHANGHAI,
    )
    assert sorted({s.starts_at.date() for s in week}) == [MONDAY, MONDAY + timedelta(days=14)]
    leave = slots.leave_days(
        [(MONDAY - timedelta(days=3), MONDAY), (MONDAY + timedelta(14), MONDAY + timedelta(30))],
        first=MONDAY,
        last=MONDAY + timedelta(days=20),
    )
    assert MONDAY in leave and MONDAY + timedelta(days=14) in leave
    assert MONDAY - timedelta(days=1) not in leave and MONDAY + timedelta(days=21) not in leave
    assert (
        slots.slots_between(
            [RULE],
            first=MONDAY,
            last=MONDAY + timedelta(days=20),
            closed=leave | {MONDAY + timedelta(7)},
            zone=SHANGHAI,
        )
        == []
    )


def test_validity_bounds_are_inclusive() -> None:
    rule = slots.WeeklyRule(
        0, time(9), time(10), 30, 1, MONDAY + timedelta(7), MONDAY + timedelta(7)
    )
    got = slots.slots_between(
        [rule], first=MONDAY, last=MONDAY + timedelta(21), closed=(), zone=SHANGHAI
    )
    assert {s.starts_at.date() for s in got} == {MONDAY + timedelta(days=7)}


def test_capacity_and_taken_seats() -> None:
    day = slots.slots_on([RULE], MONDAY, SHANGHAI)
    free = slots.free_slots(
        day, taken={day[0].starts_at: 2, day[1].starts_at: 1}, after=day[0].starts_at - timedelta(1)
    )
    assert [(f.capacity, f.taken, f.free) for f in free] == [
        (2, 2, 0),
        (2, 1, 1),
        (2, 0, 2),
        (2, 0, 2),
    ]
    # A slot that has started is not offered.
    later = slots.free_slots(day, taken={}, after=day[1].starts_at)
    assert [f.starts_at for f in later] == [day[2].starts_at, day[3].starts_at]


@pytest.mark.parametrize("day", [date(2027, 3, 8), date(2027, 3, 29), date(2027, 11, 1)])
def test_shanghai_slots_are_the_same_utc_time_all_year(day: date) -> None:
    """No daylight saving time: 09:00 in Shanghai is 01:00 UTC in March and November alike,
    on the days Europe and America change their clocks too."""
    got = slots.slots_on([RULE], day, SHANGHAI)
    assert [s.starts_at.astimezone(UTC).time() for s in got] == [
        time(1),
        time(1, 30),
        time(2),
        time(2, 30),
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in got)
    assert all(s.starts_at.utcoffset() == timedelta(hours=8) for s in got)


def test_rule_problems_and_overlaps() -> None:
    assert slots.rule_problem(RULE) is None
    assert slots.rule_problem(slots.WeeklyRule(7, time(9), time(10), 30, 1)) == "weekday"
    assert slots.rule_problem(slots.WeeklyRule(0, time(10), time(9), 30, 1)) == "end"
    assert slots.rule_problem(slots.WeeklyRule(0, time(9), time(9, 20), 30, 1)) == "slot_minutes"
    assert slots.rule_problem(slots.WeeklyRule(0, time(9), time(10), 4, 1)) == "slot_minutes"
    assert slots.rule_problem(slots.WeeklyRule(0, time(9), time(10), 30, 0)) == "capacity"
    assert slots.rule_problem(slots.WeeklyRule(0, time(9), time(10), 30, 51)) == "capacity"
    assert (
        slots.rule_problem(
            slots.WeeklyRule(0, time(9), time(10), 30, 1, MONDAY, MONDAY - timedelta(1))
        )
        == "valid_until"
    )
    touching = slots.WeeklyRule(0, time(11), time(12), 30, 1)
    inside = slots.WeeklyRule(0, time(10), time(10, 30), 30, 1)
    other_day = slots.WeeklyRule(1, time(9), time(11), 30, 1)
    later_term = slots.WeeklyRule(0, time(9), time(11), 30, 1, MONDAY, None)
    earlier_term = slots.WeeklyRule(0, time(9), time(11), 30, 1, None, MONDAY - timedelta(1))
    assert not slots.rules_overlap(RULE, touching)
    assert slots.rules_overlap(RULE, inside)
    assert not slots.rules_overlap(RULE, other_day)
    assert not slots.rules_overlap(later_term, earlier_term)
    assert slots.rules_overlap(RULE, later_term)


def test_reminder_times() -> None:
    start = datetime.combine(MONDAY, time(9), tzinfo=SHANGHAI)
    booked = start - timedelta(days=5)
    day_before = slots.reminder_due(
        starts_at=start, booked_at=booked, day_offset=1, at=time(18), zone=SHANGHAI
    )
    assert day_before == datetime.combine(MONDAY - timedelta(1), time(18), tzinfo=SHANGHAI)
    same_day = slots.reminder_due(
        starts_at=start, booked_at=booked, day_offset=0, at=time(7, 30), zone=SHANGHAI
    )
    assert same_day == datetime.combine(MONDAY, time(7, 30), tzinfo=SHANGHAI)
    # On the day, never later than an hour before the start.
    early = datetime.combine(MONDAY, time(8), tzinfo=SHANGHAI)
    assert slots.reminder_due(
        starts_at=early, booked_at=booked, day_offset=0, at=time(7, 30), zone=SHANGHAI
    ) == datetime.combine(MONDAY, time(7), tzinfo=SHANGHAI)
    # Booked after the reminder's time: not sent.
    late_booking = datetime.combine(MONDAY - timedelta(1), time(20), tzinfo=SHANGHAI)
    assert (
        slots.reminder_due(
            starts_at=start, booked_at=late_booking, day_offset=1, at=time(18), zone=SHANGHAI
        )
        is None
    )
    assert slots.parse_hhmm("07:05") == time(7, 5)
    for bad in ("7:05", "0705", "ab:cd", "25:00"):
        with pytest.raises(ValueError):
            slots.parse_hhmm(bad)
