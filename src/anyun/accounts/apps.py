from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "anyun.accounts"
    label = "accounts"
