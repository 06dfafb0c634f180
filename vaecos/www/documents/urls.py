from django.urls import path

from vaecos.www.documents import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/telecharger/<str:kind>/", views.download, name="download"),
    path("<int:pk>/apercu/", views.preview, name="preview"),
    path("<int:pk>/apercu/page-<int:number>.png", views.preview_page, name="preview_page"),
    path("<int:pk>/importer/", views.import_upload, name="import_upload"),
    path("<int:pk>/importer/<int:import_pk>/", views.import_report, name="import_report"),
    path(
        "<int:pk>/importer/<int:import_pk>/confirmer/",
        views.import_confirm,
        name="import_confirm",
    ),
    path("<int:pk>/importer/<int:import_pk>/annuler/", views.import_cancel, name="import_cancel"),
    path("<int:pk>/a-placer/", views.unplaced, name="unplaced"),
    path("<int:pk>/a-placer/<int:fragment_pk>/placer/", views.fragment_place, name="place"),
    path(
        "<int:pk>/a-placer/<int:fragment_pk>/mettre-de-cote/",
        views.fragment_set_aside,
        name="set_aside",
    ),
]
