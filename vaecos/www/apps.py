from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "vaecos.www"
    verbose_name = "Site"
