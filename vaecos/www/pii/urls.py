from django.urls import path

from vaecos.www.dossiers import converters  # noqa: F401 (registers <field_key:…>)
from vaecos.www.pii import views

app_name = "pii"

urlpatterns = [
    path("<int:pk>/donnees-personnelles/", views.overview, name="overview"),
    path("<int:pk>/donnees-personnelles/champ/<field_key:field_key>/", views.panel, name="panel"),
    path("<int:pk>/donnees-personnelles/remplacer/", views.replace, name="replace"),
    path("<int:pk>/donnees-personnelles/remplacer-tout/", views.replace_all, name="replace_all"),
    path("<int:pk>/donnees-personnelles/ignorer/", views.dismiss, name="dismiss"),
    path(
        "<int:pk>/donnees-personnelles/ignorer/<int:dismissal_pk>/annuler/",
        views.dismissal_cancel,
        name="dismissal_cancel",
    ),
    path("<int:pk>/donnees-personnelles/piece/<int:attachment_pk>/", views.file, name="file"),
    path(
        "<int:pk>/donnees-personnelles/piece/<int:attachment_pk>/copie/",
        views.file_copy,
        name="file_copy",
    ),
    path(
        "<int:pk>/donnees-personnelles/piece/<int:attachment_pk>/masquer/",
        views.file_redact,
        name="file_redact",
    ),
    path(
        "<int:pk>/donnees-personnelles/piece/<int:attachment_pk>/confirmer/",
        views.file_confirm,
        name="file_confirm",
    ),
    path(
        "<int:pk>/donnees-personnelles/piece/<int:attachment_pk>/abandonner/",
        views.file_discard,
        name="file_discard",
    ),
    path(
        "<int:pk>/donnees-personnelles/piece/<int:attachment_pk>/verifiee/",
        views.file_eye_check,
        name="file_eye_check",
    ),
]
