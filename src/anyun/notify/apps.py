from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "anyun.notify"
    label = "notify"

    def ready(self) -> None:
        from anyun.notify import signals  # noqa: F401 - connects the receivers
