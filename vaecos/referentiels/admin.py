from django.contrib import admin

from vaecos.referentiels.models import (
    Activity,
    Branch,
    Certification,
    Competence,
    ReferentielVersion,
)


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0


class ActivityInline(admin.StackedInline):
    model = Activity
    extra = 0
    fields = [
        "number",
        "roman",
        "bloc_code",
        "title",
        "situations_required",
        "competences_min_covered",
    ]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["name", "rncp_code", "certifier"]


@admin.register(ReferentielVersion)
class ReferentielVersionAdmin(admin.ModelAdmin):
    list_display = ["certification", "version", "valid_from", "valid_until", "loaded_at"]
    readonly_fields = ["source_file", "source_sha256", "loaded_at"]
    inlines = [BranchInline, ActivityInline]


class CompetenceInline(admin.TabularInline):
    model = Competence
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "referentiel_version", "situations_required"]
    list_filter = ["referentiel_version"]
    inlines = [CompetenceInline]
