from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "anyun.staff"
    label = "staff"
