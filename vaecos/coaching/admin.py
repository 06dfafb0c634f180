from django.contrib import admin

from vaecos.coaching.models import Comment, CommentThread


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    readonly_fields = ["author", "created_at"]
    raw_id_fields = ["author"]


@admin.register(CommentThread)
class CommentThreadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "dossier", "opened_by", "opened_at", "resolved_at"]
    list_filter = ["section"]
    list_select_related = ["dossier__case__candidate", "opened_by"]
    raw_id_fields = ["dossier", "opened_by", "resolved_by"]
    readonly_fields = ["opened_at"]
    inlines = [CommentInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "thread", "author", "created_at"]
    list_select_related = ["thread", "author"]
    raw_id_fields = ["thread", "author"]
    readonly_fields = ["created_at"]
