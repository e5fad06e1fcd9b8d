"""The bare baseline's one table, created without migrations (`python -m tests.bench.bare setup`)."""

from __future__ import annotations

from django.db import models


class BareReading(models.Model):
    woman = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    measured_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True)
    diastolic = models.PositiveSmallIntegerField(null=True)
    pulse = models.PositiveSmallIntegerField(null=True)
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    glucose_context = models.CharField(max_length=16, blank=True)
    idempotency_key = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField()

    class Meta:
        app_label = "bare"
        db_table = "bench_bare_reading"
        constraints = (
            models.UniqueConstraint(
                fields=("idempotency_key", "position"), name="bench_bare_reading_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}#{self.position}"
