"""The results as a Markdown table: one column per database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Row = tuple[str, Callable[[dict[str, Any]], str]]


def _n(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip()


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _routed(alarms: dict[str, int] | None) -> int:
    alarms = alarms or {}
    return alarms.get("attention", 0) + alarms.get("urgent", 0)


def _load_rows(key: str, title: str) -> list[Row]:
    return [
        (f"**{title}**", lambda d: ""),
        (
            "requests (ok / planned)",
            lambda d: f"{_n(_get(d, key, 'requests'))} / {_n(_get(d, key, 'requests_planned'))}",
        ),
        ("readings ingested per second", lambda d: _n(_get(d, key, "readings_per_s"))),
        ("requests per second", lambda d: _n(_get(d, key, "requests_per_s"))),
        (
            "request latency p50 / p90 / p99 / max",
            lambda d: (
                " / ".join(_n(_get(d, key, p)) for p in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))
                + " ms"
            ),
        ),
        (
            "errors (non-201) / connection retries",
            lambda d: f"{_n(_get(d, key, 'errors'))} / {_n(_get(d, key, 'retries'))}",
        ),
        (
            "abnormal readings sent / routed alarms raised",
            lambda d: (
                f"{_n(_get(d, key, 'abnormal_readings_sent'))} / {_n(_routed(_get(d, key, 'alarms_raised')))}"
            ),
        ),
        (
            "server CPU per request (share of one core)",
            lambda d: (
                f"{_n(_get(d, key, 'server_cpu_ms_per_request'), 'ms')} ({_n(_get(d, key, 'server_cpu_share'))})"
            ),
        ),
        ("queue drained after last response", lambda d: _drain(_get(d, key, "drain"))),
    ]


def _rows(p: dict[str, Any]) -> list[Row]:
    return [
        ("status", lambda d: d.get("status", "-") + (f": {d['error']}" if d.get("error") else "")),
        ("database", lambda d: _n(d.get("version"))),
        (
            "migrate / build world",
            lambda d: (
                f"{_n(_get(d, 'world', 'migrate_seconds'))} s / {_n(_get(d, 'world', 'build_seconds'))} s"
            ),
        ),
        ("server answering after start", lambda d: _n(d.get("server_start_seconds"), "s")),
        *_load_rows("single", f"{p['single_requests']:,} requests of 1 reading"),
        *_load_rows(
            "checkins", f"{p['checkin_requests']:,} check-ins of {p['checkin_size']} readings"
        ),
        (
            f"**alarm latency ({p['alarm_samples']} urgent BP 165/112, POST sent to alarm on the socket)**",
            lambda d: "",
        ),
        (
            "median / p99 / max",
            lambda d: (
                " / ".join(
                    _n(_get(d, "alarm_latency", k)) for k in ("median_ms", "p99_ms", "max_ms")
                )
                + " ms"
            ),
        ),
        (
            "min; POST response median",
            lambda d: (
                f"{_n(_get(d, 'alarm_latency', 'min_ms'))} ms; {_n(_get(d, 'alarm_latency', 'post_median_ms'))} ms"
            ),
        ),
        (
            "samples / timeouts / errors",
            lambda d: " / ".join(
                _n(_get(d, "alarm_latency", k)) for k in ("samples", "timeouts", "errors")
            ),
        ),
        (
            "pregnancy chart render: SVG / A4 PDF (median)",
            lambda d: (
                f"{_n(_get(d, 'charts', 'svg_median_ms'))} ms / "
                f"{_n(_get(d, 'charts', 'pdf_median_ms'))} ms "
                f"({_n(_get(d, 'charts', 'readings'))} readings)"
            ),
        ),
        ("**rows at the end**", lambda d: ""),
        (
            "readings stored / expected",
            lambda d: f"{_n(_get(d, 'stats', 'readings'))} / {_n(d.get('expected_readings'))}",
        ),
        ("alarms by grade", lambda d: _dict(_get(d, "stats", "alarms"))),
        ("queue jobs by status", lambda d: _dict(_get(d, "stats", "jobs"))),
        ("server log error lines", lambda d: _n(d.get("server_log_errors"))),
        ("wall time for this database", lambda d: _n(d.get("seconds"), "s")),
    ]


def _drain(d: dict[str, Any] | None) -> str:
    if not d:
        return "-"
    if not d.get("drained"):
        return f"not drained after {_n(d.get('seconds'))} s ({_n(d.get('due'))} jobs due)"
    return ("<= " if d.get("at_most") else "") + _n(d.get("seconds"), "s")


def _dict(d: dict[str, int] | None) -> str:
    if not d:
        return "-"
    return ", ".join(f"{k} {v:,}" for k, v in sorted(d.items()))


def markdown(results: dict[str, Any]) -> str:
    p = results["parameters"]
    host = results["host"]
    dbs: dict[str, dict[str, Any]] = results["databases"]
    world = next((d["world"] for d in dbs.values() if "world" in d), {})
    lines = [
        "# Anyun benchmark",
        "",
        f"Run {results['started_at']} on {host['cpus']} CPUs, Python {host['python']}, "
        f"Django {host['django']}, uvicorn {host['uvicorn']} (one process, lifespan on, "
        f"embedded queue worker every {_n(world.get('worker_interval') or p.get('worker_interval') or 'default')} s, "
        f"DEBUG {'on' if p['debug'] else 'off'}, access log off). "
        f"{p['women']} women at ~30 weeks, {p['clinicians']} clinicians; "
        f"{p['concurrency']} client threads over HTTP/1.1 keep-alive; "
        f"~{p['abnormal_share']:.0%} of readings abnormal (attention or urgent alarm, "
        f"notification and queue jobs in the same transaction); each request its own "
        f"Idempotency-Key. Total run time {results['total_seconds']} s.",
        "",
    ]
    names = list(dbs)
    lines.append("| | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))
    skipped = {n: d for n, d in dbs.items() if d.get("status") == "skipped"}
    for label, cell in _rows(p):
        values = []
        for name in names:
            d = dbs[name]
            if name in skipped:
                values.append("skipped" if label == "status" else "")
            else:
                values.append(cell(d))
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    for name, d in skipped.items():
        lines += ["", f"{name} skipped: {d.get('reason', '')}"]
    return "\n".join(lines) + "\n"
