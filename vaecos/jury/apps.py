from django.apps import AppConfig


class JuryConfig(AppConfig):
    name = "vaecos.jury"
    verbose_name = "Jury et décisions"
