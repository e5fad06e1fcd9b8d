"""Settings of the bare baseline app: the database (and its pool) exactly as Anyun's settings
build it from the same environment (DATABASE_URL, ANYUN_VAR_DIR, ANYUN_DB_POOL_SIZE);
nothing else of Anyun's."""

from __future__ import annotations

from anyun.settings import DATABASES as ANYUN_DATABASES

SECRET_KEY = "bench-bare-not-secret"  # noqa: S105 - a benchmark baseline on 127.0.0.1 only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["tests.bench.bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "tests.bench.bare.urls"
DATABASES = {"default": dict(ANYUN_DATABASES["default"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
# Anyun's own limit of readings per request, so the bare endpoint accepts the same bodies.
BARE_MAX_ITEMS = 20
