"""The monitoring ward (a woman, her care team, the duty list) serves the wellbeing tests."""

from anyun.monitoring.tests.conftest import record, ward  # noqa: F401
