from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anyun.core"
    label = "core"

    def ready(self) -> None:
        # Imported for what they register: the production checks, and the signal receivers
        # that lease the jobs this process runs.
        from anyun.core import checks, jobleases  # noqa: F401
