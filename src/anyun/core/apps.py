from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anyun.core"
    label = "core"

    def ready(self) -> None:
        from anyun.core import checks  # noqa: F401  (registers the production checks)
