from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("prescribing", "0003_line_drug_snapshot")]

    operations = [
        migrations.AddField(
            model_name="prescription",
            name="paid_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
