from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun import demo


class Command(BaseCommand):
    help = "Print the current TOTP code (or the otpauth URI) of a staff account's device."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--uri", action="store_true", help="print the otpauth:// URI instead")

    def handle(self, *args: Any, **options: Any) -> None:
        device = TOTPDevice.objects.filter(user__username=options["username"]).first()
        if device is None:
            raise CommandError("No TOTP device for that username.")
        self.stdout.write(
            device.config_url if options["uri"] else demo.current_totp(options["username"])
        )
