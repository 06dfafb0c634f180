"""The jury's records in the admin: read only. Decisions are taken and signed on the platform,
which keeps the transition log; nothing here may change or remove them."""

from django.contrib import admin

from vaecos.jury.models import (
    AcquiredBloc,
    BlocResult,
    Deliberation,
    DeliberationMember,
    DeliberationTransitionLog,
)
from vaecos.utils.admin import ReadOnlyAdmin


class ResultInline(admin.TabularInline):
    model = BlocResult
    extra = 0
    can_delete = False
    fields = ["activity", "validated", "votes_for", "votes_against", "casting_vote"]


class PanelInline(admin.TabularInline):
    model = DeliberationMember
    extra = 0
    can_delete = False
    fields = ("user", "is_president", "qualified")
    readonly_fields = fields


class TransitionInline(admin.TabularInline):
    model = DeliberationTransitionLog
    extra = 0
    can_delete = False
    fields = ("transition", "from_state", "to_state", "by", "reason", "at")
    readonly_fields = fields


@admin.register(Deliberation)
class DeliberationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "outcome", "deliberated_at", "notified_at"]
    list_filter = ["status", "outcome"]
    list_select_related = ["registration__case__candidate", "registration__session"]
    inlines = [PanelInline, ResultInline, TransitionInline]


@admin.register(AcquiredBloc)
class AcquiredBlocAdmin(ReadOnlyAdmin):
    list_display = ["bloc_code", "candidate", "certification", "acquired_on"]
    list_select_related = ["candidate", "certification"]
    search_fields = ["candidate__last_name", "candidate__email", "bloc_code"]
