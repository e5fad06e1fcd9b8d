"""Starting Anyun: the demo only in development, never in production; commands refuse an
unmigrated database; the banner names the real address."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from anyun import cli, demo
from anyun.accounts.models import User
from anyun.asgi import Lifespan

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls to uvicorn.run, recorded instead of serving."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def test_run_loads_the_demo_into_an_empty_development_database(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("ANYUN_PORT", "8765")
    cli.run([])
    out = capsys.readouterr().out
    assert demo.demo_loaded()
    assert served[0]["port"] == 8765
    assert "Demo logins (http://127.0.0.1:8765)" in out
    assert "127.0.0.1:8000" not in out


def test_run_leaves_a_development_database_with_accounts_alone(
    served: list[dict[str, Any]], make_staff: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    make_staff()
    cli.run([])
    assert not demo.demo_loaded()
    assert "Demo logins" not in capsys.readouterr().out
    assert len(served) == 1


def test_production_never_loads_the_demo(served: list[dict[str, Any]], settings: Any) -> None:
    settings.IS_PRODUCTION = True
    cli.run([])
    assert not User.objects.exists()
    assert len(served) == 1
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("anyun_demo")
    assert not User.objects.exists()


def test_production_refuses_to_start_on_a_database_with_demo_accounts(
    served: list[dict[str, Any]], settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.load_demo()
    settings.IS_PRODUCTION = True
    with pytest.raises(SystemExit) as stop:
        cli.run([])
    assert stop.value.code == 1
    assert served == []
    err = capsys.readouterr().err
    assert "Refusing to start in production" in err
    assert "auditadmin" in err


@pytest.mark.django_db(transaction=True)
def test_production_asgi_lifespan_refuses_a_database_with_demo_accounts(settings: Any) -> None:
    """A scaled-out server started by uvicorn directly refuses too (the check reads the
    database from another thread, so the account is committed)."""
    User.objects.create_user("sysadmin", password="x-Y-1234567")
    settings.IS_PRODUCTION = True

    async def start() -> dict[str, Any]:
        lifespan = Lifespan(embedded_worker=False, scheduler=False)
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        server = asyncio.create_task(lifespan({"type": "lifespan"}, inbox.get, outbox.put))
        await inbox.put({"type": "lifespan.startup"})
        reply = await outbox.get()
        await server
        return reply

    reply = async_to_sync(start)()
    assert reply["type"] == "lifespan.startup.failed"
    assert "sysadmin" in reply["message"]


def test_demo_totp_keys_are_random_per_installation() -> None:
    """Never derived from the username: nobody can compute another installation's codes."""
    demo.load_demo()
    keys = dict(TOTPDevice.objects.values_list("user__username", "key"))
    assert len(set(keys.values())) == len(demo.STAFF)
    for username, key in keys.items():
        derived = hashlib.sha1(f"anyun-demo-totp:{username}".encode()).hexdigest()  # noqa: S324
        assert key != derived


def test_totp_prints_the_current_code_of_the_device(capsys: pytest.CaptureFixture[str]) -> None:
    demo.load_demo()
    call_command("anyun_totp", "dr_li")
    code = capsys.readouterr().out.strip()
    assert code == demo.current_totp("dr_li")
    assert len(code) == 6 and code.isdigit()


def _anyun(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["ANYUN_VAR_DIR"] = str(var_dir)
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", "from anyun.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", [["totp", "dr_li"], ["demo"], ["db_worker"]])
def test_commands_refuse_an_unmigrated_database_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    done = _anyun(tmp_path, *command)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"The database {tmp_path / 'anyun.sqlite3'} does not exist yet: "
        "run `anyun migrate` (or `make run`) first."
    ]
    assert not (tmp_path / "anyun.sqlite3").exists()


def test_commands_refuse_an_empty_database_file(tmp_path: Path) -> None:
    (tmp_path / "anyun.sqlite3").touch()
    done = _anyun(tmp_path, "totp", "dr_li")
    assert done.returncode == 1
    assert "migrations not applied" in done.stderr
    assert "Traceback" not in done.stderr
    with sqlite3.connect(tmp_path / "anyun.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
