from django.contrib import admin

from vaecos.evaluation.models import (
    EvaluationSession,
    JuryMember,
    Registration,
    RegistrationTransitionLog,
)


class JuryMemberInline(admin.TabularInline):
    model = JuryMember
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(EvaluationSession)
class EvaluationSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "referentiel_version", "branch", "capacity"]
    list_filter = ["referentiel_version", "branch"]
    date_hierarchy = "date"
    raw_id_fields = ["created_by"]
    inlines = [JuryMemberInline]


class TransitionInline(admin.TabularInline):
    model = RegistrationTransitionLog
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_state", "to_state", "by", "reason", "at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "transmitted_at", "convened_at", "reminder_sent_at"]
    list_filter = ["status"]
    list_select_related = ["case__candidate", "session"]
    # States and the transmission change only through the platform's actions, which log them.
    readonly_fields = [
        "status",
        "dossier",
        "transmitted_at",
        "transmitted_by",
        "bundle",
        "convened_at",
        "convocation",
        "reminder_sent_at",
        "registered_by",
    ]
    raw_id_fields = ["session", "case"]
    inlines = [TransitionInline]


@admin.register(JuryMember)
class JuryMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "session", "is_president", "qualified"]
    list_filter = ["is_president", "qualified"]
    list_select_related = ["user", "session"]
    raw_id_fields = ["session", "user", "added_by"]
