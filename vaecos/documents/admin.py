from django.contrib import admin

from vaecos.documents.models import Livret2Import, UnplacedFragment


@admin.register(Livret2Import)
class Livret2ImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "dossier", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = [
        "dossier",
        "uploaded_by",
        "original_name",
        "sha256",
        "status",
        "plan",
        "report",
        "created_at",
        "decided_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(UnplacedFragment)
class UnplacedFragmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "dossier", "placed_in", "set_aside"]
    list_filter = ["set_aside"]
    readonly_fields = [
        "dossier",
        "source",
        "position",
        "where",
        "text",
        "placed_in",
        "set_aside",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
