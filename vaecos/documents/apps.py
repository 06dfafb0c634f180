from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "vaecos.documents"
    verbose_name = "Documents"
