"""Queue tasks of prescribing: thin, idempotent, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from anyun.prescribing import services


@task()
def prescriptions_expire_due() -> int:
    return services.prescriptions_expire_due()
