from django.contrib import admin

from vaecos.dossiers.models import (
    Attachment,
    Dossier,
    DossierTransitionLog,
    FieldRevision,
    Situation,
)


class SituationInline(admin.StackedInline):
    model = Situation
    extra = 0
    fields = ["activity", "position", "included", "title"]
    readonly_fields = ["activity", "title"]
    show_change_link = True


class TransitionInline(admin.TabularInline):
    model = DossierTransitionLog
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_state", "to_state", "by", "reason", "at"]


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "branch", "updated_at"]
    list_filter = ["status", "branch"]
    list_select_related = ["case__candidate", "branch"]
    search_fields = ["last_name", "first_name", "case__candidate__email"]
    raw_id_fields = ["case"]
    inlines = [SituationInline, TransitionInline]


@admin.register(FieldRevision)
class FieldRevisionAdmin(admin.ModelAdmin):
    list_display = ["dossier", "field_key", "number", "kind", "author", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["dossier", "situation", "author"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # revisions are history: never edited


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "dossier", "kind", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["dossier", "situation", "uploaded_by"]
