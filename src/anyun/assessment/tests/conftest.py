"""The monitoring ward (a woman, her care team, the duty list) and its check-in helper."""

from anyun.monitoring.tests.conftest import record, ward

__all__ = ["record", "ward"]
