from django.apps import AppConfig


class AdmissibilityConfig(AppConfig):
    name = "vaecos.admissibility"
    verbose_name = "Recevabilité (Livret 1)"
