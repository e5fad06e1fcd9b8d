from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_symptom_report"),
    ]

    operations = []
