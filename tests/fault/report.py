"""The results as Markdown: the figures in one column per database, then each check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.bench.report import _get, _n

Row = tuple[str, Callable[[dict[str, Any]], str]]


def _secs(value: Any) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _states(value: dict[str, int] | None) -> str:
    if not value:
        return "-"
    return ", ".join(f"{k} {v}" for k, v in sorted(value.items()))


ROWS: list[Row] = [
    ("database", lambda d: _n(d.get("version"))),
    (
        "processes killed with SIGKILL",
        lambda d: "app server + db_worker" if d.get("scaled_out") else "app server (embedded)",
    ),
    (
        "restart",
        lambda d: (
            f"db_worker alone, app server {d['app_restart_delay_s']:g} s later"
            if d.get("scaled_out") and d.get("app_restart_delay_s")
            else "all at once"
        ),
    ),
    ("kill at (seconds into the load)", lambda d: _secs(d.get("kill_seconds_into_load"))),
    ("downtime (kill to the app server answering)", lambda d: _secs(d.get("downtime_s"))),
    ("**readings**", lambda d: ""),
    (
        "sent (submissions)",
        lambda d: (
            f"{_n(_get(d, 'verify', 'readings', 'readings_sent'))} ({_n(_get(d, 'client', 'submissions'))})"
        ),
    ),
    ("acknowledged before the kill", lambda d: _n(_get(d, "kill", "readings_acked_before"))),
    (
        "acknowledged in all / on resend (replays)",
        lambda d: (
            f"{_n(_get(d, 'verify', 'readings', 'readings_acked'))} / "
            f"{_n(_get(d, 'client', 'readings_acked_by_phase', 'resend'))} "
            f"(replayed: {_n(_get(d, 'resend', 'replayed'))} submissions)"
        ),
    ),
    ("stored", lambda d: _n(_get(d, "verify", "readings", "readings_stored"))),
    (
        "acknowledged and stored exactly once",
        lambda d: _n(_get(d, "verify", "readings", "readings_acked_stored_once")),
    ),
    ("missing", lambda d: _n(_get(d, "verify", "readings", "readings_acked_missing"))),
    ("duplicates", lambda d: _n(_get(d, "verify", "readings", "duplicates"))),
    ("never acknowledged", lambda d: _n(_get(d, "resend", "still_unacked"))),
    ("**alarms**", lambda d: ""),
    (
        "expected / raised (all grades)",
        lambda d: (
            f"{_n(_get(d, 'verify', 'alarms', 'expected'))} / {_n(_get(d, 'verify', 'alarms', 'raised'))}"
        ),
    ),
    (
        "urgent expected / raised",
        lambda d: (
            f"{_n(_get(d, 'verify', 'alarms', 'expected_urgent'))} / "
            f"{_n(_get(d, 'verify', 'alarms', 'raised_urgent'))}"
        ),
    ),
    (
        "urgent BP check-ins acknowledged / bp_severe alarms",
        lambda d: (
            f"{_n(_get(d, 'client', 'urgent_bp_acked'))} / "
            f"{_n(_get(d, 'verify', 'alarms', 'bp_severe_alarms'))}"
        ),
    ),
    (
        "missing / duplicated / not predicted",
        lambda d: (
            f"{_n(_get(d, 'verify', 'alarms', 'missing'))} / "
            f"{_n(_get(d, 'verify', 'alarms', 'duplicate_alarms'))} / "
            f"{_n(_get(d, 'verify', 'alarms', 'unexpected'))}"
        ),
    ),
    ("**urgent deliveries**", lambda d: ""),
    (
        "pending at the kill (of those existing)",
        lambda d: (
            f"{_n(_get(d, 'verify', 'deliveries', 'pending_at_kill'))} "
            f"(of {_n(_get(d, 'kill', 'urgent_deliveries'))})"
        ),
    ),
    ("all deliveries open at the kill", lambda d: _n(_get(d, "kill", "deliveries_open"))),
    (
        "sent / total at the end",
        lambda d: (
            f"{_n(_get(d, 'verify', 'deliveries', 'sent'))} / "
            f"{_n(_get(d, 'verify', 'deliveries', 'deliveries'))}"
        ),
    ),
    (
        "restart to the last one pending at the kill sent",
        lambda d: _secs(_get(d, "verify", "deliveries", "restart_to_last_pending_sent_s")),
    ),
    (
        "longest wait after the restart (any urgent delivery)",
        lambda d: _secs(_get(d, "verify", "deliveries", "max_wait_after_restart_s")),
    ),
    ("late (over the bound)", lambda d: _n(_get(d, "verify", "deliveries", "late"))),
    ("**queue jobs**", lambda d: ""),
    ("at the kill", lambda d: _states(_get(d, "kill", "jobs"))),
    (
        "a job seen RUNNING just before the kill",
        lambda d: _n({True: "yes", False: "no"}.get(d.get("job_seen_running_at_kill"))),
    ),
    ("RUNNING at the end", lambda d: _n(_get(d, "verify", "jobs", "running"))),
    ("run again after the kill (reclaimed)", lambda d: _n(_get(d, "verify", "jobs", "run_again"))),
    ("lost jobs put back by (log lines)", lambda d: _states(d.get("reclaimed_by"))),
    ("at the end", lambda d: _states(_get(d, "verify", "jobs", "by_status"))),
    ("**run**", lambda d: ""),
    ("server log error lines", lambda d: _n(d.get("log_error_lines"))),
    ("seconds", lambda d: _secs(d.get("seconds"))),
    ("status", lambda d: _n(d.get("status"))),
]


def markdown(results: dict[str, Any]) -> str:
    p = results["parameters"]
    dbs: dict[str, dict[str, Any]] = results["databases"]
    lines = [
        "# Fault test: SIGKILL mid-load, restart, check the data",
        "",
        f"Run {results['started_at']}, {results['total_seconds']} s in all. "
        f"`python -m tests.fault`; the same figures in results.json.",
        "",
        f"Load: {p['checkins']} five-sign check-ins (some values abnormal) and {p['urgent']} "
        f"urgent BP readings (165/112) from {p['women']} women, paced over "
        f"{p['load_seconds']:g} s from {p['concurrency']} client threads, each with its own "
        f"Idempotency-Key; {p['kill_after']:g} s in, {p['burst']} more urgent readings at once "
        f"and SIGKILL as soon as the first is acknowledged and a queue job is seen RUNNING; "
        f"restart at once (scaled out: the db_worker alone first). What was never "
        f"acknowledged is sent again with the same key after the restart.",
        f"ANYUN_JOB_LEASE_SECONDS={p['lease_seconds']:g} for the run (product default 15), so "
        f"jobs the kill left RUNNING are reclaimed within seconds. Urgent deliveries must be "
        f"sent within {p['delivery_bound_s']:g} s of the restart (or of their creation, if "
        f"later).",
        "",
    ]
    names = list(dbs)
    lines += [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label, get in ROWS:
        cells = []
        for name in names:
            try:
                cells.append(get(dbs[name]))
            except (KeyError, TypeError, AttributeError):
                cells.append("-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, d in dbs.items():
        lines.append(f"## {name}: {d.get('status')}")
        lines.append("")
        if d.get("error"):
            lines.append(f"- error: {d['error']}")
        for c in d.get("checks", []):
            lines.append(f"- {'PASS' if c['ok'] else '**FAIL**'} {c['name']}: {c['detail']}")
        listed = [
            ("missing readings (keys)", ("verify", "readings", "missing_keys")),
            ("missing alarms", ("verify", "alarms", "missing_listed")),
            ("alarms not predicted", ("verify", "alarms", "unexpected_listed")),
            ("late deliveries", ("verify", "deliveries", "late_listed")),
            ("failed jobs", ("verify", "jobs", "failed_listed")),
            ("client failures", ("client", "failures")),
        ]
        for title, path in listed:
            items = _get(d, *path)
            if items:
                lines.append(f"- {title}: " + "; ".join(str(i) for i in items))
        lines.append("")
    return "\n".join(lines)
