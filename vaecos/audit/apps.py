from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vaecos.audit"
    verbose_name = "Journal d'audit"
