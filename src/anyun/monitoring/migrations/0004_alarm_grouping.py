"""One alarm per grade per check-in: the rules that fired are listed on the alarm.

Existing alarms each held one rule: each gets a `findings` list of that one finding, so every
alarm reads the same way. Open advice becomes information (advice is not an open item for
anyone), and an open first high blood pressure is marked unconfirmed, so a repeat can still
confirm it or find it normal.
"""

import django.db.models.deletion
from django.db import migrations, models

_BATCH = 500


def findings_from_columns(apps, schema_editor):
    Alarm = apps.get_model("monitoring", "Alarm")
    rows = Alarm.objects.select_related("reading").order_by("pk")
    pending = []
    for alarm in rows.iterator(chunk_size=_BATCH):
        alarm.findings = [
            {
                "rule": alarm.rule,
                "grade": alarm.grade,
                "sign": alarm.sign,
                "values": alarm.values,
                "action": alarm.action,
                "source": alarm.source,
                "confidence": alarm.confidence,
                "reading": str(alarm.reading.public_id),
            }
        ]
        if alarm.status != "closed" and alarm.rule == "bp_high_first":
            alarm.confirmation = "unconfirmed"
        if alarm.status == "open" and alarm.grade == "advice":
            alarm.status = "information"
        pending.append(alarm)
        if len(pending) >= _BATCH:
            Alarm.objects.bulk_update(pending, ["findings", "confirmation", "status"])
            pending = []
    if pending:
        Alarm.objects.bulk_update(pending, ["findings", "confirmation", "status"])


def information_back_to_open(apps, schema_editor):
    Alarm = apps.get_model("monitoring", "Alarm")
    Alarm.objects.filter(status="information").update(status="open")


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_threshold_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="alarm",
            name="confirmation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not applicable"),
                    ("unconfirmed", "Unconfirmed, repeat requested"),
                    ("confirmed", "Confirmed on repeat"),
                    ("normal_on_repeat", "Normal on repeat"),
                ],
                max_length=16,
                verbose_name="confirmation",
            ),
        ),
        migrations.AddField(
            model_name="alarm",
            name="findings",
            field=models.JSONField(default=list, verbose_name="findings"),
        ),
        migrations.AddField(
            model_name="alarm",
            name="repeat_reading",
            field=models.ForeignKey(
                blank=True,
                help_text="The repeat reading that confirmed it or found it normal.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="repeat_of_alarms",
                to="monitoring.reading",
            ),
        ),
        migrations.AlterField(
            model_name="alarm",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("called", "Called her"),
                    ("visit_booked", "Booked a visit"),
                    ("in_person", "Sent to in-person care"),
                    ("no_action", "No action (reason given)"),
                    ("normal_on_repeat", "Normal on repeat"),
                ],
                max_length=16,
                verbose_name="outcome",
            ),
        ),
        migrations.AlterField(
            model_name="alarm",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("acknowledged", "Acknowledged"),
                    ("closed", "Closed"),
                    ("information", "For your information"),
                ],
                default="open",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="alarmevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("raised", "Raised"),
                    ("notified", "Clinician notified"),
                    ("escalated", "Escalated"),
                    ("acknowledged", "Acknowledged"),
                    ("closed", "Closed"),
                    ("finding_added", "Another high reading added"),
                    ("confirmed", "Confirmed on repeat"),
                    ("normal_on_repeat", "Normal on repeat"),
                    ("woman_told", "She was told"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(findings_from_columns, information_back_to_open),
    ]
