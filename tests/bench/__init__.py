"""The benchmark harness (`make bench`, `python -m tests.bench`): not part of the test suite.

For each database (SQLite in a fresh temporary ANYUN_VAR_DIR, then PostgreSQL when reachable)
it migrates a fresh database, builds a small world through the product's services
(`world.py`, in a subprocess), starts the real ASGI server (uvicorn, embedded queue worker),
drives the HTTP API and the live WebSocket feed from client threads (`clients.py`), and writes
a Markdown table and JSON to var/bench/. Nothing here asserts on timings.
"""
