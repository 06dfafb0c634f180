from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "vaecos.evaluation"
    verbose_name = "Sessions d'évaluation"
