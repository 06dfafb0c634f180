from django.urls import path

from vaecos.www.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("mon-dossier/", views.mine, name="mine"),
]
