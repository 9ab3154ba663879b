from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "interlude.accounts"
    label = "accounts"
    verbose_name = "Accounts"
