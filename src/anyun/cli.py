"""The `anyun` command: `anyun run` sets up and serves the embedded demo; other words are
Django management commands (`anyun migrate`, `anyun totp dr_li`, `anyun db_worker`, ...)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anyun.settings")
    args = sys.argv[1:]
    if args[:1] == ["run"]:
        run(args[1:])
        return
    if args[:1] in (["totp"], ["demo"]):
        args[0] = f"anyun_{args[0]}"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anyun", *args])


def run(args: list[str]) -> None:
    """Migrate, load the demo once, print the logins, serve HTTP + WebSocket + the worker."""
    import django
    import uvicorn
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("anyun_demo")
    host = os.environ.get("ANYUN_HOST", "127.0.0.1")
    port = int(os.environ.get("ANYUN_PORT", "8000"))
    sys.stdout.write(f"\nServing Anyun on http://{host}:{port}  (Ctrl-C stops)\n")
    sys.stdout.flush()
    uvicorn.run("anyun.asgi:application", host=host, port=port, lifespan="on", log_level="info")
