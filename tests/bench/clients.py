"""The client side of the benchmark: HTTP API load from threads, and the live alarm feed.

Standard library HTTP (`http.client`, one keep-alive connection per thread) and the
`websockets` package (installed with uvicorn[standard]); only 127.0.0.1.
"""

from __future__ import annotations

import http.client
import itertools
import json
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
READINGS_PATH = "/api/v1/monitoring/readings"
ALARMS_PATH = "/api/v1/monitoring/alarms"
REQUEST_TIMEOUT = 30.0
ABNORMAL_SHARE = 0.10
MAX_FAILURES_KEPT = 20

Item = dict[str, Any]


# --- what women submit ----------------------------------------------------------------------


def _bp(rng: random.Random, abnormal: bool) -> Item:
    if abnormal:  # severe: urgent alarm, routed to the responsible clinician
        return {
            "kind": "blood_pressure",
            "systolic": rng.randint(160, 172),
            "diastolic": rng.randint(100, 114),
            "pulse": rng.randint(72, 92),
        }
    return {
        "kind": "blood_pressure",
        "systolic": rng.randint(100, 128),
        "diastolic": rng.randint(62, 82),
        "pulse": rng.randint(68, 92),
    }


def _glucose(rng: random.Random, abnormal: bool) -> Item:
    if abnormal:  # fasting above target: attention
        return {
            "kind": "glucose",
            "value": f"{rng.uniform(5.5, 6.6):.1f}",
            "glucose_context": "fasting",
        }
    context, low, high = rng.choice(
        [("fasting", 4.0, 5.1), ("post_meal_1h", 5.6, 7.5), ("post_meal_2h", 5.0, 6.4)]
    )
    return {"kind": "glucose", "value": f"{rng.uniform(low, high):.1f}", "glucose_context": context}


def _fhr(rng: random.Random, abnormal: bool) -> Item:
    value = rng.randint(164, 176) if abnormal else rng.randint(125, 155)  # > 160: attention
    return {"kind": "fetal_heart_rate", "value": str(value)}


def _temperature(rng: random.Random, abnormal: bool) -> Item:
    value = rng.uniform(38.1, 38.8) if abnormal else rng.uniform(36.2, 37.0)  # fever: urgent
    return {"kind": "temperature", "value": f"{value:.1f}"}


def _pulse(rng: random.Random, abnormal: bool) -> Item:
    value = rng.randint(104, 115) if abnormal else rng.randint(66, 92)  # > 100: attention
    return {"kind": "pulse", "value": str(value)}


def _weight(rng: random.Random, woman: int) -> Item:
    # Stable per woman: several readings taken the same day are no weekly gain.
    return {"kind": "weight", "value": f"{62 + woman % 9 + rng.uniform(-0.1, 0.1):.1f}"}


_SINGLE_KINDS: list[tuple[str, float]] = [
    ("blood_pressure", 0.40),
    ("glucose", 0.25),
    ("fetal_heart_rate", 0.15),
    ("weight", 0.10),
    ("temperature", 0.05),
    ("pulse", 0.05),
]
_MAKERS: dict[str, Callable[[random.Random, bool], Item]] = {
    "blood_pressure": _bp,
    "glucose": _glucose,
    "fetal_heart_rate": _fhr,
    "temperature": _temperature,
    "pulse": _pulse,
}


def _reading(kind: str, rng: random.Random, woman: int) -> tuple[Item, bool]:
    if kind == "weight":  # weight alarms need weeks of history: always a plain reading
        return _weight(rng, woman), False
    abnormal = rng.random() < ABNORMAL_SHARE
    return _MAKERS[kind](rng, abnormal), abnormal


@dataclass(frozen=True)
class Submission:
    woman: int  # index into the world's women
    items: list[Item]
    abnormal: int  # readings expected to raise a routed (attention/urgent) alarm


def single_readings(count: int, women: int, rng: random.Random) -> list[Submission]:
    kinds = [k for k, _w in _SINGLE_KINDS]
    weights = [w for _k, w in _SINGLE_KINDS]
    out = []
    for n in range(count):
        woman = n % women
        item, abnormal = _reading(rng.choices(kinds, weights)[0], rng, woman)
        out.append(Submission(woman, [item], int(abnormal)))
    return out


CHECK_IN = ("blood_pressure", "glucose", "weight", "fetal_heart_rate", "temperature")


def check_ins(count: int, women: int, rng: random.Random, size: int = 5) -> list[Submission]:
    """Check-ins of `size` readings: the CHECK_IN kinds in turn (20 = four of each)."""
    out = []
    for n in range(count):
        woman = (n * 7) % women
        kinds = [CHECK_IN[k % len(CHECK_IN)] for k in range(size)]
        pairs = [_reading(kind, rng, woman) for kind in kinds]
        out.append(Submission(woman, [p[0] for p in pairs], sum(p[1] for p in pairs)))
    return out


# --- HTTP -----------------------------------------------------------------------------------


class ApiClient:
    """One keep-alive connection. A request that fails on a reused connection (the server
    closed it while idle) is retried once on a fresh one: safe, every POST carries an
    Idempotency-Key."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.retries = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 1:
                    self.retries += 1
                    continue
                raise
            if response.will_close:
                self.close()
            return response.status, payload
        raise AssertionError("unreachable")

    def submit(self, token: str, items: list[Item], path: str = READINGS_PATH) -> tuple[int, bytes]:
        return self.request(
            "POST",
            path,
            body={"items": items},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )


def wait_until_answering(port: int, *, timeout: float, alive: Callable[[], bool]) -> float:
    """Seconds until the server answers any HTTP request; RuntimeError if it dies or is slow."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not alive():
            raise RuntimeError("the server exited during start-up")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", ALARMS_PATH)
            conn.getresponse().read()
            conn.close()
            return time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s")


# --- throughput -----------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    name: str
    requests_planned: int
    readings_planned: int
    abnormal_sent: int = 0
    requests_ok: int = 0
    readings_ok: int = 0
    alarms: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: int = 0
    retries: int = 0
    seconds: float = 0.0
    incomplete: bool = False
    # Every response by status code, as the client saw it (0: no response, a socket error).
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        ms = [x * 1000 for x in self.latencies]
        return {
            "requests": self.requests_ok,
            "requests_planned": self.requests_planned,
            "readings": self.readings_ok,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.requests_ok / self.seconds, 1) if self.seconds else None,
            "readings_per_s": round(self.readings_ok / self.seconds, 1) if self.seconds else None,
            "p50_ms": _round(percentile(ms, 50)),
            "p90_ms": _round(percentile(ms, 90)),
            "p99_ms": _round(percentile(ms, 99)),
            "max_ms": _round(max(ms) if ms else None),
            "errors": self.errors,
            "retries": self.retries,
            "abnormal_readings_sent": self.abnormal_sent,
            "alarms_raised": self.alarms,
            "incomplete": self.incomplete,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "non_2xx": non_2xx(self.statuses),
            "failures": self.failures,
        }


def non_2xx(statuses: dict[int, int]) -> int:
    """Responses outside 200-299, socket errors (status 0) included."""
    return sum(n for status, n in statuses.items() if not 200 <= status < 300)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def run_load(
    name: str,
    *,
    port: int,
    tokens: list[str],
    submissions: list[Submission],
    concurrency: int,
    time_limit: float,
    path: str = READINGS_PATH,
    until: Any = None,
    rate: float = 0.0,
) -> LoadResult:
    """POST every submission to `path` from `concurrency` threads (bounded by `time_limit`
    seconds, and ended early when `until`, a threading or multiprocessing event, is set:
    background load). `rate`: requests per second, each sent at its own due time (n / rate
    after the start) by the next free thread, so a slow answer does not slow the arrivals
    (until every thread is waiting on one); 0: each thread sends again as soon as answered."""
    result = LoadResult(
        name,
        requests_planned=len(submissions),
        readings_planned=sum(len(s.items) for s in submissions),
    )
    work: queue.SimpleQueue[Submission] = queue.SimpleQueue()
    for s in submissions:
        work.put(s)
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    stop = threading.Event()  # set when this call ends, also by an exception (Ctrl-C)
    deadline = time.monotonic() + time_limit
    slots = itertools.count()
    paced_from: list[float] = []  # the first due time, set by the first thread to send

    def wait_for_slot() -> None:
        with lock:
            slot = next(slots)
            if not paced_from:
                paced_from.append(time.monotonic())
        delay = paced_from[0] + slot / rate - time.monotonic()
        if delay > 0:
            stop.wait(delay)

    def worker() -> None:
        client = ApiClient(port)
        try:
            start.wait()
            while (
                not stop.is_set()
                and not (until is not None and until.is_set())
                and time.monotonic() < deadline
            ):
                try:
                    sub = work.get_nowait()
                except queue.Empty:
                    return
                if rate > 0:
                    wait_for_slot()
                began = time.perf_counter()
                try:
                    status, body = client.submit(tokens[sub.woman], sub.items, path)
                except OSError as exc:
                    status, body = 0, repr(exc).encode()
                elapsed = time.perf_counter() - began
                with lock:
                    _record(result, sub, status, body, elapsed)
        except threading.BrokenBarrierError:
            return
        finally:
            with lock:
                result.retries += client.retries
            client.close()

    threads = [
        threading.Thread(target=worker, name=f"bench-{name}-{i}", daemon=True)
        for i in range(concurrency)
    ]
    try:
        for t in threads:
            t.start()
        start.wait()
        began = time.perf_counter()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
    finally:
        stop.set()
        start.abort()
    result.seconds = time.perf_counter() - began
    result.incomplete = until is None and result.requests_ok + result.errors < len(submissions)
    return result


def background_load(
    *,
    port: int,
    tokens: list[str],
    seed: int,
    size: int,
    concurrency: int,
    time_limit: float,
    started: Any,
    until: Any,
    out: Any,
    rate: float = 0.0,
) -> None:
    """`run_load` of `size`-reading check-ins (`rate` requests per second; 0: as fast as
    answered) in a process of its own, until the event `until` is set (`started` is set once
    its submissions are built); its summary goes to the queue `out`. The load's threads then hold no
    lock the measuring process needs: a socket message is stamped when it arrives, not when
    a load thread lets go of the interpreter."""
    submissions = check_ins(20_000, len(tokens), random.Random(seed), size=size)
    started.set()
    result = run_load(
        "background",
        port=port,
        tokens=tokens,
        submissions=submissions,
        concurrency=concurrency,
        time_limit=time_limit,
        until=until,
        rate=rate,
    )
    out.put(result.summary())


def _record(result: LoadResult, sub: Submission, status: int, body: bytes, elapsed: float) -> None:
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if status != 201:
        result.errors += 1
        if len(result.failures) < MAX_FAILURES_KEPT:
            result.failures.append(f"{status}: {body[:300].decode(errors='replace')}")
        return
    out = json.loads(body)
    result.requests_ok += 1
    result.readings_ok += len(out["readings"])
    result.abnormal_sent += sub.abnormal
    result.latencies.append(elapsed)
    for alarm in out["alarms"]:
        result.alarms[alarm["grade"]] = result.alarms.get(alarm["grade"], 0) + 1


# --- alarm latency over the live feed -------------------------------------------------------


URGENT_BP: list[Item] = [{"kind": "blood_pressure", "systolic": 165, "diastolic": 112}]


@dataclass
class LatencyResult:
    samples: list[float] = field(default_factory=list)  # POST sent -> alarm on the socket
    post_seconds: list[float] = field(default_factory=list)  # POST sent -> response
    # Response -> alarm on the socket: the queue worker's routing and the push.
    after_post: list[float] = field(default_factory=list)
    # Each timed alarm: (its public id, POST sent, alarm on the socket) in wall-clock seconds,
    # for the stages read from the database afterwards (`alarm_stages`).
    timed: list[tuple[str, float, float]] = field(default_factory=list)
    timeouts: int = 0
    errors: int = 0
    stray_messages: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        ms = [x * 1000 for x in self.samples]
        post_ms = [x * 1000 for x in self.post_seconds]
        after_ms = [x * 1000 for x in self.after_post]
        return {
            "samples": len(ms),
            "min_ms": _round(min(ms) if ms else None),
            "median_ms": _round(percentile(ms, 50)),
            "p99_ms": _round(percentile(ms, 99)),
            "max_ms": _round(max(ms) if ms else None),
            "post_median_ms": _round(percentile(post_ms, 50)),
            "post_p99_ms": _round(percentile(post_ms, 99)),
            "after_post_median_ms": _round(percentile(after_ms, 50)),
            "after_post_p99_ms": _round(percentile(after_ms, 99)),
            "posted": len(post_ms),
            "timeouts": self.timeouts,
            "errors": self.errors,
            "stray_messages": self.stray_messages,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "non_2xx": non_2xx(self.statuses),
            "failures": self.failures,
        }


class FeedReader:
    """The clinician's /ws/feed/ socket; a thread stamps each message as it arrives."""

    def __init__(self, port: int, *, cookie: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(
            f"ws://{HOST}:{port}/ws/feed/",
            origin=f"http://{HOST}:{port}",
            additional_headers={"Cookie": cookie},
            proxy=None,
            open_timeout=10,
        )
        self.messages: queue.SimpleQueue[tuple[float, dict[str, Any]]] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._read, name="bench-feed", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for raw in self.ws:
                self.messages.put((time.perf_counter(), json.loads(raw)))
        except ConnectionClosed:
            return

    def close(self) -> None:
        self.ws.close()
        self.thread.join(5)


def run_alarm_latency(
    *,
    port: int,
    cookie: str,
    tokens: list[str],
    count: int,
    jitter: float,
    timeout: float,
    time_limit: float,
    rng: random.Random,
) -> LatencyResult:
    """`count` times: a woman of the watching clinician sends an urgent BP; time until the
    alarm notification for that very alarm (matched by its link) reaches the socket."""
    result = LatencyResult()
    feed = FeedReader(port, cookie=cookie)
    client = ApiClient(port)
    deadline = time.monotonic() + time_limit
    try:
        for n in range(count):
            if time.monotonic() > deadline:
                result.failures.append(f"time limit reached after {n} samples")
                break
            # A random phase against the worker's polling interval.
            time.sleep(rng.uniform(0, jitter))
            began = time.perf_counter()
            began_wall = time.time()
            try:
                status, body = client.submit(tokens[n % len(tokens)], URGENT_BP)
            except OSError as exc:
                status, body = 0, repr(exc).encode()
            answered = time.perf_counter()
            result.statuses[status] = result.statuses.get(status, 0) + 1
            urgent = (
                [a["id"] for a in json.loads(body)["alarms"] if a["grade"] == "urgent"]
                if status == 201
                else []
            )
            if not urgent:
                result.errors += 1
                result.failures.append(f"{status}: {body[:300].decode(errors='replace')}")
                continue
            result.post_seconds.append(answered - began)
            link = f"/clinic/alarms/{urgent[0]}/"
            arrived = _await_alarm(feed, link, began + timeout, result)
            if arrived is None:
                result.timeouts += 1
                result.failures.append(f"no alarm on the socket within {timeout:.0f} s: {link}")
            else:
                result.samples.append(arrived - began)
                result.after_post.append(arrived - answered)
                result.timed.append((urgent[0], began_wall, began_wall + (arrived - began)))
    finally:
        client.close()
        feed.close()
    return result


def _await_alarm(feed: FeedReader, link: str, until: float, result: LatencyResult) -> float | None:
    while (left := until - time.perf_counter()) > 0:
        try:
            at, message = feed.messages.get(timeout=left)
        except queue.Empty:
            return None
        if message.get("kind") == "alarm" and message.get("link") == link:
            return at
        result.stray_messages += 1
    return None


def alarm_stages(
    timed: list[tuple[str, float, float]], rows: dict[str, tuple[float, float | None]]
) -> dict[str, Any]:
    """Where each timed alarm's latency went, from the database's clock and the client's (one
    machine): POST sent -> the alarm's row (the request up to its insert); -> its NOTIFIED
    event (the wait for the queue worker and its routing up to that event); -> on the socket
    (the rest of the routing transaction, the push and the socket). `rows`: public id ->
    (created_at, notified at) as epoch seconds."""
    stages: dict[str, list[float]] = {"to_row": [], "to_notified": [], "to_socket": []}
    for public_id, sent, arrived in timed:
        created, notified = rows.get(public_id, (None, None))
        if created is None or notified is None:
            continue
        stages["to_row"].append((created - sent) * 1000)
        stages["to_notified"].append((notified - created) * 1000)
        stages["to_socket"].append((arrived - notified) * 1000)
    return {
        name: {
            "median_ms": _round(percentile(values, 50)),
            "p99_ms": _round(percentile(values, 99)),
            "max_ms": _round(max(values) if values else None),
        }
        for name, values in stages.items()
    }
