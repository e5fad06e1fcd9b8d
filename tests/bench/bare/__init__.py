"""The bare baseline: a minimal Django 5.2 app the harness serves with the same uvicorn, the
same database and the same connection pool as Anyun, so that every throughput figure has a
paired ratio measured in the same run.

One endpoint, `POST /bare/readings` (`views.py`): it validates the JSON body the way a
careful endpoint must (the same item shapes as Anyun's API), then inserts in one
transaction: `create()` for a single reading, `bulk_create()` for a check-in. No
authentication, no grading, no alarms, no audit. Its one table (`models.py`, no
migrations) is created by `python -m tests.bench.bare setup` with the schema editor;
`python -m tests.bench.bare statements` counts the SQL statements of one request of each
size. Settings: `tests.bench.bare.settings` (the database settings are Anyun's own).
"""
