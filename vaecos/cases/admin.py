from django.contrib import admin

from vaecos.cases.models import VaeCase


@admin.register(VaeCase)
class VaeCaseAdmin(admin.ModelAdmin):
    list_display = ["candidate", "referentiel_version", "branch", "coaching", "coach", "created_at"]
    list_filter = ["coaching"]
    list_select_related = ["candidate", "referentiel_version__certification", "branch", "coach"]
    raw_id_fields = ["candidate"]
