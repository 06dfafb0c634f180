from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "vaecos.reporting"
    verbose_name = "Tableau de bord et exports"
