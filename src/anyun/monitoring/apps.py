from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "anyun.monitoring"
    label = "monitoring"
