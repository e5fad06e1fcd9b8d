from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "anyun.careteam"
    label = "careteam"
