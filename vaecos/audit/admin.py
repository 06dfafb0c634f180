from django.contrib import admin

from vaecos.audit.models import ReadEvent
from vaecos.utils.admin import ReadOnlyAdmin


@admin.register(ReadEvent)
class ReadEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by the platform, never typed or edited."""

    list_display = ["at", "user", "user_role", "label", "case", "object_id"]
    list_filter = ["user_role", "what", "at"]
    list_select_related = ["user", "case__candidate", "case__referentiel_version__certification"]
    search_fields = ["user__email", "case__candidate__email", "label"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "user",
        "user_role",
        "case",
        "dossier",
        "what",
        "label",
        "object_id",
        "path",
    ]
