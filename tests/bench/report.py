"""The results as a Markdown table: one column per configuration."""

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


def _ratio(d: dict[str, Any], key: str) -> str:
    ours = _get(d, key, "readings_per_s")
    bare = _get(d, "bare", key, "readings_per_s")
    if not ours or not bare:
        return f"{_n(ours)} / {_n(bare)}"
    return f"{_n(ours)} / {_n(bare)} / **{ours / bare:.2f}**"


def _peak(d: dict[str, Any] | None) -> str:
    peak = _get(d or {}, "pg_connections", "peak")
    return "-" if peak is None else f"{peak:,}"


def _statements(d: dict[str, Any], key: str) -> str:
    ours = _get(d, "statements", key)
    if not isinstance(ours, dict):
        return "-"
    return (
        f"{_n(ours.get('statements'))} ({_n(ours.get('transactions'))} transactions) / "
        f"{_n(_get(d, 'bare', 'statements', key))}"
    )


def _page(d: dict[str, Any], key: str, name: str) -> str:
    page = _get(d, key, name)
    if not isinstance(page, dict):
        return "-"
    return f"{_n(page.get('median_ms'))} ms / {_n(page.get('queries'))} queries"


def _codes(statuses: dict[str, int] | None) -> str:
    if not statuses:
        return "-"
    return ", ".join(f"{k if k != '0' else 'no response'}: {v:,}" for k, v in statuses.items())


def _bare_rows(key: str) -> list[Row]:
    return [
        (
            "bare: latency p50 / p99; server CPU per request; PostgreSQL connections peak",
            lambda d: (
                f"{_n(_get(d, 'bare', key, 'p50_ms'))} / {_n(_get(d, 'bare', key, 'p99_ms'))} ms; "
                f"{_n(_get(d, 'bare', key, 'server_cpu_ms_per_request'), 'ms')}; "
                f"{_peak(_get(d, 'bare', key))}"
            ),
        ),
    ]


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
        ("responses by status code (client side)", lambda d: _codes(_get(d, key, "statuses"))),
        ("PostgreSQL connections peak (pg_stat_activity)", lambda d: _peak(_get(d, key))),
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
        (
            "queue workers' CPU during the phase",
            lambda d: _n(_get(d, key, "worker_cpu_seconds"), "s"),
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
        ("configuration", lambda d: _n(d.get("configuration"))),
        ("port", lambda d: _n(d.get("port"))),
        ("server answering after start", lambda d: _n(d.get("server_start_seconds"), "s")),
        (
            "**NON-2XX RESPONSES (client side, every phase)**",
            lambda d: f"**{d['non_2xx']:,}: FAILED**" if d.get("non_2xx") else _n(d.get("non_2xx")),
        ),
        ("all responses by status code", lambda d: _codes(d.get("statuses"))),
        (
            "**readings/s: Anyun / bare endpoint (same run, same uvicorn and database) / ratio**",
            lambda d: "",
        ),
        ("1-reading POST", lambda d: _ratio(d, "single")),
        (f"{p['checkin_size']}-reading check-in", lambda d: _ratio(d, "checkins")),
        (f"{p['bulk_size']}-reading check-in (bulk)", lambda d: _ratio(d, "bulk")),
        (
            "**SQL statements per request: Anyun (transactions) / bare** (one warm request, in-process)",
            lambda d: "",
        ),
        ("1 normal reading", lambda d: _statements(d, "normal")),
        ("1 urgent reading", lambda d: _statements(d, "urgent")),
        ("5-reading check-in", lambda d: _statements(d, "checkin5")),
        ("20-reading check-in", lambda d: _statements(d, "checkin20")),
        *_load_rows("single", f"{p['single_requests']:,} requests of 1 reading"),
        *_bare_rows("single"),
        *_load_rows(
            "checkins", f"{p['checkin_requests']:,} check-ins of {p['checkin_size']} readings"
        ),
        *_bare_rows("checkins"),
        *_load_rows(
            "bulk", f"{p['bulk_requests']:,} check-ins of {p['bulk_size']} readings (bulk)"
        ),
        *_bare_rows("bulk"),
        (
            f"**alarm latency ({p['alarm_samples']} urgent BP 165/112, POST sent to alarm on the "
            "socket), after the load**",
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
            f"**alarm latency under a load of {p['bulk_size']}-reading check-ins from "
            f"{p['concurrency']} threads, {_load_rate(p)} ({p['alarm_samples_load']} urgent BP)**",
            lambda d: "",
        ),
        (
            "median / p99 / max",
            lambda d: (
                " / ".join(
                    _n(_get(d, "alarm_latency_load", k)) for k in ("median_ms", "p99_ms", "max_ms")
                )
                + " ms"
            ),
        ),
        (
            "samples / timeouts (15 s) / errors; POST response median",
            lambda d: (
                " / ".join(
                    _n(_get(d, "alarm_latency_load", k)) for k in ("samples", "timeouts", "errors")
                )
                + f"; {_n(_get(d, 'alarm_latency_load', 'post_median_ms'))} ms"
            ),
        ),
        (
            "of which the POST (median / p99); response to socket (median / p99)",
            lambda d: (
                " / ".join(
                    _n(_get(d, "alarm_latency_load", k)) for k in ("post_median_ms", "post_p99_ms")
                )
                + " ms; "
                + " / ".join(
                    _n(_get(d, "alarm_latency_load", k))
                    for k in ("after_post_median_ms", "after_post_p99_ms")
                )
                + " ms"
            ),
        ),
        (
            "stages (median / p99): POST to the alarm's row; to its NOTIFIED event; to the socket",
            lambda d: "; ".join(
                " / ".join(
                    _n(_get(d, "alarm_latency_load", "stages", stage, k))
                    for k in ("median_ms", "p99_ms")
                )
                + " ms"
                for stage in ("to_row", "to_notified", "to_socket")
            ),
        ),
        ("queue drained after that load", lambda d: _drain(d.get("background_drain"))),
        (
            "background load meanwhile: readings/s; non-2xx; PostgreSQL connections peak",
            lambda d: (
                f"{_n(_get(d, 'background', 'readings_per_s'))}; "
                f"{_n(_get(d, 'background', 'non_2xx'))}; {_peak(_get(d, 'background'))}"
            ),
        ),
        (
            "**clinician pages (median of 5 after a warm-up, zh-Hans, in-process)**",
            lambda d: (
                f"{_n(_get(d, 'pages', 'women'))} women, {_n(_get(d, 'pages', 'readings'))} "
                f"readings, {_n(_get(d, 'pages', 'alarms'))} alarms"
            ),
        ),
        ("patient list", lambda d: _page(d, "pages", "patient_list")),
        ("alarm worklist", lambda d: _page(d, "pages", "worklist")),
        ("patient overview", lambda d: _page(d, "pages", "overview")),
        *(
            [
                (
                    "**clinician pages at scale**",
                    lambda d: (
                        (
                            f"{_n(_get(d, 'scale_pages', 'women'))} women, "
                            f"{_n(_get(d, 'scale_pages', 'readings'))} readings, "
                            f"{_n(_get(d, 'scale_pages', 'alarms'))} alarms; filled in "
                            f"{_n(_get(d, 'scale', 'fill_seconds'), 's')}"
                        )
                        if d.get("scale")
                        else "not run"
                    ),
                ),
                ("patient list at scale", lambda d: _page(d, "scale_pages", "patient_list")),
                ("alarm worklist at scale", lambda d: _page(d, "scale_pages", "worklist")),
                ("patient overview at scale", lambda d: _page(d, "scale_pages", "overview")),
            ]
            if p.get("scale_women")
            else []
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


def _load_rate(p: dict[str, Any]) -> str:
    rate = p.get("load_rate")
    if rate is None:
        return "rate not recorded"
    return f"{rate:g} readings/s" if rate else "as fast as answered"


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
        *(
            [
                f"**FAILED: {results['non_2xx']:,} non-2xx response(s) seen by the clients.**",
                "",
            ]
            if results.get("non_2xx")
            else []
        ),
        f"Run {results['started_at']} on {host['cpus']} CPUs, Python {host['python']}, "
        f"Django {host['django']}, uvicorn {host['uvicorn']} (lifespan on, "
        f"embedded queue worker (SQLite) every {_n(world.get('worker_interval') or p.get('worker_interval') or 'default')} s, "
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
