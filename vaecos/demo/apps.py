from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "vaecos.demo"
    verbose_name = "Démonstration"
