"""Slot arithmetic: the bookable times a weekly schedule gives, less closed days.

Pure: no Django, no I/O. The caller reads the schedule rows, the hospital's closed days and a
clinician's leave, and the counts of seats already taken; this module turns them into slots.
Times are wall-clock times in the hospital's zone (Asia/Shanghai has no daylight saving time
since 1991, so every day has 24 hours and a 08:00 slot is 00:00 UTC all year; the arithmetic
uses the zone's own offsets all the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class WeeklyRule:
    """One recurring block of online consultations: `weekday` 0 = Monday .. 6 = Sunday,
    from `start` to `end` (wall clock), cut into slots of `slot_minutes`, each taking
    `capacity` women. `valid_from`/`valid_until` (inclusive) bound the dates it applies to."""

    weekday: int
    start: time
    end: time
    slot_minutes: int
    capacity: int
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def rule_problem(rule: WeeklyRule) -> str | None:
    """Why a rule cannot be kept (a code), or None."""
    if not 0 <= rule.weekday <= 6:
        return "weekday"
    if rule.slot_minutes < 5 or rule.slot_minutes > 240:
        return "slot_minutes"
    if rule.capacity < 1 or rule.capacity > 50:
        return "capacity"
    if rule.end <= rule.start:
        return "end"
    if _minutes(rule.end) - _minutes(rule.start) < rule.slot_minutes:
        return "slot_minutes"
    if rule.valid_from and rule.valid_until and rule.valid_until < rule.valid_from:
        return "valid_until"
    return None


def rules_overlap(a: WeeklyRule, b: WeeklyRule) -> bool:
    """True when two rules of one owner could give slots at the same moment."""
    if a.weekday != b.weekday:
        return False
    if a.start >= b.end or b.start >= a.end:
        return False
    a_from, b_from = a.valid_from or date.min, b.valid_from or date.min
    a_until, b_until = a.valid_until or date.max, b.valid_until or date.max
    return a_from <= b_until and b_from <= a_until


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def slots_on(rules: Iterable[WeeklyRule], day: date, zone: tzinfo) -> list[Slot]:
    """The slots of one day, earliest first; a trailing part shorter than a slot is dropped.
    Two rules giving the same start (which the service does not allow) yield it once."""
    seen: dict[datetime, Slot] = {}
    for rule in rules:
        if not rule.applies_on(day):
            continue
        step = timedelta(minutes=rule.slot_minutes)
        start = datetime.combine(day, rule.start, tzinfo=zone)
        end = datetime.combine(day, rule.end, tzinfo=zone)
        while start + step <= end:
            seen.setdefault(start, Slot(start, start + step, rule.capacity))
            start += step
    return [seen[k] for k in sorted(seen)]


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def slots_between(
    rules: Iterable[WeeklyRule],
    *,
    first: date,
    last: date,
    closed: Iterable[date],
    zone: tzinfo,
) -> list[Slot]:
    """Every slot from `first` to `last` (inclusive) on the days not `closed` (holidays,
    leave)."""
    rules = list(rules)
    closed_days = set(closed)
    out: list[Slot] = []
    for day in days_between(first, last):
        if day not in closed_days:
            out.extend(slots_on(rules, day, zone))
    return out


def free_slots(
    slots: Iterable[Slot], *, taken: Mapping[datetime, int], after: datetime
) -> list[FreeSlot]:
    """The slots that start after `after`, with the seats already taken; full ones kept
    (free == 0) so a page can show them as full."""
    return [
        FreeSlot(s.starts_at, s.ends_at, s.capacity, taken.get(s.starts_at, 0))
        for s in slots
        if s.starts_at > after
    ]


def leave_days(ranges: Iterable[tuple[date, date]], *, first: date, last: date) -> set[date]:
    """The days from `first` to `last` that fall in any inclusive (start, end) range."""
    out: set[date] = set()
    for start, end in ranges:
        lo, hi = max(start, first), min(end, last)
        if lo <= hi:
            out.update(days_between(lo, hi))
    return out


def parse_hhmm(raw: str) -> time:
    """'07:30' -> time(7, 30); ValueError for anything else."""
    hours, _sep, minutes = raw.strip().partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"not a HH:MM time: {raw!r}")
    return time(int(hours), int(minutes))


def reminder_due(
    *, starts_at: datetime, booked_at: datetime, day_offset: int, at: time, zone: tzinfo
) -> datetime | None:
    """When a reminder `day_offset` days before the appointment's day (0 = the day itself)
    falls due, at the wall-clock time `at`; a reminder on the day is never later than an hour
    before the start. None when it would fall before the booking was made or at/after the
    start (she does not need it)."""
    local_day = starts_at.astimezone(zone).date() - timedelta(days=day_offset)
    due = datetime.combine(local_day, at, tzinfo=zone)
    if day_offset == 0:
        due = min(due, starts_at - timedelta(hours=1))
    if due < booked_at or due >= starts_at:
        return None
    return due
