"""The user agreement and the privacy notice a woman accepts before her first sign-in code;
version 1 of each is published from the texts in consent/documents/ (the hospital publishes
its own versions from the back office)."""

from pathlib import Path
from typing import Any

from django.db import migrations, models
from django.utils import timezone

DOCUMENTS = Path(__file__).resolve().parent.parent / "documents"
KINDS = ("user_agreement", "privacy_notice")


def publish(apps: Any, schema_editor: Any) -> None:
    document = apps.get_model("consent", "ConsentDocument")
    for kind in KINDS:
        zh = (DOCUMENTS / f"{kind}.zh.md").read_text(encoding="utf-8").strip()
        en = (DOCUMENTS / f"{kind}.en.md").read_text(encoding="utf-8").strip()
        title_zh, body_zh = zh.split("\n", 1)
        title_en, body_en = en.split("\n", 1)
        document.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={
                "title_zh": title_zh.strip(),
                "title_en": title_en.strip(),
                "body_zh": body_zh.strip(),
                "body_en": body_en.strip(),
                "effective_at": timezone.now(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_initial_documents")]
    operations = [
        migrations.AlterField(
            model_name="consentdocument",
            name="kind",
            field=models.CharField(
                choices=[
                    ("internet_care", "Informed consent and risk notice for internet care"),
                    ("health_data", "Consent to process sensitive health information"),
                    ("user_agreement", "User agreement"),
                    ("privacy_notice", "Privacy notice"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(publish, migrations.RunPython.noop),
    ]
