from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "vaecos.retention"
    verbose_name = "Conservation des données"
