from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anyun import demo


class Command(BaseCommand):
    help = "Load the demo hospital, staff and women (once), then print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo.demo_loaded():
            demo.load_demo()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        print_logins(self.stdout)


def print_logins(out: Any) -> None:
    out.write("\nDemo logins (http://127.0.0.1:8000):")
    out.write("  Women: /accounts/login/ with 13800000001 ... 13800000006; the SMS code is printed")
    out.write("         on this console by the development SMS provider.")
    out.write(
        f"  Staff: /accounts/staff/login/ with password {demo.DEMO_PASSWORD} and a TOTP code."
    )
    out.write("         Current code:  .venv/bin/anyun totp <username>")
    out.write(
        "         Or add the key to an authenticator app (otpauth URIs: anyun totp --uri <username>)."
    )
    for s in demo.STAFF:
        note = " (internet admission expired)" if s.expired_admission else ""
        head = " (department head)" if s.head else ""
        out.write(f"    {s.username:<12} {s.role:<16} {s.name}{head}{note}")
