"""The bare baseline's ASGI application (uvicorn tests.bench.bare.asgi:application)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.bare.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
