from django.apps import AppConfig


class PregnancyConfig(AppConfig):
    name = "anyun.pregnancy"
    label = "pregnancy"
