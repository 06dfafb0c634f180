from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "vaecos.cases"
    verbose_name = "Parcours VAE"

    def ready(self) -> None:
        from vaecos.cases import stages

        stages.connect()
