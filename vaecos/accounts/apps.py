from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vaecos.accounts"
    verbose_name = "Comptes"
