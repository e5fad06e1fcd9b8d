import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_symptom_report"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AlarmPolicySetting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "first_high_bp_grade",
                    models.CharField(
                        max_length=16, verbose_name="first high blood pressure graded"
                    ),
                ),
                (
                    "close_on_normal_repeat",
                    models.BooleanField(verbose_name="closes itself on a normal repeat"),
                ),
                ("reason", models.CharField(max_length=500, verbose_name="reason")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="changed at")),
                (
                    "changed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ThresholdChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
                    ),
                ),
                ("name", models.CharField(max_length=64, verbose_name="threshold")),
                (
                    "old_value",
                    models.DecimalField(
                        decimal_places=2, max_digits=8, verbose_name="value in force"
                    ),
                ),
                (
                    "new_value",
                    models.DecimalField(
                        decimal_places=2, max_digits=8, verbose_name="proposed value"
                    ),
                ),
                ("reason", models.CharField(max_length=500, verbose_name="reason")),
                (
                    "proposed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="proposed at"
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting approval"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        max_length=16,
                        verbose_name="decision",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decision_note",
                    models.CharField(blank=True, max_length=500, verbose_name="decision note"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("-proposed_at", "-id"),
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("decision", "pending")),
                        fields=("name",),
                        name="monitoring_one_pending_change_per_threshold",
                    )
                ],
            },
        ),
    ]
