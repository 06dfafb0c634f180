from django.contrib import admin
from django.urls import include, path

from vaecos.api.api import api

admin.site.site_header = "VAE COS — administration"
admin.site.site_title = "VAE COS"
admin.site.index_title = "Administration de la plateforme"

urlpatterns = [
    path("", include("vaecos.www.urls")),
    path("comptes/", include("vaecos.www.accounts.urls")),
    path("livret2/", include("vaecos.www.dossiers.urls")),
    path("livret2/", include("vaecos.www.documents.urls")),
    path("livret2/", include("vaecos.www.pii.urls")),
    path("recevabilite/", include("vaecos.www.admissibility.urls")),
    path("accompagnement/", include("vaecos.www.coaching.urls")),
    path("sessions/", include("vaecos.www.evaluation.urls")),
    path("jury/", include("vaecos.www.jury.urls")),
    path("audit/", include("vaecos.www.audit.urls")),
    path("tableau-de-bord/", include("vaecos.www.reporting.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
