"""The `anyun` command: `anyun run` sets up and serves; other words are Django management
commands (`anyun migrate`, `anyun totp dr_li`, `anyun demo`, `anyun db_worker`, ...).

Commands that use the data refuse, with one sentence, a database that is not migrated, and
create nothing on the way.
"""

from __future__ import annotations

import os
import sys

# Commands that run on a database that is not (yet) migrated, or need none.
WITHOUT_MIGRATED_DATABASE = frozenset(
    {
        "check",
        "collectstatic",
        "compilemessages",
        "dbshell",
        "diffsettings",
        "help",
        "makemessages",
        "makemigrations",
        "migrate",
        "showmigrations",
        "sqlmigrate",
        "version",
    }
)
ALIASES = {"totp": "anyun_totp", "demo": "anyun_demo", "db_worker": "anyun_db_worker"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anyun.settings")
    args = sys.argv[1:]
    if args[:1] == ["run"]:
        run(args[1:])
        return
    if args:
        args[0] = ALIASES.get(args[0], args[0])
    if args and not args[0].startswith("-") and args[0] not in WITHOUT_MIGRATED_DATABASE:
        import django

        from anyun.core.dbstate import database_unready_reason

        django.setup()
        reason = database_unready_reason()
        if reason:
            sys.stderr.write(reason + "\n")
            sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anyun", *args])


def run(args: list[str]) -> None:
    """Migrate; in development load the demo into an empty database and print its logins;
    in production refuse a database that holds demo accounts; then serve HTTP + WebSocket +
    the worker."""
    import django
    import uvicorn
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from anyun import demo

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    host = os.environ.get("ANYUN_HOST", "127.0.0.1")
    port = int(os.environ.get("ANYUN_PORT", "8000"))
    if settings.IS_PRODUCTION:
        refusal = demo.production_refusal()
        if refusal:
            sys.stderr.write(refusal + "\n")
            sys.exit(1)
    else:
        if demo.database_empty():
            demo.load_demo()
            sys.stdout.write("Demo data loaded.\n")
        if demo.demo_loaded():
            sys.stdout.write(demo.logins_text(f"http://{host}:{port}"))
    sys.stdout.write(f"\nServing Anyun on http://{host}:{port}  (Ctrl-C stops)\n")
    sys.stdout.flush()
    uvicorn.run("anyun.asgi:application", host=host, port=port, lifespan="on", log_level="info")
