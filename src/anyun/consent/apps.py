from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "anyun.consent"
    label = "consent"
