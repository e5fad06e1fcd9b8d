from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0005_crisis_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="alarm",
            index=models.Index(
                models.OrderBy(models.F("grade_rank"), descending=True),
                models.F("created_at"),
                models.F("id"),
                condition=models.Q(("assigned_to__isnull", True), ("status", "open")),
                name="monitoring_alarm_unrouted",
            ),
        ),
    ]
