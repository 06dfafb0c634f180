from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "vaecos.dossiers"
    verbose_name = "Livret 2"
