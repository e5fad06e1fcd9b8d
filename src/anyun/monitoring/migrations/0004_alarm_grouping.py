from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_threshold_approval"),
    ]

    operations = []
