import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# No line is seeded: DOMAIN.md names no hotline number, and a number shown to a woman in crisis
# must come from the hospital. With none configured the pathway shows "call 120 / go to an
# emergency department now".


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_alarm_grouping"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CrisisLine",
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
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("number", models.CharField(max_length=32, verbose_name="number")),
                ("hours", models.CharField(blank=True, max_length=100, verbose_name="hours")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "updated_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "crisis line",
                "verbose_name_plural": "crisis lines",
                "ordering": ("order", "id"),
            },
        ),
    ]
