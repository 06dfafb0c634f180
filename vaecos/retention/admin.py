from django.contrib import admin

from vaecos.retention.models import Deletion
from vaecos.utils.admin import ReadOnlyAdmin


@admin.register(Deletion)
class DeletionAdmin(ReadOnlyAdmin):
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
