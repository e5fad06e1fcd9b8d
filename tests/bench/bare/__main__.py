"""`python -m tests.bench.bare setup|statements`: one JSON object on the last stdout line.

`setup` creates the bare table (schema editor, no migrations) in the bench database;
`statements` sends one request of 1, 5 and 20 readings through Django's test client and
counts the SQL statements of each.
"""

from __future__ import annotations

import json
import os
import sys
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.bare.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.bench.bare.models import BareReading

    if argv[:1] == ["setup"]:
        if BareReading._meta.db_table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(BareReading)
        result: dict[str, object] = {"ok": True, "table": BareReading._meta.db_table}
    elif argv[:1] == ["statements"]:
        from tests.bench.world import statement_items

        client = Client()
        result = {}
        for name, items in statement_items().items():
            with CaptureQueriesContext(connection) as captured:
                response = client.post(
                    "/bare/readings",
                    data=json.dumps({"items": items}),
                    content_type="application/json",
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
            if response.status_code != 201:
                raise RuntimeError(f"{name}: {response.status_code} {response.content[:200]!r}")
            result[name] = len(captured.captured_queries)
    else:
        sys.stderr.write("usage: python -m tests.bench.bare setup|statements\n")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


raise SystemExit(main(sys.argv[1:]))
