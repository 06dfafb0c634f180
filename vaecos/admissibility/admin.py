from django.contrib import admin

from vaecos.admissibility.models import (
    AdmissibilityRequest,
    AdmissibilityTransitionLog,
    Experience,
    GapAnalysis,
)


class ExperienceInline(admin.StackedInline):
    model = Experience
    extra = 0


class GapAnalysisInline(admin.TabularInline):
    model = GapAnalysis
    extra = 0


class TransitionInline(admin.TabularInline):
    model = AdmissibilityTransitionLog
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_state", "to_state", "by", "reason", "at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AdmissibilityRequest)
class AdmissibilityRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "nature", "status", "submitted_at", "decision_due"]
    list_filter = ["status", "nature"]
    list_select_related = ["case__candidate"]
    # States change only through the platform's actions, which keep the transition log.
    readonly_fields = [
        "status",
        "submitted_at",
        "complete_on",
        "decision_due",
        "decided_on",
        "implicit",
        "validity_end",
        "decided_by",
    ]
    raw_id_fields = ["case"]
    inlines = [ExperienceInline, GapAnalysisInline, TransitionInline]
