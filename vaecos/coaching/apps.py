from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "vaecos.coaching"
    verbose_name = "Accompagnement"
