"""The fault-test harness (`python -m tests.fault`): not part of the test suite.

For each database (SQLite with the embedded worker; PostgreSQL with Redis, the app server and a
separate `anyun db_worker`) it builds a small world (`tests.bench.world`) in a fresh temporary
ANYUN_VAR_DIR, starts the real processes, sends a paced check-in load with idempotency keys
(`load.py`), kills every process with SIGKILL mid-load, restarts them, resends what was never
acknowledged with the same keys, and checks from the database (`probe.py`) that nothing was
lost or stored twice, that every expected alarm was raised and every urgent alarm's delivery
sent, and that no job is left RUNNING. Results go to var/fault/results.md (and .json).
"""
