from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anyun.web"
    label = "web"
