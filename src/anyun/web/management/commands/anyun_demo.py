from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from anyun import demo


class Command(BaseCommand):
    help = (
        "Load the demo hospital, staff and women (once; development only), then print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where the server listens"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("The demo data is never loaded in production.")
        if not demo.demo_loaded():
            demo.load_demo()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(demo.logins_text(options["base_url"]), ending="")
