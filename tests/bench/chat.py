"""Fan-out latency of the consultation chat with many concurrent WebSocket clients.

    .venv/bin/python -m tests.bench.chat [--clients 500] [--messages 10] [--interval 5]
        [--port P] [--databases sqlite,postgres]

For each configuration: a fresh database, `python -m tests.bench.world chat` opens
`clients / 2` consultations through the product's services (women graded in person, queue
join, a clinician accepts), the real server starts (SQLite: one uvicorn process with the
in-memory channel layer; PostgreSQL: two uvicorn worker processes with the Redis channel
layer, Redis database 13), and one asyncio client process opens every socket of
`/ws/consultation/<id>/` (each woman's and her clinician's, with their session cookies and an
Origin the server accepts; a `message` event carries the message under `message`). Then each woman sends `--messages` messages, one every
`--interval` seconds (the women's starts spread over one interval). Latency is the time from
her send to the message's arrival on the clinician's socket, and to the echo on her own.
A message that has not arrived `--settle` seconds after the last send is lost; a socket that
fails to open, closes early, or an `error` event counts as an error. Results go to
`var/bench/chat.md` (markdown) and are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench import clients
from tests.bench.harness import (
    LOG_ERROR_RE,
    RESULTS_DIR,
    SETUP_TIMEOUT,
    Postgres,
    Server,
    bench_env,
    free_port,
    redis_unavailable,
    world_command,
)

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/anyun_bench_chat"
REDIS_DB = 13  # the tests use 14 and 15
OPEN_TIMEOUT = 60.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench.chat",
        description="Consultation chat fan-out latency with many concurrent WebSocket clients.",
    )
    p.add_argument("--clients", type=int, default=500, help="sockets (an even number: pairs)")
    p.add_argument("--messages", type=int, default=10, help="messages each woman sends")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between a woman's messages")
    p.add_argument("--settle", type=float, default=20.0, help="seconds to wait for stragglers")
    p.add_argument("--clinicians", type=int, default=5)
    p.add_argument("--port", type=int, default=0, help="port the server binds to (0: free)")
    p.add_argument("--databases", default="sqlite,postgres")
    p.add_argument("--pg-url", default=os.environ.get("ANYUN_BENCH_CHAT_PG_URL", DEFAULT_PG_URL))
    p.add_argument("--pg-workers", type=int, default=2, help="uvicorn workers on PostgreSQL")
    p.add_argument("--keep", action="store_true", help="keep the temporary ANYUN_VAR_DIR")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = p.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(args.databases) - {"sqlite", "postgres"}:
        p.error("--databases: sqlite and/or postgres")
    if args.clients < 2 or args.clients % 2:
        p.error("--clients must be an even number of at least 2")
    if args.clients // 2 > 400:
        p.error("--clients must be at most 800 (distinct national ID numbers)")
    if args.messages < 1 or args.interval <= 0 or args.clinicians < 1:
        p.error("--messages, --interval and --clinicians must be positive")
    if args.clinicians > args.clients // 2:
        p.error("--clinicians must be at most --clients / 2")
    # What bench_env reads.
    args.debug = False
    args.worker_interval = None
    return args


def say(message: str) -> None:
    print(message, flush=True)


# --- the clients ----------------------------------------------------------------------------


@dataclass
class Run:
    handshakes: list[float] = field(default_factory=list)
    connect_seconds: float = 0.0
    sent: dict[str, float] = field(default_factory=dict)  # client_id -> send time
    to_other: dict[str, float] = field(default_factory=dict)  # client_id -> latency
    to_self: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    send_seconds: float = 0.0
    duplicates: int = 0


class Socket:
    def __init__(self, run: Run, role: str, pair: int) -> None:
        self.run = run
        self.role = role
        self.pair = pair
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.closing = False

    async def open(self, port: int, path: str, cookie: str) -> None:
        from websockets.asyncio.client import connect

        began = time.perf_counter()
        self.ws = await connect(
            f"ws://{clients.HOST}:{port}{path}",
            origin=f"http://{clients.HOST}:{port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            proxy=None,
            open_timeout=OPEN_TIMEOUT,
            max_queue=None,
        )
        self.run.handshakes.append(time.perf_counter() - began)
        await self.ws.send(json.dumps({"type": "resume", "after": 0}))
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") == "message":
                    cid = str((event.get("message") or {}).get("client_id") or "")
                    began = self.run.sent.get(cid)
                    if began is None:
                        continue
                    mine = cid.startswith(f"w{self.pair}-")
                    if not mine:
                        self.run.errors.append(f"{self.role} {self.pair}: a stranger's message")
                        continue
                    into = self.run.to_self if self.role == "woman" else self.run.to_other
                    if cid in into:
                        self.run.duplicates += 1
                    else:
                        into[cid] = now - began
                elif event.get("type") == "error":
                    self.run.errors.append(
                        f"{self.role} {self.pair}: error event {event.get('code')}"
                    )
        except ConnectionClosed as exc:
            if not self.closing:
                self.run.errors.append(f"{self.role} {self.pair}: socket closed ({exc})")

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)


async def _chat(world: dict[str, Any], port: int, args: argparse.Namespace) -> Run:
    run = Run()
    cookie_name = world["session_cookie"]
    pairs = world["pairs"]
    women = [Socket(run, "woman", n) for n in range(len(pairs))]
    doctors = [Socket(run, "clinician", n) for n in range(len(pairs))]

    async def opened(sock: Socket, path: str, session: str) -> bool:
        try:
            await sock.open(port, path, f"{cookie_name}={session}")
            return True
        except Exception as exc:  # a failed handshake (non-101) or a refused connection
            run.errors.append(f"{sock.role} {sock.pair}: open failed ({type(exc).__name__}: {exc})")
            return False

    began = time.perf_counter()
    results = await asyncio.gather(
        *(
            opened(sock, f"/ws/consultation/{pair['consultation']}/", session)
            for n, pair in enumerate(pairs)
            for sock, session in (
                (women[n], pair["woman_session"]),
                (doctors[n], world["clinician_sessions"][pair["clinician"]]),
            )
        )
    )
    run.connect_seconds = time.perf_counter() - began
    say(f"  {sum(results)}/{len(results)} sockets open in {run.connect_seconds:.2f} s")
    await asyncio.sleep(1.0)  # the resume answers (empty) and the room joins settle

    async def woman(n: int) -> None:
        sock = women[n]
        if sock.ws is None:
            return
        start = began_sending + args.interval * n / len(pairs)
        for k in range(args.messages):
            await asyncio.sleep(max(0.0, start + k * args.interval - time.perf_counter()))
            cid = f"w{n}-{k}-{uuid.uuid4().hex[:8]}"
            run.sent[cid] = time.perf_counter()
            try:
                await sock.ws.send(
                    json.dumps({"type": "message", "text": f"bench {n} {k}", "client_id": cid})
                )
            except Exception as exc:
                run.errors.append(f"woman {n}: send failed ({type(exc).__name__})")
                return

    began_sending = time.perf_counter()
    await asyncio.gather(*(woman(n) for n in range(len(pairs))))
    run.send_seconds = time.perf_counter() - began_sending
    deadline = time.perf_counter() + args.settle
    while time.perf_counter() < deadline:
        if len(run.to_other) >= len(run.sent) and len(run.to_self) >= len(run.sent):
            break
        await asyncio.sleep(0.2)
    await asyncio.gather(*(s.close() for s in women + doctors))
    return run


# --- one configuration ----------------------------------------------------------------------


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(1000 * seconds, 1)


def _spread(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "median_ms": _ms(clients.percentile(values, 50)),
        "p95_ms": _ms(clients.percentile(values, 95)),
        "p99_ms": _ms(clients.percentile(values, 99)),
        "max_ms": _ms(max(values) if values else None),
    }


def run_config(label: str, args: argparse.Namespace) -> dict[str, Any]:
    pg = Postgres(args.pg_url) if label == "postgres" else None
    redis_url = f"redis://{clients.HOST}:6379/{REDIS_DB}" if pg else None
    var_dir = Path(tempfile.mkdtemp(prefix=f"anyun-chat-{label}-"))
    out: dict[str, Any] = {"label": label}
    try:
        if pg is not None:
            reason = pg.unavailable() or redis_unavailable(REDIS_DB)
            if reason:
                return {**out, "skipped": reason}
            pg.recreate()
            out["database"] = pg.version()
        else:
            out["database"] = "SQLite"
        env = bench_env(var_dir, pg.url if pg else None, args, redis_url=redis_url)
        world_path = var_dir / "chat-world.json"
        say(f"[{label}] opening {args.clients // 2} consultations ...")
        world_command(
            env,
            "chat",
            str(world_path),
            "--pairs",
            str(args.clients // 2),
            "--clinicians",
            str(args.clinicians),
            timeout=SETUP_TIMEOUT * 2,
        )
        world = json.loads(world_path.read_text())
        out["build_seconds"] = world["build_seconds"]
        workers = args.pg_workers if pg else 1
        out["server"] = (
            f"{workers} uvicorn worker processes, Redis channel layer (db {REDIS_DB})"
            if pg
            else "1 uvicorn process, in-memory channel layer, embedded queue worker"
        )
        port = args.port or free_port()
        log_path = var_dir / "server.log"
        with Server(env, log_path, port=port, workers=workers) as server:
            cpu0 = server.cpu_seconds()
            wall0 = time.perf_counter()
            client_cpu0 = time.process_time()
            run = asyncio.run(_chat(world, port, args))
            client_cpu = time.process_time() - client_cpu0
            wall = time.perf_counter() - wall0
            cpu1 = server.cpu_seconds()
        log = log_path.read_text(errors="replace")
        sent = len(run.sent)
        out.update(
            clients=args.clients,
            sockets_open=len(run.handshakes),
            connect_seconds=round(run.connect_seconds, 2),
            handshake=_spread(run.handshakes),
            sent=sent,
            send_seconds=round(run.send_seconds, 1),
            offered_per_second=round(sent / run.send_seconds, 1) if run.send_seconds else None,
            to_clinician=_spread(list(run.to_other.values())),
            echo=_spread(list(run.to_self.values())),
            lost_to_clinician=sent - len(run.to_other),
            lost_echo=sent - len(run.to_self),
            duplicates=run.duplicates,
            errors=len(run.errors),
            error_samples=run.errors[:10],
            server_log_errors=len(LOG_ERROR_RE.findall(log)),
            server_cpu_seconds=None if cpu0 is None or cpu1 is None else round(cpu1 - cpu0, 1),
            client_cpu_seconds=round(client_cpu, 1),
            wall_seconds=round(wall, 1),
        )
        if out["server_log_errors"]:
            out["server_log_tail"] = log.splitlines()[-15:]
        return out
    except Exception:
        return {**out, "failed": traceback.format_exc()[-2500:]}
    finally:
        if pg is not None:
            try:
                pg.drop()
            except Exception as exc:
                say(f"[{label}] could not drop {pg.name}: {exc}")
        if args.keep:
            say(f"[{label}] kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------


def markdown(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "# Consultation chat fan-out",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPU(s), "
        f"Python {sys.version.split()[0]}. {args.clients} sockets ({args.clients // 2} "
        f"consultations, {args.clinicians} clinicians), each woman sends {args.messages} "
        f"messages, one every {args.interval:g} s; lost = not arrived {args.settle:g} s after "
        "the last send. The client runs on the same machine as the server.",
        "",
    ]
    done = [r for r in results if "sent" in r]
    for r in results:
        if "skipped" in r:
            lines.append(f"- **{r['label']}**: skipped: {r['skipped']}")
        elif "failed" in r:
            lines += [f"- **{r['label']}**: failed:", "", "```", r["failed"], "```"]
    if not done:
        return "\n".join(lines) + "\n"
    head = "| | " + " | ".join(f"{r['label']} ({r['database']})" for r in done) + " |"
    rows: list[tuple[str, Any]] = [
        ("server", lambda r: r["server"]),
        ("sockets open", lambda r: f"{r['sockets_open']}/{r['clients']}"),
        ("all sockets open (s)", lambda r: r["connect_seconds"]),
        (
            "handshake median / p95 / max (ms)",
            lambda r: (
                f"{r['handshake']['median_ms']} / {r['handshake']['p95_ms']} / "
                f"{r['handshake']['max_ms']}"
            ),
        ),
        ("messages sent", lambda r: r["sent"]),
        ("messages/s offered", lambda r: r["offered_per_second"]),
    ]
    for key, name in (("to_clinician", "to the clinician"), ("echo", "echo to her")):
        for stat in ("median_ms", "p95_ms", "p99_ms", "max_ms"):
            rows.append(
                (f"{name}: {stat.replace('_ms', '')} (ms)", lambda r, k=key, s=stat: r[k][s])
            )
    rows += [
        ("lost to the clinician", lambda r: r["lost_to_clinician"]),
        ("lost echoes", lambda r: r["lost_echo"]),
        ("duplicates", lambda r: r["duplicates"]),
        ("socket errors", lambda r: r["errors"]),
        ("server log errors", lambda r: r["server_log_errors"]),
        ("server CPU during the run (s)", lambda r: r["server_cpu_seconds"]),
        ("client CPU during the run (s)", lambda r: r["client_cpu_seconds"]),
        ("run wall time (s)", lambda r: r["wall_seconds"]),
        ("world build (s)", lambda r: r["build_seconds"]),
    ]
    lines += [head, "|---|" + "---|" * len(done)]
    lines += [f"| {name} | " + " | ".join(str(get(r)) for r in done) + " |" for name, get in rows]
    for r in done:
        if r["error_samples"]:
            lines += ["", f"Errors ({r['label']}, first 10):", ""]
            lines += [f"- {e}" for e in r["error_samples"]]
        if r.get("server_log_tail"):
            lines += ["", f"Server log tail ({r['label']}):", "", "```"]
            lines += [*r["server_log_tail"], "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = [run_config(label, args) for label in args.databases]
    text = markdown(results, args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "chat.md").write_text(text)
    (args.out / "chat.json").write_text(json.dumps(results, indent=1))
    say(text)
    bad = any("failed" in r for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
