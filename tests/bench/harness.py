"""Run the benchmark on each database in turn: fresh database, world, real server, load,
alarm latency, report. Every child process is stopped in `finally` (terminate, then kill)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
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
SETUP_TIMEOUT = 300.0
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 30.0
DRAIN_TIMEOUT = 120.0
LOAD_TIME_LIMIT = 240.0
LATENCY_TIME_LIMIT = 240.0
ALARM_TIMEOUT = 15.0
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
    p.add_argument("--alarms", type=int, default=50, help="urgent readings timed to the socket")
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
    for name in ("women", "clinicians", "concurrency", "single", "checkins", "alarms"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    if args.women > 400:
        p.error("--women must be at most 400 (distinct national ID numbers)")
    return args


def say(message: str) -> None:
    print(message, flush=True)


# --- processes ------------------------------------------------------------------------------


def bench_env(var_dir: Path, database_url: str | None, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="anyun.settings",
        ANYUN_ENV="development",
        ANYUN_VAR_DIR=str(var_dir),
        ANYUN_EMBEDDED_WORKER="1",
        ANYUN_DEBUG="1" if args.debug else "0",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
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


class Server:
    """uvicorn serving anyun.asgi:application with the lifespan (embedded queue worker)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None
        self.start_seconds = 0.0
        self.exit_code: int | None = None

    def __enter__(self) -> Server:
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "anyun.asgi:application",
                "--host",
                clients.HOST,
                "--port",
                str(self.port),
                "--lifespan",
                "on",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
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
        """User + system CPU time of the server process so far (Linux /proc), else None."""
        if self.proc is None:
            return None
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is not None:
            self.exit_code = stop_process(self.proc, SERVER_STOP_TIMEOUT)
        if self.log is not None:
            self.log.close()
            self.log = None


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


# --- one database ---------------------------------------------------------------------------


def run_database(label: str, args: argparse.Namespace, pg: Postgres | None) -> dict[str, Any]:
    say(f"\n== {label} ==")
    var_dir = Path(tempfile.mkdtemp(prefix="anyun-bench-"))
    env = bench_env(var_dir, pg.url if pg else None, args)
    out: dict[str, Any] = {"status": "failed"}
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
        out.update(_measure(args, env, var_dir, log_path))
        out["status"] = "ok" if _clean(out) else "errors"
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
        say(f"{label} FAILED: {out['error']}")
        traceback.print_exc()
        _print_log_tail(log_path)
    finally:
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


def _measure(
    args: argparse.Namespace, env: dict[str, str], var_dir: Path, log_path: Path
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rng = random.Random(args.seed)
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
    with Server(env, log_path) as server:
        out["server_start_seconds"] = round(server.start_seconds, 2)
        say(
            f"server: uvicorn on {clients.HOST}:{server.port}, answering after {server.start_seconds:.1f} s"
        )
        _smoke(server.port, tokens[0], cookie)
        warmup = clients.run_load(
            "warmup",
            port=server.port,
            tokens=tokens,
            submissions=clients.single_readings(2 * args.concurrency, len(tokens), rng),
            concurrency=args.concurrency,
            time_limit=60,
        )
        if warmup.errors:
            raise RuntimeError(f"warm-up requests failed: {warmup.failures[:3]}")
        phases = [
            ("single", clients.single_readings(args.single, len(tokens), rng)),
            ("checkins", clients.check_ins(args.checkins, len(tokens), rng)),
        ]
        for name, submissions in phases:
            say(f"load: {len(submissions)} requests ({name}) from {args.concurrency} threads")
            cpu_before = server.cpu_seconds()
            result = clients.run_load(
                name,
                port=server.port,
                tokens=tokens,
                submissions=submissions,
                concurrency=args.concurrency,
                time_limit=LOAD_TIME_LIMIT,
            )
            ended = time.time()
            cpu_after = server.cpu_seconds()
            summary = result.summary()
            if cpu_before is not None and cpu_after is not None and result.seconds:
                used = cpu_after - cpu_before
                summary["server_cpu_seconds"] = round(used, 2)
                summary["server_cpu_share"] = round(used / result.seconds, 2)
                summary["server_cpu_ms_per_request"] = round(
                    1000 * used / max(1, result.requests_ok), 1
                )
            _print_failures(name, summary["failures"])
            drained = world_command(
                env,
                "drain",
                "--since",
                str(ended),
                "--timeout",
                str(DRAIN_TIMEOUT),
                timeout=DRAIN_TIMEOUT + 60,
            )
            summary["drain"] = drained
            out[name] = summary
            say(
                f"  {summary['requests_per_s']} req/s, {summary['readings_per_s']} readings/s, "
                f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
                f"errors {summary['errors']}, queue drained after {drained['seconds']} s"
            )
        interval = float(world["worker_interval"])
        say(f"alarm latency: {args.alarms} urgent readings, clinician socket {watcher['username']}")
        latency = clients.run_alarm_latency(
            port=server.port,
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
    out["server_exit_code"] = server.exit_code
    out["stats"] = world_command(env, "stats", timeout=120)
    out["charts"] = world_command(env, "charts", "--renders", str(CHART_RENDERS), timeout=300)
    say(
        f"charts: SVG {out['charts'].get('svg_median_ms')} ms, "
        f"PDF {out['charts'].get('pdf_median_ms')} ms (median of {CHART_RENDERS})"
    )
    out["expected_readings"] = (
        warmup.readings_ok
        + out["single"]["readings"]
        + out["checkins"]["readings"]
        + len(latency.post_seconds)
    )
    log = log_path.read_text(errors="replace")
    out["server_log_errors"] = len(LOG_ERROR_RE.findall(log))
    if out["server_log_errors"]:
        say(f"  the server log has {out['server_log_errors']} error line(s)")
    return out


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
        out["single"]["errors"] == 0
        and not out["single"]["incomplete"]
        and out["checkins"]["errors"] == 0
        and not out["checkins"]["incomplete"]
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
            "abnormal_share": clients.ABNORMAL_SHARE,
            "alarm_samples": args.alarms,
            "debug": args.debug,
            "worker_interval": args.worker_interval,
            "seed": args.seed,
        },
        "databases": {},
    }
    ok = True
    for name in args.databases:
        if name == "sqlite":
            outcome = run_database("SQLite", args, None)
            results["databases"]["SQLite"] = outcome
        else:
            pg = Postgres(args.pg_url)
            reason = pg.unavailable()
            if reason:
                say(
                    f"\n== PostgreSQL ==\nSkipped: PostgreSQL is not reachable at {args.pg_url} ({reason})."
                )
                results["databases"]["PostgreSQL"] = {"status": "skipped", "reason": reason}
                continue
            outcome = run_database("PostgreSQL", args, pg)
            results["databases"]["PostgreSQL"] = outcome
        ok = ok and outcome["status"] == "ok"
    results["total_seconds"] = round(time.monotonic() - began, 1)
    markdown = report.markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    say("\n" + markdown)
    say(f"Written to {args.out / 'results.md'} and results.json.")
    return 0 if ok else 1
