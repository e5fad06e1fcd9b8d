"""Publish version 1 of each consent document from the texts in consent/documents/."""

from pathlib import Path
from typing import Any

from django.db import migrations
from django.utils import timezone

DOCUMENTS = Path(__file__).resolve().parent.parent / "documents"


def publish(apps: Any, schema_editor: Any) -> None:
    document = apps.get_model("consent", "ConsentDocument")
    for kind in ("internet_care", "health_data"):
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
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
