"""Orders use cases: a clinician orders tests with a reason, she books a time at the hospital,
a report of results is recorded (staff entry, or the laboratory system's JSON or FHIR report
parsed by `orders.fhir`), and the audited reads. Each is one transaction, audited in it;
notifications go through the notify outbox in the same transaction.

Rules: only a clinician who may practise online orders, for a woman of her care team (and,
ordering from a consultation, only the clinician who received it), as prescribing does. A
result is flagged by `anyun.clinical.labs` against the range for her gestational age on the
day it was taken. An abnormal result tells the ordering clinician (a critical one at once by
SMS too); Hb, platelets, fasting glucose, blood group and infection screens feed her risk
grading: the assessment app is asked, through its own services, for a regrading task.
"""

from anyun.orders.models import OPEN_STATUSES
from anyun.orders.services.ordering import (
    BOOK_AHEAD_DAYS,
    FASTING_LAST_START,
    MAX_TESTS,
    OPEN_DAYS,
    OPEN_HOURS,
    booking_days,
    booking_times,
    link_for_woman,
    list_read,
    order_book,
    order_cancel,
    order_create,
    order_read,
    report_read,
)
from anyun.orders.services.results import (
    TASK_LAB_RISK,
    UNIT_ALIASES,
    ReportInput,
    ValueInput,
    report_link_for_clinic,
    report_link_for_woman,
    report_record,
)

__all__ = [
    "BOOK_AHEAD_DAYS",
    "FASTING_LAST_START",
    "MAX_TESTS",
    "OPEN_DAYS",
    "OPEN_HOURS",
    "OPEN_STATUSES",
    "TASK_LAB_RISK",
    "UNIT_ALIASES",
    "ReportInput",
    "ValueInput",
    "booking_days",
    "booking_times",
    "link_for_woman",
    "list_read",
    "order_book",
    "order_cancel",
    "order_create",
    "order_read",
    "report_link_for_clinic",
    "report_link_for_woman",
    "report_read",
    "report_record",
]
