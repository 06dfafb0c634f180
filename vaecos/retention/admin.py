from django.contrib import admin

from vaecos.retention.models import Deletion


@admin.register(Deletion)
class DeletionAdmin(admin.ModelAdmin):
    """Read-only: what the retention rules deleted, when and under which rule."""

    list_display = ["at", "rule", "label", "count", "case"]
    list_filter = ["rule", "at"]
    list_select_related = ["case__candidate", "case__referentiel_version__certification"]
    search_fields = ["label", "subject_id", "case__candidate__email"]
    date_hierarchy = "at"
    readonly_fields = [
        "run",
        "at",
        "rule",
        "label",
        "subject_type",
        "subject_id",
        "count",
        "details",
        "case",
        "admissibility_request",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
