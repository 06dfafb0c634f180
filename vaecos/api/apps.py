from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vaecos.api"
    verbose_name = "API"
