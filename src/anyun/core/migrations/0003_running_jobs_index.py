"""PostgreSQL: an index on the queue's RUNNING jobs, so the lost-job sweep that every worker
round runs reads only those rows (the queue's own partial index covers READY rows only).

SQLite needs none: the queue's ordering index there is not partial and starts with status.
Built CONCURRENTLY, so adding it to a large job table does not block enqueuing.
"""

from django.db import migrations

INDEX = "core_running_jobs_idx"


def _table(apps):
    return apps.get_model("django_tasks_database", "DBTaskResult")._meta.db_table


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {table} (started_at) "
        "WHERE status = 'RUNNING'"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("core", "0002_job_lease"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
