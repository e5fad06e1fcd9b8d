from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "anyun.audit"
    label = "audit"
