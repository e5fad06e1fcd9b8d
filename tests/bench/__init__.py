"""The benchmark harness (`make bench`, `python -m tests.bench`): not part of the test suite.
Nothing here asserts on timings; the run fails (exit 1, and a line atop the report) when any
client saw a non-2xx response, or when a load phase or the quiet alarm latency had errors.

Two configurations, one after the other, each on a fresh database:
- SQLite, embedded: one uvicorn process with the embedded queue worker (fresh temporary
  ANYUN_VAR_DIR);
- PostgreSQL (when reachable, with Redis on 127.0.0.1:6379): `--pg-workers` uvicorn workers
  (2), `--db-workers` separate `anyun db_worker` processes (1), REDIS_URL on database
  `--redis-db` (14, flushed first; the fault test uses 15), pooled connections.

For each: migrate and build a small world through the product's services (`world.py`, in a
subprocess); serve the bare baseline (`bare/`: a minimal Django app validating the body and
inserting one row, or `bulk_create` for a check-in, into a table of its own in the same
database) with the same uvicorn, workers and port, and load it; stop it; start Anyun's server
(and queue workers) on the same port and drive the HTTP API (1-reading POSTs, 5- and
20-reading check-ins) from client threads (`clients.py`), so that each readings/s figure has
a ratio to the bare one measured minutes apart on the same machine. Per load phase: every
response by status code (client side), latency percentiles, the server's CPU time (its whole
process tree from /proc) per request, and the peak of PostgreSQL connections to the bench
database (pg_stat_activity polled every 10 ms from a connection of its own). Then the alarm
latency (urgent reading POSTed -> alarm on the clinician's live feed) after the load, and
again while bulk check-ins load the server (from a process of its own, so that the load's
client threads do not delay the measuring process's socket reader), sent at `--load-rate`
readings/s (default 1,500, the ingestion goal: the latency at that throughput; 0: as fast as
the server answers, where every request waits in line). After the server stops: SQL statements (and
transactions) of one request of each type in-process through Django's test client (Anyun's
and the bare app's), the pregnancy chart renders, and the clinician's patient list, alarm
worklist and patient overview (median time, queries). A Markdown table and JSON go to
var/bench/.

The port: `--port` or ANYUN_BENCH_PORT (default: a free port). The clinician pages at scale,
PostgreSQL only, run only when asked: `--scale-women 100000 --scale-readings 1000000` fills
the database after the load by bulk inserts of rows cloned from the world's own (through the
product's models, so its fields encrypt), about 1% of the readings with an open alarm, then
ANALYZE, and times the pages again:

    make bench BENCH_ARGS="--databases postgres --scale-women 100000 --scale-readings 1000000"
"""
