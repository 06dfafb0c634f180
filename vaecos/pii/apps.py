from django.apps import AppConfig


class PiiConfig(AppConfig):
    name = "vaecos.pii"
    verbose_name = "Données personnelles"
