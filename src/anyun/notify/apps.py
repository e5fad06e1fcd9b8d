from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "anyun.notify"
    label = "notify"
