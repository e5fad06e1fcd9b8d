"""The client side of the fault test: a paced check-in load whose every submission carries its
own Idempotency-Key, remembered with whether (and how) the server acknowledged it.

Standard library HTTP through `tests.bench.clients.ApiClient`; only 127.0.0.1. A submission
that gets no 2xx (connection refused or cut while the server is down, a 5xx) stays
unacknowledged and is sent again, with the same key, by `resend_unacked` after the restart.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.bench import clients

Item = dict[str, Any]
URGENT_SYSTOLIC = 160  # the brief's "urgent check-in": BP 160+ systolic (or 110+ diastolic)
URGENT_DIASTOLIC = 110


@dataclass
class Sent:
    """One submission: its key, what it carries, and what the server said each time."""

    key: str
    woman: int  # index into the world's women
    items: list[Item]
    phase: str  # "load" or "burst"
    statuses: list[int] = field(default_factory=list)  # 0: no HTTP answer
    acked_in: str | None = None  # "load", "burst" or "resend"
    replayed: bool = False  # the acknowledging answer was a replay (200)

    @property
    def acked(self) -> bool:
        return self.acked_in is not None

    @property
    def urgent_bp(self) -> int:
        return sum(
            1
            for i in self.items
            if i["kind"] == "blood_pressure"
            and (i["systolic"] >= URGENT_SYSTOLIC or i["diastolic"] >= URGENT_DIASTOLIC)
        )


def plan(*, checkins: int, urgent: int, women: int, rng: random.Random) -> list[Sent]:
    """`checkins` five-sign check-ins (the benchmark's mix: some values abnormal) with
    `urgent` single urgent BP readings (165/112) spread evenly among them."""
    mixed = clients.check_ins(checkins, women, rng)
    out = [Sent(str(uuid.uuid4()), s.woman, s.items, "load") for s in mixed]
    for n in range(urgent):
        at = round((n + 0.5) * len(out) / urgent) + n
        out.insert(at, Sent(str(uuid.uuid4()), (n * 5 + 1) % women, clients.URGENT_BP, "load"))
    return out


def burst_plan(count: int, *, women: int) -> list[Sent]:
    """Urgent BP readings from `count` different women, sent at once just before the kill."""
    return [
        Sent(str(uuid.uuid4()), (n * 3 + 2) % women, clients.URGENT_BP, "burst")
        for n in range(count)
    ]


class Ledger:
    """Every submission and its answers, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[Sent] = []
        self.first_ack = threading.Event()
        self.failures: list[str] = []

    def add(self, items: list[Sent]) -> None:
        with self.lock:
            self.sent.extend(items)

    def record(self, s: Sent, status: int, body: bytes, phase: str) -> None:
        with self.lock:
            s.statuses.append(status)
            if 200 <= status < 300 and not s.acked:
                s.acked_in = phase
                s.replayed = bool(json.loads(body).get("replayed"))
                if phase == "burst":
                    self.first_ack.set()
            elif status not in (0, 200, 201) and len(self.failures) < 20:
                self.failures.append(f"{phase} {status}: {body[:200].decode(errors='replace')}")

    def unacked(self) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if not s.acked]


def submit(client: clients.ApiClient, token: str, s: Sent) -> tuple[int, bytes]:
    """POST the submission with its own key; (0, reason) when no HTTP answer came."""
    try:
        return client.request(
            "POST",
            clients.READINGS_PATH,
            body={"items": s.items},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": s.key},
        )
    except (OSError, http.client.HTTPException) as exc:
        client.close()  # a cut connection is not reused
        return 0, repr(exc).encode()


def run_paced(
    *,
    port: int,
    tokens: list[str],
    ledger: Ledger,
    submissions: list[Sent],
    seconds: float,
    concurrency: int,
    stop: threading.Event,
) -> list[threading.Thread]:
    """Start `concurrency` threads sending submission i at i * seconds / len; return them.

    A thread whose request fails moves on to the next submission (the failed one is resent
    after the restart), so the load keeps its pace while the server is down.
    """
    ledger.add(submissions)
    spacing = seconds / max(1, len(submissions))
    began = time.monotonic()
    lock = threading.Lock()
    cursor = iter(range(len(submissions)))

    def worker() -> None:
        client = clients.ApiClient(port)
        try:
            while not stop.is_set():
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                if stop.wait(max(0.0, began + i * spacing - time.monotonic())):
                    return
                s = submissions[i]
                status, body = submit(client, tokens[s.woman], s)
                ledger.record(s, status, body, "load")
        finally:
            client.close()

    threads = [
        threading.Thread(target=worker, name=f"fault-load-{n}", daemon=True)
        for n in range(concurrency)
    ]
    for t in threads:
        t.start()
    return threads


def run_burst(
    *, port: int, tokens: list[str], ledger: Ledger, submissions: list[Sent]
) -> list[threading.Thread]:
    """Send every submission at the same moment, one thread each; return the threads."""
    ledger.add(submissions)
    start = threading.Barrier(len(submissions))

    def worker(s: Sent) -> None:
        client = clients.ApiClient(port)
        try:
            start.wait(10)
            status, body = submit(client, tokens[s.woman], s)
            ledger.record(s, status, body, "burst")
        except threading.BrokenBarrierError:
            return
        finally:
            client.close()

    threads = [
        threading.Thread(target=worker, args=(s,), name=f"fault-burst-{n}", daemon=True)
        for n, s in enumerate(submissions)
    ]
    for t in threads:
        t.start()
    return threads


def resend_unacked(
    *, port: int, tokens: list[str], ledger: Ledger, attempts: int = 3
) -> dict[str, int]:
    """After the restart: send every unacknowledged submission again with its own key."""
    pending = ledger.unacked()
    client = clients.ApiClient(port)
    try:
        for attempt in range(attempts):
            for s in pending:
                status, body = submit(client, tokens[s.woman], s)
                ledger.record(s, status, body, "resend")
            pending = [s for s in pending if not s.acked]
            if not pending:
                break
            time.sleep(1.0 + attempt)
    finally:
        client.close()
    resent = [s for s in ledger.sent if s.acked_in == "resend"]
    return {
        "resent": len(resent) + len(pending),
        "acked": len(resent),
        "replayed": sum(1 for s in resent if s.replayed),
        "still_unacked": len(pending),
    }


def summary(ledger: Ledger) -> dict[str, Any]:
    with ledger.lock:
        sent = list(ledger.sent)
    by_phase: dict[str, int] = {}
    for s in sent:
        if s.acked_in:
            by_phase[s.acked_in] = by_phase.get(s.acked_in, 0) + len(s.items)
    statuses: dict[str, int] = {}
    for s in sent:
        for code in s.statuses:
            statuses[str(code)] = statuses.get(str(code), 0) + 1
    return {
        "submissions": len(sent),
        "readings": sum(len(s.items) for s in sent),
        "readings_acked_by_phase": by_phase,
        "urgent_bp_sent": sum(s.urgent_bp for s in sent),
        "urgent_bp_acked": sum(s.urgent_bp for s in sent if s.acked),
        "answers": statuses,
        "failures": list(ledger.failures),
    }
