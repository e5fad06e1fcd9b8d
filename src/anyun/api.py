"""The JSON API /api/v1 (django-ninja): routers from each app, one error format."""
