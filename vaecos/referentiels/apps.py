from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    name = "vaecos.referentiels"
    verbose_name = "Référentiels"
