"""Run the benchmark on each configuration in turn: fresh database, world, the bare baseline
server, then Anyun's server (and its queue workers), load, alarm latency under load,
statements per request, clinician pages (optionally at scale), report. Every child process is
stopped in `finally` (terminate, then kill)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import queue
import random
import re
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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from tests.bench import clients, report

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/anyun_bench"
# The fault test uses Redis database 15.
DEFAULT_REDIS_DB = 14
ANYUN_APP = "anyun.asgi:application"
BARE_APP = "tests.bench.bare.asgi:application"
BARE_SETTINGS = "tests.bench.bare.settings"
BARE_PATH = "/bare/readings"
PG_POLL_SECONDS = 0.01
SCALE_TIMEOUT = 3 * 3600.0
PAGE_RENDERS = 5
SETUP_TIMEOUT = 300.0
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 30.0
DRAIN_TIMEOUT = 120.0
LOAD_TIME_LIMIT = 240.0
LATENCY_TIME_LIMIT = 240.0
LATENCY_LOAD_TIME_LIMIT = 120.0
ALARM_TIMEOUT = 15.0
# Readings/s of the background load while alarms are timed under load: the ingestion goal for
# bulk check-ins (so the latency is measured at that throughput, not past what the server
# answers, where every request waits in line whatever the code does).
LOAD_RATE = 1500.0
# Renders of the pregnancy chart timed per format (after one warm-up render).
CHART_RENDERS = 5
CLEARED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "ANYUN_VAR_DIR",
    "ANYUN_EMBEDDED_WORKER",
    "ANYUN_DEBUG",
    "ANYUN_ENV",
)
LOG_ERROR_RE = re.compile(r"Traceback|\bERROR\b|Exception in ASGI", re.MULTILINE)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Throughput and alarm latency of the real server on SQLite and PostgreSQL.",
    )
    p.add_argument(
        "--databases",
        default="sqlite,postgres",
        help="comma-separated, in order: sqlite, postgres (default: both)",
    )
    p.add_argument("--pg-url", default=os.environ.get("ANYUN_BENCH_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--women", type=int, default=50)
    p.add_argument("--clinicians", type=int, default=4)
    p.add_argument("--concurrency", type=int, default=8, help="client threads")
    p.add_argument("--single", type=int, default=1000, help="requests of one reading")
    p.add_argument("--checkins", type=int, default=200, help="requests of a 5-reading check-in")
    p.add_argument(
        "--bulk-checkins",
        type=int,
        default=100,
        help="requests of a 20-reading check-in (the bulk case)",
    )
    p.add_argument("--bulk-size", type=int, default=20, help="readings per bulk check-in")
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("ANYUN_BENCH_PORT", "0")),
        help="port the servers bind to, one after the other (env ANYUN_BENCH_PORT; "
        "default: a free port)",
    )
    p.add_argument(
        "--pg-workers",
        type=int,
        default=2,
        help="PostgreSQL configuration: uvicorn worker processes (default 2)",
    )
    p.add_argument(
        "--db-workers",
        type=int,
        default=1,
        help="PostgreSQL configuration: separate `anyun db_worker` processes (default 1)",
    )
    p.add_argument(
        "--redis-db",
        type=int,
        default=int(os.environ.get("ANYUN_BENCH_REDIS_DB", DEFAULT_REDIS_DB)),
        help="PostgreSQL configuration: Redis database number on 127.0.0.1:6379 "
        f"(env ANYUN_BENCH_REDIS_DB; default {DEFAULT_REDIS_DB}; flushed before the run)",
    )
    p.add_argument(
        "--scale-women",
        type=int,
        default=0,
        help="PostgreSQL only: after the load, fill the database to this many women and time "
        "the clinician pages there (e.g. 100000; off by default)",
    )
    p.add_argument(
        "--scale-readings",
        type=int,
        default=0,
        help="PostgreSQL only: readings at scale (e.g. 1000000; with --scale-women)",
    )
    p.add_argument("--alarms", type=int, default=50, help="urgent readings timed to the socket")
    p.add_argument(
        "--alarms-under-load",
        type=int,
        default=20,
        help="urgent readings timed to the socket while bulk check-ins load the server",
    )
    p.add_argument(
        "--load-rate",
        type=float,
        default=LOAD_RATE,
        help=(
            "readings/s of the bulk check-ins sent while alarms are timed under load (default: "
            f"{LOAD_RATE:g}, the ingestion goal); 0: as fast as the server answers"
        ),
    )
    p.add_argument(
        "--worker-interval",
        type=float,
        default=None,
        help="ANYUN_WORKER_INTERVAL for the server (default: the product's default)",
    )
    p.add_argument("--debug", action="store_true", help="run the server with ANYUN_DEBUG=1")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--keep", action="store_true", help="keep the temporary ANYUN_VAR_DIR")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = p.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(args.databases) - {"sqlite", "postgres"}
    if unknown:
        p.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    for name in (
        "women",
        "clinicians",
        "concurrency",
        "single",
        "checkins",
        "bulk_checkins",
        "bulk_size",
        "alarms",
        "alarms_under_load",
        "pg_workers",
        "db_workers",
    ):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    if args.load_rate < 0:
        p.error("--load-rate must be 0 or more")
    if args.women > 400:
        p.error("--women must be at most 400 (distinct national ID numbers)")
    if args.bulk_size > 20:
        p.error("--bulk-size must be at most 20 (the API's limit per request today)")
    if not 0 <= args.port <= 65535:
        p.error("--port must be from 1 to 65535 (0: a free port)")
    if not 0 <= args.redis_db <= 15:
        p.error("--redis-db must be from 0 to 15")
    if bool(args.scale_women) != bool(args.scale_readings):
        p.error("--scale-women and --scale-readings go together")
    if args.scale_women and "postgres" not in args.databases:
        p.error("--scale-women needs the postgres database")
    return args


def say(message: str) -> None:
    print(message, flush=True)


# --- processes ------------------------------------------------------------------------------


def bench_env(
    var_dir: Path,
    database_url: str | None,
    args: argparse.Namespace,
    redis_url: str | None = None,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="anyun.settings",
        ANYUN_ENV="development",
        ANYUN_VAR_DIR=str(var_dir),
        ANYUN_EMBEDDED_WORKER="0" if redis_url else "1",
        ANYUN_DEBUG="1" if args.debug else "0",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    if args.worker_interval is not None:
        env["ANYUN_WORKER_INTERVAL"] = str(args.worker_interval)
    return env


def module_json(module: str, env: dict[str, str], *argv: str, timeout: float) -> dict[str, Any]:
    """Run `python -m <module> ...`; its last stdout line is a JSON object."""
    done = subprocess.run(
        [sys.executable, "-m", module, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{module} {argv[0]} exited with {done.returncode}:\n"
            + (done.stderr or done.stdout)[-3000:]
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def world_command(env: dict[str, str], *argv: str, timeout: float) -> dict[str, Any]:
    """Run `python -m tests.bench.world ...` (see `module_json`)."""
    return module_json("tests.bench.world", env, *argv, timeout=timeout)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((clients.HOST, 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[Any], timeout: float) -> int | None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
    return proc.returncode


def process_tree_cpu(root: int) -> float | None:
    """User + system CPU seconds of `root` and every process under it (Linux /proc): uvicorn's
    worker processes count with their master. None when `root` is gone or /proc is missing."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    if root not in ticks:
        return None
    total = 0
    for pid, used in ticks.items():
        at = pid
        while at > 1 and at != root:
            at = parents.get(at, 0)
        if at == root:
            total += used
    return total / os.sysconf("SC_CLK_TCK")


class Server:
    """uvicorn serving an ASGI app (Anyun's with its lifespan, or the bare baseline)."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        port: int,
        app: str = ANYUN_APP,
        workers: int = 1,
        lifespan: bool = True,
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.port = port
        self.app = app
        self.workers = workers
        self.lifespan = lifespan
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None
        self.start_seconds = 0.0
        self.exit_code: int | None = None

    def __enter__(self) -> Server:
        self.log = self.log_path.open("wb")
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--host",
            clients.HOST,
            "--port",
            str(self.port),
            "--lifespan",
            "on" if self.lifespan else "off",
            "--no-access-log",
        ]
        if self.workers > 1:
            argv += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            proc = self.proc
            self.start_seconds = clients.wait_until_answering(
                self.port, timeout=SERVER_START_TIMEOUT, alive=lambda: proc.poll() is None
            )
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def cpu_seconds(self) -> float | None:
        """CPU seconds of the server and its worker processes so far, else None."""
        return None if self.proc is None else process_tree_cpu(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None:
            self.exit_code = stop_process(self.proc, SERVER_STOP_TIMEOUT)
        if self.log is not None:
            self.log.close()
            self.log = None


class QueueWorkers:
    """`anyun db_worker` processes (the scaled-out configuration); none for the embedded one."""

    def __init__(self, env: dict[str, str], log_dir: Path, count: int, interval: float | None):
        self.env = env
        self.log_dir = log_dir
        self.count = count
        self.interval = interval
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []

    def __enter__(self) -> QueueWorkers:
        script = Path(sys.executable).with_name("anyun")
        base = (
            [str(script)]
            if script.exists()
            else [sys.executable, "-c", "from anyun.cli import main; main()"]
        )
        argv = [*base, "db_worker"]
        if self.interval is not None:
            argv += ["--interval", str(self.interval)]
        try:
            for n in range(self.count):
                log = (self.log_dir / f"db_worker-{n}.log").open("wb")
                self.logs.append(log)
                self.procs.append(
                    subprocess.Popen(
                        argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cpu_seconds(self) -> float | None:
        if not self.procs:
            return None
        values = [process_tree_cpu(p.pid) for p in self.procs]
        return sum(v for v in values if v is not None)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            stop_process(proc, SERVER_STOP_TIMEOUT)
        for log in self.logs:
            log.close()
        self.logs = []

    def log_text(self) -> str:
        return "".join(
            p.read_text(errors="replace") for p in sorted(self.log_dir.glob("db_worker-*.log"))
        )


class ConnectionPeak:
    """Polls pg_stat_activity for the bench database every PG_POLL_SECONDS from a connection
    of its own (to the `postgres` database, so it is not counted) and keeps the peak."""

    def __init__(self, admin_url: str | None, database: str | None) -> None:
        self.admin_url = admin_url
        self.database = database
        self.peak: int | None = None
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def __enter__(self) -> ConnectionPeak:
        if self.admin_url is None:
            return self
        import psycopg

        conn = psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5)

        def poll() -> None:
            try:
                while not self._stop.is_set():
                    row = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                        (self.database,),
                    ).fetchone()
                    count = int(row[0]) if row else 0
                    self.samples += 1
                    self.peak = count if self.peak is None else max(self.peak, count)
                    self._stop.wait(PG_POLL_SECONDS)
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
            finally:
                conn.close()

        self._thread = threading.Thread(target=poll, name="bench-pg-peak", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def summary(self) -> dict[str, Any]:
        return {"peak": self.peak, "samples": self.samples, "error": self.error}


def redis_unavailable(db: int) -> str | None:
    """Why Redis on 127.0.0.1:6379 cannot be used, or None; flushes database `db` when usable."""
    try:
        with socket.create_connection((clients.HOST, 6379), timeout=3) as s:
            s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = s.recv(256)
                if not chunk:
                    break
                answer += chunk
    except OSError as exc:
        return f"Redis is not reachable at {clients.HOST}:6379 ({exc})"
    if answer.count(b"+OK") < 2:
        return f"Redis answered {answer[:80]!r}"
    return None


# --- PostgreSQL -----------------------------------------------------------------------------

_DB_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Postgres:
    url: str

    @property
    def name(self) -> str:
        name = urlsplit(self.url).path.lstrip("/")
        if not _DB_NAME_RE.match(name):
            raise ValueError(f"unexpected database name in {self.url!r}")
        return name

    @property
    def admin_url(self) -> str:
        return urlunsplit(urlsplit(self.url)._replace(path="/postgres"))

    def psql(self, sql: str, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql],
            env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def unavailable(self) -> str | None:
        """Why PostgreSQL cannot be used, or None."""
        if urlsplit(self.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            return f"{self.url} is not on this machine (only 127.0.0.1 is benchmarked)"
        if shutil.which("psql") is None:
            return "psql is not installed"
        try:
            done = self.psql("SELECT 1", timeout=15)
        except subprocess.TimeoutExpired:
            return "psql timed out"
        if done.returncode != 0:
            return (done.stderr.strip().splitlines() or ["psql failed"])[0]
        return None

    def version(self) -> str:
        done = self.psql("SHOW server_version")
        return f"PostgreSQL {done.stdout.strip()}" if done.returncode == 0 else "PostgreSQL"

    def _run(self, sql: str) -> None:
        done = self.psql(sql)
        if done.returncode != 0:
            raise RuntimeError(f"psql: {sql}: {done.stderr.strip()}")

    def recreate(self) -> None:
        self.drop()
        self._run(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- one configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """What one column of the report ran: the database, uvicorn workers, queue workers."""

    label: str
    pg: Postgres | None
    workers: int = 1
    db_workers: int = 0  # 0: the embedded worker in the web process
    redis_url: str | None = None

    @property
    def description(self) -> str:
        if self.pg is None:
            return "1 uvicorn process, embedded queue worker, in-memory channel layer"
        return (
            f"{self.workers} uvicorn worker(s), {self.db_workers} `anyun db_worker`, "
            f"Redis ({self.redis_url}), pooled connections"
        )


def run_config(config: Config, args: argparse.Namespace) -> dict[str, Any]:
    label = config.label
    pg = config.pg
    say(f"\n== {label} ==")
    var_dir = Path(tempfile.mkdtemp(prefix="anyun-bench-"))
    env = bench_env(var_dir, pg.url if pg else None, args, config.redis_url)
    out: dict[str, Any] = {"status": "failed", "configuration": config.description}
    log_path = var_dir / "server.log"
    began = time.monotonic()
    try:
        if pg is not None:
            out["version"] = pg.version()
            pg.recreate()
        else:
            out["version"] = (
                f"SQLite {sqlite3.sqlite_version} (WAL, file under a temporary ANYUN_VAR_DIR)"
            )
        out.update(_measure(config, args, env, var_dir, log_path, out))
        out["status"] = "ok" if _clean(out) else "errors"
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
        say(f"{label} FAILED: {out['error']}")
        traceback.print_exc()
        _print_log_tail(log_path)
    finally:
        out["non_2xx"] = sum(int(n) for k, n in _statuses(out).items() if not k.startswith("2"))
        out["statuses"] = _statuses(out)
        out["seconds"] = round(time.monotonic() - began, 1)
        _keep_log(label, log_path, args.out)
        if pg is not None:
            try:
                pg.drop()
            except Exception as exc:
                say(f"could not drop {pg.name}: {exc}")
        if args.keep:
            say(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    return out


def _statuses(out: dict[str, Any]) -> dict[str, int]:
    """Every client-side response by status code over the configuration's phases."""
    merged: dict[str, int] = {}

    def add(part: Any) -> None:
        if isinstance(part, dict):
            for code, n in (part.get("statuses") or {}).items():
                merged[code] = merged.get(code, 0) + int(n)

    for key in ("warmup", *PHASES, "alarm_latency", "alarm_latency_load", "background"):
        add(out.get(key))
    for key in PHASES:
        add(_get(out, "bare", key))
    add(_get(out, "bare", "warmup"))
    return dict(sorted(merged.items()))


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


PHASES = ("single", "checkins", "bulk")


def _phases(
    args: argparse.Namespace, women: int, rng: random.Random
) -> list[tuple[str, list[clients.Submission]]]:
    return [
        ("single", clients.single_readings(args.single, women, rng)),
        ("checkins", clients.check_ins(args.checkins, women, rng)),
        ("bulk", clients.check_ins(args.bulk_checkins, women, rng, size=args.bulk_size)),
    ]


def _timed_load(
    name: str,
    *,
    server: Server,
    workers: QueueWorkers | None,
    pg: Postgres | None,
    tokens: list[str],
    submissions: list[clients.Submission],
    concurrency: int,
    path: str = clients.READINGS_PATH,
) -> dict[str, Any]:
    """One load phase with the server's (and queue workers') CPU and the connection peak."""
    cpu_before = server.cpu_seconds()
    worker_before = workers.cpu_seconds() if workers else None
    with ConnectionPeak(pg.admin_url if pg else None, pg.name if pg else None) as peak:
        result = clients.run_load(
            name,
            port=server.port,
            tokens=tokens,
            submissions=submissions,
            concurrency=concurrency,
            time_limit=LOAD_TIME_LIMIT,
            path=path,
        )
    cpu_after = server.cpu_seconds()
    worker_after = workers.cpu_seconds() if workers else None
    summary = result.summary()
    summary["pg_connections"] = peak.summary() if pg else None
    if cpu_before is not None and cpu_after is not None and result.seconds:
        used = cpu_after - cpu_before
        summary["server_cpu_seconds"] = round(used, 2)
        summary["server_cpu_share"] = round(used / result.seconds, 2)
        summary["server_cpu_ms_per_request"] = round(1000 * used / max(1, result.requests_ok), 1)
        summary["server_cpu_ms_per_reading"] = round(1000 * used / max(1, result.readings_ok), 2)
    if worker_before is not None and worker_after is not None:
        summary["worker_cpu_seconds"] = round(worker_after - worker_before, 2)
    _print_failures(name, summary["failures"])
    return summary


def _say_load(summary: dict[str, Any]) -> None:
    peak = _get(summary, "pg_connections", "peak")
    say(
        f"  {summary['requests_per_s']} req/s, {summary['readings_per_s']} readings/s, "
        f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, non-2xx {summary['non_2xx']}, "
        f"server CPU {summary.get('server_cpu_ms_per_request')} ms/request"
        + (f", PostgreSQL connections peak {peak}" if peak is not None else "")
    )


def _measure(
    config: Config,
    args: argparse.Namespace,
    env: dict[str, str],
    var_dir: Path,
    log_path: Path,
    out: dict[str, Any],
) -> dict[str, Any]:
    pg = config.pg
    rng = random.Random(args.seed)
    port = args.port or free_port()
    world_file = var_dir / "world.json"
    say(f"setup: migrate a fresh database, {args.women} women, {args.clinicians} clinicians")
    world_command(
        env,
        "setup",
        str(world_file),
        "--women",
        str(args.women),
        "--clinicians",
        str(args.clinicians),
        timeout=SETUP_TIMEOUT,
    )
    world = json.loads(world_file.read_text())
    tokens = [w["token"] for w in world["women"]]
    watcher = world["watcher"]
    watch_tokens = [tokens[i] for i in watcher["women"]]
    cookie = f"{world['session_cookie']}={watcher['session_key']}"
    out["world"] = {
        "women": len(tokens),
        "clinicians": len(world["clinicians"]),
        "migrate_seconds": world["migrate_seconds"],
        "build_seconds": world["build_seconds"],
        "debug": world["debug"],
        "worker_interval": world["worker_interval"],
        "embedded_worker": world["embedded_worker"],
    }
    out["port"] = port

    # The bare baseline first, on the same port, workers and database; then stopped.
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": BARE_SETTINGS}
    module_json("tests.bench.bare", bare_env, "setup", timeout=120)
    bare: dict[str, Any] = {}
    out["bare"] = bare
    bare_log = var_dir / "bare.log"
    with Server(
        bare_env, bare_log, port=port, app=BARE_APP, workers=config.workers, lifespan=False
    ) as server:
        say(f"bare baseline: uvicorn on {clients.HOST}:{port}, {config.workers} worker(s)")
        warm = clients.run_load(
            "bare-warmup",
            port=port,
            tokens=tokens,
            submissions=clients.single_readings(2 * args.concurrency, len(tokens), rng),
            concurrency=args.concurrency,
            time_limit=60,
            path=BARE_PATH,
        )
        bare["warmup"] = warm.summary()
        for name, submissions in _phases(args, len(tokens), rng):
            say(f"bare: {len(submissions)} requests ({name}) from {args.concurrency} threads")
            bare[name] = _timed_load(
                name,
                server=server,
                workers=None,
                pg=pg,
                tokens=tokens,
                submissions=submissions,
                concurrency=args.concurrency,
                path=BARE_PATH,
            )
            _say_load(bare[name])
    bare["statements"] = module_json("tests.bench.bare", bare_env, "statements", timeout=120)
    _keep_log(f"{config.label}-bare", bare_log, args.out)

    workers_ctx: contextlib.AbstractContextManager[Any] = (
        QueueWorkers(env, var_dir, config.db_workers, args.worker_interval)
        if config.db_workers
        else contextlib.nullcontext()
    )
    with workers_ctx as workers, Server(env, log_path, port=port, workers=config.workers) as server:
        out["server_start_seconds"] = round(server.start_seconds, 2)
        say(
            f"server: uvicorn on {clients.HOST}:{port}, {config.workers} worker(s), "
            f"answering after {server.start_seconds:.1f} s"
        )
        _smoke(port, tokens[0], cookie)
        warmup = clients.run_load(
            "warmup",
            port=port,
            tokens=tokens,
            submissions=clients.single_readings(2 * args.concurrency, len(tokens), rng),
            concurrency=args.concurrency,
            time_limit=60,
        )
        out["warmup"] = warmup.summary()
        if warmup.errors:
            raise RuntimeError(f"warm-up requests failed: {warmup.failures[:3]}")
        for name, submissions in _phases(args, len(tokens), rng):
            say(f"load: {len(submissions)} requests ({name}) from {args.concurrency} threads")
            summary = _timed_load(
                name,
                server=server,
                workers=workers,
                pg=pg,
                tokens=tokens,
                submissions=submissions,
                concurrency=args.concurrency,
            )
            ended = time.time()
            summary["drain"] = world_command(
                env,
                "drain",
                "--since",
                str(ended),
                "--timeout",
                str(DRAIN_TIMEOUT),
                timeout=DRAIN_TIMEOUT + 60,
            )
            out[name] = summary
            _say_load(summary)
            say(f"  queue drained after {summary['drain']['seconds']} s")
        interval = float(world["worker_interval"])
        say(f"alarm latency: {args.alarms} urgent readings, clinician socket {watcher['username']}")
        latency = clients.run_alarm_latency(
            port=port,
            cookie=cookie,
            tokens=watch_tokens,
            count=args.alarms,
            jitter=interval,
            timeout=ALARM_TIMEOUT,
            time_limit=LATENCY_TIME_LIMIT,
            rng=rng,
        )
        out["alarm_latency"] = latency.summary()
        _print_failures("alarm latency", out["alarm_latency"]["failures"])
        say(
            f"  median {out['alarm_latency']['median_ms']} ms, p99 {out['alarm_latency']['p99_ms']} ms, "
            f"max {out['alarm_latency']['max_ms']} ms, timeouts {latency.timeouts}"
        )
        out.update(_latency_under_load(args, server, pg, tokens, watch_tokens, cookie, world, rng))
        ended = time.time()
        out["background_drain"] = world_command(
            env,
            "drain",
            "--since",
            str(ended),
            "--timeout",
            str(DRAIN_TIMEOUT),
            timeout=DRAIN_TIMEOUT + 60,
        )
        say(f"  queue drained after the load: {out['background_drain']}")
        if workers is not None and not workers.alive():
            out["workers_died"] = True
    out["server_exit_code"] = server.exit_code
    expected_background = _get(out, "background", "readings") or 0
    out["statements"] = world_command(env, "statements", str(world_file), timeout=120)
    say(f"statements per request: {out['statements']}; bare: {bare['statements']}")
    out["stats"] = world_command(env, "stats", timeout=120)
    out["charts"] = world_command(env, "charts", "--renders", str(CHART_RENDERS), timeout=300)
    say(
        f"charts: SVG {out['charts'].get('svg_median_ms')} ms, "
        f"PDF {out['charts'].get('pdf_median_ms')} ms (median of {CHART_RENDERS})"
    )
    out["expected_readings"] = (
        warmup.readings_ok
        + sum(out[name]["readings"] for name in PHASES)
        + expected_background
        + (_get(out, "alarm_latency", "posted") or 0)
        + (_get(out, "alarm_latency_load", "posted") or 0)
        + sum(len(items) + 1 for items in _statement_sizes())  # each after a warm-up reading
    )
    out["pages"] = world_command(
        env, "pages", str(world_file), "--renders", str(PAGE_RENDERS), timeout=300
    )
    say(f"pages ({out['pages']['women']} women): {_pages_line(out['pages'])}")
    if args.scale_women and pg is not None:
        say(
            f"scale: filling to {args.scale_women:,} women and {args.scale_readings:,} readings "
            "(bulk inserts)"
        )
        out["scale"] = world_command(
            env,
            "scale",
            str(world_file),
            "--women",
            str(args.scale_women),
            "--readings",
            str(args.scale_readings),
            timeout=SCALE_TIMEOUT,
        )
        say(f"  filled in {out['scale']['fill_seconds']} s")
        out["scale_pages"] = world_command(
            env, "pages", str(world_file), "--renders", str(PAGE_RENDERS), timeout=600
        )
        say(f"pages at scale: {_pages_line(out['scale_pages'])}")
    log = log_path.read_text(errors="replace")
    if config.db_workers:
        log += "".join(
            p.read_text(errors="replace") for p in sorted(var_dir.glob("db_worker-*.log"))
        )
    out["server_log_errors"] = len(LOG_ERROR_RE.findall(log))
    if out["server_log_errors"]:
        say(f"  the server log has {out['server_log_errors']} error line(s)")
    return out


def _statement_sizes() -> list[list[dict[str, Any]]]:
    from tests.bench.world import statement_items

    return list(statement_items().values())


def _pages_line(pages: dict[str, Any]) -> str:
    return ", ".join(
        f"{name} {pages[name]['median_ms']} ms / {pages[name]['queries']} queries"
        for name in ("patient_list", "worklist", "overview")
        if name in pages
    )


def _latency_under_load(
    args: argparse.Namespace,
    server: Server,
    pg: Postgres | None,
    tokens: list[str],
    watch_tokens: list[str],
    cookie: str,
    world: dict[str, Any],
    rng: random.Random,
) -> dict[str, Any]:
    """Urgent readings timed to the clinician's socket while bulk check-ins load the server
    from `--concurrency` other threads (stopped when the samples are taken)."""
    interval = float(world["worker_interval"])
    say(
        f"alarm latency under load: {args.alarms_under_load} urgent readings, clinician socket "
        f"{world['watcher']['username']}, "
        f"under a load of {args.bulk_size}-reading check-ins from {args.concurrency} threads, "
        + (f"{args.load_rate:g} readings/s" if args.load_rate else "as fast as answered")
    )
    # The load runs in a process of its own (`clients.background_load`): its threads would
    # otherwise hold this one's interpreter lock when the alarm reaches the socket.
    spawn = multiprocessing.get_context("spawn")
    started, stop = spawn.Event(), spawn.Event()
    results = spawn.Queue()
    load = spawn.Process(
        target=clients.background_load,
        kwargs={
            "port": server.port,
            "tokens": tokens,
            "seed": args.seed + 1,
            "size": args.bulk_size,
            "concurrency": args.concurrency,
            "time_limit": LATENCY_LOAD_TIME_LIMIT + 30,
            "rate": args.load_rate / args.bulk_size,
            "started": started,
            "until": stop,
            "out": results,
        },
        name="bench-background",
        daemon=True,
    )
    background: dict[str, Any] = {}
    with ConnectionPeak(pg.admin_url if pg else None, pg.name if pg else None) as peak:
        load.start()
        if not started.wait(60):
            say("  the background load did not start")
        time.sleep(1.0)  # the load is running before the first sample
        try:
            latency = clients.run_alarm_latency(
                port=server.port,
                cookie=cookie,
                tokens=watch_tokens,
                count=args.alarms_under_load,
                jitter=interval,
                timeout=ALARM_TIMEOUT,
                time_limit=LATENCY_LOAD_TIME_LIMIT,
                rng=rng,
            )
        finally:
            stop.set()
            try:
                background["summary"] = results.get(timeout=LATENCY_TIME_LIMIT + 60)
            except queue.Empty:
                say("  the background load gave no summary")
            load.join(30)
            if load.is_alive():
                load.kill()
    out: dict[str, Any] = {"alarm_latency_load": latency.summary()}
    if pg is not None and latency.timed:
        out["alarm_latency_load"]["stages"] = clients.alarm_stages(
            latency.timed, _alarm_times(pg, [public_id for public_id, _s, _a in latency.timed])
        )
    if "summary" in background:
        out["background"] = background["summary"]
        out["background"]["pg_connections"] = peak.summary() if pg else None
    summary = out["alarm_latency_load"]
    _print_failures("alarm latency under load", summary["failures"][:5])
    say(
        f"  median {summary['median_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"max {summary['max_ms']} ms, timeouts {latency.timeouts}; background "
        f"{_get(out, 'background', 'readings_per_s')} readings/s, "
        f"non-2xx {_get(out, 'background', 'non_2xx')}"
    )
    return out


def _alarm_times(pg: Postgres, public_ids: list[str]) -> dict[str, tuple[float, float | None]]:
    """Each alarm's row time and its first NOTIFIED event's (epoch seconds) from the run's
    database."""
    import psycopg

    with psycopg.connect(pg.url, autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT a.public_id::text, extract(epoch FROM a.created_at)::float8, "
            "extract(epoch FROM min(e.at) FILTER (WHERE e.kind = 'notified'))::float8 "
            "FROM monitoring_alarm a LEFT JOIN monitoring_alarmevent e ON e.alarm_id = a.id "
            "WHERE a.public_id::text = ANY(%s) GROUP BY a.id",
            (public_ids,),
        ).fetchall()
    return {public_id: (created, notified) for public_id, created, notified in rows}


def _smoke(port: int, token: str, cookie: str) -> None:
    """The woman's token and the clinician's session both authenticate before any timing."""
    client = clients.ApiClient(port)
    try:
        for what, headers in (
            ("woman token", {"Authorization": f"Bearer {token}"}),
            ("clinician session", {"Cookie": cookie}),
        ):
            status, body = client.request("GET", clients.ALARMS_PATH, headers=headers)
            if status != 200:
                raise RuntimeError(
                    f"{what}: GET {clients.ALARMS_PATH} gave {status}: {body[:300]!r}"
                )
    finally:
        client.close()


def _clean(out: dict[str, Any]) -> bool:
    return (
        all(out[name]["errors"] == 0 and not out[name]["incomplete"] for name in PHASES)
        and all(
            out["bare"][name]["errors"] == 0 and not out["bare"][name]["incomplete"]
            for name in PHASES
        )
        and sum(int(n) for k, n in _statuses(out).items() if not k.startswith("2")) == 0
        and not out.get("workers_died")
        and out["alarm_latency"]["errors"] == 0
        and out["alarm_latency"]["timeouts"] == 0
        and out["alarm_latency"]["samples"] > 0
    )


def _print_failures(name: str, failures: list[str]) -> None:
    for line in failures:
        say(f"  {name} failure: {line}")


def _print_log_tail(log_path: Path, lines: int = 40) -> None:
    if log_path.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-lines:]
        if tail:
            say("--- server log (tail) ---\n" + "\n".join(tail) + "\n---")


def _keep_log(label: str, log_path: Path, out_dir: Path) -> None:
    if log_path.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_path, out_dir / f"server-{label.lower()}.log")


# --- main -----------------------------------------------------------------------------------


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (e.g. make or CI being stopped): unwind, so `finally` stops the server.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    began = time.monotonic()
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "django": metadata.version("django"),
            "uvicorn": metadata.version("uvicorn"),
        },
        "parameters": {
            "women": args.women,
            "clinicians": args.clinicians,
            "concurrency": args.concurrency,
            "single_requests": args.single,
            "checkin_requests": args.checkins,
            "checkin_size": len(clients.CHECK_IN),
            "bulk_requests": args.bulk_checkins,
            "bulk_size": args.bulk_size,
            "abnormal_share": clients.ABNORMAL_SHARE,
            "alarm_samples": args.alarms,
            "alarm_samples_load": args.alarms_under_load,
            "load_rate": args.load_rate,
            "debug": args.debug,
            "worker_interval": args.worker_interval,
            "seed": args.seed,
            "port": args.port or None,
            "scale_women": args.scale_women,
            "scale_readings": args.scale_readings,
        },
        "databases": {},
    }
    ok = True
    for name in args.databases:
        if name == "sqlite":
            label = "SQLite, embedded"
            outcome = run_config(Config(label, None), args)
        else:
            label = f"PostgreSQL, {args.pg_workers} workers + Redis"
            pg = Postgres(args.pg_url)
            reason = pg.unavailable() or redis_unavailable(args.redis_db)
            if reason:
                say(f"\n== {label} ==\nSkipped: {reason}.")
                results["databases"][label] = {"status": "skipped", "reason": reason}
                continue
            config = Config(
                label,
                pg,
                workers=args.pg_workers,
                db_workers=args.db_workers,
                redis_url=f"redis://{clients.HOST}:6379/{args.redis_db}",
            )
            outcome = run_config(config, args)
        results["databases"][label] = outcome
        ok = ok and outcome["status"] == "ok"
    results["total_seconds"] = round(time.monotonic() - began, 1)
    results["non_2xx"] = sum(int(d.get("non_2xx") or 0) for d in results["databases"].values())
    markdown = report.markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    say("\n" + markdown)
    say(f"Written to {args.out / 'results.md'} and results.json.")
    if results["non_2xx"]:
        say(
            f"FAILED: {results['non_2xx']:,} non-2xx response(s) under load "
            "(see the status-code rows of the table)."
        )
        return 1
    return 0 if ok else 1
