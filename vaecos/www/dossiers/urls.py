from django.urls import path

from vaecos.www.dossiers import (
    converters,  # noqa: F401 (registers <field_key:…>)
    status,
    views,
)

app_name = "dossiers"

urlpatterns = [
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/completude/", views.completeness, name="completeness"),
    path("<int:pk>/en-tete/", views.header, name="header"),
    path("<int:pk>/motivation/", views.motivation, name="motivation"),
    path("<int:pk>/contexte/", views.context, name="context"),
    path("<int:pk>/activite/<int:number>/", views.activity, name="activity"),
    path("<int:pk>/activite/<int:number>/ajouter/", views.situation_add, name="situation_add"),
    path("<int:pk>/situation/<int:situation_pk>/", views.situation, name="situation"),
    path(
        "<int:pk>/situation/<int:situation_pk>/options/",
        views.situation_options,
        name="situation_options",
    ),
    path(
        "<int:pk>/situation/<int:situation_pk>/supprimer/",
        views.situation_delete,
        name="situation_delete",
    ),
    path("<int:pk>/champ/<str:field_key>/", views.field_save, name="field_save"),
    path("<int:pk>/historique/<field_key:field_key>/", views.field_history, name="field_history"),
    path(
        "<int:pk>/historique/<field_key:field_key>/restaurer/",
        views.field_restore,
        name="field_restore",
    ),
    path("<int:pk>/pieces/ajouter/", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/pieces/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/pieces/<int:attachment_pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    # The dossier's status (coaching issue): finalised by the candidate, reopened by the staff.
    path("<int:pk>/finaliser/", status.finalize, name="finalize"),
    path("<int:pk>/rouvrir/", status.reopen, name="reopen"),
]
