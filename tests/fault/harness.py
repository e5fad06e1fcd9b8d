"""Kill the app with SIGKILL mid-load, restart it, and check from the database that nothing
acknowledged was lost or stored twice, that every alarm was raised and every urgent delivery
sent, and that no job is left RUNNING.

Per database, in a fresh temporary ANYUN_VAR_DIR (and, for PostgreSQL, a database created for
the run and dropped after it):

- SQLite, embedded: one `anyun run` process (HTTP, embedded queue worker, scheduler).
- PostgreSQL, scaled out: `anyun run` with REDIS_URL set (no embedded worker; it runs the
  lost-job reclaimer and the scheduler) and one `anyun db_worker`.

Every child runs in a process group of its own and is killed with it; on any exit of this
harness (an error, Ctrl-C, SIGTERM) every group still alive is killed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from tests.bench import clients
from tests.bench.harness import (
    CLEARED_ENV,
    LOG_ERROR_RE,
    Postgres,
    free_port,
    module_json,
    world_command,
)
from tests.fault import load, report

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "var" / "fault"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/anyun_fault"
DEFAULT_REDIS_DB = 15
SETUP_TIMEOUT = 120.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
PROBE_TIMEOUT = 90.0
FIRST_ACK_TIMEOUT = 3.0
RUNNING_JOB_TIMEOUT = 2.0  # how long the kill waits for a job to be RUNNING
DELIVERY_BOUND = 30.0  # seconds from the restart to every urgent delivery
SETTLE_AT_LEAST = 10.0  # verify waits at least this long for the queue to settle
RECLAIM_LOG = "which stopped; queued again"
WOMEN = 24
CLINICIANS = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.fault",
        description="SIGKILL the app server (and the db_worker) mid-load, restart, check the data.",
    )
    p.add_argument("--port", type=int, default=None, help="app server port (default: a free one)")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--pg-url", default=os.environ.get("ANYUN_FAULT_PG_URL", DEFAULT_PG_URL))
    p.add_argument(
        "--redis-db", type=int, default=DEFAULT_REDIS_DB, help="Redis database number (0-15)"
    )
    p.add_argument(
        "--lease-seconds",
        type=float,
        default=5.0,
        help="ANYUN_JOB_LEASE_SECONDS for the run (product default 15)",
    )
    p.add_argument("--seconds", type=float, default=24.0, help="length of the paced load")
    p.add_argument(
        "--kill-after", type=float, default=9.0, help="seconds into the load of the kill"
    )
    p.add_argument("--checkins", type=int, default=70, help="five-sign check-ins in the load")
    p.add_argument("--urgent", type=int, default=30, help="single urgent BP readings in the load")
    p.add_argument("--burst", type=int, default=8, help="urgent readings sent just before the kill")
    p.add_argument("--concurrency", type=int, default=4, help="client threads")
    p.add_argument(
        "--worker-first",
        type=float,
        default=None,
        help="PostgreSQL: restart the db_worker alone, the app server this many seconds later "
        "(default: the lease + 2 s; 0 restarts both at once)",
    )
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--keep", action="store_true", help="keep the temporary ANYUN_VAR_DIR")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = p.parse_args(argv)
    bounds = {
        "seconds": (10, 60),
        "checkins": (10, 120),
        "urgent": (1, 60),
        "burst": (1, 16),
        "concurrency": (1, 8),
        "lease_seconds": (1, 60),
    }
    for name, (low, high) in bounds.items():
        if not low <= getattr(args, name) <= high:
            p.error(f"--{name.replace('_', '-')} must be from {low} to {high}")
    if not 2 <= args.kill_after <= args.seconds - 5:
        p.error("--kill-after must be at least 2 and at most --seconds minus 5")
    if args.worker_first is not None and not 0 <= args.worker_first <= 30:
        p.error("--worker-first must be from 0 to 30")
    if not 0 <= args.redis_db <= 15:
        p.error("--redis-db must be from 0 to 15")
    if args.port is not None and not 1024 <= args.port <= 65535:
        p.error("--port must be from 1024 to 65535")
    return args


def say(message: str) -> None:
    print(message, flush=True)


# --- processes ------------------------------------------------------------------------------


class Child:
    """A child process in a session (so a process group) of its own."""

    alive_children: set[Child] = set()  # every group still to be killed on exit

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None

    def start(self) -> float:
        """Start; return the wall-clock time of the start."""
        self.log = self.log_path.open("wb")
        started = time.time()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        Child.alive_children.add(self)
        return started

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)  # the pid is the group id (new session)

    def kill(self) -> None:
        """SIGKILL the whole group and reap the process."""
        if self.proc is None:
            return
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self._closed()

    def stop(self) -> int | None:
        """SIGTERM the group, then SIGKILL what is left after STOP_TIMEOUT."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                say(f"  {self.name} did not stop within {STOP_TIMEOUT:.0f} s: killed")
        self.signal_group(signal.SIGKILL)  # anything of its group still there
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self._closed()
        return self.proc.returncode

    def _closed(self) -> None:
        Child.alive_children.discard(self)
        if self.log is not None:
            self.log.close()
            self.log = None

    @classmethod
    def kill_all(cls) -> None:
        for child in list(cls.alive_children):
            child.kill()


def anyun_argv(*words: str) -> list[str]:
    """The `anyun` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("anyun")
    if script.exists():
        return [str(script), *words]
    return [sys.executable, "-c", "from anyun.cli import main; main()", *words]


def fault_env(
    var_dir: Path, *, port: int, lease: float, database_url: str | None, redis_url: str | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="anyun.settings",
        ANYUN_ENV="development",
        ANYUN_VAR_DIR=str(var_dir),
        ANYUN_DEBUG="0",
        ANYUN_HOST=clients.HOST,
        ANYUN_PORT=str(port),
        ANYUN_JOB_LEASE_SECONDS=f"{lease:g}",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["ANYUN_EMBEDDED_WORKER"] = "0"
    else:
        env["ANYUN_EMBEDDED_WORKER"] = "1"
    return env


def probe(env: dict[str, str], *argv: str) -> dict[str, Any]:
    """`python -m tests.fault.probe ...`; its last stdout line is a JSON object."""
    return module_json("tests.fault.probe", env, *argv, timeout=PROBE_TIMEOUT)


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((clients.HOST, port))
        except OSError:
            return False
    return True


def redis_unavailable(db: int) -> str | None:
    """Why Redis on 127.0.0.1:6379 cannot be used, or None (a PING over a plain socket)."""
    try:
        with socket.create_connection((clients.HOST, 6379), timeout=3) as s:
            s.sendall(f"SELECT {db}\r\nPING\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = s.recv(256)
                if not chunk:
                    break
                answer += chunk
    except OSError as exc:
        return f"Redis is not reachable at {clients.HOST}:6379 ({exc})"
    if b"+PONG" not in answer:
        return f"Redis answered {answer[:80]!r}"
    return None


def wait_for_running_job(world: dict[str, Any], database_url: str | None, timeout: float) -> bool:
    """Poll the queue table until a job is RUNNING (True) or `timeout` passes (False), so the
    kill catches a worker mid-job. A plain read: SQLite's file or a psycopg connection."""
    table = world["task_table"]
    if not table.replace("_", "").isalnum():
        raise ValueError(f"unexpected task table name {table!r}")
    query = f"SELECT 1 FROM {table} WHERE status = 'RUNNING' LIMIT 1"  # noqa: S608 - checked
    deadline = time.monotonic() + timeout
    if database_url is None:
        conn: Any = sqlite3.connect(world["database"], timeout=1)
    else:
        import psycopg

        conn = psycopg.connect(database_url, autocommit=True, connect_timeout=5)
    try:
        while time.monotonic() < deadline:
            try:
                if conn.execute(query).fetchone() is not None:
                    return True
            except sqlite3.OperationalError:
                pass  # locked for a moment by the server: look again
            time.sleep(0.002)
        return False
    finally:
        conn.close()


# --- one database ---------------------------------------------------------------------------


class Run:
    """One database's run: its processes, their lives, and what it found."""

    def __init__(self, label: str, args: argparse.Namespace, pg: Postgres | None) -> None:
        self.label = label
        self.args = args
        self.pg = pg
        self.scaled_out = pg is not None
        self.var_dir = Path(tempfile.mkdtemp(prefix="anyun-fault-"))
        self.port = args.port or free_port()
        self.env = fault_env(
            self.var_dir,
            port=self.port,
            lease=args.lease_seconds,
            database_url=pg.url if pg else None,
            redis_url=f"redis://{clients.HOST}:6379/{args.redis_db}" if pg else None,
        )
        self.lives: list[list[Child]] = []
        # Scaled out, the db_worker is restarted alone first, for longer than a lease: the
        # jobs the kill left RUNNING must be put back and run without any app server.
        worker_first = args.worker_first
        if worker_first is None:
            worker_first = args.lease_seconds + 2
        self.app_delay = worker_first if self.scaled_out else 0.0
        self.out: dict[str, Any] = {
            "status": "failed",
            "scaled_out": self.scaled_out,
            "app_restart_delay_s": self.app_delay,
        }

    def log_path(self, name: str, life: int) -> Path:
        return self.var_dir / f"{name}-{life}.log"

    def start_processes(self, *, app_delay: float = 0.0) -> float:
        """Start the app server (and the db_worker; with `app_delay`, the db_worker alone
        first and the app server that many seconds later); return the wall time of the
        first start, once the app server answers."""
        life = len(self.lives) + 1
        app = Child("app server", anyun_argv("run"), self.env, self.log_path("app", life))
        children = [app]
        if self.scaled_out:
            children.append(
                Child("db_worker", anyun_argv("db_worker"), self.env, self.log_path("worker", life))
            )
        self.lives.append(children)
        workers = children[1:]
        if app_delay > 0 and workers:
            started = min(child.start() for child in workers)
            time.sleep(app_delay)
            if not all(child.alive() for child in workers):
                raise RuntimeError("the db_worker exited while it ran alone")
            app.start()
        else:
            started = min(child.start() for child in children)
        clients.wait_until_answering(
            self.port,
            timeout=START_TIMEOUT,
            alive=lambda: all(child.alive() for child in children),
        )
        return started

    def kill_processes(self) -> float:
        """SIGKILL every process of the current life (all signals first, then reap)."""
        children = self.lives[-1]
        for child in children:
            child.signal_group(signal.SIGKILL)
        killed_at = time.time()
        for child in children:
            child.kill()
        return killed_at

    def stop_processes(self) -> dict[str, int | None]:
        codes = {}
        for child in reversed(self.lives[-1] if self.lives else []):
            codes[child.name] = child.stop()
        return codes

    def execute(self) -> dict[str, Any]:
        say(f"\n== {self.label} ==")
        began = time.monotonic()
        try:
            self._execute()
        except Exception as exc:
            self.out["error"] = f"{type(exc).__name__}: {exc}"
            say(f"{self.label} FAILED: {self.out['error']}")
            traceback.print_exc()
            self._print_log_tails()
        finally:
            Child.kill_all()
            self.out["seconds"] = round(time.monotonic() - began, 1)
            self._keep_logs()
            if self.pg is not None:
                try:
                    self.pg.drop()
                except Exception as exc:
                    say(f"could not drop {self.pg.name}: {exc}")
            if self.args.keep:
                say(f"kept {self.var_dir}")
            else:
                shutil.rmtree(self.var_dir, ignore_errors=True)
        return self.out

    def _execute(self) -> None:
        args, out = self.args, self.out
        if self.pg is not None:
            out["version"] = f"{self.pg.version()}, Redis db {args.redis_db}"
            self.pg.recreate()
        else:
            out["version"] = f"SQLite {sqlite3.sqlite_version} (WAL, temporary ANYUN_VAR_DIR)"
        world_file = self.var_dir / "world.json"
        say(f"setup: fresh database, {WOMEN} women, {CLINICIANS} clinicians (tests.bench.world)")
        world_command(
            self.env,
            "setup",
            str(world_file),
            "--women",
            str(WOMEN),
            "--clinicians",
            str(CLINICIANS),
            timeout=SETUP_TIMEOUT,
        )
        world = json.loads(world_file.read_text())
        tokens = [w["token"] for w in world["women"]]
        women_ids = [w["id"] for w in world["women"]]
        rng = random.Random(args.seed)
        submissions = load.plan(
            checkins=args.checkins, urgent=args.urgent, women=len(tokens), rng=rng
        )
        burst = load.burst_plan(args.burst, women=len(tokens))
        ledger = load.Ledger()

        processes = "anyun run + anyun db_worker" if self.scaled_out else "anyun run (embedded)"
        self.start_processes()
        say(f"started: {processes} on {clients.HOST}:{self.port}")

        stop = threading.Event()
        load_began = time.monotonic()
        threads = load.run_paced(
            port=self.port,
            tokens=tokens,
            ledger=ledger,
            submissions=submissions,
            seconds=args.seconds,
            concurrency=args.concurrency,
            stop=stop,
        )
        say(
            f"load: {len(submissions)} submissions over {args.seconds:g} s from "
            f"{args.concurrency} threads; kill after {args.kill_after:g} s"
        )
        try:
            time.sleep(max(0.0, load_began + args.kill_after - time.monotonic()))
            burst_threads = load.run_burst(
                port=self.port, tokens=tokens, ledger=ledger, submissions=burst
            )
            first_ack = ledger.first_ack.wait(FIRST_ACK_TIMEOUT)
            running = wait_for_running_job(
                world, self.pg.url if self.pg else None, RUNNING_JOB_TIMEOUT
            )
            kill_at = self.kill_processes()
            out["kill_seconds_into_load"] = round(time.monotonic() - load_began, 2)
            out["job_seen_running_at_kill"] = running
            say(
                f"SIGKILL {' and '.join(c.name for c in self.lives[-1])} at "
                f"{out['kill_seconds_into_load']} s (burst of {len(burst)} urgent readings, "
                f"first acknowledged: {first_ack}, a job seen RUNNING: {running})"
            )
            for t in burst_threads:
                t.join(clients.REQUEST_TIMEOUT)
            acked_before = sum(len(s.items) for s in ledger.sent if s.acked)
            out["kill"] = probe(self.env, "snapshot")
            out["kill"]["readings_acked_before"] = acked_before
            snap = out["kill"]
            say(
                f"  at the kill: {snap['readings']} readings stored "
                f"({acked_before} acknowledged), urgent deliveries open "
                f"{len(snap['urgent_deliveries_open'])} of {snap['urgent_deliveries']}, "
                f"jobs {snap['jobs']}"
            )
            restart_at = self.start_processes(app_delay=self.app_delay)
            out["restart_answering_s"] = round(time.time() - restart_at, 2)
            out["downtime_s"] = round(time.time() - kill_at, 2)
            if self.app_delay:
                say(f"restarted the db_worker alone, the app server {self.app_delay:g} s later")
            say(
                f"restarted: answering {out['restart_answering_s']} s after the restart "
                f"({out['downtime_s']} s after the kill)"
            )
            for t in threads:
                t.join(max(0.0, load_began + args.seconds - time.monotonic()) + 35)
        finally:
            stop.set()
        out["load_seconds"] = round(time.monotonic() - load_began, 2)
        out["resend"] = load.resend_unacked(port=self.port, tokens=tokens, ledger=ledger)
        say(
            f"resent {out['resend']['resent']} unacknowledged submissions with their keys: "
            f"{out['resend']['acked']} acknowledged ({out['resend']['replayed']} as replays), "
            f"{out['resend']['still_unacked']} still not"
        )
        out["client"] = load.summary(ledger)
        sent_file = self.var_dir / "sent.json"
        sent_file.write_text(
            json.dumps(
                [
                    {
                        "key": s.key,
                        "woman": women_ids[s.woman],
                        "items": len(s.items),
                        "acked": s.acked,
                    }
                    for s in ledger.sent
                ]
            )
        )
        until = max(restart_at + DELIVERY_BOUND, time.time() + SETTLE_AT_LEAST)
        out["verify"] = probe(
            self.env,
            "verify",
            str(sent_file),
            "--kill-at",
            str(kill_at),
            "--restart-at",
            str(restart_at),
            "--until",
            str(until),
            "--bound",
            str(DELIVERY_BOUND),
            "--pending-at-kill",
            ",".join(str(pk) for pk in out["kill"]["urgent_deliveries_open"]),
        )
        out["exit_codes"] = self.stop_processes()
        out["reclaimed_by"] = self._reclaims()
        out["log_error_lines"] = self._log_errors()
        out["checks"] = checks(out)
        out["status"] = "ok" if all(c["ok"] for c in out["checks"]) else "checks failed"
        for c in out["checks"]:
            say(f"  [{'PASS' if c['ok'] else 'FAIL'}] {c['name']}: {c['detail']}")

    def _reclaims(self) -> dict[str, int]:
        """Lost jobs put back on the queue, by process (from their logs, after the restart)."""
        counts: dict[str, int] = {}
        for child in self.lives[-1] if len(self.lives) > 1 else []:
            text = child.log_path.read_text(errors="replace") if child.log_path.exists() else ""
            counts[child.name] = text.count(RECLAIM_LOG)
        return counts

    def _log_errors(self) -> int:
        return sum(
            len(LOG_ERROR_RE.findall(child.log_path.read_text(errors="replace")))
            for life in self.lives
            for child in life
            if child.log_path.exists()
        )

    def _print_log_tails(self, lines: int = 30) -> None:
        for life in self.lives[-1:]:
            for child in life:
                if child.log_path.exists():
                    tail = child.log_path.read_text(errors="replace").splitlines()[-lines:]
                    say(f"--- {child.log_path.name} (tail) ---\n" + "\n".join(tail) + "\n---")

    def _keep_logs(self) -> None:
        self.args.out.mkdir(parents=True, exist_ok=True)
        for life in self.lives:
            for child in life:
                if child.log_path.exists():
                    target = self.args.out / f"{self.label.lower()}-{child.log_path.name}"
                    shutil.copyfile(child.log_path, target)


# --- checks ---------------------------------------------------------------------------------


def _check(name: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "ok": bool(ok), "detail": detail}


def checks(out: dict[str, Any]) -> list[dict[str, Any]]:
    r = out["verify"]["readings"]
    a = out["verify"]["alarms"]
    d = out["verify"]["deliveries"]
    j = out["verify"]["jobs"]
    client = out["client"]
    return [
        _check(
            "1. acknowledged readings stored exactly once",
            r["readings_acked_missing"] == 0
            and r["duplicates"] == 0
            and r["readings_acked_stored_once"] == r["readings_acked"]
            and out["resend"]["still_unacked"] == 0,
            f"{r['readings_acked']} acknowledged, {r['readings_acked_stored_once']} stored once, "
            f"{r['readings_acked_missing']} missing, {r['duplicates']} duplicates, "
            f"{out['resend']['still_unacked']} submissions never acknowledged",
        ),
        _check(
            "2. every expected alarm raised",
            a["missing"] == 0
            and a["duplicate_alarms"] == 0
            and a["bp_severe_alarms"] >= client["urgent_bp_acked"],
            f"expected {a['expected']} (urgent {a['expected_urgent']}), raised {a['raised']} "
            f"(urgent {a['raised_urgent']}), missing {a['missing']}, "
            f"duplicated {a['duplicate_alarms']}; urgent BP check-ins acknowledged "
            f"{client['urgent_bp_acked']}, bp_severe alarms {a['bp_severe_alarms']}",
        ),
        _check(
            f"3. every urgent alarm's delivery sent within {DELIVERY_BOUND:.0f} s of the restart",
            d["urgent_alarms_unrouted"] == 0
            and d["sent"] == d["deliveries"]
            and d["late"] == 0
            and d["pending_at_kill_sent"] == d["pending_at_kill"],
            f"{d['sent']} of {d['deliveries']} sent for {d['urgent_alarms']} urgent alarms "
            f"(not sent {d['not_sent'] or 0}, unrouted {d['urgent_alarms_unrouted']}, late "
            f"{d['late']}); {d['pending_at_kill']} pending at the kill, last of them sent "
            f"{_s(d['restart_to_last_pending_sent_s'])} after the restart",
        ),
        *_worker_alone_check(out),
        _check(
            "4. no job left RUNNING",
            j["running"] == 0,
            f"{j['running']} RUNNING at the end; jobs {j['by_status']}, {j['run_again']} run "
            f"again after the kill",
        ),
    ]


def _worker_alone_check(out: dict[str, Any]) -> list[dict[str, Any]]:
    """Scaled out with the db_worker restarted alone: it put back every job left RUNNING."""
    if not out["scaled_out"] or not out["app_restart_delay_s"]:
        return []
    lost = out["kill"]["jobs"].get("RUNNING", 0)
    by_worker = out["reclaimed_by"].get("db_worker", 0)
    return [
        _check(
            "3b. the restarted db_worker alone put back the jobs left RUNNING",
            by_worker >= lost,
            f"{lost} RUNNING at the kill, {by_worker} put back by the db_worker in the "
            f"{out['app_restart_delay_s']:g} s before the app server restarted"
            + ("" if lost else " (nothing to put back: not exercised)"),
        )
    ]


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


# --- main -----------------------------------------------------------------------------------


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM/SIGHUP: unwind, so `finally` kills every child's process group.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminated)
    if args.port is not None and not port_free(args.port):
        say(f"port {args.port} is in use")
        return 2
    began = time.monotonic()
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": {
            "lease_seconds": args.lease_seconds,
            "load_seconds": args.seconds,
            "kill_after": args.kill_after,
            "checkins": args.checkins,
            "urgent": args.urgent,
            "burst": args.burst,
            "concurrency": args.concurrency,
            "women": WOMEN,
            "clinicians": CLINICIANS,
            "delivery_bound_s": DELIVERY_BOUND,
            "seed": args.seed,
            "worker_first": args.worker_first,
        },
        "databases": {},
    }
    ok = True
    try:
        for name in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            if name == "sqlite":
                outcome = Run("SQLite", args, None).execute()
            else:
                pg = Postgres(args.pg_url)
                reason = pg.unavailable() or redis_unavailable(args.redis_db)
                if reason:
                    say(f"\n== PostgreSQL ==\nCannot run: {reason}.")
                    outcome = {"status": "failed", "error": reason}
                else:
                    outcome = Run("PostgreSQL", args, pg).execute()
            results["databases"]["SQLite" if name == "sqlite" else "PostgreSQL"] = outcome
            ok = ok and outcome["status"] == "ok"
    finally:
        Child.kill_all()
    results["total_seconds"] = round(time.monotonic() - began, 1)
    markdown = report.markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    say("\n" + markdown)
    say(f"Written to {args.out / 'results.md'} and results.json.")
    return 0 if ok else 1
