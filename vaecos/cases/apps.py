from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "vaecos.cases"
    verbose_name = "Parcours VAE"
